"""The handout's own flowables: anchors (link target, bookmark and contents entry), ruled
writing lines, the notes area, table-like rows, the summary panel and the cover's contents.

They draw what they are given; which of them a lesson gets, and where, is decided in
``pdf_handout_story``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.platypus import Flowable

from deckbuild.compat import reportlab_private
from deckbuild.layout.handout import ContentsRow
from deckbuild.services.spans import Span, Style
from deckbuild.writers import pdf_tags
from deckbuild.writers._pdf import Lines, TextStyle, colour, draw_lines
from deckbuild.writers.pdf_handout_typography import Typography


class Anchor(Flowable):  # type: ignore[misc]
    """A zero-size mark: link target, bookmark (outline entry) and contents entry."""

    def __init__(self, key: str, title: str, running: str) -> None:
        super().__init__()
        self.key = key
        self.title = title
        self.running = running
        self.width = self.height = 0

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        canv = self.canv
        # The page it lands on, for the contents' ``PageRef``s (pages are kept until save).
        canv.__dict__.setdefault("_db_anchors", {})[self.key] = len(canv._db_pages) + 1
        canv.mark(self.key, self.title)


class Ruled(Flowable):  # type: ignore[misc]
    """Ruled lines to write on."""

    def __init__(self, lines: int, gap: float, colour: Any, indent: float = 0) -> None:
        super().__init__()
        self.lines = lines
        self.gap = gap
        self.colour = colour
        self.indent = indent

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.width = aw
        return aw, self.lines * self.gap

    def draw(self) -> None:
        c = self.canv
        c.setStrokeColor(self.colour)
        c.setLineWidth(0.6)
        for i in range(self.lines):
            y = i * self.gap
            c.line(self.indent, y, self.width, y)


class NotesArea(Flowable):  # type: ignore[misc]
    """A label and ruled lines filling what is left of the lesson's last page.

    Between ``lo`` and ``hi`` lines; when not even ``lo`` fit, the area is left out rather
    than starting a page that would hold nothing else (the questions have their own lines).
    """

    def __init__(self, label: Lines, lo: int, hi: int, gap: float, colour: Any, pad: float) -> None:
        super().__init__()
        self.label = label
        self.lo = lo
        self.hi = hi
        self.gap = gap
        self.colour = colour
        self.pad = pad
        self.lines = 0
        self._label_h = 0.0

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.width = aw
        _, self._label_h = self.label.wrap(aw, ah)
        fit = int((ah - self.pad - self._label_h - 1) // self.gap)
        self.lines = min(self.hi, fit) if fit >= self.lo else 0
        if not self.lines:
            return aw, 0
        return aw, self.pad + self._label_h + self.lines * self.gap

    def draw(self) -> None:
        if not self.lines:
            return
        h = self._label_h + self.lines * self.gap
        self.label.drawOn(self.canv, 0, h - self._label_h)
        c = self.canv
        c.setStrokeColor(self.colour)
        c.setLineWidth(0.6)
        for i in range(self.lines):
            c.line(0, i * self.gap, self.width, i * self.gap)


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell of a ``Row``."""

    content: Flowable
    #: Where the content starts and how wide it is, padding already taken off.
    x: float
    width: float


class Row(Flowable):  # type: ignore[misc]
    """Cells side by side, top-aligned, with a rule below: one table row, without the
    table's per-cell geometry. Like a table row, it does not split."""

    def __init__(self, cells: Sequence[Cell], pad_top: float, pad_bottom: float, rule: str) -> None:
        super().__init__()
        self.cells = cells
        self.pad_top = pad_top
        self.pad_bottom = pad_bottom
        self.rule = rule
        self._heights: list[float] = []

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.width = aw
        canv = getattr(self, "canv", None)
        self._heights = [c.content.wrapOn(canv, c.width, 1e6)[1] for c in self.cells]
        self.height = self.pad_top + max(self._heights, default=0.0) + self.pad_bottom
        return aw, self.height

    def draw(self) -> None:
        top = self.height - self.pad_top
        with pdf_tags.group(self.canv, "TR"):
            for cell, h in zip(self.cells, self._heights, strict=True):
                with pdf_tags.group(self.canv, "TD"):
                    cell.content.drawOn(self.canv, cell.x, top - h)
        self.canv.setStrokeColor(colour(self.rule))
        self.canv.setLineWidth(0.4)
        self.canv.line(0, 0, self.width, 0)


class Panel(Flowable):  # type: ignore[misc]
    """Flowables on a shaded panel with a coloured bar on the left: the summary's pull
    quote. Spacing between the flowables is kept, and dropped at the panel's edges."""

    def __init__(
        self,
        content: Sequence[Flowable],
        pad: tuple[float, float, float, float],
        background: str,
        bar: str,
    ) -> None:
        super().__init__()
        self.content = content
        #: Left, right, top, bottom.
        self.pad = pad
        self.background = background
        self.bar = bar
        self._heights: list[float] = []

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        left, right, top, bottom = self.pad
        inner = aw - left - right
        # wrapOn: a keep-together inside needs a canvas attribute, even if it is None.
        canv = getattr(self, "canv", None)
        self._heights = [f.wrapOn(canv, inner, 1e6)[1] for f in self.content]
        gaps = sum(
            a.getSpaceAfter() + b.getSpaceBefore()
            for a, b in zip(self.content, self.content[1:], strict=False)
        )
        self.width = aw
        self.height = top + sum(self._heights) + gaps + bottom
        return aw, self.height

    def draw(self) -> None:
        canv = self.canv
        canv.saveState()
        canv.setFillColor(colour(self.background))
        canv.rect(0, 0, self.width, self.height, stroke=0, fill=1)
        canv.setStrokeColor(colour(self.bar))
        canv.setLineWidth(3)
        canv.line(0, 0, 0, self.height)
        canv.restoreState()
        left, _, top, _ = self.pad
        y = self.height - top
        for i, (f, h) in enumerate(zip(self.content, self._heights, strict=True)):
            if i:
                y -= f.getSpaceBefore()
            y -= h
            f.drawOn(canv, left, y)
            y -= f.getSpaceAfter()


class PageRef(Flowable):  # type: ignore[misc]
    """The number of the page that ``key``'s anchor lands on, right-aligned and linked to it.

    It takes one line's height and draws nothing while the story is set: the page is known
    only when the anchor has been drawn, possibly on a later page. It leaves its place on
    the canvas (``_db_refs``): the page, where in the page's content stream, and the
    transform there. The canvas draws the number into that place when it saves, as it
    draws "page N of M", so text extraction still finds it in its row. The contents are
    right in one pass whatever the lessons' lengths, and no lesson has to be set on its
    own first to count its pages.
    """

    def __init__(self, key: str, ts: TextStyle) -> None:
        super().__init__()
        self.key = key
        self.ts = ts
        self.width = 0.0
        self.height = ts.leading

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.width = aw
        return aw, self.height

    def draw(self) -> None:
        canv = self.canv
        refs: list[Any] = canv.__dict__.setdefault("_db_refs", [])
        place = reportlab_private.stream_place(canv)
        tags = pdf_tags.tags_of(canv)
        reserved = tags.reserve(canv, self.ts.role) if tags is not None else None
        refs.append((len(canv._db_pages), self, place, reserved))

    def draw_number(self, canv: Any, page: int, reserved: Any) -> None:
        """Called by the canvas at save, with the transform it had in ``draw``."""
        ts = self.ts.derive(role=pdf_tags.ARTIFACT)  # tagged by ``reserved`` instead
        line = (Span(str(page), Style(href=f"#{self.key}")),)
        tags = pdf_tags.tags_of(canv)
        with tags.leaf_at(canv, reserved) if tags and reserved else contextlib.nullcontext():
            draw_lines(canv, [line], ts, ts.indent, self.height - ts.size, self.width - ts.indent)


class Contents(Flowable):  # type: ignore[misc]
    """The cover's contents: rows from the plan; page numbers drawn by ``PageRef``."""

    def __init__(
        self,
        rows: tuple[ContentsRow, ...],
        scheduled: bool,
        typography: Typography,
    ) -> None:
        super().__init__()
        self.rows = rows
        self.scheduled = scheduled
        self.typography = typography
        self._made: list[Row] = []

    def _build(self, width: float) -> list[Row]:
        typography = self.typography
        pad = 2.0
        page_w = typography.size * 3.2
        dur_w = typography.size * 7.5
        slot_w = typography.size * 7.5 if self.scheduled else 0
        label_w = width - page_w - dur_w - slot_w
        widths = [label_w, dur_w, page_w]
        if self.scheduled:
            widths.insert(0, slot_w)
        rule = typography.theme.colours.rule
        rows: list[Row] = []
        for row in self.rows:
            link = Style(href=f"#{row.key}") if row.key else Style(italic=True)
            style = "cell" if row.key else "cellmuted"
            page: Flowable = (
                PageRef(row.key, typography.styles["cellright"])
                if row.key
                else Lines((), typography.styles["cellright"])
            )
            # Lines, not typography.para: these are the handout's own links, to its own anchors.
            texts = [
                Lines((Span(row.label, link),), typography.styles[style]),
                typography.text(row.duration, "cellmuted"),
                page,
            ]
            if self.scheduled:
                texts.insert(0, typography.text(row.slot, style))
            cells, x = [], 0.0
            for text, w in zip(texts, widths, strict=True):
                cells.append(Cell(text, x + pad, w - 2 * pad))
                x += w
            rows.append(Row(cells, 2.5, 2.5, rule))
        return rows

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self._made = self._build(aw)
        self.width = aw
        self.height = sum(r.wrap(aw, ah)[1] for r in self._made)
        return aw, self.height

    def split(self, aw: float, ah: float) -> list[Flowable]:
        # Between any two rows, as a table split by row would.
        return list(self._build(aw))

    def draw(self) -> None:
        y = self.height
        for row in self._made:
            y -= row.height
            row.drawOn(self.canv, 0, y)


class TableCell(Flowable):  # type: ignore[misc]
    """A reportlab table's cell content, tagged TD, and the row's TR opened by its first
    cell and closed by its last (the table draws a row's cells one after another)."""

    def __init__(self, content: Flowable, first: bool, last: bool) -> None:
        super().__init__()
        self.content = content
        self.first = first
        self.last = last

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.width, self.height = self.content.wrap(aw, ah)
        return self.width, self.height

    def draw(self) -> None:
        tags = pdf_tags.tags_of(self.canv)
        if tags is not None and self.first:
            tags.open("TR")
        with pdf_tags.group(self.canv, "TD"):
            self.content.drawOn(self.canv, 0, 0)
        if tags is not None and self.last:
            tags.close()
