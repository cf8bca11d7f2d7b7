"""Font metrics: the direct TrueType reader agrees with reportlab's parser, and the
deck's quick line count agrees with the line breaker."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deckbuild.layout.deck_text import Typesetter
from deckbuild.services import measure
from deckbuild.services.spans import Span, Style
from deckbuild.theme import DEFAULT, PACKAGE_FONTS

FONTS = sorted(PACKAGE_FONTS.glob("*.ttf"))


@pytest.mark.parametrize("path", FONTS, ids=lambda p: p.name)
def test_reader_matches_reportlab(path: Path) -> None:
    fast = measure._TrueType(path.read_bytes()).read(str(path))
    assert fast is not None, "the direct reader should handle every bundled font"
    assert fast == measure._read_with_reportlab(str(path))


def test_unhandled_files_fall_back_to_reportlab(tmp_path: Path) -> None:
    # CFF outlines are not read directly; reportlab gives its own error for them.
    bogus = tmp_path / "bogus.ttf"
    bogus.write_bytes(b"OTTO" + bytes(64))
    assert measure._TrueType(bogus.read_bytes()).read(str(bogus)) is None
    with pytest.raises(Exception, match="postscript outlines"):
        measure._read_font(str(bogus))


# --------------------------------------------------------------------------- two breakers

WORDS = st.sampled_from(
    ["a", "Ecto", "changeset", "supercalifragilisticexpialidocious", "→", "✓", "日本語",
     "x" * 60, "Repo.get(User, id)", "—", "don't", "🎯"]
)  # fmt: skip
GAPS = st.sampled_from([" ", "  ", "\n", " \n ", "\u00a0", "\t"])
STYLES = st.sampled_from([Style(), Style(bold=True), Style(mono=True), Style(italic=True)])


@st.composite
def paragraphs(draw: st.DrawFn) -> tuple[Span, ...]:
    spans = []
    for _ in range(draw(st.integers(1, 30))):
        text = draw(WORDS) + (draw(GAPS) if draw(st.booleans()) else " ")
        spans.append(Span(text, draw(STYLES)))
    if draw(st.booleans()):
        spans[0] = Span(draw(GAPS) + spans[0].text, spans[0].style)
    return tuple(spans)


@given(paragraphs(), st.floats(20, 900), st.sampled_from([12.0, 18.0, 24.0, 28.0, 40.0]))
def test_the_quick_line_count_is_the_line_breakers(
    spans: tuple[Span, ...], width: float, size: float
) -> None:
    """The deck counts lines from word widths measured once (it asks for one paragraph at
    many sizes); it must count exactly the lines ``measure.wrap`` makes."""
    ts = Typesetter(DEFAULT)
    assert ts.lines(spans, width, size) == len(ts.wrap(spans, width, size))
