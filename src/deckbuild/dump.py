"""Canonical text and JSON views of the model and of layout plans.

``pformat`` is the test oracle (docutils' pseudo-XML): one node per line, indented, every
field shown, so a golden diff points at the exact node that changed. ``course_json`` is the
stable, documented schema of ``deckbuild inspect``.
"""

from __future__ import annotations

import dataclasses
from enum import Enum
from typing import Any, assert_never

from deckbuild.diagnostics import Diagnostic, SourcePos
from deckbuild.model import (
    Answers,
    Appendix,
    Aside,
    Blocks,
    CommonPitfalls,
    Course,
    DiscussionQuestions,
    Examples,
    Exercise,
    KeyConcepts,
    Lesson,
    Objectives,
    OtherSection,
    Pacing,
    Rubric,
    RubricItem,
    RubricLevel,
    Section,
    StudentSummary,
    TalkingPoints,
    TeachingTips,
    blocks_lines,
    inline_text,
    section_audience,
    section_blocks,
    walk,
)

SCHEMA_VERSION = 2


def pformat(obj: object, indent: int = 0) -> str:
    """Indented dump of any tree of dataclasses and tuples."""
    lines: list[str] = []
    _pformat(obj, indent, lines)
    return "\n".join(lines) + "\n"


def _scalar(v: object) -> str:
    if isinstance(v, SourcePos):
        return f"{v.line}:{v.col}"
    if isinstance(v, Enum):
        return str(v.value)
    if isinstance(v, float):
        return f"{v:.2f}"
    return repr(v)


def _is_leaf(v: object) -> bool:
    return (
        not dataclasses.is_dataclass(v)
        and not (
            isinstance(v, tuple)
            and any(dataclasses.is_dataclass(x) or isinstance(x, tuple) for x in v)
        )
    ) or isinstance(v, SourcePos)


def _pformat(obj: object, indent: int, lines: list[str]) -> None:
    pad = "  " * indent
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        scalars: list[str] = []
        nested: list[tuple[str, object]] = []
        for f in dataclasses.fields(obj):
            v = getattr(obj, f.name)
            if _is_leaf(v):
                if v in ((), None, "", False) and f.name != "pos":
                    continue
                scalars.append(f"{f.name}={_scalar(v)}")
            else:
                nested.append((f.name, v))
        lines.append(f"{pad}<{type(obj).__name__}{' ' if scalars else ''}{' '.join(scalars)}>")
        for name, v in nested:
            if isinstance(v, tuple):
                if not v:
                    continue
                lines.append(f"{pad}  .{name}")
                for item in v:
                    _pformat(item, indent + 2, lines)
            else:
                lines.append(f"{pad}  .{name}")
                _pformat(v, indent + 2, lines)
    elif isinstance(obj, tuple):
        lines.append(f"{pad}(")
        for item in obj:
            _pformat(item, indent + 1, lines)
        lines.append(f"{pad})")
    else:
        lines.append(f"{pad}{_scalar(obj)}")


# --------------------------------------------------------------------------- inspect JSON


def _text(blocks: Blocks) -> str:
    return "\n".join(line for line in blocks_lines(blocks) if line.strip())


def _asides(blocks: Blocks) -> list[dict[str, Any]]:
    return [
        {
            "kind": b.kind,
            "audience": b.audience,
            "label": b.label,
            "line": b.pos.line,
            "text": _text(b.blocks),
        }
        for b in walk(blocks)
        if isinstance(b, Aside)
    ]


def _section(s: Section) -> dict[str, Any]:
    base: dict[str, Any] = {
        "kind": s.kind,
        "audience": section_audience(s),
        "title": s.title,
        "line": s.pos.line,
        "asides": _asides(section_blocks(s)),
    }
    match s:
        case KeyConcepts(concepts=concepts, rest=rest):
            return {
                **base,
                "concepts": [
                    {
                        "term": inline_text(c.term),
                        "explanation": inline_text(c.explanation),
                        "line": c.pos.line,
                    }
                    for c in concepts
                ],
                "text": _text(rest),
            }
        case TalkingPoints(topics=topics):
            return {
                **base,
                "topics": [
                    {"title": inline_text(t.title), "line": t.pos.line, "text": _text(t.blocks)}
                    for t in topics
                ],
            }
        case DiscussionQuestions(questions=questions, rest=rest):
            return {
                **base,
                "questions": [
                    {
                        "question": inline_text(q.text),
                        "guidance": _text(q.guidance),
                        "line": q.pos.line,
                    }
                    for q in questions
                ],
                "text": _text(rest),
            }
        case Pacing(blocks=blocks, minutes=minutes):
            return {**base, "minutes": minutes, "text": _text(blocks)}
        case (
            StudentSummary(blocks=blocks)
            | TeachingTips(blocks=blocks)
            | CommonPitfalls(blocks=blocks)
            | Examples(blocks=blocks)
            | Objectives(blocks=blocks)
            | Exercise(blocks=blocks)
            | Answers(blocks=blocks)
            | OtherSection(blocks=blocks)
        ):
            return {**base, "text": _text(blocks)}
        case _:
            assert_never(s)


def _lesson(lesson: Lesson) -> dict[str, Any]:
    return {
        "number": lesson.number,
        "number_text": lesson.number_text,
        "label": lesson.label,
        "title": inline_text(lesson.title),
        "minutes": lesson.minutes,
        "minutes_max": lesson.minutes_max,
        "line": lesson.pos.line,
        "intro": _text(lesson.intro),
        "sections": [_section(s) for s in lesson.sections],
    }


def _item(item: RubricItem) -> dict[str, Any]:
    return {
        "text": inline_text(item.text),
        "checked": item.checked,
        "line": item.pos.line,
        "children": [_item(c) for c in item.children],
    }


def _level(level: RubricLevel) -> dict[str, Any]:
    return {
        "name": level.name,
        "points": level.points,
        "points_max": level.points_max,
        "line": level.pos.line,
        "items": [_item(i) for i in level.items],
        "text": _text(level.blocks),
    }


def _rubric(rubric: Rubric | None) -> list[dict[str, Any]]:
    if rubric is None:
        return []
    return [
        {
            "category": c.name,
            "points": c.points,
            "points_max": c.points_max,
            "line": c.pos.line,
            "items": [_item(i) for i in c.items],
            "levels": [_level(lv) for lv in c.levels],
            "text": _text(c.blocks),
        }
        for c in rubric.categories
    ]


def _appendix(a: Appendix) -> dict[str, Any]:
    return {
        "kind": a.kind,
        "audience": a.audience,
        "title": a.title,
        "line": a.pos.line,
        "text": _text(a.blocks),
        "asides": _asides(a.blocks),
    }


def course_json(course: Course | None, diagnostics: tuple[Diagnostic, ...]) -> dict[str, Any]:
    diags = [
        {"severity": str(d.severity), "line": d.pos.line, "col": d.pos.col, "message": d.message}
        for d in diagnostics
    ]
    if course is None:
        return {
            "schema": SCHEMA_VERSION,
            "title": None,
            "subtitle": None,
            "lessons": [],
            "rubric": [],
            "diagnostics": diags,
        }
    m = course.meta
    return {
        "schema": SCHEMA_VERSION,
        "title": course.title,
        "subtitle": course.subtitle,
        "author": m.author,
        "date": m.date,
        "theme": m.theme,
        "language": m.language,
        "schedule": None
        if m.schedule is None
        else {
            "start": m.schedule.start,
            "end": m.schedule.end,
            "breaks": [
                {"after": b.after, "minutes": b.minutes, "label": b.label}
                for b in m.schedule.breaks
            ],
        },
        "overview": _text(course.overview),
        "objectives": [inline_text(o) for o in course.objectives],
        "lessons": [_lesson(les) for les in course.lessons],
        "rubric": _rubric(course.rubric),
        "appendices": [_appendix(a) for a in course.appendices],
        "diagnostics": diags,
    }
