"""A group of units as slides: each run of body text at the largest size that costs no slide.

``Fitter.group`` lays out one ``Group`` under its title. A code block (``deck_code``) and
an image each take slides of their own; the paragraphs and tables between them form runs.
A run is measured at every size from the body size down to the floor (``deck_paginate``)
and takes the largest size at which it needs no more slides than at the floor; its breaks
are the most even for that many slides. A group with nothing to show gets a pull-out
quotation from its prose, if one fits in a few lines. When a group takes several slides it is laid out again with room
for "(i/n)" in its title.

Before any of that, a word longer than ``limits.DECK_WORD_CHARS`` characters is cut in the
group's title and shown units (the notes keep it), and the warnings of what the group's
content cut (``limits``: long tables) are collected in ``Fitter.cuts``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from deckbuild.diagnostics import Diagnostic, SourcePos
from deckbuild.layout import limits
from deckbuild.layout.deck_code import CodeLayout
from deckbuild.layout.deck_content import (
    CodeUnit,
    Group,
    ImageUnit,
    Item,
    TableUnit,
    Text,
    Unit,
)
from deckbuild.layout.deck_geometry import TEXT_INSET, Geometry, Titles
from deckbuild.layout.deck_inline import bold
from deckbuild.layout.deck_paginate import BodyMeasure, Entry, Measured, entries_of, paginate
from deckbuild.layout.deck_plan import (
    Box,
    Bullet,
    Para,
    PictureShape,
    Shape,
    SlideKind,
    TableShape,
    TextFrame,
    TextShape,
    runs_text,
)
from deckbuild.layout.deck_pullouts import pullouts
from deckbuild.layout.deck_table import TableLayout
from deckbuild.layout.deck_text import (
    DESCENT_ALLOWANCE,
    Spans,
    Typesetter,
    italic,
    pitch,
    plain,
)
from deckbuild.services.spans import Span, Style
from deckbuild.theme import Theme

#: A pull-out is shown only if it takes at most this many lines.
_PULLOUT_LINES = 3


@dataclass(frozen=True, slots=True)
class Draft:
    """A slide before numbering and footer."""

    kind: SlideKind
    title: TextShape
    shapes: tuple[Shape, ...]
    notes: tuple[Text, ...]
    lesson: int | None
    pos: SourcePos | None


class Fitter:
    def __init__(self, theme: Theme, ts: Typesetter) -> None:
        self.theme = theme
        self.ts = ts
        self.geo = Geometry.of(theme)
        self.colours = theme.colours
        self.sizes = theme.sizes
        self.titles = Titles(theme, ts, self.geo)
        self.tables = TableLayout(theme, ts)
        self.body = BodyMeasure(theme, ts, self.tables)
        #: Warnings for what the limits cut, once each, in the order they were met.
        self.cuts: dict[Diagnostic, None] = {}
        self.code = CodeLayout(theme, ts)
        self.title_shape = self.titles.title_shape

    # ----------------------------------------------------------------------- groups

    def group(self, group: Group) -> list[Draft]:
        """All slides of one group, titled "Title (i/n)" when there are several."""
        group = self._within_limits(group)
        drafts = self._group(group, "")
        if len(drafts) > 1:
            digits = max(2, len(str(len(drafts))))
            reserve = f" ({'0' * digits}/{'0' * digits})"
            drafts = self._group(group, reserve)
            n = len(drafts)
            if n > 1:
                drafts = [
                    replace(
                        draft,
                        title=self.titles.retitle(draft.title, group.title, f" ({i}/{n})"),
                    )
                    for i, draft in enumerate(drafts, 1)
                ]
        return drafts

    def _within_limits(self, group: Group) -> Group:
        """The group with over-long words cut in its title and shown text (the same object
        when nothing is cut), its cuts reported."""
        for cut in group.cuts:
            self.cuts[cut] = None
        units: list[Unit] = []
        changed = False
        for unit in group.units:
            if isinstance(unit, TableUnit) and unit.cut is not None:
                self.cuts[unit.cut] = None
            new = _unit_within_limits(unit)
            changed = changed or new is not unit
            units.append(new)
        title = limits.cut_spans(group.title)
        if title is None and not changed:
            return group
        return replace(group, title=title or group.title, units=tuple(units))

    def _group(self, group: Group, reserve: str) -> list[Draft]:
        title = self.title_shape(group.title, reserve=reserve)
        entries, lead = entries_of(group.units)
        if runs_text(title.frame.paras[0].runs) != plain(bold(group.title)):
            lead = (Text(bold(group.title)), *lead)  # the whole title, shortened on the slide
        if not entries:
            return [self._pullout_slide(group, title, lead)]
        drafts: list[Draft] = []
        run: list[Entry] = []

        def flush() -> None:
            if run:
                drafts.extend(self._text_slides(group, title, list(run)))
                run.clear()

        for entry in entries:
            if isinstance(entry.unit, CodeUnit):
                flush()
                drafts.extend(self._code_slides(group, title, entry))
            elif isinstance(entry.unit, ImageUnit):
                flush()
                drafts.append(self._image_slide(group, title, entry))
            else:
                run.append(entry)
        flush()
        if lead and drafts:
            drafts[0] = replace(drafts[0], notes=(*lead, *drafts[0].notes))
        return drafts

    def _draft(
        self, group: Group, title: TextShape, shapes: Sequence[Shape], notes: Sequence[Text]
    ) -> Draft:
        kind: SlideKind = (
            "code"
            if any(isinstance(s, TextShape) and s.role == "code" for s in shapes)
            else group.kind
        )
        if any(isinstance(s, PictureShape) for s in shapes):
            kind = "image"
        return Draft(
            kind,
            title,
            (self.titles.rule_under(title), *shapes),
            tuple(notes),
            group.lesson,
            group.pos,
        )

    # ----------------------------------------------------------------------- pull-out

    def _pullout_slide(self, group: Group, title: TextShape, notes: Sequence[Text]) -> Draft:
        """The first pull-out from the group's prose that fits in a few lines, centred."""
        box = self.titles.body_area(title)
        inner = box.w - 2 * TEXT_INSET
        shapes: list[Shape] = []
        style = Style(italic=True)
        # One size per theme, at most three lines: a pull-out reads as a quotation.
        size = self.sizes.body + 4
        for text in pullouts(group.prose, plain(group.title)):
            spans = (Span(f"“{text}”", style),)
            lines = self.ts.lines(spans, inner, size)
            if lines <= _PULLOUT_LINES:
                para = self.ts.para(spans, size, self.colours.accent, align="ctr")
                height = lines * pitch(size) + 2 * TEXT_INSET + DESCENT_ALLOWANCE * size
                line = Box(box.x, box.y + (box.h - height) / 2, box.w, height)
                shapes.append(TextShape("pullout", line, TextFrame((para,), TEXT_INSET)))
                break
        return self._draft(group, title, shapes, notes)

    # ----------------------------------------------------------------------- text slides

    def _text_slides(self, group: Group, title: TextShape, entries: list[Entry]) -> list[Draft]:
        area = self.titles.body_area(title)
        quote = group.body == "quote"
        size, pages = self._pages(entries, area, quote)
        return [self._text_page(group, title, area, size, page) for page in pages]

    def _pages(
        self, entries: list[Entry], area: Box, quote: bool
    ) -> tuple[float, list[list[Measured]]]:
        """The largest size at which the run needs no more slides than at the floor size,
        and its slides."""
        sizes = self.body.body_sizes(quote)
        floor = sizes[-1]
        entries = self.body.presplit(entries, area, floor)
        best: tuple[float, list[list[Measured]]] | None = None
        floor_pages: int | None = None
        for size in reversed(sizes):
            pages = paginate(self.body.measure(entries, area, size, quote), area.h)
            if pages is None:
                continue
            if floor_pages is None:
                floor_pages = len(pages)
            if len(pages) <= floor_pages:
                best = (size, pages)
        if best is None:  # cannot happen after presplit; keep going, report nothing lost
            measured = self.body.measure(entries, area, floor, quote)
            best = (floor, [[m] for m in measured])
        return best

    def _text_page(
        self, group: Group, title: TextShape, area: Box, size: float, page: list[Measured]
    ) -> Draft:
        """One slide of a run: its text boxes and tables stacked from the top of ``area``,
        with the notes of every unit on it."""
        quote = group.body == "quote"
        shapes: list[Shape] = []
        y = area.y
        for n, block in enumerate(_blocks(page)):
            if n:
                y += block[0].gap
            first = block[0]
            shape: TableShape | TextShape
            if first.row is not None:
                rows = [m.row.index for m in block if m.row is not None]
                shape = self.tables.shape(first.row.unit, rows, area.x, y, area.w, size)
            else:
                shape = self._text_box(block, area, y, size, quote)
            shapes.append(shape)
            y += shape.box.h
        return self._draft(group, title, shapes, _page_notes(page))

    def _text_box(
        self, block: list[Measured], area: Box, y: float, size: float, quote: bool
    ) -> TextShape:
        """Consecutive paragraphs in one text box at ``y`` (a quotation is centred in
        ``area``)."""
        paras: list[Para] = []
        height = block[0].overhead
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
        return TextShape("body", box, TextFrame(tuple(paras), TEXT_INSET))

    def _body_para(self, text: Text, size: float, space: float, quote: bool) -> Para:
        indent, hang = self.body.indent(text, size)
        bullet = None
        if text.marker is not None:
            number = int(text.marker[:-1]) if text.marker[:-1].isdigit() else None
            bullet = Bullet(
                text.marker if number is None else f"{number}.",
                self.theme.fonts.body.name,
                self.colours.accent,
                hang,
                number,
            )
        spans: Spans = text.spans
        if quote:
            spans = tuple(Span(s.text, italic(s.style)) for s in spans)
        return self.ts.para(
            spans,
            size,
            self.colours.text,
            space_before=space,
            indent=indent,
            bullet=bullet,
            level=text.level,
        )

    # ----------------------------------------------------------------------- code, images

    def _code_slides(self, group: Group, title: TextShape, entry: Entry) -> list[Draft]:
        """One slide per code box; the notes come before the first and after the last."""
        assert isinstance(entry.unit, CodeUnit)
        shapes = self.code.shapes(entry.unit.code, self.titles.body_area(title))
        drafts: list[Draft] = []
        for k, shape in enumerate(shapes):
            notes: list[Text] = []
            if k == 0:
                notes += [*entry.before, *entry.unit.notes]
            if k == len(shapes) - 1:
                notes += entry.after
            drafts.append(self._draft(group, title, [shape], notes))
        return drafts

    def _image_slide(self, group: Group, title: TextShape, entry: Entry) -> Draft:
        assert isinstance(entry.unit, ImageUnit)
        box = self.titles.body_area(title)
        picture = PictureShape(box, entry.unit.path, entry.unit.alt)
        return self._draft(
            group, title, [picture], [*entry.before, *entry.unit.notes, *entry.after]
        )


def _unit_within_limits(unit: Unit) -> Unit:
    """A unit with its over-long words cut (``limits.cut_spans``); the same object when
    none is."""
    if isinstance(unit, Item):
        spans = limits.cut_spans(unit.text.spans)
        return unit if spans is None else replace(unit, text=replace(unit.text, spans=spans))
    if isinstance(unit, TableUnit):
        header = [limits.cut_spans(c) for c in unit.header]
        rows = [[limits.cut_spans(c) for c in row] for row in unit.rows]
        if all(c is None for c in header) and all(c is None for row in rows for c in row):
            return unit
        return replace(
            unit,
            header=tuple(c if n is None else n for c, n in zip(unit.header, header, strict=True)),
            rows=tuple(
                tuple(c if n is None else n for c, n in zip(row, new, strict=True))
                for row, new in zip(unit.rows, rows, strict=True)
            ),
        )
    return unit


def _blocks(page: list[Measured]) -> list[list[Measured]]:
    """The page's units in blocks: consecutive paragraphs, or consecutive rows of a table."""
    blocks: list[list[Measured]] = []
    for m in page:
        if blocks and blocks[-1][-1].block == m.block:
            blocks[-1].append(m)
        else:
            blocks.append([m])
    return blocks


def _page_notes(page: list[Measured]) -> list[Text]:
    """The notes of every unit on the page, once each (a table's rows share its notes)."""
    notes: list[Text] = []
    seen: set[int] = set()
    for m in page:
        if id(m.entry) not in seen:
            seen.add(id(m.entry))
            notes.extend((*m.entry.before, *m.entry.unit.notes, *m.entry.after))
    return notes
