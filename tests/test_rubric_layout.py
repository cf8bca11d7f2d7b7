"""Course -> RubricPlan: golden dumps, snippets that exist in the manual, points and fields."""

from __future__ import annotations

from pathlib import Path

import pytest

from deckbuild import pipeline
from deckbuild.diagnostics import Severity
from deckbuild.layout.rubric import RubricPlan, layout_rubric
from deckbuild.layout.snippets import ELIXIR, MAX_LINES, lesson_code
from deckbuild.model import Course
from deckbuild.services.highlight import highlight
from deckbuild.theme import DEFAULT

from .conftest import FIXTURES, corpus_manuals
from .helpers import check_golden, parse_text
from .plan_dumps import dump_rubric


def _name(path: Path) -> str:
    return path.relative_to(FIXTURES).with_suffix("").as_posix().replace("/", "__")


def _plan(manual: Path) -> tuple[Course, RubricPlan, list[str]]:
    course, _ = pipeline.load(manual)
    assert course is not None
    plan, diags = layout_rubric(course, DEFAULT)
    return course, plan, [d.format(manual.name) for d in diags]


@pytest.mark.parametrize("manual", corpus_manuals(), ids=_name)
def test_rubric_plan_golden(manual: Path) -> None:
    _, plan, diags = _plan(manual)
    check_golden(
        f"rubric__{_name(manual)}.txt", dump_rubric(plan) + "".join(d + "\n" for d in diags)
    )


@pytest.mark.parametrize("manual", corpus_manuals(), ids=_name)
def test_snippets_are_short_elixir_cut_from_the_linked_lessons(manual: Path) -> None:
    course, plan, _ = _plan(manual)
    shown: set[tuple[int, str]] = set()
    for item in plan.items():
        sn = item.snippet
        if sn is None:
            continue
        assert sn.lesson in item.lessons
        assert sn.code.lang in ELIXIR
        assert 1 <= len(sn.code.lines) <= MAX_LINES
        lesson = next(
            ls
            for ls in course.lessons
            if ls.pos.line == sn.lesson.line  # the lesson the snippet names
        )
        source = [
            line for b in lesson_code(lesson) if b.lang in ELIXIR for line in b.text.split("\n")
        ]
        # Never invented: every line is a line of the lesson's code (maybe dedented).
        for line in sn.code.text.split("\n"):
            assert any(src.rstrip().endswith(line.rstrip()) for src in source), line
        key = (sn.line, sn.code.text)
        assert key not in shown, "the same snippet twice"
        shown.add(key)


def test_day_two_lessons_without_code_get_no_snippet() -> None:
    _, plan, _ = _plan(FIXTURES / "day-two.md")
    for item in plan.items():
        if item.lessons and all(int(r.number) <= 6 for r in item.lessons):
            assert item.snippet is None, item.field
    with_snippets = [it.field for it in plan.items() if it.snippet]
    assert len(with_snippets) >= 10


def test_day_two_snippets_show_what_the_item_is_about() -> None:
    _, plan, _ = _plan(FIXTURES / "day-two.md")
    by_field = {it.field: it for it in plan.items()}
    assert "property" in by_field["c03_i02"].snippet.code.text  # type: ignore[union-attr]
    assert "Mock" in by_field["c03_i03"].snippet.code.text  # type: ignore[union-attr]
    assert "Presence.track" in by_field["c02_i03"].snippet.code.text  # type: ignore[union-attr]


def test_day_three_levels_have_point_ranges_and_only_the_best_shows_snippets() -> None:
    _, plan, _ = _plan(FIXTURES / "unseen" / "day-three-phases.md")
    cat = plan.categories[0]
    assert (cat.name, cat.points, cat.score.text) == (
        "Technical Implementation",
        "40 points",
        "__ / 40",
    )
    assert [(lv.name, lv.points) for lv in cat.levels] == [
        ("Excellent", "36–40 points"),
        ("Good", "28–35 points"),
        ("Needs Improvement", "0–27 points"),
    ]
    assert any(it.snippet for it in cat.levels[0].items)
    assert not any(it.snippet for lv in cat.levels[1:] for it in lv.items)
    assert [it.field for it in cat.levels[1].items] == ["c01_l02_i01", "c01_l02_i02", "c01_l02_i03"]
    assert plan.total.text == "__ / 100"


def test_code_review_blocks_are_kept_highlighted_with_their_check_marks() -> None:
    _, plan, _ = _plan(FIXTURES / "unseen" / "day-three-phases.md")
    review = plan.categories[3]
    assert review.name == "Code Review Checklist"
    codes = [e for e in review.extras if hasattr(e, "code")]
    assert len(codes) == 1
    text = codes[0].code.text  # type: ignore[union-attr]
    assert text.count("✅") == 6 and text.count("❌") == 2
    assert all(s.style.mono and s.style.colour for ln in codes[0].code.lines for s in ln)  # type: ignore[union-attr]


def test_day_one_nested_and_checked_items_and_points() -> None:
    _, plan, _ = _plan(FIXTURES / "unseen" / "day-one.md")
    first = plan.categories[0]
    assert first.points == "10 points"
    fields = [(it.field, it.depth, it.checked) for it in first.items]
    assert fields[:3] == [("c01_i01", 0, False), ("c01_i01_1", 1, False), ("c01_i01_2", 1, False)]
    assert ("c01_i04", 0, True) in fields
    assert plan.total.text == "__ / 40"


def test_field_names_are_unique_and_stable() -> None:
    for manual in corpus_manuals():
        _, plan, _ = _plan(manual)
        names = [it.field for it in plan.items()]
        names += [f.field for f in plan.fields] + [c.score.field for c in plan.categories]
        names.append(plan.total.field)
        assert len(names) == len(set(names)), manual.name
        assert plan == _plan(manual)[1]


def test_unknown_points_give_a_blank_score_and_total() -> None:
    _, plan, _ = _plan(FIXTURES / "day-two.md")
    assert {c.score.text for c in plan.categories} == {"__"}
    assert plan.total.text == "__"


def test_a_manual_without_a_rubric_gets_a_plan_that_says_so() -> None:
    course, _ = parse_text("# Course\n\n## Lesson-by-Lesson Guide\n\n### 01. A (5 min)\n")
    assert course is not None
    plan, diags = layout_rubric(course, DEFAULT)
    assert plan.categories == ()
    assert plan.notice == "This manual has no assessment rubric."
    assert [(d.severity, d.pos.line) for d in diags] == [(Severity.INFO, 1)]


def test_an_item_about_nothing_taught_is_unlinked_and_has_no_snippet() -> None:
    course, _ = parse_text(
        "# Course\n\n## Lesson-by-Lesson Guide\n\n### 01. Zebras (5 min)\n\n"
        "```elixir\ndef zebra do\n  :stripes\nend\n```\n\n"
        "## Assessment Rubric\n\n### Skills\n- [ ] Does things\n"
    )
    assert course is not None
    plan, diags = layout_rubric(course, DEFAULT)
    (item,) = plan.items()
    assert item.lessons == () and item.snippet is None
    assert [d.severity for d in diags] == [Severity.INFO]


def test_highlight_keeps_the_last_line_of_an_iex_block() -> None:
    code = highlight("iex> 1 + 1\n2\niex> [1]\n[1]", "iex", "default", "#FFFFFF")
    assert code.text == "iex> 1 + 1\n2\niex> [1]\n[1]"


def test_characters_no_font_can_draw_are_reported() -> None:
    course, _ = parse_text(
        "# Course\n\n## Lesson-by-Lesson Guide\n\n### 01. Unicode (5 min)\n\n"
        "## Assessment Rubric\n\n### Skills\n- [ ] Writes 𝔘𝔫𝔦 and ✅ 漢字\n"
    )
    assert course is not None
    _, diags = layout_rubric(course, DEFAULT)
    warnings = [d for d in diags if d.severity is Severity.WARNING]
    assert [(d.pos.line, d.message) for d in warnings] == [
        (
            10,
            "rubric item has characters no embedded font can draw (𝔘 𝔦 𝔫); rubric.pdf prints \ufffd for them",
        )
    ]
