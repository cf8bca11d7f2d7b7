"""The agenda: clock times, breaks, totals."""

from __future__ import annotations

import io
from pathlib import Path

from deckbuild import cli, pipeline
from deckbuild.services.schedule import (
    agenda,
    check_schedule,
    clock_text,
    duration_text,
    slot_text,
)

from .conftest import FIXTURES
from .helpers import parse_text

SCHEDULE = """---
schedule:
  start: "09:00"
  end: "12:00"
  breaks:
    - after: 3
      minutes: 15
      label: Coffee break
---
"""


def test_day_two_with_a_schedule_has_clock_times_and_the_break() -> None:
    text = (FIXTURES / "day-two-v5.md").read_text(encoding="utf-8")
    course, _ = parse_text(SCHEDULE + text)
    assert course is not None
    plan = agenda(course)
    diags = check_schedule(course)
    starts = [(r.kind, clock_text(r.start or 0), r.label) for r in plan.rows[:5]]
    assert starts == [
        ("lesson", "09:00", "01 · Intro to Ecto"),
        ("lesson", "09:45", "02 · Schemas and Migrations"),
        ("lesson", "10:30", "03 · Changesets and Validations"),
        ("break", "11:30", "Coffee break"),
        ("lesson", "11:45", "04 · Querying"),
    ]
    assert slot_text(plan.rows[2]) == "10:30–11:30"
    assert plan.overrun
    assert [(d.severity, d.pos.line, d.message) for d in diags] == [
        (
            "warning",
            2,
            "schedule: lesson '04 · Querying' ends at 12:45, after the day's end 12:00",
        )
    ]


def test_without_a_schedule_durations_and_total() -> None:
    course, _ = parse_text((FIXTURES / "day-two-v5.md").read_text(encoding="utf-8"))
    assert course is not None
    plan = agenda(course)
    diags = check_schedule(course)
    assert not plan.scheduled
    assert all(r.start is None for r in plan.rows)
    assert plan.total == sum(les.minutes or 0 for les in course.lessons)
    assert diags == []


def test_duration_text() -> None:
    assert duration_text(45) == "45 min"
    assert duration_text(60) == "1 h"
    assert duration_text(75) == "1 h 15 min"
    assert duration_text(120, 180) == "2–3 h"
    assert duration_text(45, 60) == "45–60 min"
    assert duration_text(None) == ""


def test_a_break_after_a_missing_lesson_is_an_error_at_its_line(tmp_path: Path) -> None:
    text = SCHEDULE.replace("after: 3", "after: 42") + (FIXTURES / "day-two-v1.md").read_text()
    manual = tmp_path / "m.md"
    manual.write_text(text, encoding="utf-8")
    course, diags = pipeline.load(manual)
    assert course is not None
    (err,) = [d for d in diags if d.severity == "error"]
    assert err.pos.line == 6
    assert "a break is set after lesson 42, but there is no lesson 42" in err.message
    code = cli.run(
        ["build", str(manual), "--out", str(tmp_path / "out")], io.StringIO(), io.StringIO()
    )
    assert code == 1
    assert not (tmp_path / "out").exists()
