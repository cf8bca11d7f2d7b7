"""The day's agenda: lessons in teaching order, breaks, and clock times when a schedule is set.

Shared by the deck (agenda slide, section slides, timing cues) and the handout cover, so both
always agree on the times.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from deckbuild.diagnostics import Diagnostic
from deckbuild.diagnostics import error as _error
from deckbuild.diagnostics import warning as _warning
from deckbuild.model import Course, Lesson, inline_text


@dataclass(frozen=True, slots=True)
class AgendaRow:
    kind: Literal["lesson", "break"]
    #: Index into ``course.lessons`` for a lesson row; the lesson it follows for a break.
    lesson_index: int
    label: str
    minutes: int | None
    minutes_max: int | None
    #: Clock times in minutes after midnight; None without a schedule.
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True, slots=True)
class Agenda:
    rows: tuple[AgendaRow, ...]
    #: Sum of lesson and break minutes (lower bounds of ranges), and of the upper bounds;
    #: None when no lesson gives a duration (a total of breaks alone would mislead).
    total: int | None
    total_max: int | None
    scheduled: bool
    #: The schedule's end, and whether the plan runs past it.
    end: int | None = None
    overrun: bool = False

    def slot(self, lesson_index: int) -> AgendaRow | None:
        return next(
            (r for r in self.rows if r.kind == "lesson" and r.lesson_index == lesson_index), None
        )


def lesson_label(lesson: Lesson) -> str:
    """``03 · Changesets and Validations`` / ``Phase 2 · Build`` / the bare title."""
    title = inline_text(lesson.title)
    if lesson.label and lesson.number_text:
        return f"{lesson.label} {lesson.number_text} · {title}"
    if lesson.number_text:
        return f"{lesson.number_text} · {title}"
    return title


def lesson_tag(lesson: Lesson, words: int = 3) -> str:
    """What tells a lesson's slides apart: ``03`` / ``Phase 2`` / the title's first words."""
    if lesson.number_text:
        return f"{lesson.label} {lesson.number_text}" if lesson.label else lesson.number_text
    title = inline_text(lesson.title).split()
    return " ".join(title[:words]) + (" …" if len(title) > words else "")


def agenda(course: Course) -> Agenda:
    """The rows of the day in teaching order; clock times when a schedule is set.

    A repeated lesson number gets its break once, after the first lesson that has it.
    Problems with the schedule are ``check_schedule``'s to report.
    """
    schedule = course.meta.schedule
    breaks_after: dict[int, list[tuple[int, str]]] = {}
    for b in schedule.breaks if schedule else ():
        breaks_after.setdefault(b.after, []).append((b.minutes, b.label))
    rows: list[AgendaRow] = []
    clock = schedule.start if schedule else None
    total = 0
    total_max = 0
    ranged = False
    placed: set[int] = set()
    for i, lesson in enumerate(course.lessons):
        minutes = lesson.minutes
        start = clock
        end = clock + minutes if clock is not None and minutes is not None else None
        rows.append(
            AgendaRow("lesson", i, lesson_label(lesson), minutes, lesson.minutes_max, start, end)
        )
        total += minutes or 0
        total_max += lesson.minutes_max or minutes or 0
        ranged = ranged or lesson.minutes_max is not None
        # Without a duration the clock stops: later times would be guesses.
        clock = end
        if lesson.number is not None and lesson.number not in placed:
            placed.add(lesson.number)
            for minutes_b, label in breaks_after.get(lesson.number, []):
                b_end = clock + minutes_b if clock is not None else None
                rows.append(AgendaRow("break", i, label, minutes_b, None, clock, b_end))
                clock = b_end
                total += minutes_b
                total_max += minutes_b
    day_end = schedule.end if schedule else None
    overrun = day_end is not None and any(r.end is not None and r.end > day_end for r in rows)
    timed = any(lesson.minutes is not None for lesson in course.lessons)
    return Agenda(
        tuple(rows),
        total if timed else None,
        total_max if ranged and timed else None,
        schedule is not None,
        day_end,
        overrun,
    )


def check_schedule(course: Course) -> list[Diagnostic]:
    """A break after a lesson that does not exist is an error; running past the day's end
    is a warning that names the first lesson (or break) that ends too late."""
    schedule = course.meta.schedule
    if schedule is None:
        return []
    numbers = {les.number for les in course.lessons}
    diags = [
        _error(
            f"schedule: a break is set after lesson {b.after}, but there is no lesson {b.after}",
            b.pos.line,
        )
        for b in schedule.breaks
        if b.after not in numbers
    ]
    plan = agenda(course)
    if plan.end is not None:
        late = next((r for r in plan.rows if r.end is not None and r.end > plan.end), None)
        if late is not None:
            what = (
                f"lesson {late.label!r}" if late.kind == "lesson" else f"the break {late.label!r}"
            )
            diags.append(
                _warning(
                    f"schedule: {what} ends at {clock_text(late.end or 0)}, after the day's "
                    f"end {clock_text(plan.end)}",
                    schedule.pos.line,
                )
            )
    return diags


def clock_text(minutes: int) -> str:
    return f"{(minutes // 60) % 24:02d}:{minutes % 60:02d}"


def duration_text(minutes: int | None, minutes_max: int | None = None) -> str:
    """``45 min``, ``1 h 15 min``, ``2–3 h``; empty when unknown."""
    if minutes is None:
        return ""
    if minutes_max is not None and minutes_max != minutes:
        if minutes % 60 == 0 and minutes_max % 60 == 0:
            return f"{minutes // 60}–{minutes_max // 60} h"
        return f"{minutes}–{minutes_max} min"
    if minutes >= 60 and minutes % 60 == 0:
        return f"{minutes // 60} h"
    if minutes > 60:
        return f"{minutes // 60} h {minutes % 60} min"
    return f"{minutes} min"


def slot_text(row: AgendaRow) -> str:
    """``10:30–11:30`` for a scheduled row, else empty."""
    if row.start is None or row.end is None:
        return ""
    return f"{clock_text(row.start)}–{clock_text(row.end)}"
