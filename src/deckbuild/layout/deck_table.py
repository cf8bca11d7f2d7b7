"""Tables on slides: column widths, row heights, and the shape of a table's rows on a slide.

A table continues from slide to slide under its header; ``TableLayout.rows_fit`` says
whether every row can, and ``row_text`` writes a row as one paragraph for a table that
cannot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from deckbuild.layout.deck_content import TableUnit
from deckbuild.layout.deck_geometry import CELL_INSET
from deckbuild.layout.deck_inline import bold
from deckbuild.layout.deck_plan import Box, Cell, TableShape
from deckbuild.layout.deck_text import (
    DESCENT_ALLOWANCE,
    WIDTH_SAFETY,
    Spans,
    Typesetter,
    bolded,
    pitch,
    plain,
)
from deckbuild.services.spans import Span, Style
from deckbuild.theme import Theme


class TableLayout:
    """Tables measured and drawn at a given width and size."""

    def __init__(self, theme: Theme, ts: Typesetter) -> None:
        self.ts = ts
        self.colours = theme.colours
        # Column widths by (table, width, size): a long table (the agenda of a big manual)
        # is laid out page by page, and measuring all its rows for each page is quadratic.
        # The table is kept in the value so that its id is not reused while cached.
        self._columns_cache: dict[tuple[int, float, float], tuple[TableUnit, list[float]]] = {}

    def columns(self, table: TableUnit, width: float, size: float) -> list[float]:
        key = (id(table), width, size)
        cached = self._columns_cache.get(key)
        if cached is None:
            cached = self._columns_cache[key] = (table, self._measure_columns(table, width, size))
        return cached[1]

    def _measure_columns(self, table: TableUnit, width: float, size: float) -> list[float]:
        """Column widths: each column's natural width, squeezed in proportion to its slack
        when the table is wider than the box, never below its longest word."""
        rows = [(table.header, True), *((row, False) for row in table.rows)]
        count = max((len(row) for row, _ in rows), default=1) or 1
        pad = 2 * CELL_INSET
        natural = [pad] * count
        minimum = [pad] * count
        for row, head in rows:
            for column, cell in enumerate(row):
                spans = bold(cell) if head else cell
                natural[column] = max(
                    natural[column], self.ts.width(spans, size) / WIDTH_SAFETY + pad
                )
                style = spans[0].style if spans else Style()
                for word in plain(cell).split():
                    w = self.ts.width((Span(word, style),), size) / WIDTH_SAFETY + pad
                    minimum[column] = max(minimum[column], min(w, width / count))
        total = sum(natural)
        if total <= width:
            return [n * width / total for n in natural]
        spare = width - sum(minimum)
        if spare <= 0:
            return [width / count] * count
        slack = [n - m for n, m in zip(natural, minimum, strict=True)]
        return [m + spare * x / (sum(slack) or 1.0) for m, x in zip(minimum, slack, strict=True)]

    def row_height(
        self, row: Sequence[Spans], columns: list[float], size: float, bold_text: bool = False
    ) -> float:
        lines = 1
        for column, cell in enumerate(row[: len(columns)]):
            spans = bold(cell) if bold_text else cell
            lines = max(lines, self.ts.lines(spans, columns[column] - 2 * CELL_INSET, size))
        return lines * pitch(size) + 2 * CELL_INSET + DESCENT_ALLOWANCE * size

    def rows_fit(self, table: TableUnit, width: float, size: float, height: float) -> bool:
        """Every row fits ``height`` under the header."""
        columns = self.columns(table, width, size)
        header = (
            self.row_height(table.header, columns, size, bold_text=True) if table.header else 0.0
        )
        return all(header + self.row_height(row, columns, size) <= height for row in table.rows)

    def shape(
        self, table: TableUnit, rows: list[int], x: float, y: float, width: float, size: float
    ) -> TableShape:
        """The header (repeated on every slide the table continues on) and ``rows``."""
        columns = self.columns(table, width, size)
        colours = self.colours
        header = bool(table.header) and bool(table.rows)
        out_rows: list[tuple[Cell, ...]] = []
        heights: list[float] = []
        for n, (row, head, style) in enumerate(_shown_rows(table, rows)):
            cells: list[Cell] = []
            for k in range(len(columns)):
                spans = _cell_spans(row[k] if k < len(row) else (), head, style)
                para = self.ts.para(spans, size, colours.background if head else colours.text)
                if head:
                    fill = colours.accent
                else:
                    fill = colours.code_background if n % 2 else colours.background
                cells.append(Cell((para,), fill))
            out_rows.append(tuple(cells))
            heights.append(self.row_height(row, columns, size, bold_text=head))
        return TableShape(
            Box(x, y, width, sum(heights)),
            tuple(columns),
            tuple(heights),
            tuple(out_rows),
            CELL_INSET,
            header or not table.rows,
        )


def _shown_rows(
    table: TableUnit, rows: list[int]
) -> list[tuple[tuple[Spans, ...], bool, Style | None]]:
    """The rows a slide shows, each with whether it is the header and its row style: the
    header and ``rows``, or the header alone (as a row) when the table has no other."""
    picked: list[tuple[tuple[Spans, ...], bool, Style | None]] = []
    if table.header and table.rows:
        picked.append((table.header, True, None))
    if table.rows:
        for r in rows:
            style = table.row_styles[r] if r < len(table.row_styles) else None
            picked.append((table.rows[r], False, style))
    else:
        picked.append((table.header, True, None))
    return picked


def _cell_spans(spans: Spans, head: bool, style: Style | None) -> Spans:
    """A cell's text in bold in the header, else with its row's italic and colour."""
    if head:
        return bold(spans)
    if style is None:
        return spans
    return tuple(
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


def row_text(header: tuple[Spans, ...], row: tuple[Spans, ...]) -> Spans:
    """A table row as one paragraph: "Header: cell · Header: cell"."""
    out: list[Span] = []
    for k, cell in enumerate(row):
        if k:
            out.append(Span(" · "))
        if k < len(header) and plain(header[k]).strip():
            out.extend(Span(s.text, bolded(s.style)) for s in header[k])
            out.append(Span(": "))
        out.extend(cell)
    return tuple(out)
