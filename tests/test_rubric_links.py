"""Rubric item -> lesson links: stemming, scoring on real text, front-matter overrides."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from deckbuild import pipeline
from deckbuild.diagnostics import Severity
from deckbuild.layout.links import build_index, link, stem, stems
from deckbuild.layout.rubric import ItemPlan, RubricPlan, layout_rubric
from deckbuild.model import Course
from deckbuild.theme import DEFAULT

from .conftest import FIXTURES
from .helpers import parse_text


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["messages", "messaging", "message"], "messag"),
        (["validation", "validations", "validates", "validate", "validating"], "validat"),
        (["tests", "testing", "tested", "test"], "test"),
        (["queries", "querying", "query"], "query"),
        (["integrates", "integration"], "integrat"),
        (["mocks", "mocking"], "mock"),
        (["maintainable", "maintainability"], "maintain"),
        (["mapping", "maps"], "map"),
        (["scalability", "scale"], "scal"),
    ],
)
def test_forms_of_a_word_share_a_stem(words: list[str], expected: str) -> None:
    assert {stem(w) for w in words} == {expected}


def test_short_words_and_double_letters_survive() -> None:
    assert stem("class") == "class"
    assert stem("status") == "status"
    assert stem("called") == "call"
    assert stem("table") == "tabl"


def test_stop_words_and_rubric_verbs_are_not_content() -> None:
    assert stems("Uses the transactions appropriately for data") == ["transaction", "data"]
    assert stems("property-based") == ["property"]


def _day_two() -> tuple[Course, RubricPlan, list[str]]:
    course, _ = pipeline.load(FIXTURES / "day-two.md")
    assert course is not None
    plan, diags = layout_rubric(course, DEFAULT)
    return course, plan, [f"{d.pos.line}: {d.severity}: {d.message}" for d in diags]


def _links(plan: RubricPlan) -> dict[str, list[str]]:
    return {"".join(s.text for s in it.text): [r.number for r in it.lessons] for it in plan.items()}


@pytest.mark.parametrize(
    ("item", "lessons"),
    [
        ("Designs appropriate schemas and migrations", ["02"]),
        ("Writes efficient queries with proper associations", ["04", "05"]),
        ("Implements comprehensive validation logic", ["03"]),
        ("Uses transactions appropriately for data consistency", ["06"]),
        ("Implements PubSub messaging patterns", ["08"]),
        ("Builds functional Channel-based features", ["09"]),
        ("Integrates Presence tracking effectively", ["10"]),
        ("Uses Streams for efficient data updates", ["11"]),
        ("Applies property-based testing appropriately", ["13"]),
        ("Mocks external services effectively", ["14"]),
    ],
)
def test_day_two_items_link_to_the_lessons_that_teach_them(item: str, lessons: list[str]) -> None:
    _, plan, _ = _day_two()
    assert _links(plan)[item] == lessons


def test_the_best_lesson_comes_first_when_several_are_linked() -> None:
    course, _, _ = _day_two()
    index = build_index(course.lessons)
    ranked = [course.lessons[i].number_text for i, _ in link("Designs maintainable tests", index)]
    assert ranked[0] == "12"


def test_an_item_sharing_no_word_says_so_with_an_info_diagnostic() -> None:
    _, plan, diags = _day_two()
    item = next(it for it in plan.items() if it.field == "c04_i04")
    assert item.lessons == ()
    assert item.source == "none"
    assert "No lesson matched" in item.link_text
    expected = (
        "1548: info: rubric item 'Applies OTP principles effectively' shares no word with a "
        "lesson title or key concept; rubric.pdf says so (link it with rubric_links in the "
        "front matter)"
    )
    assert diags == [expected]


def test_every_item_that_shares_a_word_with_a_lesson_is_linked() -> None:
    for manual in sorted(FIXTURES.rglob("*.md")):
        course, _ = pipeline.load(manual)
        assert course is not None
        plan, _ = layout_rubric(course, DEFAULT)
        vocab = [set(stems(_lesson_text(course, i))) for i in range(len(course.lessons))]
        for it in plan.items():
            if it.source == "front matter":
                continue
            shared = set(stems(_text(it))) & set().union(*vocab)
            assert bool(it.lessons) == bool(shared), (manual.name, _text(it), shared)


def _text(it: ItemPlan) -> str:
    return "".join(s.text for s in it.text)


def _lesson_text(course: Course, i: int) -> str:
    from deckbuild.model import KeyConcepts, inline_text

    lesson = course.lessons[i]
    parts = [inline_text(lesson.title)]
    for s in lesson.sections:
        if isinstance(s, KeyConcepts):
            for c in s.concepts:
                parts += [inline_text(c.term), inline_text(c.explanation)]
    return " ".join(parts)


def test_links_are_deterministic_and_ties_go_to_manual_order() -> None:
    text = _manual(
        lessons=[("01", "Alpha Widgets"), ("02", "Beta Widgets")],
        items=["Builds widgets"],
    )
    course, _ = parse_text(text)
    assert course is not None
    plans = [layout_rubric(course, DEFAULT)[0] for _ in range(3)]
    assert plans[0] == plans[1] == plans[2]
    assert [r.number for r in next(plans[0].items()).lessons] == ["01", "02"]


# --------------------------------------------------------------------------- overrides


def _manual(
    lessons: list[tuple[str, str]], items: list[str], front: str = "", code: str = ""
) -> str:
    head = f"---\n{front}---\n" if front else ""
    body = "".join(
        f"### {n}. {title} (30 minutes)\n\n#### Key Concepts\n- **{title}**: about {title}\n\n"
        + (code if i == 0 else "")
        for i, (n, title) in enumerate(lessons)
    )
    rubric = "".join(f"- [ ] {it}\n" for it in items)
    return (
        f"{head}# Course\n\n## Lesson-by-Lesson Guide\n\n{body}"
        f"## Assessment Rubric\n\n### Skills (10 points)\n{rubric}"
    )


def test_front_matter_overrides_the_words_case_insensitively() -> None:
    text = _manual(
        lessons=[("01", "Pattern Matching"), ("02", "Recursion"), ("03", "Processes")],
        items=["Uses pattern matching well", "Writes recursion"],
        front='rubric_links:\n  "uses PATTERN": [2, 3]\n',
    )
    course, _ = parse_text(text)
    assert course is not None
    plan, diags = layout_rubric(course, DEFAULT)
    first, second = plan.items()
    assert [r.number for r in first.lessons] == ["02", "03"]
    assert first.source == "front matter"
    assert [r.number for r in second.lessons] == ["02"]
    assert second.source == "words"
    assert diags == []


def test_the_longest_matching_key_wins_and_an_empty_list_unlinks() -> None:
    text = _manual(
        lessons=[("01", "Pattern Matching"), ("02", "Recursion")],
        items=["Uses pattern matching in heads"],
        front='rubric_links:\n  "Uses": [2]\n  "Uses pattern matching": []\n',
    )
    course, _ = parse_text(text)
    assert course is not None
    plan, diags = layout_rubric(course, DEFAULT)
    (item,) = plan.items()
    assert item.lessons == ()
    assert item.link_text == "No lesson linked (front matter)."
    # "Uses" was shadowed by the longer key, so it starts no item it decides.
    assert [d.message for d in diags] == ["rubric_links: 'Uses' starts no rubric item"]


def test_overrides_naming_missing_lessons_or_no_item_warn() -> None:
    text = _manual(
        lessons=[("01", "Pattern Matching")],
        items=["Uses pattern matching"],
        front='rubric_links:\n  "Uses pattern": [1, 7]\n  "Nothing like this": [1]\n',
    )
    course, _ = parse_text(text)
    assert course is not None
    plan, diags = layout_rubric(course, DEFAULT)
    assert [r.number for r in next(plan.items()).lessons] == ["01"]
    assert {d.severity for d in diags} == {Severity.WARNING}
    messages = sorted(d.message for d in diags)
    assert messages == [
        "rubric_links: 'Nothing like this' starts no rubric item",
        "rubric_links: 'Uses pattern' names lesson 7, which the manual does not have",
    ]


def test_duplicate_lesson_numbers_are_told_apart_by_title() -> None:
    course, _ = pipeline.load(FIXTURES / "unseen" / "other-author-crlf.md")
    assert course is not None
    plan, _ = layout_rubric(course, DEFAULT)
    item = next(it for it in plan.items() if _text(it).startswith("Implements a protocol"))
    assert item.link_text == "Lessons 3 (Structs and Maps), 3 (Protocols)"


def test_link_text_uses_the_units_label() -> None:
    course, _ = pipeline.load(FIXTURES / "unseen" / "day-three-phases.md")
    assert course is not None
    plan, _ = layout_rubric(course, DEFAULT)
    texts = {it.link_text for it in plan.items()}
    assert "Phase 2 (The Board LiveView)" in texts
    assert any(t.startswith("Phases ") for t in texts)


def test_an_override_applies_to_the_day_two_manual(tmp_path: Path) -> None:
    source = (FIXTURES / "day-two.md").read_bytes().decode("utf-8")
    manual = tmp_path / "m.md"
    front = textwrap.dedent(
        """\
        ---
        rubric_links: {"Applies OTP principles": [7]}
        ---
        """
    )
    manual.write_text(front + source, encoding="utf-8")
    course, _ = pipeline.load(manual)
    assert course is not None
    plan, diags = layout_rubric(course, DEFAULT)
    item = next(it for it in plan.items() if it.field == "c04_i04")
    assert item.link_text == "Lesson 07 (Behaviour Refresher)"
    assert item.snippet is not None
    assert not [d for d in diags if d.severity is Severity.INFO]
