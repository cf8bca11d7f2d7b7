"""DeckPlan -> set slides and the NotesPlan: the deck's text broken into lines for the PDFs.

The deck plan leaves line breaking to the presentation app, which breaks each paragraph
greedily at spaces over the full width of its frame. ``set_slide`` breaks it the same way
with the same metrics (``services.measure``), so slides.pdf and the thumbnails in
notes.pdf show the lines LibreOffice shows, and the PDF writers only draw. Every box,
size, colour and pitch comes from the deck plan.

``layout_notes`` packs the instructor's script: per slide a thumbnail, its number and
title, its lesson and (with a schedule) the lesson's clock times, then its speaker notes
in full. As many slides go on a page as fit; a slide's notes are split only when the
slide's block is taller than a page, and then continue on the next page under "Slide 12
(continued)". Coordinates are points from the top-left of the slide or page.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

from deckbuild.diagnostics import Diagnostic, SourcePos
from deckbuild.layout.deck_plan import (
    Box,
    DeckPlan,
    Para,
    PictureShape,
    Role,
    RuleShape,
    Slide,
    TableShape,
    TextFrame,
    TextRun,
    TextShape,
    slide_title,
)
from deckbuild.services import measure
from deckbuild.services.last import Last
from deckbuild.services.schedule import Agenda, AgendaRow, duration_text, slot_text
from deckbuild.services.spans import Style
from deckbuild.theme import Theme

#: Where LibreOffice puts a line's baseline at an exact pitch: this many ems above the
#: bottom of the line (calibrated on its PDF export: 0.2 em in a text box, the font's
#: descent of 0.212 em in a table cell).
FRAME_DROP = 0.2
CELL_DROP = 0.212
#: The size the presentation app gives the alt text of a picture it cannot show.
ALT_SIZE = 18.0

#: Notes are printed at the theme's notes size, never smaller than this.
MIN_NOTES_SIZE = 10.0
#: Line pitch of printed notes and headings, in ems.
NOTES_LEADING = 1.35
#: The thumbnail's width as a share of the page's text width.
THUMB_SHARE = 0.36
#: Gaps, in notes sizes: beside the thumbnail, under the thumbnail row, between
#: paragraphs, and between slide blocks.
GAP_EM = 1.0
ROW_GAP_EM = 0.6
PARA_GAP_EM = 0.4
BLOCK_GAP_EM = 1.6
#: A block that must be split starts on the page it reaches only when the thumbnail row
#: and this many lines of its notes still fit there.
MIN_SPLIT_LINES = 3

_PAGES = {"A4": (210 * 72 / 25.4, 297 * 72 / 25.4), "Letter": (612.0, 792.0)}


# --------------------------------------------------------------------------- set text


# Pieces and lines are named tuples, not frozen dataclasses like the rest of the plan: a
# deck sets thousands of them, and a frozen dataclass takes 25 times as long to make.


class Piece(NamedTuple):
    """Text drawn in one style: the first font of ``chain`` that has a character draws it
    (the font the deck plan names for the run: the layout chose it the same way)."""

    text: str
    chain: measure.Chain
    size: float
    colour: str
    width: float
    strike: bool = False
    href: str | None = None


class SetLine(NamedTuple):
    #: Left end of the line and its baseline, from the top-left of the slide or page.
    x: float
    baseline: float
    pieces: tuple[Piece, ...]


@dataclass(frozen=True, slots=True)
class SetPara:
    """One paragraph (one element of a tagged PDF), broken into placed lines."""

    lines: tuple[SetLine, ...]
    bullet: SetLine | None = None
    #: A list item (notes continued on a later page keep this without their bullet).
    item: bool = False


@dataclass(frozen=True, slots=True)
class SetText:
    role: Role
    box: Box
    paras: tuple[SetPara, ...]
    fill: str | None = None
    outline: str | None = None


@dataclass(frozen=True, slots=True)
class SetCell:
    box: Box
    fill: str
    paras: tuple[SetPara, ...]


@dataclass(frozen=True, slots=True)
class SetTable:
    box: Box
    rows: tuple[tuple[SetCell, ...], ...]
    header: bool


@dataclass(frozen=True, slots=True)
class SetPicture:
    shape: PictureShape
    #: What the presentation app shows instead of an image it cannot read.
    alt: SetPara


SetShape = SetText | SetTable | SetPicture | RuleShape


@dataclass(frozen=True, slots=True)
class SetSlide:
    width: float
    height: float
    title: SetText
    shapes: tuple[SetShape, ...]
    background: str
    #: The slide's title as text (a thumbnail's alternative text, bookmarks).
    title_text: str


def run_chain(theme: Theme, style: Style, heading: bool = False) -> measure.Chain:
    """The fonts a deck run is measured and drawn with, as ``deck_text.Typesetter`` chose
    them: the code face for code, the heading face for titles, else the body face; then
    the fallbacks for characters the face lacks."""
    fonts = theme.fonts
    face = fonts.code if style.mono else fonts.heading if heading else fonts.body
    return (face.file(style.bold, style.italic), *fonts.fallback)


class _Run(NamedTuple):
    """A run of a paragraph as the breaker needs it. Neighbours with the same ``key`` (the
    run's style) become one piece of a line."""

    text: str
    chain: measure.Chain
    key: tuple[object, ...]
    colour: str
    strike: bool
    href: str | None


class _Setter:
    """Breaks deck paragraphs into lines with the theme's metrics."""

    def __init__(self, theme: Theme) -> None:
        self.theme = theme
        # Keyed by the only fields the chain depends on: hashing a whole Style per run
        # was a tenth of setting a deck.
        self._chains: dict[tuple[bool, bool, bool, bool], measure.Chain] = {}

    def chain(self, style: Style, heading: bool = False) -> measure.Chain:
        key = (style.bold, style.italic, style.mono, heading)
        found = self._chains.get(key)
        if found is None:
            found = self._chains[key] = run_chain(self.theme, style, heading)
        return found

    def _runs(self, para: Para, heading: bool) -> list[_Run]:
        out: list[_Run] = []
        for r in para.runs:
            if r.text:
                key = (r.bold, r.italic, r.code, heading)
                chain = self._chains.get(key)
                if chain is None:
                    chain = self.chain(Style(r.bold, r.italic, r.code), heading)
                style = (r.bold, r.italic, r.code, r.strike, r.colour, r.href)
                colour = r.colour or "#000000"
                out.append(_Run(r.text, chain, style, colour, r.strike, r.href))
        return out

    def lines(
        self, para: Para, width: float, size: float, heading: bool = False
    ) -> list[tuple[Piece, ...]]:
        """``para`` broken within ``width`` as the presentation app breaks it: greedily,
        at the Unicode line-break opportunities (``break_positions``), over the full width
        (the layout measured with a safety margin, so every line it counted still fits)."""
        runs = self._runs(para, heading)
        if len(runs) == 1 and "\n" not in runs[0].text:
            # The commonest paragraph (a title, a code line, a short item): one run, and
            # on one line when it fits; measured once.
            run = runs[0]
            w = measure.width(run.text, run.chain, size)
            kept = len(run.text.rstrip())
            trail = measure.width(run.text[kept:], run.chain, size) if kept < len(run.text) else 0
            if w - trail <= width:
                return [(Piece(run.text, run.chain, size, run.colour, w, run.strike, run.href),)]
        offsets = [0]
        for run in runs:
            offsets.append(offsets[-1] + len(run.text))
        text = "".join(run.text for run in runs)
        ranges = _break_ranges(text, runs, offsets, width, size)
        return [_pieces(runs, offsets, a, b, size) for a, b in ranges]

    def para(
        self,
        para: Para,
        left: float,
        width: float,
        top: float,
        *,
        size: float | None = None,
        pitch: float | None = None,
        drop: float = FRAME_DROP,
        heading: bool = False,
    ) -> tuple[SetPara, float]:
        """``para`` set from ``top`` (its space before included) in the column at ``left``
        of ``width``; returns it with the top of what follows. ``size`` overrides the
        paragraph's own (printed notes), scaling its indents with it."""
        own = para.runs[0].size if para.runs else para.size
        size = size or own
        scale = size / own if own else 1.0
        pitch = pitch or (para.pitch * scale if para.pitch else size * 1.2)
        indent = para.indent * scale
        y = top + para.space_before * scale
        text_left = left + indent
        room = width - indent
        set_lines: list[SetLine] = []
        for pieces in self.lines(para, room, size, heading):
            x = text_left
            if para.align != "l":
                used = _visible_width(pieces)
                x += (room - used) / 2 if para.align == "ctr" else room - used
            y += pitch
            set_lines.append(SetLine(x, y - drop * size, pieces))
        bullet = None
        if para.bullet is not None and set_lines:
            b = para.bullet
            chain = self.chain(Style())
            mark = Piece(b.text, chain, size, b.colour, measure.width(b.text, chain, size))
            bullet = SetLine(text_left - b.hanging * scale, set_lines[0].baseline, (mark,))
        return SetPara(tuple(set_lines), bullet, para.bullet is not None), y


# --------------------------------------------------------------------------- line breaking

# Unicode line-break classes (UAX #14) of the characters that decide where office apps
# break a line besides spaces: LibreOffice breaks with ICU, so "real-time" may end a line
# after its hyphen, while "(:string, :integer," holds together (no break after an opening
# bracket, nor before a comma or colon, even after a space).
_OPEN = frozenset("([{")
_NO_BREAK_BEFORE = frozenset(")]}!?,.:;/")  # CL, CP, EX, IS, SY
_BREAK_AFTER = frozenset("-/\u2010\u2013\u2014|")  # HY, SY, BA, B2
_HYPHENS = frozenset("-\u2010\u2013")  # HY, BA: no break before them
_QUOTES = frozenset("\"'\u2018\u2019\u201c\u201d\u00ab\u00bb")
_SPACE = frozenset(" \t\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u2009\u200a\u205f\u3000")
_IDEOGRAPHIC = "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\U0001f300-\U0001faff\U00020000-\U0003ffff"
#: Where an opportunity may follow: after a run of spaces, a newline or a break-after
#: character, and on either side of an ideograph. Anywhere else a line never breaks, so
#: only these places are looked at (a notes paragraph is mostly letters).
_CANDIDATES = re.compile(
    "(?P<space>[{}]+)|[\n{}]|(?P<ideo>[{}])".format(
        re.escape("".join(sorted(_SPACE))),
        re.escape("".join(sorted(_BREAK_AFTER))),
        _IDEOGRAPHIC,
    )
)


def _ideographic(ch: str) -> bool:
    """CJK ideographs, kana and syllables, and emoji: a line may break on either side."""
    cp = ord(ch)
    return (
        0x2E80 <= cp <= 0x9FFF
        or 0xAC00 <= cp <= 0xD7AF
        or 0xF900 <= cp <= 0xFAFF
        or 0x1F300 <= cp <= 0x1FAFF
        or 0x20000 <= cp <= 0x3FFFF
    )


def _opportunity(text: str, i: int) -> bool:
    """Whether a line may start at ``text[i]`` (0 < i < len(text))."""
    prev, ch = text[i - 1], text[i]
    if prev == "\n":
        return True
    if ch in _SPACE or ch == "\n" or ch in _NO_BREAK_BEFORE:
        return False
    if prev in _SPACE:
        # No break after an opening bracket, even with spaces between.
        j = i - 1
        while j >= 0 and text[j] in _SPACE:
            j -= 1
        return j < 0 or text[j] not in _OPEN
    if prev in _QUOTES or ch in _QUOTES or ch in _HYPHENS:
        return False
    if prev in _BREAK_AFTER:
        return not ch.isdigit() and not (prev == "/" and text[i - 2 : i - 1] in "/:")
    return _ideographic(prev) or _ideographic(ch)


def break_positions(text: str) -> list[int]:
    """The indices ``i`` (0 < i < len(text)) where a line may start at ``text[i]``, in
    order; a newline always breaks."""
    end = len(text)
    found: set[int] = set()
    for m in _CANDIDATES.finditer(text):
        if m.lastgroup == "ideo":
            found.add(m.start())
        found.add(m.end())
    return sorted(i for i in found if 0 < i < end and _opportunity(text, i))


def _break_ranges(
    text: str, runs: Sequence[_Run], offsets: Sequence[int], max_width: float, size: float
) -> list[tuple[int, int]]:
    """Greedy line breaking at ``break_positions``: a line takes each chunk between two
    opportunities while the chunk's text (its trailing spaces hang in the margin) fits. A
    chunk wider than a line is broken between characters. Returns each line as a range
    of ``text`` (newlines belong to none). The widths are ``services.measure``'s, the ones
    the deck layout measured."""
    if "\n" not in text:
        # Most paragraphs of a slide (titles, code lines, short items) take one line.
        total = sum(measure.width(r.text, r.chain, size) for r in runs)
        if total - _trailing(runs, size) <= max_width:
            return [(0, len(text))]
    cuts = set(break_positions(text))
    nl = text.find("\n")
    while nl >= 0:
        cuts.update((nl, nl + 1))
        nl = text.find("\n", nl + 1)
    cuts.discard(0)
    cuts.add(len(text))
    ranges: list[tuple[int, int]] = []
    start = 0  # of the current line
    used = 0.0  # the line's width with its trailing spaces
    k = 0  # the run that holds ``a``
    a = 0
    for b in sorted(cuts):
        if text[a:b] == "\n":
            ranges.append((start, a))
            start, used = b, 0.0
            a = b
            continue
        while offsets[k + 1] <= a:
            k += 1
        # The chunk [a, b), measured run by run; its trailing spaces are those of its
        # last run's part.
        full = 0.0
        j = k
        while True:
            lo, hi = max(a, offsets[j]), min(b, offsets[j + 1])
            full += measure.width(text[lo:hi], runs[j].chain, size)
            if offsets[j + 1] >= b:
                break
            j += 1
        piece = text[lo:b]
        stripped = len(piece.rstrip())
        trail = (
            measure.width(piece[stripped:], runs[j].chain, size) if stripped < len(piece) else 0.0
        )
        if a > start and used + full - trail > max_width:
            ranges.append((start, a))
            start, used = a, 0.0
        if a == start and full - trail > max_width:
            start, used = _break_chunk(text, runs, offsets, k, a, b, ranges, max_width, size)
        else:
            used += full
        a = b
    ranges.append((start, len(text)))
    return ranges


def _trailing(runs: Sequence[_Run], size: float) -> float:
    """The width of the spaces that end ``runs``, which hang past the margin."""
    out = 0.0
    for run in reversed(runs):
        stripped = run.text.rstrip()
        out += measure.width(run.text[len(stripped) :], run.chain, size)
        if stripped:
            break
    return out


def _break_chunk(
    text: str,
    runs: Sequence[_Run],
    offsets: Sequence[int],
    k: int,
    a: int,
    b: int,
    ranges: list[tuple[int, int]],
    max_width: float,
    size: float,
) -> tuple[int, float]:
    """A chunk wider than a line, broken between characters (never before a space);
    returns the start and width of its last line."""
    start, used = a, 0.0
    for j in range(a, b):
        while offsets[k + 1] <= j:
            k += 1
        ch = text[j]
        w = measure.width(ch, runs[k].chain, size)
        if used + w > max_width and j > start and not ch.isspace():
            ranges.append((start, j))
            start, used = j, 0.0
        used += w
    return start, used


def _pieces(
    runs: Sequence[_Run], offsets: Sequence[int], a: int, b: int, size: float
) -> tuple[Piece, ...]:
    """The line ``[a, b)`` of the paragraph's text as pieces: one per stretch of a style."""
    out: list[Piece] = []
    k = bisect_right(offsets, a) - 1
    while k < len(runs) and offsets[k] < b:
        run = runs[k]
        lo, hi = max(a, offsets[k]) - offsets[k], min(b, offsets[k + 1]) - offsets[k]
        part = run.text[lo:hi]
        # Neighbours of the same style are one piece (one run of text in the PDF).
        while k + 1 < len(runs) and offsets[k + 1] < b and runs[k + 1].key == run.key:
            k += 1
            part += runs[k].text[: min(b, offsets[k + 1]) - offsets[k]]
        if part:
            width = measure.width(part, run.chain, size)
            out.append(Piece(part, run.chain, size, run.colour, width, run.strike, run.href))
        k += 1
    return tuple(out)


def _visible_width(pieces: Sequence[Piece]) -> float:
    """The line's width without its trailing spaces, which hang past the margin."""
    total = sum(p.width for p in pieces)
    for p in reversed(pieces):
        stripped = p.text.rstrip()
        if stripped:
            if len(stripped) < len(p.text):
                total -= p.width - measure.width(stripped, p.chain, p.size)
            break
        total -= p.width
    return total


def set_deck(deck: DeckPlan, theme: Theme) -> tuple[SetSlide, ...]:
    """Every slide of ``deck`` set (``set_slide``): what slides.pdf draws and the
    thumbnails of notes.pdf show.

    The last result is remembered with its (immutable) deck and theme, so a process that
    builds both PDFs sets the deck once whichever asks first; a process that builds one
    pays nothing extra."""

    def make() -> tuple[SetSlide, ...]:
        setter = _Setter(theme)
        return tuple(_set_slide(setter, slide, deck, theme) for slide in deck.slides)

    return _LAST_SET.make(make, deck, theme)


_LAST_SET: Last[tuple[SetSlide, ...]] = Last()


def set_slide(slide: Slide, deck: DeckPlan, theme: Theme) -> SetSlide:
    """Every text of ``slide`` broken into lines and placed as the presentation app
    places it (insets, anchor, exact pitch, space before, hanging bullets)."""
    return _set_slide(_Setter(theme), slide, deck, theme)


def _set_slide(setter: _Setter, slide: Slide, deck: DeckPlan, theme: Theme) -> SetSlide:
    shapes: list[SetShape] = []
    for shape in slide.shapes:
        match shape:
            case TextShape():
                shapes.append(_set_text(setter, shape))
            case TableShape():
                shapes.append(_set_table(setter, shape))
            case PictureShape():
                shapes.append(SetPicture(shape, _alt(setter, shape, theme)))
            case RuleShape():
                shapes.append(shape)
    return SetSlide(
        deck.width,
        deck.height,
        _set_text(setter, slide.title, heading=True),
        tuple(shapes),
        slide.background,
        slide_title(slide),
    )


def _set_text(setter: _Setter, shape: TextShape, heading: bool = False) -> SetText:
    return SetText(
        shape.role,
        shape.box,
        _set_frame(setter, shape.frame, shape.box, heading=heading),
        shape.fill,
        shape.outline,
    )


def _set_frame(
    setter: _Setter, frame: TextFrame, box: Box, heading: bool = False, drop: float = FRAME_DROP
) -> tuple[SetPara, ...]:
    left = box.x + frame.inset
    width = box.w - 2 * frame.inset
    top = box.y + frame.inset
    paras: list[SetPara] = []
    y = top
    for para in frame.paras:
        done, y = setter.para(para, left, width, y, heading=heading, drop=drop)
        paras.append(done)
    if frame.anchor != "t":
        room = box.h - 2 * frame.inset - (y - top)
        shift = room if frame.anchor == "b" else room / 2
        paras = [_moved(p, shift) for p in paras]
    return tuple(paras)


def _moved(para: SetPara, dy: float) -> SetPara:
    def move(line: SetLine) -> SetLine:
        return SetLine(line.x, line.baseline + dy, line.pieces)

    bullet = move(para.bullet) if para.bullet else None
    return SetPara(tuple(move(ln) for ln in para.lines), bullet, para.item)


def _set_table(setter: _Setter, shape: TableShape) -> SetTable:
    rows: list[tuple[SetCell, ...]] = []
    y = shape.box.y
    for height, row in zip(shape.heights, shape.rows, strict=True):
        x = shape.box.x
        cells: list[SetCell] = []
        for width, cell in zip(shape.columns, row, strict=False):
            box = Box(x, y, width, height)
            frame = TextFrame(cell.paras, shape.inset)
            cells.append(SetCell(box, cell.fill, _set_frame(setter, frame, box, drop=CELL_DROP)))
            x += width
        rows.append(tuple(cells))
        y += height
    box = Box(shape.box.x, shape.box.y, sum(shape.columns), sum(shape.heights))
    return SetTable(box, tuple(rows), shape.header)


def _alt(setter: _Setter, shape: PictureShape, theme: Theme) -> SetPara:
    run = TextRun(shape.alt, theme.fonts.body.name, ALT_SIZE, theme.colours.text)
    para = Para((run,), None, ALT_SIZE, align="ctr")
    frame = TextFrame((para,), 0.0, "ctr")
    set_paras = _set_frame(setter, frame, shape.box)
    return set_paras[0]


# --------------------------------------------------------------------------- notes plan


@dataclass(frozen=True, slots=True)
class NotesBlock:
    """A slide's block on a page, or the rest of its notes continued on a later page."""

    #: Index into ``deck.slides``.
    slide: int
    top: float
    bottom: float
    #: Where the slide's thumbnail goes; None on a continuation.
    thumb: Box | None
    #: "Slide 12 · Title", or "Slide 12 (continued)" on a continuation.
    heading: SetPara
    continued: bool
    #: The lesson and its clock times.
    facts: tuple[SetPara, ...]
    notes: tuple[SetPara, ...]
    pos: SourcePos | None = None


@dataclass(frozen=True, slots=True)
class NotesPage:
    blocks: tuple[NotesBlock, ...]
    #: "Page 3 of 17", page furniture.
    footer: SetLine


@dataclass(frozen=True, slots=True)
class Bookmark:
    title: str
    page: int
    top: float


@dataclass(frozen=True, slots=True)
class NotesPlan:
    width: float
    height: float
    title: str
    author: str
    language: str | None
    #: The document's heading at the top of the first page.
    heading: SetPara
    pages: tuple[NotesPage, ...]
    bookmarks: tuple[Bookmark, ...]
    #: Thumbnails are these slides drawn at this scale.
    slides: tuple[SetSlide, ...]
    thumb_scale: float


@dataclass(frozen=True, slots=True)
class _Draft:
    """A slide's block set from a top of 0: the row beside the thumbnail, and the notes
    from a top of 0 (each paragraph's lines in order)."""

    slide: int
    heading: SetPara
    facts: tuple[SetPara, ...]
    row: float
    notes: tuple[SetPara, ...]
    notes_height: float


class _Notes:
    """The notes plan's type and measures, from the theme."""

    def __init__(self, deck: DeckPlan, theme: Theme, agenda: Agenda | None) -> None:
        self.deck = deck
        self.agenda = agenda
        self.setter = _Setter(theme)
        c = theme.colours
        self.text_colour, self.muted, self.accent = c.text, c.muted, c.accent
        self.font = theme.fonts.body.name
        self.size = max(theme.sizes.notes, MIN_NOTES_SIZE)
        self.pitch = round(self.size * NOTES_LEADING, 2)
        self.heading_size = round(self.size * 1.15, 2)
        self.page_w, self.page_h = _PAGES.get(theme.page_size, _PAGES["A4"])
        self.margin = theme.margin_mm * 72 / 25.4
        self.left = self.margin
        self.width = self.page_w - 2 * self.margin
        self.bottom = self.page_h - self.margin
        self.thumb_w = round(self.width * THUMB_SHARE, 2)
        self.scale = self.thumb_w / deck.width
        self.thumb_h = deck.height * self.scale
        self.gap = GAP_EM * self.size
        self.lessons = _lesson_names(deck, agenda)

    def text(
        self,
        words: str,
        top: float,
        size: float,
        colour: str,
        *,
        bold: bool = False,
        left: float | None = None,
        width: float | None = None,
        align: Literal["l", "r"] = "l",
    ) -> SetPara:
        run = TextRun(words, self.font, size, colour, bold=bold)
        para = Para((run,), None, size, align=align)
        x = self.left if left is None else left
        w = self.width if width is None else width
        done, _ = self.setter.para(para, x, w, top, size=size, pitch=_leading(size))
        return done

    def draft(self, n: int, slide: Slide) -> _Draft:
        x = self.left + self.thumb_w + self.gap
        w = self.width - self.thumb_w - self.gap
        head = self.text(
            f"Slide {n + 1} · {slide_title(slide)}",
            0.0,
            self.heading_size,
            self.text_colour,
            bold=True,
            left=x,
            width=w,
        )
        y = _after(head, self.heading_size)
        facts: list[SetPara] = []
        for line in _facts(slide, self.lessons, self.agenda):
            fact = self.text(line, y, self.size, self.muted, left=x, width=w)
            facts.append(fact)
            y = _after(fact, self.size)
        notes: list[SetPara] = []
        ny = 0.0
        for k, para in enumerate(slide.notes):
            start = ny + (PARA_GAP_EM * self.size if k else 0.0)
            done, ny = self.setter.para(
                para, self.left, self.width, start, size=self.size, pitch=self.pitch
            )
            notes.append(done)
        row = max(self.thumb_h, y)
        return _Draft(n, head, tuple(facts), row, tuple(notes), ny)


def layout_notes(
    deck: DeckPlan, theme: Theme, agenda: Agenda | None = None
) -> tuple[NotesPlan, list[Diagnostic]]:
    """The printed script of ``deck``; ``agenda`` (``services.schedule.agenda``) gives
    each lesson's clock times when the manual sets a schedule."""
    ns = _Notes(deck, theme, agenda)
    title = f"Speaker notes: {deck.title}" if deck.title else "Speaker notes"
    title_size = round(ns.size * 1.6, 2)
    heading = ns.text(title, ns.margin, title_size, ns.accent, bold=True)
    packer = _Packer(ns)
    packer.y = _after(heading, title_size) + ns.size
    bookmarks: list[Bookmark] = []
    seen: set[int] = set()
    for n, slide in enumerate(deck.slides):
        d = ns.draft(n, slide)
        packer.make_room(d)
        if slide.lesson is not None and slide.lesson not in seen:
            seen.add(slide.lesson)
            name = ns.lessons.get(slide.lesson, f"Lesson {slide.lesson + 1}")
            bookmarks.append(Bookmark(name, len(packer.pages) - 1, packer.y))
        packer.place(d, slide.pos)
        packer.y += BLOCK_GAP_EM * ns.size
    total = len(packer.pages)
    footer = ns.size * 0.8
    pages = tuple(
        NotesPage(
            tuple(blocks),
            ns.text(
                f"{deck.title} · speaker notes · page {k} of {total}",
                ns.bottom + ns.margin * 0.25,
                footer,
                ns.muted,
                align="r",
            ).lines[0],
        )
        for k, blocks in enumerate(packer.pages, 1)
    )
    plan = NotesPlan(
        ns.page_w,
        ns.page_h,
        title,
        deck.author,
        deck.language,
        heading,
        pages,
        tuple(bookmarks),
        set_deck(deck, theme),
        ns.scale,
    )
    return plan, []


class _Packer:
    """Puts blocks on pages from the top down."""

    def __init__(self, ns: _Notes) -> None:
        self.ns = ns
        self.pages: list[list[NotesBlock]] = [[]]
        self.y = ns.margin

    def _gap(self, d: _Draft) -> float:
        return ROW_GAP_EM * self.ns.size if d.notes else 0.0

    def make_room(self, d: _Draft) -> None:
        """A new page unless the block fits here; a block taller than a page stays here
        when its row and a few lines of notes fit (its notes then continue)."""
        ns = self.ns
        height = d.row + self._gap(d) + d.notes_height
        if self.y + height <= ns.bottom or self.y <= ns.margin:
            return
        taller = height > ns.bottom - ns.margin
        start = d.row + self._gap(d) + MIN_SPLIT_LINES * ns.pitch
        if not (taller and self.y + start <= ns.bottom):
            self.pages.append([])
            self.y = ns.margin

    def place(self, d: _Draft, pos: SourcePos | None) -> None:
        ns = self.ns
        top = self.y
        heading = _moved(d.heading, top)
        facts = tuple(_moved(f, top) for f in d.facts)
        thumb: Box | None = Box(ns.left, top, ns.thumb_w, ns.thumb_h)
        # Notes are moved down by ``shift``: below the row, then to each new page's top.
        shift = top + d.row + self._gap(d)
        bottom = top + d.row
        placed: list[SetPara] = []
        drop = FRAME_DROP * ns.size

        def close() -> None:
            self.pages[-1].append(
                NotesBlock(
                    d.slide, top, bottom, thumb, heading, thumb is None, facts, tuple(placed), pos
                )
            )

        for para in d.notes:
            lines: list[SetLine] = []
            bullet = para.bullet
            for line in para.lines:
                if line.baseline + shift + drop > ns.bottom:
                    if lines:
                        placed.append(SetPara(tuple(lines), bullet, para.item))
                        bullet, lines = None, []
                    close()
                    self.pages.append([])
                    placed = []
                    top = ns.margin
                    thumb, facts = None, ()
                    heading = ns.text(
                        f"Slide {d.slide + 1} (continued)",
                        top,
                        ns.heading_size,
                        ns.text_colour,
                        bold=True,
                    )
                    # This line's top goes to the top of the new page's notes.
                    notes_top = _after(heading, ns.heading_size) + self._gap(d)
                    shift = notes_top - (line.baseline - ns.pitch + drop)
                baseline = line.baseline + shift
                lines.append(SetLine(line.x, baseline, line.pieces))
                if bullet is not None and len(lines) == 1:
                    bullet = SetLine(bullet.x, baseline, bullet.pieces)
                bottom = baseline + drop
            if lines:
                placed.append(SetPara(tuple(lines), bullet, para.item))
        close()
        self.y = bottom


def _leading(size: float) -> float:
    return round(size * NOTES_LEADING, 2)


def _after(para: SetPara, size: float) -> float:
    """The bottom of a paragraph's last line, which stands ``FRAME_DROP`` ems below its
    baseline."""
    last = para.lines[-1].baseline if para.lines else 0.0
    return last + size * FRAME_DROP


def _lesson_names(deck: DeckPlan, agenda: Agenda | None) -> dict[int, str]:
    """Each lesson's label: from the agenda, else from its section slide's title."""
    names: dict[int, str] = {}
    if agenda is not None:
        for row in agenda.rows:
            if row.kind == "lesson":
                names.setdefault(row.lesson_index, row.label)
    for slide in deck.slides:
        if slide.lesson is not None and slide.lesson not in names and slide.kind == "section":
            names[slide.lesson] = slide_title(slide)
    return names


def _facts(slide: Slide, lessons: dict[int, str], agenda: Agenda | None) -> list[str]:
    """The lesson of a slide and, with a schedule, the lesson's clock times."""
    if slide.lesson is None:
        return []
    out = [lessons.get(slide.lesson, f"Lesson {slide.lesson + 1}")]
    row: AgendaRow | None = agenda.slot(slide.lesson) if agenda is not None else None
    if row is not None:
        times = (slot_text(row), duration_text(row.minutes, row.minutes_max))
        cue = " · ".join(x for x in times if x)
        if cue:
            out.append(cue)
    return out
