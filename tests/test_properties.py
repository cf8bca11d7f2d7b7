"""The reader and parser are total: any input gives a model or diagnostics, never raises."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from deckbuild.diagnostics import Severity
from deckbuild.parse import parse_course
from deckbuild.source import read_source

from .conftest import FIXTURES
from .helpers import OPERATIONS, Edit, mutate

CORPUS_LINES = (FIXTURES / "day-two-v5.md").read_text(encoding="utf-8").split("\n")
MARKDOWN_BITS = st.sampled_from(
    [
        "#",
        "##",
        "###",
        "####",
        "```",
        "```elixir",
        "~~~",
        "- ",
        "1. ",
        "> ",
        "**",
        "*",
        "`",
        "|",
        "|---|",
        "- [ ] ",
        "---",
        "\n",
        " ",
        "(45 minutes)",
        "### 01. X",
        "\t",
        "\\",
        "<b>",
        "![a](b.png)",
        "[l](",
        "🎯",
        "üéØ",
        "\x0b",
        "\x00",
        "\r",
    ]
)


def _total(text: str) -> None:
    course, diags = parse_course(text)
    if course is None:
        assert any(d.severity is Severity.ERROR for d in diags)
    for d in diags:
        assert d.pos.line >= 1


@given(st.binary(max_size=2000))
@example(b"")
@example(b"\xff\xfe")
@example(b"\xef\xbb\xbf")
def test_read_source_is_total(data: bytes) -> None:
    source, diags = read_source(data)
    if source is None:
        assert diags and diags[-1].severity is Severity.ERROR
    else:
        assert "\r" not in source.text
        _total(source.text)


@given(st.lists(st.one_of(st.text(max_size=20), MARKDOWN_BITS), max_size=60).map("".join))
def test_parse_is_total_on_markdownish_text(text: str) -> None:
    _total(text)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(OPERATIONS),
            st.integers(min_value=0, max_value=len(CORPUS_LINES) - 1),
            st.integers(min_value=0, max_value=len(CORPUS_LINES) - 1),
            MARKDOWN_BITS,
        ),
        max_size=25,
    )
)
def test_parse_is_total_on_mutated_manuals(edits: list[Edit]) -> None:
    _total(mutate(CORPUS_LINES, edits))


def test_pathological_nesting_and_long_lines_are_fine() -> None:
    _total("# T\n### 01. A (1 min)\n" + "".join("  " * i + "- x\n" for i in range(3000)))
    _total("# T\n### 01. A (1 min)\n" + ">" * 10000 + " deep\n")
    _total("# T\n### 01. A (1 min)\n" + "word " * 20000 + "\n")
