"""Handouts are total: any manual the parser accepts gives PDFs, never an exception."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from deckbuild import pipeline
from deckbuild.layout.handout import layout_handouts
from deckbuild.parse import parse_course
from deckbuild.theme import DEFAULT
from deckbuild.writers.pdf_handout import write_handouts

from .test_properties import MARKDOWN_BITS

SKELETON = "# T\n## Lesson-by-Lesson Guide\n### 01. A (5 min)\n#### Student Summary\n"


def _handouts(text: str) -> None:
    course, _ = parse_course(text)
    if course is None:
        return
    plan, diags = layout_handouts(course, DEFAULT)
    assert all(d.pos.line >= 1 for d in diags)
    files = write_handouts(plan, DEFAULT, pipeline.FIXED_DATE)
    assert files["handouts.pdf"].startswith(b"%PDF-")
    assert len(files) == 1 + len(plan.lessons)


@settings(max_examples=25)
@given(st.lists(st.one_of(st.text(max_size=20), MARKDOWN_BITS), max_size=60).map("".join))
def test_handouts_are_total_on_markdownish_text(text: str) -> None:
    _handouts(SKELETON + text)


def test_pathological_nesting_and_long_lines() -> None:
    _handouts(SKELETON + "".join("  " * i + "- x\n" for i in range(300)))
    _handouts(SKELETON + ">" * 500 + " deep\n")
    _handouts(SKELETON + "word " * 20000 + "\n")
    _handouts(SKELETON + "```\n" + "y" * 20000 + "\n```\n")
