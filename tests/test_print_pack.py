"""The print pack: slides.pdf (the deck drawn from its plan) and notes.pdf (the script).

On every fixture manual, read back with pdftotext and pikepdf:
- slides.pdf has one page per slide, and each page's text is its slide's text in order
  (title, text shapes with their bullets, table cells row by row; never the notes);
- every glyph shown exists in the font file it is drawn from (no .notdef), and nothing
  is drawn as U+FFFD;
- notes.pdf holds every word of every slide's notes, in slide order, and a thumbnail
  (a Figure whose /Alt is the slide's title) per slide;
- a slide's notes are split between pages only when its block is taller than a page;
- ``pdfua check`` finds nothing; two writes give the same bytes; the bookmarks name the
  lessons.
"""

from __future__ import annotations

import datetime as _dt
import io
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from functools import cache
from pathlib import Path

import pikepdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.pdfbase.ttfonts import TTFontFile

from deckbuild.layout import notes
from deckbuild.layout.deck import layout_deck
from deckbuild.layout.deck_plan import (
    DeckPlan,
    Para,
    PictureShape,
    TableShape,
    TextRun,
    TextShape,
    para_text,
    slide_title,
)
from deckbuild.layout.notes import NotesPlan, layout_notes
from deckbuild.pipeline import load
from deckbuild.services import measure
from deckbuild.services.schedule import agenda
from deckbuild.theme import DEFAULT, Theme
from deckbuild.writers.pdf_notes import write_notes
from deckbuild.writers.pdf_slide_draw import natural_size
from deckbuild.writers.pdf_slides import write_slides

from .conftest import FIXTURES
from .test_accessibility import MANUALS, _cmap, _elements, _id, _roles

DATE = _dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=_dt.UTC)
PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
#: Dropped by the writers: no font draws them and they take no room.
_INVISIBLE = dict.fromkeys(map(ord, "\ufe0e\ufe0f\u200b\u200c\u200d\u2060"))

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler's pdftotext is absent"
)


class Pack:
    def __init__(self, manual: Path, theme: Theme = DEFAULT) -> None:
        course, _ = load(manual)
        assert course is not None
        self.deck, _ = layout_deck(course, theme)
        self.notes, _ = layout_notes(self.deck, theme, agenda(course))
        self.theme = theme
        self.slides_pdf = write_slides(self.deck, theme, DATE)
        self.notes_pdf = write_notes(self.notes, self.deck, theme, DATE)


@cache
def _pack(manual: Path) -> Pack:
    return Pack(manual)


def _written(tmp: Path, data: bytes, name: str) -> Path:
    path = tmp / name
    path.write_bytes(data)
    return path


def _pages_text(path: Path) -> list[str]:
    done = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split("\f")[:-1]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text.translate(_INVISIBLE))


def _para(para: Para) -> str:
    bullet = para.bullet.text + " " if para.bullet is not None else ""
    return bullet + para_text(para)


def _slide_text(deck: DeckPlan, n: int) -> str:
    """What the slide shows, in drawing order: title, then each shape."""
    slide = deck.slides[n]
    out = [slide_title(slide)]
    for shape in slide.shapes:
        match shape:
            case TextShape(frame=frame):
                out.extend(_para(p) for p in frame.paras)
            case TableShape(rows=rows):
                out.extend(_para(p) for row in rows for cell in row for p in cell.paras)
            case PictureShape(path=path, alt=alt) if natural_size(path) is None:
                out.append(alt)
            case _:
                pass
    return "\n".join(out)


# --------------------------------------------------------------------------- slides.pdf


@needs_poppler
@pytest.mark.parametrize("manual", MANUALS, ids=_id)
def test_one_page_per_slide_with_its_words_in_order(manual: Path, tmp_path: Path) -> None:
    pack = _pack(manual)
    pages = _pages_text(_written(tmp_path, pack.slides_pdf, "slides.pdf"))
    assert len(pages) == len(pack.deck.slides)
    for n, text in enumerate(pages):
        assert _squash(text) == _squash(_slide_text(pack.deck, n)), f"slide {n + 1}"
        assert "\ufffd" not in text


@cache
def _font_files() -> dict[str, str]:
    """PostScript name -> the TrueType file the theme draws it from."""
    fonts = DEFAULT.fonts
    paths = {
        *(f.file(b, i) for f in (fonts.heading, fonts.body, fonts.code) for b in (0, 1)
          for i in (0, 1)),
        *fonts.fallback,
    }  # fmt: skip
    out: dict[str, str] = {}
    for path in paths:
        name = TTFontFile(path, validate=0).name
        out[name.decode() if isinstance(name, bytes) else str(name)] = path
    return out


def _shown_glyphs(pdf: pikepdf.Pdf) -> set[tuple[str, str]]:
    """(font file, character) of every glyph shown, pages and forms alike."""
    found: set[tuple[str, str]] = set()
    files = _font_files()
    for page in pdf.pages:
        fonts = page.Resources.get("/Font", {})
        cmaps = {str(k): (_cmap(v), str(v.BaseFont).split("+", 1)[-1]) for k, v in fonts.items()}
        cmap: dict[int, str] = {}
        base = ""
        for operands, op in pikepdf.parse_content_stream(page):
            name = str(op)
            if name == "Tf":
                cmap, base = cmaps[str(operands[0])]
            elif name in ("Tj", "TJ", "'", '"'):
                items = list(operands[0]) if name == "TJ" else [operands[-1]]
                for s in items:
                    if isinstance(s, pikepdf.String):
                        for code in bytes(s):
                            assert code in cmap, (base, code)
                            found.add((files[base], cmap[code]))
    return found


@pytest.mark.parametrize("manual", MANUALS, ids=_id)
def test_every_glyph_shown_is_in_its_font(manual: Path) -> None:
    pack = _pack(manual)
    for data in (pack.slides_pdf, pack.notes_pdf):
        with pikepdf.open(io.BytesIO(data)) as pdf:
            missing = {
                (Path(path).name, ch)
                for path, ch in _shown_glyphs(pdf)
                if not ch.isspace() and not measure.metrics(path).covers(ch)
            }
        assert missing == set()


def test_characters_the_face_lacks_are_drawn_by_the_fallback_the_plan_names(
    tmp_path: Path,
) -> None:
    manual = tmp_path / "m.md"
    manual.write_text(
        "# Symbols → ✓\n\n## Lesson-by-Lesson Guide\n\n### 01. Unicode 日本語 (30 minutes)\n\n"
        "#### 🎤 **Teacher Talking Points**\n\n**Arrows → and ticks ✓:**\n\n"
        '- **Lead-in**: "Kanji 日本語 and emoji 🎉 and ⚠ signs."\n',
        encoding="utf-8",
    )
    pack = Pack(manual)
    fonts = {
        r.font
        for s in pack.deck.slides
        for sh in (s.title, *s.shapes)
        if isinstance(sh, TextShape)
        for p in (*sh.frame.paras, *s.notes)
        for r in p.runs
    }
    assert {"DejaVu Sans", "Droid Sans Fallback", "Noto Emoji"} <= fonts
    shown: set[tuple[str, str]] = set()
    for data in (pack.slides_pdf, pack.notes_pdf):
        with pikepdf.open(io.BytesIO(data)) as pdf:
            shown |= _shown_glyphs(pdf)
    used = {Path(path).stem for path, ch in shown if ch in "→✓日🎉"}
    assert {"DejaVuSans", "DroidSansFallbackFull", "NotoEmoji-Regular"} <= used
    assert all(ch != "\ufffd" for _, ch in shown)


# --------------------------------------------------------------------------- notes.pdf


@needs_poppler
@pytest.mark.parametrize("manual", MANUALS, ids=_id)
def test_notes_hold_every_word_of_the_notes_in_order(manual: Path, tmp_path: Path) -> None:
    pack = _pack(manual)
    text = _squash("".join(_pages_text(_written(tmp_path, pack.notes_pdf, "notes.pdf"))))
    at = 0
    for n, slide in enumerate(pack.deck.slides):
        for para in slide.notes:
            want = _squash(_para(para))
            found = text.find(want, at)
            assert found >= 0, f"slide {n + 1}: {want[:80]!r}"
            at = found + len(want)


@pytest.mark.parametrize("manual", MANUALS, ids=_id)
def test_each_slide_has_a_thumbnail_described_by_its_title(manual: Path) -> None:
    pack = _pack(manual)
    with pikepdf.open(io.BytesIO(pack.notes_pdf)) as pdf:
        alts = [str(node.Alt) for node in _elements(pdf) if node.S == "/Figure"]
        roles = _roles(pdf)
    assert alts == [slide_title(s) for s in pack.deck.slides]
    assert roles["H1"] == 1 and roles["H2"] == len(pack.deck.slides)


def _frame(plan: NotesPlan) -> tuple[float, float]:
    margin = DEFAULT.margin_mm * 72 / 25.4
    return margin, plan.height - margin


def _check_packing(plan: NotesPlan, deck: DeckPlan) -> None:
    top, bottom = _frame(plan)
    parts: dict[int, list[tuple[int, float, float]]] = {}
    for k, page in enumerate(plan.pages):
        for block in page.blocks:
            assert top - 1e-6 <= block.top <= block.bottom <= bottom + 1e-6
            lines = [ln for p in block.notes for ln in p.lines]
            assert all(top < ln.baseline <= bottom for ln in lines)
            parts.setdefault(block.slide, []).append((k, block.top, block.bottom))
    assert sorted(parts) == list(range(len(deck.slides)))
    for slide, found in parts.items():
        pages = [k for k, _, _ in found]
        assert pages == list(range(pages[0], pages[0] + len(pages))), slide
        if len(found) > 1:
            # Split: the block was taller than a whole page.
            assert sum(b - t for _, t, b in found) > bottom - top, slide


@pytest.mark.parametrize("manual", MANUALS, ids=_id)
def test_notes_are_split_only_when_taller_than_a_page(manual: Path) -> None:
    pack = _pack(manual)
    _check_packing(pack.notes, pack.deck)


@needs_poppler
def test_notes_longer_than_a_page_continue_under_the_slides_number(tmp_path: Path) -> None:
    words = " ".join(f"word{k}" for k in range(3000))
    manual = tmp_path / "long.md"
    manual.write_text(
        "# Long\n\n## Lesson-by-Lesson Guide\n\n### 01. Only (30 minutes)\n\n"
        "#### 🎤 **Teacher Talking Points**\n\n**A long topic:**\n\n"
        f"{words}\n\n**A short one:**\n\nShort words here.\n",
        encoding="utf-8",
    )
    pack = Pack(manual)
    _check_packing(pack.notes, pack.deck)
    long_slide = next(
        n for n, s in enumerate(pack.deck.slides) if "word2999" in "".join(map(para_text, s.notes))
    )
    parts = [b for p in pack.notes.pages for b in p.blocks if b.slide == long_slide]
    assert len(parts) > 1
    assert [b.continued for b in parts] == [False] + [True] * (len(parts) - 1)
    text = "".join(_pages_text(_written(tmp_path, pack.notes_pdf, "notes.pdf")))
    assert f"Slide {long_slide + 1} (continued)" in text
    # In order, after the first words the slide's pull-out shows.
    found = iter(re.findall(r"word\d+", text))
    assert all(word in found for word in words.split())


def test_a_schedule_gives_each_block_its_lessons_clock_times(tmp_path: Path) -> None:
    from .test_schedule import SCHEDULE

    manual = tmp_path / "day.md"
    manual.write_text(SCHEDULE + (FIXTURES / "day-two-v5.md").read_text(encoding="utf-8"))
    pack = Pack(manual)
    facts = [
        "".join(p.text for ln in para.lines for p in ln.pieces)
        for page in pack.notes.pages
        for block in page.blocks
        for para in block.facts
    ]
    assert "09:00–09:45 · 45 min" in facts
    assert "09:45–10:30 · 45 min" in facts


# --------------------------------------------------------------------------- both PDFs


@pytest.mark.skipif(
    shutil.which("pdfua", path=str(Path(sys.executable).parent)) is None,
    reason="pdfua is not installed (the test extra has it)",
)
@pytest.mark.parametrize("manual", MANUALS, ids=_id)
def test_pdfua_finds_nothing(manual: Path, tmp_path: Path) -> None:
    pack = _pack(manual)
    pdfua = str(Path(sys.executable).parent / "pdfua")
    for name, data in (("slides.pdf", pack.slides_pdf), ("notes.pdf", pack.notes_pdf)):
        path = _written(tmp_path, data, name)
        done = subprocess.run(
            [pdfua, "check", str(path)], check=False, capture_output=True, text=True
        )
        assert done.returncode == 0, f"{name}:\n{done.stdout[-3000:]}"
        assert "errors=0 warnings=0" in done.stdout, done.stdout[-3000:]


def test_two_writes_give_the_same_bytes() -> None:
    pack = _pack(FIXTURES / "day-two.md")
    again = Pack(FIXTURES / "day-two.md")
    assert again.slides_pdf == pack.slides_pdf
    assert again.notes_pdf == pack.notes_pdf
    assert b"D:20240506070809" in pack.slides_pdf


@pytest.mark.parametrize("manual", MANUALS, ids=_id)
def test_bookmarks_name_each_lesson(manual: Path) -> None:
    pack = _pack(manual)
    lessons = {s.lesson for s in pack.deck.slides if s.lesson is not None}
    with pikepdf.open(io.BytesIO(pack.slides_pdf)) as pdf, pdf.open_outline() as outline:
        top = [str(item.title) for item in outline.root]
        under = sum(len(item.children) for item in outline.root)
        assert pdf.Root.Lang and pdf.docinfo.Title == (pack.deck.title or "Slides")
    assert len(top) + under - len(lessons) == len(pack.deck.slides)
    with pikepdf.open(io.BytesIO(pack.notes_pdf)) as pdf, pdf.open_outline() as outline:
        assert len(list(outline.root)) == len(lessons)
        assert [b.title for b in pack.notes.bookmarks] == [str(i.title) for i in outline.root]


def test_pictures_and_the_logo_are_figures_with_their_alt_text(tmp_path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (40, 20), "red").save(tmp_path / "pic.png", dpi=(144, 144))
    Image.new("RGB", (30, 30), "blue").save(tmp_path / "logo.png")
    # Its chunks fail their checksums: no reader can decode it, so its alt text stands in.
    (tmp_path / "broken.png").write_bytes(PNG_1X1)
    manual = tmp_path / "m.md"
    manual.write_text(
        "# Pictures\n\n## Lesson-by-Lesson Guide\n\n### 01. One (30 minutes)\n\n"
        "#### 🎤 **Teacher Talking Points**\n\n**Pictures:**\n\n"
        '![A red bar](pic.png) "x"\n\n**Broken:**\n\n![A lost picture](broken.png) "y"\n',
        encoding="utf-8",
    )
    pack = Pack(manual, replace(DEFAULT, logo=str(tmp_path / "logo.png")))
    pictures = [sh for s in pack.deck.slides for sh in s.shapes if isinstance(sh, PictureShape)]
    assert len(pictures) == 3
    with pikepdf.open(io.BytesIO(pack.slides_pdf)) as pdf:
        images = [
            (int(x.Width), int(x.Height))
            for page in pdf.pages
            for _, x in page.Resources.get("/XObject", {}).items()
            if x.Subtype == "/Image"
        ]
        figures = [str(node.Alt) for node in _elements(pdf) if node.S == "/Figure"]
    assert sorted(images) == [(30, 30), (40, 20)]
    assert sorted(figures) == sorted(p.alt for p in pictures)
    text = "".join(_pages_text(_written(tmp_path, pack.slides_pdf, "slides.pdf")))
    assert "A lost picture" in text


# --------------------------------------------------------------------------- line breaking


def _opportunities(text: str) -> list[int]:
    """The line-break rule applied at every position in turn: the reference that
    ``break_positions``, which only looks where a break can be, must agree with."""
    out: list[int] = []
    last_solid = ""  # the last character before the spaces in front of ``i``
    for i in range(1, len(text)):
        prev, ch = text[i - 1], text[i]
        if prev not in notes._SPACE:
            last_solid = prev
        if prev == "\n":
            ok = True
        elif ch in notes._SPACE or ch == "\n" or ch in notes._NO_BREAK_BEFORE:
            ok = False
        elif prev in notes._SPACE:
            ok = last_solid not in notes._OPEN
        elif prev in notes._QUOTES or ch in notes._QUOTES or ch in notes._HYPHENS:
            ok = False
        elif prev in notes._BREAK_AFTER:
            ok = not ch.isdigit() and not (prev == "/" and text[i - 2 : i - 1] in "/:")
        else:
            ok = notes._ideographic(prev) or notes._ideographic(ch)
        if ok:
            out.append(i)
    return out


_BREAKY = " \t\u3000\n([{)]}!?,.:;/-\u2010\u2013\u2014|\"'\u201c\u00ab7ab日한😀"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=_BREAKY, max_size=40))
def test_break_positions_follow_the_rule_at_every_position(text: str) -> None:
    assert notes.break_positions(text) == _opportunities(text)


def test_a_paragraph_breaks_greedily_with_its_spaces_hanging() -> None:
    """Lines fill up to the width (a trailing space may hang past it); a word wider than a
    line is broken between characters; a newline always breaks; each line's pieces keep
    their runs' styles, neighbours of one style joined."""
    setter = notes._Setter(DEFAULT)
    size = 20.0
    chain = setter.chain(notes.Style())
    word = measure.width("word", chain, size)
    space = measure.width(" ", chain, size)
    runs = (
        TextRun("word word ", "x", size, "#111111"),
        TextRun("word", "x", size, "#111111"),
        TextRun(" word\n" + "w" * 40, "x", size, "#222222", bold=True),
    )
    room = 3 * word + 2 * space
    lines = setter.lines(Para(runs, None, size), room, size)
    texts = [[p.text for p in line] for line in lines]
    assert texts[:2] == [["word word word", " "], ["word"]]
    assert len(lines) > 3 and all(len(line) == 1 for line in lines[2:])
    assert "".join(line[0].text for line in lines[2:]) == "w" * 40
    assert sum(p.width for p in lines[0]) > room  # its last space hangs
    assert all(line[0].width <= room for line in lines[2:])
    assert [p.colour for p in lines[0]] == ["#111111", "#222222"]
    assert all(p.width == measure.width(p.text, p.chain, size) for ln in lines for p in ln)


def test_text_encoded_from_remembered_codes_is_what_reportlab_encodes() -> None:
    """``reportlab_text.encoded`` takes a shortcut once a font's characters have codes;
    its output is reportlab's own, character for character, in the same subsets."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfgen.canvas import Canvas

    from deckbuild.compat import reportlab_text
    from deckbuild.writers._pdf import font_name

    font = pdfmetrics.getFont(font_name(DEFAULT.fonts.body.file(False, False)))
    ours, theirs = Canvas(io.BytesIO()), Canvas(io.BytesIO())
    texts = ["Hello wörld", "Hello", "a\xa0b", "wörld Hello", "", "ÀÉÎÕÜ " * 3, "Hello"]
    # More distinct characters than one subset holds: later ones go to a second subset.
    texts += [" ".join(chr(c) for c in range(0x100, 0x17F)), "Āā Hello", "ſ"]
    for text in texts:
        expected = [
            (font.getSubsetInternalName(n, theirs._doc), codes)
            for n, codes in font.splitString(text, theirs._doc)
        ]
        assert reportlab_text.encoded(ours, font, text) == expected, text
