"""Reading structure out of heading text."""

from __future__ import annotations

import pytest

from deckbuild import registry
from deckbuild.parse import names


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("45 minutes", (45, None)),
        ("40 min", (40, None)),
        ("1 hour", (60, None)),
        ("1 hour 15 minutes", (75, None)),
        ("90 min", (90, None)),
        ("2-3 hours", (120, 180)),
        ("2–3 hours", (120, 180)),
        ("45-60 mins", (45, 60)),
        ("1.5 hours", (90, None)),
        ("~30 min", (30, None)),
        ("1h 30m", (90, None)),
        ("Advanced", None),
        ("40 points", None),
        ("", None),
    ],
)
def test_parse_duration(text: str, expected: tuple[int, int | None] | None) -> None:
    assert names.parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "number", "label", "title", "minutes", "minutes_max"),
    [
        ("01. Intro to Ecto (45 minutes)", 1, "", "Intro to Ecto", 45, None),
        ("7. Behaviour Refresher (40 min)", 7, "", "Behaviour Refresher", 40, None),
        ("Lesson 3: Changesets (1 hour 15 minutes)", 3, "Lesson", "Changesets", 75, None),
        ("Phase 2: Real-time Features (2-3 hours)", 2, "Phase", "Real-time Features", 120, 180),
        ("Module 4 - Testing (90 min)", 4, "Module", "Testing", 90, None),
        ("Part 1. Setup", 1, "Part", "Setup", None, None),
        ("12. The with Clause (Advanced)", 12, "", "The with Clause (Advanced)", None, None),
        ("03. Queries (45 minutes, hands-on)", 3, "", "Queries", 45, None),
    ],
)
def test_lesson_heading(
    text: str, number: int, label: str, title: str, minutes: int | None, minutes_max: int | None
) -> None:
    h = names.lesson_heading(text)
    assert h is not None
    assert (h.number, h.label, text[h.title_start : h.title_end].strip()) == (number, label, title)
    assert (h.minutes, h.minutes_max) == (minutes, minutes_max)


@pytest.mark.parametrize("text", ["Day Two Progression", "Learning Objectives", "Overview"])
def test_non_lesson_headings(text: str) -> None:
    assert names.lesson_heading(text) is None


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("🎯 **Key Concepts**", "key_concepts"),
        ("key concepts:", "key_concepts"),
        ("📝 **Student Summary**", "summary"),
        ("🎤 **Teacher Talking Points**", "talking_points"),
        ("Talking Points", "talking_points"),
        ("💬 **Discussion Questions:**", "questions"),
        ("🎯 **Teaching Tips**", "tips"),
        ("⚠️ **Common Pitfalls**", "pitfalls"),
        ("Common Teaching Pitfalls", "pitfalls"),
        ("🛠 **Common Implementation Patterns**", "examples"),
        ("Additional Examples", "examples"),
        ("💡 **The Exercise - Connection Enrichment**", "exercise"),
        ("Essence", "summary"),
        ("Expected Student Answers:", "answers"),
        ("Instructor's Notes", "tips"),
        ("Materials and Preparation", "tips"),
        ("Playtime", "exercise"),
        ("Check for Understanding", "questions"),
        ("Teaching Strategies", "talking_points"),
        ("Assessment Indicators", "other"),
    ],
)
def test_section_kind_ignores_emoji_bold_case_and_colon(name: str, kind: str) -> None:
    assert registry.unit_kind(name) == kind


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Technical Implementation (40 points)", ("Technical Implementation", 40, None)),
        ("Excellent (36-40 points)", ("Excellent", 36, 40)),
        ("Instrumentation (10 pts)", ("Instrumentation", 10, None)),
        ("Database Proficiency", ("Database Proficiency", None, None)),
    ],
)
def test_trailing_points(text: str, expected: tuple[str, int | None, int | None]) -> None:
    assert names.trailing_points(text) == expected
