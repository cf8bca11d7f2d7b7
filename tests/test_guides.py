"""Manuals by other authors, in other styles (tests/fixtures/guides/).

Each guide marks its lines: ``ANSKEY`` on every answer or solution line, ``TEACHDIR`` on
every direction to the teacher, ``STUDENTLINE`` on every line written for students. The
tests read the real artefacts back (python-pptx for the deck, the handout's plan for what
is printed) and look for the marks.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from deckbuild import registry
from deckbuild.layout.handout import layout_handouts
from deckbuild.parse import parse_course
from deckbuild.theme import DEFAULT

from .conftest import FIXTURES
from .deck_helpers import build, notes_text, slide_text
from .plan_dumps import dump_handout

GUIDES = FIXTURES / "guides"
EXPECTED = {
    name.strip(): [t.strip() for t in titles.split("|")]
    for name, titles in (
        line.split(":", 1) for line in (GUIDES / "EXPECTED.txt").read_text().splitlines() if line
    )
}
MANUALS = sorted(GUIDES.rglob("*.md"))
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def _id(p: Path) -> str:
    return p.relative_to(GUIDES).as_posix()


@cache
def _artefacts(manual: Path) -> tuple[str, str, str]:
    """(slide text, notes text, handout text) of a guide, whitespace folded."""
    built = build(manual)
    slides = " ".join(slide_text(s) for s in built.prs.slides)
    notes = " ".join(notes_text(s) for s in built.prs.slides)
    handout = dump_handout(layout_handouts(built.course, DEFAULT)[0])
    return tuple(" ".join(t.split()) for t in (slides, notes, handout))  # type: ignore[return-value]


@pytest.mark.parametrize("manual", MANUALS, ids=_id)
def test_units_are_the_ones_a_reader_finds(manual: Path) -> None:
    course, _ = parse_course(manual.read_text(encoding="utf-8"))
    assert course is not None
    titles = ["".join(r.text for r in les.title if hasattr(r, "text")) for les in course.lessons]
    assert titles == EXPECTED[_id(manual)]


def _marked(manual: Path, mark: str) -> list[str]:
    """The last words of every line carrying ``mark`` (comments reach no output)."""
    source = _COMMENT.sub("", manual.read_text(encoding="utf-8"))
    out = []
    for line in source.splitlines():
        if mark in line:
            text = re.sub(r"[*`\"“”]", "", line.split(mark)[0])
            text = re.sub(r"(?:#|//|<!--)\s*$", "", text.rstrip())
            text = re.sub(r"^\s*(?:[-+>]|\d+[.)])\s+", "", text)
            if words := text.split():
                out.append(_squash(" ".join(words[-3:])))
    return out


def _squash(text: str) -> str:
    return re.sub(r"\W+", "", text)


@pytest.mark.parametrize("manual", MANUALS, ids=_id)
def test_no_answer_on_a_slide_or_in_the_handout_and_all_in_the_notes(manual: Path) -> None:
    slides, notes, handout = _artefacts(manual)
    assert "ANSKEY" not in slides
    assert "ANSKEY" not in handout
    assert [k for k in _marked(manual, "ANSKEY") if k not in _squash(notes)] == []


@pytest.mark.parametrize("manual", MANUALS, ids=_id)
def test_no_direction_to_the_teacher_in_the_handout_and_all_in_the_deck(manual: Path) -> None:
    slides, notes, handout = _artefacts(manual)
    assert "TEACHDIR" not in handout
    deck = _squash(notes + slides)
    assert [k for k in _marked(manual, "TEACHDIR") if k not in deck] == []


def _student_lines() -> list[tuple[Path, str]]:
    out = []
    for manual in MANUALS:
        for line in manual.read_text(encoding="utf-8").splitlines():
            if "STUDENTLINE" in line:
                words = re.sub(r"[*`>#\[\]\"“”]", "", line).replace("STUDENTLINE", "").split()
                out.append((manual, _squash(" ".join(words[-4:]))))
    return out


def test_student_lines_reach_the_handout() -> None:
    """Lines for students in student sections reach the handout; a guide may still put a
    question inside a section it names in its own way (a presenter section)."""
    lines = _student_lines()
    found = [(m, k) for m, k in lines if k in _squash(_artefacts(m)[2])]
    share = len(found) / len(lines)
    assert share >= 0.9, [k for m, k in lines if (m, k) not in found][:20]


def test_a_synonym_is_one_row_in_the_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "# Course\n\n## Topic A\n\n### Brain Food\n\nRead this STUDENTLINE.\n\n## Topic B\n"
    course, _ = parse_course(text)
    assert course is not None
    assert course.lessons[0].sections[0].kind == "other"
    monkeypatch.setattr(registry, "NAMES", {**registry.NAMES, "brain food": "summary"})
    course, _ = parse_course(text)
    assert course is not None
    assert course.lessons[0].sections[0].kind == "summary"


def test_front_matter_maps_an_authors_names() -> None:
    text = "---\nsections: {Brain Food: summary, Warm Up: exercise}\n---\n# Course\n\n"
    text += "## Topic A\n\n### Brain Food\n\nRead.\n\n### Warm Up\n\nTry.\n\n## Topic B\n"
    course, diags = parse_course(text)
    assert course is not None
    assert [s.kind for s in course.lessons[0].sections] == ["summary", "exercise"]
    assert not [d for d in diags if "Brain Food" in d.message]


def test_front_matter_sets_the_unit_level() -> None:
    text = "---\nunit_level: 3\n---\n# Course\n\n## Part A\n\n### One\n\nx\n\n### Two\n\ny\n"
    course, _ = parse_course(text)
    assert course is not None
    assert [les.title[0].text for les in course.lessons] == ["One", "Two"]  # type: ignore[union-attr]


def test_readme_table_is_the_registry() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    shown = readme.split("<!-- registry:start -->\n", 1)[1].split("\n<!-- registry:end -->")[0]
    assert shown == registry.markdown_table(), "regenerate the README table from registry.py"


def test_kind_literals_are_the_registry_kinds() -> None:
    from typing import get_args

    assert list(get_args(registry.SectionKind)) == list(registry.KINDS)
