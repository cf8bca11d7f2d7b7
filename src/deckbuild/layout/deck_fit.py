"""Measure groups and spread them over slides: shrink to the floor, then continue.

reportlab's wrap/split protocol, for slides: every unit is measured at a candidate size
against the body box it will be written into. A group takes the largest size at which it
needs no more slides than at the floor size; pages are then cut where the result is most
even (no orphaned last slide with one line). Code is cut at blank lines and top-level
``end``/``def`` boundaries, and a line too long for the box wraps behind a marker.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from deckbuild.diagnostics import SourcePos
from deckbuild.layout.deck_content import (
    BULLET,
    CodeUnit,
    Group,
    ImageUnit,
    Item,
    NotesUnit,
    TableUnit,
    Text,
    Unit,
    pullouts,
)
from deckbuild.layout.deck_plan import (
    Align,
    Anchor,
    Box,
    Bullet,
    Cell,
    Frame,
    Para,
    PictureShape,
    RuleShape,
    Shape,
    SlideKind,
    TableShape,
    TextShape,
    runs_text,
)
from deckbuild.layout.deck_text import (
    DESCENT_ALLOWANCE,
    WIDTH_SAFETY,
    Spans,
    Typesetter,
    bolded,
    italic,
    pitch,
    plain,
    split_sentences,
    split_words,
    word_count,
)
from deckbuild.model import CodeBlock
from deckbuild.services.highlight import highlight
from deckbuild.services.spans import CodeLines, Span, Style
from deckbuild.theme import Theme

#: SPEC: "at most about 6 bullets and 60 words of body per slide" (80 is the hard limit).
#: A slide may reach ABOUT_WORDS rather than spill one item onto a slide of its own; pages
#: are balanced against SOFT_WORDS.
MAX_BULLETS = 6
SOFT_WORDS = 60
ABOUT_WORDS = 70
HARD_WORDS = 80
#: Visible marker in front of the rest of a code line that had to wrap.
CONTINUATION = "↪ "
#: A longer title is shortened with an ellipsis (and given in full in the notes).
MAX_TITLE_LINES = 3
CODE_INSET = 10.0
TEXT_INSET = 6.0
TITLE_INSET = 4.0
CELL_INSET = 4.5


@dataclass(frozen=True, slots=True)
class Geometry:
    """Where things go on a slide, in points, derived from the theme's slide size."""

    width: float
    height: float
    margin: float
    title_top: float
    footer_top: float
    footer_height: float
    body_bottom: float

    @classmethod
    def of(cls, theme: Theme) -> Geometry:
        # Whole points: Keynote rounds odd EMU sizes (959.98 pt) to the wrong width.
        width, height = round(theme.slide_width * 72), round(theme.slide_height * 72)
        footer_h = pitch(theme.sizes.footer) + 4 + DESCENT_ALLOWANCE * theme.sizes.footer
        footer_top = height - 10 - footer_h
        return cls(
            width=width,
            height=height,
            margin=round(width * 0.05),
            title_top=round(height * 0.04),
            footer_top=footer_top,
            footer_height=footer_h,
            body_bottom=footer_top - 8,
        )

    @property
    def inner_width(self) -> float:
        return self.width - 2 * self.margin


@dataclass(frozen=True, slots=True)
class Draft:
    """A slide before numbering and footer."""

    kind: SlideKind
    title: TextShape
    shapes: tuple[Shape, ...]
    notes: tuple[Text, ...]
    lesson: int | None
    pos: SourcePos | None


@dataclass(frozen=True, slots=True)
class _Entry:
    """A unit that puts something on a slide, with the prose notes around it."""

    unit: Item | TableUnit | CodeUnit | ImageUnit
    before: tuple[Text, ...] = ()
    after: tuple[Text, ...] = ()


@dataclass(frozen=True, slots=True)
class _Row:
    """One table row in the pagination; rows of one table stack under one header."""

    table: int
    index: int
    unit: TableUnit


# Not frozen: one is made for every unit at every size tried, and a frozen dataclass sets
# each field through object.__setattr__. Nothing changes it after it is made.
@dataclass(slots=True)
class _Measured:
    """A unit measured at one size. Consecutive paragraphs share one text box (block -1);
    consecutive rows of one table share its frame (block = the table's entry index)."""

    entry: _Entry
    row: _Row | None
    item: Item | None
    height: float
    #: Space above it when it follows a unit of the same block.
    space: float
    #: What a new block costs besides its units: text box insets, a table's header row.
    overhead: float
    #: Space between two blocks.
    gap: float
    block: int
    words: int
    bullets: int


class Fitter:
    def __init__(self, theme: Theme, ts: Typesetter) -> None:
        self.theme = theme
        self.ts = ts
        self.geo = Geometry.of(theme)
        self.colours = theme.colours
        self.sizes = theme.sizes
        # Column widths by (table, width, size): a long table (the agenda of a big manual)
        # is laid out page by page, and measuring all its rows for each page is quadratic.
        # The table is kept in the value so that its id is not reused while cached.
        self._columns_cache: dict[tuple[int, float, float], tuple[TableUnit, list[float]]] = {}
        self._word_counts: dict[int, tuple[Spans, int]] = {}
        self._highlighted: dict[int, tuple[CodeBlock, CodeLines]] = {}

    # ----------------------------------------------------------------------- titles

    def title_shape(
        self,
        spans: Spans,
        *,
        reserve: str = "",
        box: Box | None = None,
        size: float | None = None,
        align: Align = "l",
        anchor: Anchor = "t",
        colour: str | None = None,
    ) -> TextShape:
        """The title, shrunk a little before it wraps; its box fits its lines exactly.

        ``reserve`` is text the box must also have room for (a later "(2/3)").
        """
        geo = self.geo
        top = size or self.sizes.title
        floor = min(top, max(self.sizes.body_min + 6, round(top * 0.75)))
        x, y, w = (box.x, box.y, box.w) if box else (geo.margin, geo.title_top, geo.inner_width)
        inner = w - 2 * TITLE_INSET
        styled = _bolded(spans)
        measured = (*styled, Span(reserve, Style(bold=True))) if reserve else styled
        sizes = _steps(top, floor, 2)
        chosen, lines = sizes[-1], self.ts.lines(measured, inner, sizes[-1], heading=True)
        for max_lines in (1, 2):
            fit = next(
                (s for s in sizes if self.ts.lines(measured, inner, s, heading=True) <= max_lines),
                None,
            )
            if fit is not None:
                chosen, lines = fit, self.ts.lines(measured, inner, fit, heading=True)
                break
        if lines > MAX_TITLE_LINES:
            # A title this long would crowd out the slide; the caller keeps it in the notes.
            styled = self.shorten_title(styled, inner, chosen, reserve)
            lines = MAX_TITLE_LINES
        height = lines * pitch(chosen) + 2 * TITLE_INSET + DESCENT_ALLOWANCE * chosen
        if box is not None:
            y = {"t": box.y, "ctr": box.y + (box.h - height) / 2, "b": box.bottom - height}[anchor]
            y = max(y, geo.title_top)
        para = self.ts.para(
            styled, chosen, colour or self.colours.accent, heading=True, align=align
        )
        # The frame itself is top-anchored: a glyph's descent lies below the last line's
        # pitch, inside the allowance measured for it at the bottom of the box.
        return TextShape("title", Box(x, y, w, height), Frame((para,), TITLE_INSET, "t"))

    def shorten_title(self, spans: Spans, inner: float, size: float, reserve: str) -> Spans:
        """``spans`` cut with an ellipsis to fit MAX_TITLE_LINES lines beside ``reserve``."""
        suffix = (Span(reserve, Style(bold=True)),) if reserve else ()
        style = Style(bold=True)
        text = plain(spans)

        def fits(n: int) -> bool:
            cut = (Span(text[:n].rstrip() + "…", style), *suffix)
            return self.ts.lines(cut, inner, size, heading=True) <= MAX_TITLE_LINES

        if self.ts.lines((*spans, *suffix), inner, size, heading=True) <= MAX_TITLE_LINES:
            return spans
        lo, hi = 0, len(text)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if fits(mid):
                lo = mid
            else:
                hi = mid - 1
        return (Span(text[:lo].rstrip() + "…", style),)

    def body_top(self, title: TextShape) -> float:
        return title.box.bottom + 14

    def rule_under(self, title: TextShape) -> RuleShape:
        return RuleShape(
            title.box.x + TITLE_INSET, title.box.bottom + 4, 72, self.colours.accent, 2.5
        )

    # ----------------------------------------------------------------------- groups

    def group(self, g: Group) -> list[Draft]:
        """All slides of one group, titled "Title (i/n)" when there are several."""
        drafts = self._group(g, "")
        if len(drafts) > 1:
            digits = max(2, len(str(len(drafts))))
            reserve = f" ({'0' * digits}/{'0' * digits})"
            drafts = self._group(g, reserve)
            n = len(drafts)
            if n > 1:
                drafts = [
                    replace(
                        d,
                        title=self._retitle(d.title, g.title, f" ({i}/{n})"),
                    )
                    for i, d in enumerate(drafts, 1)
                ]
        return drafts

    def _retitle(self, old: TextShape, spans: Spans, suffix: str) -> TextShape:
        """Same box and size (measured with the reserved suffix), the final text."""
        para = old.frame.paras[0]
        inner = old.box.w - 2 * TITLE_INSET
        text = (*self.shorten_title(_bolded(spans), inner, para.size, suffix), Span(suffix))
        runs = self.ts.runs(_bolded(text), para.size, self.colours.accent, heading=True)
        return replace(old, frame=replace(old.frame, paras=(replace(para, runs=runs),)))

    def _group(self, g: Group, reserve: str) -> list[Draft]:
        title = self.title_shape(g.title, reserve=reserve)
        entries, lead = _entries(g.units)
        if runs_text(title.frame.paras[0].runs) != plain(_bolded(g.title)):
            lead = (Text(_bolded(g.title)), *lead)  # the whole title, shortened on the slide
        if not entries:
            return [self._pullout_slide(g, title, lead)]
        drafts: list[Draft] = []
        segment: list[_Entry] = []

        def flush() -> None:
            if segment:
                drafts.extend(self._text_slides(g, title, list(segment)))
                segment.clear()

        for e in entries:
            if isinstance(e.unit, CodeUnit):
                flush()
                drafts.extend(self._code_slides(g, title, e))
            elif isinstance(e.unit, ImageUnit):
                flush()
                drafts.append(self._image_slide(g, title, e))
            else:
                segment.append(e)
        flush()
        if lead and drafts:
            drafts[0] = replace(drafts[0], notes=(*lead, *drafts[0].notes))
        return drafts

    def _draft(
        self, g: Group, title: TextShape, shapes: Sequence[Shape], notes: Sequence[Text]
    ) -> Draft:
        kind: SlideKind = (
            "code" if any(isinstance(s, TextShape) and s.role == "code" for s in shapes) else g.kind
        )
        if any(isinstance(s, PictureShape) for s in shapes):
            kind = "image"
        return Draft(
            kind,
            title,
            (self.rule_under(title), *shapes),
            tuple(notes),
            g.lesson,
            g.pos,
        )

    # ----------------------------------------------------------------------- pull-out

    def _pullout_slide(self, g: Group, title: TextShape, notes: Sequence[Text]) -> Draft:
        geo = self.geo
        top = self.body_top(title)
        box = Box(geo.margin, top, geo.inner_width, geo.body_bottom - top)
        inner = box.w - 2 * TEXT_INSET
        shapes: list[Shape] = []
        style = Style(italic=True)
        # One size per theme, at most three lines: a pull-out reads as a quotation.
        size = self.sizes.body + 4
        for text in pullouts(g.prose, plain(g.title)):
            spans = (Span(f"“{text}”", style),)
            lines = self.ts.lines(spans, inner, size)
            if lines <= _PULLOUT_LINES:
                para = self.ts.para(spans, size, self.colours.accent, align="ctr")
                h = lines * pitch(size) + 2 * TEXT_INSET + DESCENT_ALLOWANCE * size
                line = Box(box.x, box.y + (box.h - h) / 2, box.w, h)
                shapes.append(TextShape("pullout", line, Frame((para,), TEXT_INSET)))
                break
        return self._draft(g, title, shapes, notes)

    # ----------------------------------------------------------------------- text slides

    def _sizes(self, g: Group) -> list[float]:
        top = self.sizes.body + (4 if g.body == "quote" else 0)
        return _steps(top, self.sizes.body_min, 2)

    def _text_slides(self, g: Group, title: TextShape, entries: list[_Entry]) -> list[Draft]:
        geo = self.geo
        top = self.body_top(title)
        area = Box(geo.margin, top, geo.inner_width, geo.body_bottom - top)
        sizes = self._sizes(g)
        floor = sizes[-1]
        entries = self._presplit(g, entries, area, floor)
        best: tuple[float, list[list[_Measured]]] | None = None
        floor_pages: int | None = None
        for size in reversed(sizes):
            ms = self._measure(g, entries, area, size)
            pages = _paginate(ms, area.h)
            if pages is None:
                continue
            if floor_pages is None:
                floor_pages = len(pages)
            if len(pages) <= floor_pages:
                best = (size, pages)
        if best is None:  # cannot happen after presplit; keep going, report nothing lost
            size = floor
            ms = self._measure(g, entries, area, size)
            pages = [[m] for m in ms]
            best = (size, pages)
        size, pages = best
        return [self._text_page(g, title, area, size, page) for page in pages]

    def _capacity(self, area: Box, size: float) -> float:
        """Room for a paragraph's lines when it is alone in the body box."""
        return area.h - 2 * TEXT_INSET - DESCENT_ALLOWANCE * size

    def _indent(self, text: Text, size: float) -> tuple[float, float]:
        """(left edge of the text, hanging width of its marker)."""
        hang = 0.0
        if text.marker is not None or text.cont:
            hang = size * (1.0 if (text.marker or BULLET) == BULLET else 1.6)
        step = size * 1.1
        return text.level * step + hang, hang

    def _item_height(self, text: Text, width: float, size: float) -> float:
        indent, _ = self._indent(text, size)
        return self.ts.lines(text.spans, width - indent, size) * pitch(size)

    def _space(self, text: Text, size: float, quote: bool) -> float:
        if quote:
            return round(size * 0.6, 2)
        return round(size * (0.45 if text.level == 0 else 0.2), 2)

    def _presplit(self, g: Group, entries: list[_Entry], area: Box, floor: float) -> list[_Entry]:
        """Cut any paragraph too long for one slide at the floor size into sentences (then
        words); a table whose row cannot fit becomes one paragraph per row."""
        cap = self._capacity(area, floor)
        width = area.w - 2 * TEXT_INSET
        out: list[_Entry] = []
        for e in entries:
            u = e.unit
            if isinstance(u, TableUnit):
                if self._table_fits(u, area.w, floor, area.h):
                    out.append(e)
                    continue
                rows = [Item(Text(_row_text(u.header, r), 0, BULLET)) for r in u.rows] or [
                    Item(Text(_row_text((), u.header), 0, BULLET))
                ]
                rows[0] = replace(rows[0], notes=u.notes)
                for k, r in enumerate(rows):
                    out.append(
                        _Entry(r, e.before if k == 0 else (), e.after if k == len(rows) - 1 else ())
                    )
                continue
            if not isinstance(u, Item):
                out.append(e)
                continue
            text = u.text
            if (
                self._item_height(text, width, floor) <= cap
                and word_count(plain(text.spans)) <= HARD_WORDS
            ):
                out.append(e)
                continue
            pieces = self._pieces(text, width, floor, cap)
            for k, piece in enumerate(pieces):
                t = replace(
                    text,
                    spans=piece,
                    marker=text.marker if k == 0 else None,
                    cont=k > 0 and (text.marker is not None or text.cont),
                )
                out.append(
                    _Entry(
                        Item(t, u.notes if k == 0 else ()),
                        e.before if k == 0 else (),
                        e.after if k == len(pieces) - 1 else (),
                    )
                )
        return out

    def _pieces(self, text: Text, width: float, size: float, cap: float) -> list[Spans]:
        def fits(spans: Spans) -> bool:
            return (
                self._item_height(replace(text, spans=spans), width, size) <= cap
                and word_count(plain(spans)) <= SOFT_WORDS
            )

        units: list[Spans] = []
        for sentence in split_sentences(text.spans):
            if fits(sentence):
                units.append(sentence)
            else:
                per = SOFT_WORDS // 2
                while True:
                    parts = split_words(sentence, per)
                    if all(fits(p) for p in parts) or per <= 1:
                        break
                    per //= 2
                units.extend(parts)
        pieces: list[Spans] = []
        for u in units:
            if pieces:
                joined = (*pieces[-1], Span(" "), *u)
                if fits(joined):
                    pieces[-1] = joined
                    continue
            pieces.append(u)
        return pieces or [text.spans]

    def _words_in(self, spans: Spans) -> int:
        """Words of a paragraph, counted once for all the sizes a layout tries."""
        found = self._word_counts.get(id(spans))
        if found is not None and found[0] is spans:
            return found[1]
        count = word_count(plain(spans))
        self._word_counts[id(spans)] = (spans, count)
        return count

    def _measure(self, g: Group, entries: list[_Entry], area: Box, size: float) -> list[_Measured]:
        width = area.w - 2 * TEXT_INSET
        quote = g.body == "quote"
        text_overhead = 2 * TEXT_INSET + DESCENT_ALLOWANCE * size
        gap = round(size * 0.5, 2)
        out: list[_Measured] = []
        for k, e in enumerate(entries):
            u = e.unit
            if isinstance(u, Item):
                t = u.text
                out.append(
                    _Measured(
                        e,
                        None,
                        u,
                        self._item_height(t, width, size),
                        self._space(t, size, quote),
                        text_overhead,
                        gap,
                        -1,
                        self._words_in(t.spans),
                        1 if t.level == 0 and t.marker is not None else 0,
                    )
                )
            elif isinstance(u, TableUnit):
                cols = self._columns(u, area.w, size)
                header = (
                    self._row_height(u.header, cols, size, bold=True)
                    if u.header and u.rows
                    else 0.0
                )
                body = u.rows or (u.header,)
                for r, row in enumerate(body):
                    out.append(
                        _Measured(
                            e,
                            _Row(k, r, u),
                            None,
                            self._row_height(row, cols, size, bold=not u.rows),
                            0.0,
                            header,
                            gap,
                            k,
                            sum(word_count(plain(c)) for c in row),
                            0,
                        )
                    )
        return out

    def _text_page(
        self, g: Group, title: TextShape, area: Box, size: float, page: list[_Measured]
    ) -> Draft:
        quote = g.body == "quote"
        shapes: list[Shape] = []
        notes: list[Text] = []
        seen: set[int] = set()
        for m in page:
            if id(m.entry) not in seen:
                seen.add(id(m.entry))
                notes.extend((*m.entry.before, *m.entry.unit.notes, *m.entry.after))
        blocks: list[list[_Measured]] = []
        for m in page:
            if blocks and blocks[-1][-1].block == m.block:
                blocks[-1].append(m)
            else:
                blocks.append([m])
        y = area.y
        for n, block in enumerate(blocks):
            if n:
                y += block[0].gap
            first = block[0]
            if first.row is not None:
                rows = [m.row.index for m in block if m.row is not None]
                table = self._table_shape(first.row.unit, rows, area.x, y, area.w, size)
                shapes.append(table)
                y += table.box.h
                continue
            paras = []
            height = first.overhead
            for k, m in enumerate(block):
                assert m.item is not None
                space = m.space if k else 0.0
                paras.append(self._body_para(m.item.text, size, space, quote))
                height += space + m.height
            # Boxes fit their measured text exactly (a quotation is centred in the body
            # area), so text that a renderer set taller than measured would show outside.
            box = Box(area.x, y, area.w, height)
            if quote:
                box = Box(area.x, area.y + (area.h - height) / 2, area.w, height)
            shapes.append(TextShape("body", box, Frame(tuple(paras), TEXT_INSET)))
            y += height
        return self._draft(g, title, shapes, notes)

    def _body_para(self, t: Text, size: float, space: float, quote: bool) -> Para:
        indent, hang = self._indent(t, size)
        bullet = None
        if t.marker is not None:
            number = int(t.marker[:-1]) if t.marker[:-1].isdigit() else None
            bullet = Bullet(
                t.marker if number is None else f"{number}.",
                self.theme.fonts.body.name,
                self.colours.accent,
                hang,
                number,
            )
        spans = t.spans
        if quote:
            spans = tuple(Span(s.text, italic(s.style)) for s in spans)
        return self.ts.para(
            spans,
            size,
            self.colours.text,
            space_before=space,
            indent=indent,
            bullet=bullet,
            level=t.level,
        )

    # ----------------------------------------------------------------------- tables

    def _columns(self, u: TableUnit, width: float, size: float) -> list[float]:
        key = (id(u), width, size)
        cached = self._columns_cache.get(key)
        if cached is None:
            cached = self._columns_cache[key] = (u, self._measure_columns(u, width, size))
        return cached[1]

    def _measure_columns(self, u: TableUnit, width: float, size: float) -> list[float]:
        """Column widths: each column's natural width, squeezed in proportion to its slack
        when the table is wider than the box, never below its longest word."""
        rows = [(u.header, True), *((r, False) for r in u.rows)]
        ncols = max((len(r) for r, _ in rows), default=1) or 1
        pad = 2 * CELL_INSET
        natural = [pad] * ncols
        minimum = [pad] * ncols
        for row, head in rows:
            for c, cell in enumerate(row):
                spans = _bolded(cell) if head else cell
                natural[c] = max(natural[c], self.ts.width(spans, size) / WIDTH_SAFETY + pad)
                style = spans[0].style if spans else Style()
                for word in plain(cell).split():
                    w = self.ts.width((Span(word, style),), size) / WIDTH_SAFETY + pad
                    minimum[c] = max(minimum[c], min(w, width / ncols))
        total = sum(natural)
        if total <= width:
            return [n * width / total for n in natural]
        spare = width - sum(minimum)
        if spare <= 0:
            return [width / ncols] * ncols
        slack = [n - m for n, m in zip(natural, minimum, strict=True)]
        return [m + spare * x / (sum(slack) or 1.0) for m, x in zip(minimum, slack, strict=True)]

    def _row_height(
        self, row: Sequence[Spans], cols: list[float], size: float, bold: bool = False
    ) -> float:
        lines = 1
        for c, cell in enumerate(row[: len(cols)]):
            spans = _bolded(cell) if bold else cell
            lines = max(lines, self.ts.lines(spans, cols[c] - 2 * CELL_INSET, size))
        return lines * pitch(size) + 2 * CELL_INSET + DESCENT_ALLOWANCE * size

    def _table_fits(self, u: TableUnit, width: float, size: float, height: float) -> bool:
        """Every row fits a slide under the header, and none is too wordy to show."""
        cols = self._columns(u, width, size)
        header = self._row_height(u.header, cols, size, bold=True) if u.header else 0.0
        return all(
            header + self._row_height(row, cols, size) <= height
            and sum(word_count(plain(c)) for c in (*u.header, *row)) <= HARD_WORDS
            for row in u.rows
        )

    def _table_shape(
        self, u: TableUnit, rows: list[int], x: float, y: float, width: float, size: float
    ) -> TableShape:
        """The header (repeated on every slide the table continues on) and ``rows``."""
        cols = self._columns(u, width, size)
        c = self.colours
        header = bool(u.header) and bool(u.rows)
        picked: list[tuple[tuple[Spans, ...], bool, Style | None]] = []
        if header:
            picked.append((u.header, True, None))
        if u.rows:
            for r in rows:
                style = u.row_styles[r] if r < len(u.row_styles) else None
                picked.append((u.rows[r], False, style))
        else:
            picked.append((u.header, True, None))
        out_rows: list[tuple[Cell, ...]] = []
        heights: list[float] = []
        for n, (row, head, style) in enumerate(picked):
            cells: list[Cell] = []
            for k in range(len(cols)):
                spans = row[k] if k < len(row) else ()
                if head:
                    spans = _bolded(spans)
                elif style is not None:
                    spans = tuple(
                        Span(
                            s.text,
                            replace(
                                s.style,
                                italic=style.italic or s.style.italic,
                                colour=style.colour or s.style.colour,
                            ),
                        )
                        for s in spans
                    )
                para = self.ts.para(spans, size, c.background if head else c.text)
                fill = c.accent if head else (c.code_background if n % 2 else c.background)
                cells.append(Cell((para,), fill))
            out_rows.append(tuple(cells))
            heights.append(self._row_height(row, cols, size, bold=head))
        return TableShape(
            Box(x, y, width, sum(heights)),
            tuple(cols),
            tuple(heights),
            tuple(out_rows),
            CELL_INSET,
            header or not u.rows,
        )

    # ----------------------------------------------------------------------- code

    def _code_slides(self, g: Group, title: TextShape, e: _Entry) -> list[Draft]:
        assert isinstance(e.unit, CodeUnit)
        code = e.unit.code
        geo = self.geo
        top = self.body_top(title)
        area = Box(geo.margin, top, geo.inner_width, geo.body_bottom - top)
        c = self.colours
        hl = self._highlight(code)
        lines = [_rstrip_line(line) for line in hl.lines]
        while lines and not _line_text(lines[-1]).strip():
            lines.pop()
        while lines and not _line_text(lines[0]).strip():
            lines.pop(0)
        texts = [_line_text(x) for x in lines] or [""]
        lines = lines or [()]
        best: tuple[float, float, list[_Visual], list[tuple[int, int]]] | None = None
        # Most sizes wrap no line, so they share one cost table; only the capacity differs.
        costs: dict[tuple[bool, ...], _CodeCosts] = {}
        for size in _steps(self.sizes.code, self.sizes.code_min, 1):
            visual = [
                _Visual(k, piece, n > 0)
                for k, line in enumerate(lines)
                for n, piece in enumerate(self._code_visual(line, area.w - 2 * CODE_INSET, size))
            ]
            cap = int((area.h - 2 * CODE_INSET - DESCENT_ALLOWANCE * size) // pitch(size))
            shape_of = tuple(v.continued for v in visual)
            table = costs.get(shape_of)
            if table is None:
                table = costs[shape_of] = _code_costs(texts, visual)
            chunks, cost = _code_chunks(table, cap)
            cost += _WRAP_COST * sum(shape_of)
            # Ties go to the larger size, tried first.
            if best is None or cost < best[0]:
                best = (cost, size, visual, chunks)
        assert best is not None
        _, size, visual, chunks = best
        drafts: list[Draft] = []
        for k, (lo, hi) in enumerate(chunks):
            paras = tuple(self.ts.para(v.spans, size, c.code_text) for v in visual[lo:hi])
            h = len(paras) * pitch(size) + 2 * CODE_INSET + DESCENT_ALLOWANCE * size
            box = Box(area.x, area.y, area.w, h)
            shape = TextShape(
                "code", box, Frame(paras, CODE_INSET), c.code_background, c.rule, code.lang
            )
            notes: list[Text] = []
            if k == 0:
                notes += [*e.before, *e.unit.notes]
            if k == len(chunks) - 1:
                notes += e.after
            drafts.append(self._draft(g, title, [shape], notes))
        return drafts

    def _highlight(self, code: CodeBlock) -> CodeLines:
        """Highlighted once: a group that needs several slides is laid out twice (the
        second time with room for "(i/n)" in its title)."""
        found = self._highlighted.get(id(code))
        if found is None or found[0] is not code:
            lines = highlight(
                code.text, code.lang, self.theme.code_style, self.colours.code_background
            )
            found = self._highlighted[id(code)] = (code, lines)
        return found[1]

    def _code_visual(self, line: tuple[Span, ...], width: float, size: float) -> list[Spans]:
        """One source line as the lines it takes on the slide; the rest of a line that is
        too long follows a continuation marker."""
        if not line or self.ts.lines(line, width, size) <= 1:
            return [tuple(line)]
        mono = Style(mono=True)
        marker = (Span(CONTINUATION, replace(mono, colour=self.colours.muted)),)
        marker_w = self.ts.width(marker, size)
        wrapped = self.ts.wrap(line, width - marker_w, size)
        out: list[Spans] = []
        for k, piece in enumerate(wrapped):
            piece = tuple(piece)
            if k == 0:
                out.append(piece)
            else:
                out.append((*marker, *_lstrip_line(piece)))
        return out

    # ----------------------------------------------------------------------- images

    def _image_slide(self, g: Group, title: TextShape, e: _Entry) -> Draft:
        assert isinstance(e.unit, ImageUnit)
        geo = self.geo
        top = self.body_top(title)
        box = Box(geo.margin, top, geo.inner_width, geo.body_bottom - top)
        picture = PictureShape(box, e.unit.path, e.unit.alt)
        return self._draft(g, title, [picture], [*e.before, *e.unit.notes, *e.after])


# --------------------------------------------------------------------------- helpers


_PULLOUT_LINES = 3


def _steps(top: float, floor: float, step: float) -> list[float]:
    """Sizes from ``top`` down to ``floor`` (both included)."""
    out: list[float] = []
    s = top
    while s > floor:
        out.append(s)
        s -= step
    out.append(floor)
    return out


def _entries(units: Sequence[Unit]) -> tuple[list[_Entry], tuple[Text, ...]]:
    """Units that show something, each with the notes-only prose around it.

    Prose before the first shown unit is returned separately (it leads the group's first
    slide); prose after a shown unit stays with it.
    """
    entries: list[_Entry] = []
    lead: list[Text] = []
    for u in units:
        if isinstance(u, NotesUnit) or (isinstance(u, Item) and not plain(u.text.spans).strip()):
            if entries:
                entries[-1] = replace(entries[-1], after=(*entries[-1].after, *u.notes))
            else:
                lead.extend(u.notes)
        else:
            entries.append(_Entry(u))
    return entries, tuple(lead)


def _paginate(ms: list[_Measured], cap: float) -> list[list[_Measured]] | None:
    """Fewest pages, then the most even ones: the fullest page, by height, bullets or
    words, as empty as possible.

    None when some unit does not fit a page on its own at this size.
    """
    n = len(ms)
    inf = (math.inf, math.inf)
    best: list[tuple[float, float]] = [inf] * (n + 1)
    back = [0] * (n + 1)
    best[0] = (0, 0.0)
    for i in range(n):
        if best[i] == inf:
            continue
        h = 0.0
        words = 0
        bullets = 0
        for j in range(i, n):
            m = ms[j]
            if j == i:
                h += m.overhead + m.height
            elif ms[j - 1].block == m.block:
                h += m.space + m.height
            else:
                h += m.gap + m.overhead + m.height
            words += m.words
            bullets += m.bullets
            alone = j == i
            if alone and (h > cap or words > HARD_WORDS):
                return None
            if not alone and (h > cap or bullets > MAX_BULLETS or words > ABOUT_WORDS):
                break
            load = max(h / cap, bullets / MAX_BULLETS, words / SOFT_WORDS)
            cost = (best[i][0] + 1, max(best[i][1], load))
            if cost < best[j + 1]:
                best[j + 1] = cost
                back[j + 1] = i
    if best[n] == inf:
        return None
    pages: list[list[_Measured]] = []
    j = n
    while j > 0:
        i = back[j]
        pages.append(ms[i:j])
        j = i
    return pages[::-1]


def _row_text(header: tuple[Spans, ...], row: tuple[Spans, ...]) -> Spans:
    out: list[Span] = []
    for k, cell in enumerate(row):
        if k:
            out.append(Span(" · "))
        if k < len(header) and plain(header[k]).strip():
            out.extend(Span(s.text, bolded(s.style)) for s in header[k])
            out.append(Span(": "))
        out.extend(cell)
    return tuple(out)


def _bolded(spans: Spans) -> Spans:
    return tuple(Span(s.text, bolded(s.style)) for s in spans)


def _line_text(line: Sequence[Span]) -> str:
    return "".join(s.text for s in line)


def _rstrip_line(line: Sequence[Span]) -> tuple[Span, ...]:
    out = [s for s in line if s.text]
    while out and not out[-1].text.strip():
        out.pop()
    if out:
        out[-1] = Span(out[-1].text.rstrip(), out[-1].style)
    return tuple(out)


def _lstrip_line(line: Sequence[Span]) -> tuple[Span, ...]:
    out = [s for s in line if s.text]
    while out and not out[0].text.strip():
        out.pop(0)
    if out:
        out[0] = Span(out[0].text.lstrip(), out[0].style)
    return tuple(out)


_TOP_START = re.compile(
    r"(def|defp|defmodule|defmacro|defmacrop|defprotocol|defimpl|defstruct|describe|test|"
    r"setup|@doc|@moduledoc|@impl|@spec|@type|@callback|function|class|const|export|#|//)\b"
)
_END = re.compile(r"^(end|\}|\);?|\]|end\)|end\]|end\}|\};?)\s*$")
#: Costs of a code layout, in one currency: a slide; ending a slide before a line, by how
#: natural the boundary is (the last is a cut inside a wrapped source line, taken only when
#: that line alone is too long for a slide); a slide of fewer than three lines; a wrapped
#: line. A cut in the middle of a block costs more than one more slide.
_SLIDE_COST = 10
_BREAK_COST = (0, 1, 3, 5, 7, 14, 1000)
_ORPHAN_COST = 14
_WRAP_COST = 2


# Not frozen, like _Measured: one per code line per size tried.
@dataclass(slots=True)
class _Visual:
    """One line on a code slide: a source line or the wrapped rest of one."""

    source: int
    spans: Spans
    continued: bool


@dataclass(frozen=True, slots=True)
class _CodeCosts:
    """What cutting a code block's visual lines costs, whatever a slide's capacity."""

    #: Cost of ending a slide before visual line k (k = n: the end of the block).
    before: list[int]
    #: The first non-blank line at or after k, and the last one before k.
    first_nb: list[int]
    last_nb: list[int]


def _code_costs(texts: list[str], visual: list[_Visual]) -> _CodeCosts:
    """Slides are cut at the most natural boundaries: after a blank line, after a top-level
    ``end``, before a top-level ``def``."""
    n = len(visual)
    blank = [not _line_text(v.spans).strip() and not v.continued for v in visual]

    def indent(t: str) -> int:
        return len(t) - len(t.lstrip())

    nonblank = [t for t in texts if t.strip()]
    base = min((indent(t) for t in nonblank), default=0)
    # The level definitions live at: in a module, its functions' indentation.
    tops = [indent(t) for t in nonblank if _TOP_START.match(t.strip())]
    struct = min(tops, default=base)
    # The nearest non-blank source line at or after i, and before i.
    m = len(texts)
    next_text: list[int | None] = [None] * (m + 1)
    for i in range(m - 1, -1, -1):
        next_text[i] = i if texts[i].strip() else next_text[i + 1]
    prev_text: list[int | None] = [None] * (m + 1)
    for i in range(1, m + 1):
        prev_text[i] = i - 1 if texts[i - 1].strip() else prev_text[i - 1]

    def cost_before(k: int) -> int:
        if k >= n:
            return 0
        if visual[k].continued:
            return _BREAK_COST[-1]
        src = visual[k].source
        nxt, prv = next_text[src], prev_text[src]
        if nxt is None or prv is None:
            return 0
        gap = nxt - prv > 1
        nxt_t, prv_t = texts[nxt], texts[prv]
        top_start = indent(nxt_t) <= struct and bool(_TOP_START.match(nxt_t.strip()))
        top_end = indent(prv_t) <= struct and bool(_END.match(prv_t.strip()))
        if gap and (top_start or top_end):
            return _BREAK_COST[0]
        if top_start or top_end or (gap and indent(nxt_t) <= struct):
            return _BREAK_COST[1]
        if indent(nxt_t) <= base:
            return _BREAK_COST[2]
        if gap:
            return _BREAK_COST[3]
        if _END.match(prv_t.strip()):
            return _BREAK_COST[4]
        return _BREAK_COST[5]

    costs = [cost_before(k) for k in range(n + 1)]
    first_nb = [n] * (n + 1)
    for k in range(n - 1, -1, -1):
        first_nb[k] = first_nb[k + 1] if blank[k] else k
    last_nb = [-1] * (n + 1)
    for k in range(n):
        last_nb[k + 1] = last_nb[k] if blank[k] else k
    return _CodeCosts(costs, first_nb, last_nb)


def _code_chunks(table: _CodeCosts, cap: int) -> tuple[list[tuple[int, int]], float]:
    """Slices of the visual lines of at most ``cap`` lines at the lowest cost, and that
    cost. Blank lines at the ends of a slide are dropped, so they take no room."""
    costs, first_nb, last_nb = table.before, table.first_nb, table.last_nb
    n = len(costs) - 1
    cap = max(cap, 1)
    best = [math.inf] * (n + 1)
    back = [0] * (n + 1)
    best[0] = 0
    for i in range(n):
        if best[i] == math.inf:
            continue
        for j in range(i + 1, n + 1):
            a, b = first_nb[i], last_nb[j]
            used = b - a + 1 if a <= b else 0
            if used > cap:
                break
            cost = _SLIDE_COST + costs[j]
            if 0 < used < 3 and not (i == 0 and j == n):  # an orphan
                cost += _ORPHAN_COST
            if best[i] + cost < best[j]:
                best[j] = best[i] + cost
                back[j] = i
    chunks: list[tuple[int, int]] = []
    j = n
    while j > 0:
        i = back[j]
        a, b = first_nb[i], last_nb[j]
        if a <= b:
            chunks.append((a, b + 1))
        j = i
    return chunks[::-1] or [(0, n)], best[n]
