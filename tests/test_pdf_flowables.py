"""_pdf.Lines and _pdf.CodeListing: pre-broken text and code boxes, split, measured, drawn."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader
from reportlab.platypus import Flowable, SimpleDocTemplate

from deckbuild.services import measure
from deckbuild.services.highlight import highlight
from deckbuild.services.spans import CodeLines, Line, Span, Style, line_text
from deckbuild.theme import DEFAULT
from deckbuild.writers import _pdf

from . import handout_check as hc
from .test_rubric_pdf import glyph_zero

_, BODY, CODE = _pdf.faces(DEFAULT)
SIZE = DEFAULT.sizes.pdf_body
TS = _pdf.TextStyle(BODY, CODE, SIZE, SIZE * 1.4, DEFAULT.colours.text)
WIDTH = 300.0

PROSE = (
    Span("Ecto is "),
    Span("Elixir's", Style(bold=True)),
    Span(" database toolkit; "),
    Span("Repo.insert(changeset)", Style(mono=True)),
    Span(" writes a row. " * 30),
    Span("Read the guide", Style(italic=True, href="https://hexdocs.pm/ecto")),
    Span(" or "),
    Span("skip this", Style(strike=True, colour="#B31D28")),
    Span("."),
)


def _pdf_of(flowables: list[Flowable]) -> bytes:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf, invariant=1, initialFontName=BODY.name(), initialFontSize=SIZE, title="t"
    )
    doc.build(flowables)
    return buf.getvalue()


def _code(text: str) -> CodeLines:
    return highlight(text, "elixir", DEFAULT.code_style, DEFAULT.colours.code_background)


# --------------------------------------------------------------------------- Lines


def test_lines_are_broken_by_the_layouts_line_breaker() -> None:
    lines = _pdf.Lines(PROSE, TS)
    _, height = lines.wrap(WIDTH, 1e6)
    expected = measure.wrap(PROSE, WIDTH, SIZE, TS.chain)
    assert lines.lines == expected
    assert height == pytest.approx(len(expected) * TS.leading)
    assert all(_pdf.line_width(ln, TS) <= WIDTH for ln in lines.lines)


def test_a_split_keeps_every_line_once_and_two_on_each_side() -> None:
    whole = _pdf.Lines(PROSE, TS.derive(space_before=5.0, space_after=7.0), (Span("•"),))
    whole.wrap(WIDTH, 1e6)
    n = len(whole.lines)
    assert n >= 8
    for fit in range(n + 2):
        parts = whole.split(WIDTH, fit * TS.leading + 0.5)
        if not parts:
            assert fit < 2 or fit >= n or n - 2 < 2
            continue
        head, tail = parts
        assert fit >= 2
        got = [head.lines_at(WIDTH), tail.lines_at(WIDTH)]
        assert got[0] + got[1] == whole.lines
        assert min(len(g) for g in got) >= 2
        assert len(got[0]) <= fit
        # The bullet and the space before go with the head, the space after with the tail.
        assert (head.bullet, head.spaceBefore, head.spaceAfter) == ((Span("•"),), 5.0, 0)
        assert (tail.bullet, tail.spaceBefore, tail.spaceAfter) == ((), 0, 7.0)


def test_a_part_splits_again() -> None:
    whole = _pdf.Lines(PROSE, TS)
    whole.wrap(WIDTH, 1e6)
    pieces: list[list[Line]] = []
    rest: _pdf.Lines = whole
    while True:
        parts = rest.split(WIDTH, 3 * TS.leading)
        if not parts:
            pieces.append(rest.lines_at(WIDTH))
            break
        pieces.append(parts[0].lines_at(WIDTH))
        rest = parts[1]
    assert [ln for p in pieces for ln in p] == whole.lines
    assert len(pieces) > 2


def test_short_text_does_not_split() -> None:
    three = _pdf.Lines((Span("word " * 28),), TS)
    three.wrap(WIDTH, 1e6)
    assert len(three.lines) == 3
    # Two lines on one side and one on the other would leave a widow or an orphan.
    assert three.split(WIDTH, 2 * TS.leading + 1) == []


def test_empty_text_takes_one_line() -> None:
    assert _pdf.Lines((), TS).wrap(WIDTH, 1e6)[1] == pytest.approx(TS.leading)


def test_links_are_placed_over_their_text() -> None:
    pdf = _pdf_of([_pdf.Lines(PROSE, TS)])
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    (annot,) = [a.get_object() for a in page.get("/Annots") or []]
    assert annot["/A"]["/URI"] == "https://hexdocs.pm/ecto"
    x0, _, x1, _ = (float(v) for v in annot["/Rect"])
    link = Span("Read the guide", Style(italic=True))
    assert x1 - x0 == pytest.approx(_pdf.line_width((link,), TS), abs=0.01)
    text = page.extract_text()
    assert "Read the guide" in text
    assert "Repo.insert(changeset)" in text


def test_links_to_the_manuals_own_headings_are_dropped_not_fatal() -> None:
    from deckbuild import pipeline
    from deckbuild.layout.handout import layout_handouts
    from deckbuild.layout.rubric import layout_rubric
    from deckbuild.parse import parse_course
    from deckbuild.writers.pdf_handout import write_handouts
    from deckbuild.writers.pdf_rubric import write_rubric

    course, _ = parse_course(
        "# T\n## Lesson-by-Lesson Guide\n### 01. A (5 min)\n#### Student Summary\n"
        "See [the setup](#setup).\n## Assessment Rubric\n### Basics\n"
        "- [ ] Reads [the setup](#setup)\n"
    )
    assert course is not None
    handouts = write_handouts(layout_handouts(course, DEFAULT)[0], DEFAULT, pipeline.FIXED_DATE)
    rubric = write_rubric(layout_rubric(course, DEFAULT)[0], DEFAULT, pipeline.FIXED_DATE)
    assert "the setup" in "".join(hc.page_texts(handouts["handouts.pdf"]))
    assert "the setup" in "".join(hc.page_texts(rubric))


# --------------------------------------------------------------------------- CodeListing

LISTING = """\
defmodule Shop.Cart do
  @moduledoc "A cart."

  def add(cart, item), do: [item | cart]


  def total(cart), do: Enum.sum(Enum.map(cart, & &1.price * &1.quantity * (1 + &1.tax_rate)))
end"""


def test_blank_code_lines_keep_their_height() -> None:
    box = _pdf.code_box(_code(LISTING), DEFAULT, WIDTH)
    _, height = box.wrap(WIDTH, 1e6)
    lines = box.lines_at(WIDTH)
    assert sum(1 for ln in lines if not line_text(ln).strip()) == 3
    assert height == pytest.approx(len(lines) * box.ts.leading + 2 * box.PAD)
    without = _pdf.code_box(_code(LISTING.replace("\n\n", "\n")), DEFAULT, WIDTH)
    assert without.wrap(WIDTH, 1e6)[1] < height


def test_wrapped_code_lines_carry_the_marker_and_fit_the_box() -> None:
    box = _pdf.code_box(_code(LISTING), DEFAULT, 250)
    lines = box.lines_at(250)
    texts = [line_text(ln) for ln in lines]
    marked = [t for t in texts if t.startswith(_pdf.CONTINUATION)]
    assert marked, "the long line wraps"
    inner = 250 - 2 * box.PAD
    assert all(_pdf.line_width(ln, box.ts) <= inner for ln in lines)
    # Unwrapped, the parts give back the source, character for character but the spaces
    # at the breaks.
    joined = "".join(t.removeprefix(_pdf.CONTINUATION) for t in texts).replace(" ", "")
    assert joined == LISTING.replace("\n", "").replace(" ", "")


@given(st.integers(1, 40), st.floats(0, 600))
def test_a_code_split_keeps_every_line_once_and_three_on_each_side(n: int, room: float) -> None:
    code = _code("\n".join(f"x{i} = {i}" if i % 4 else "" for i in range(n)))
    box = _pdf.code_box(code, DEFAULT, WIDTH)
    box.wrap(WIDTH, 1e6)
    parts = box.split(WIDTH, room)
    if not parts:
        return
    got = [p.lines_at(WIDTH) for p in parts]
    assert got[0] + got[1] == box.lines_at(WIDTH)
    assert min(len(g) for g in got) >= 3
    assert parts[0].wrap(WIDTH, 1e6)[1] <= room


def test_a_long_listing_flows_over_pages_as_boxes() -> None:
    code = _code("\n".join(f"step_{i}(conn)" for i in range(150)))
    pdf = _pdf_of([_pdf.code_box(code, DEFAULT)])
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]
    assert len(pages) >= 2
    found = [ln.strip() for p in pages for ln in p.split("\n") if ln.strip()]
    assert found == [f"step_{i}(conn)" for i in range(150)]


# --------------------------------------------------------------------------- glyphs


def test_every_character_is_drawn_with_a_glyph_of_its_font() -> None:
    text = "Ümlaut → ✓ ⚠️ 🚀 日本語 “quotes” — ½ \ue000 done"
    code = _code('IO.puts("✅ 完了 → ok")  # 🚀\n')
    pdf = _pdf_of(
        [
            _pdf.Lines((Span(text),), TS),
            _pdf.Lines((Span(text, Style(bold=True, italic=True)),), TS, (Span("☐"),), 0),
            _pdf.Lines((Span(text, Style(mono=True)),), TS),
            _pdf.code_box(code, DEFAULT),
        ]
    )
    report = hc.glyphs(pdf)
    assert report.notdef == []
    assert report.foreign == []
    assert report.drawn > 60
    assert glyph_zero(pdf) == 0
    drawn = "".join(hc.page_texts(pdf))
    for ch in "→✓⚠🚀日本語✅完了☐":
        assert ch in drawn
    # A character no font has is drawn as U+FFFD; a variation selector is dropped.
    assert "\ufffd" in drawn
    assert "\ue000" not in drawn
    assert "\ufe0f" not in drawn
