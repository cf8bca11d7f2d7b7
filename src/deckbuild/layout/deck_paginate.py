"""Where the body text and tables of a run of slides break between them.

``BodyMeasure.presplit`` first cuts what cannot fit one slide even at the floor size: a
paragraph into sentences (then runs of words), a table whose rows cannot fit under its
header into one paragraph per row. ``BodyMeasure.measure`` then measures every paragraph
and table row at one candidate size, and ``paginate`` (pure) chooses the breaks: the
fewest slides, then the most even ones.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from deckbuild.layout.deck_content import (
    BULLET,
    CodeUnit,
    ImageUnit,
    Item,
    NotesUnit,
    TableUnit,
    Text,
    Unit,
)
from deckbuild.layout.deck_geometry import TEXT_INSET, size_steps
from deckbuild.layout.deck_plan import Box
from deckbuild.layout.deck_table import TableLayout, row_text
from deckbuild.layout.deck_text import (
    DESCENT_ALLOWANCE,
    Spans,
    Typesetter,
    pitch,
    plain,
    split_sentences,
    split_words,
    word_count,
)
from deckbuild.services.spans import Span
from deckbuild.theme import Theme

#: SPEC: "at most about 6 bullets and 60 words of body per slide" (80 is the hard limit).
#: A slide may reach ABOUT_WORDS rather than spill one item onto a slide of its own; pages
#: are balanced against SOFT_WORDS.
MAX_BULLETS = 6
SOFT_WORDS = 60
ABOUT_WORDS = 70
HARD_WORDS = 80


@dataclass(frozen=True, slots=True)
class Entry:
    """A unit that puts something on a slide, with the prose notes around it."""

    unit: Item | TableUnit | CodeUnit | ImageUnit
    before: tuple[Text, ...] = ()
    after: tuple[Text, ...] = ()


@dataclass(frozen=True, slots=True)
class TableRow:
    """One table row in the pagination; rows of one table stack under one header."""

    table: int
    index: int
    unit: TableUnit


# Not frozen: one is made for every unit at every size tried, and a frozen dataclass sets
# each field through object.__setattr__. Nothing changes it after it is made.
@dataclass(slots=True)
class Measured:
    """A unit measured at one size. Consecutive paragraphs share one text box (block -1);
    consecutive rows of one table share its frame (block = the table's entry index)."""

    entry: Entry
    row: TableRow | None
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


def entries_of(units: Sequence[Unit]) -> tuple[list[Entry], tuple[Text, ...]]:
    """Units that show something, each with the notes-only prose around it.

    Prose before the first shown unit is returned separately (it leads the group's first
    slide); prose after a shown unit stays with it.
    """
    entries: list[Entry] = []
    lead: list[Text] = []
    for unit in units:
        if isinstance(unit, NotesUnit) or (
            isinstance(unit, Item) and not plain(unit.text.spans).strip()
        ):
            if entries:
                entries[-1] = replace(entries[-1], after=(*entries[-1].after, *unit.notes))
            else:
                lead.extend(unit.notes)
        else:
            entries.append(Entry(unit))
    return entries, tuple(lead)


def paginate(measured: list[Measured], capacity: float) -> list[list[Measured]] | None:
    """Fewest pages, then the most even ones: the fullest page, by height, bullets or
    words, as empty as possible.

    None when some unit does not fit a page on its own at this size.
    """
    n = len(measured)
    inf = (math.inf, math.inf)
    # best[j]: (pages, load of the fullest page) for the first j units; back[j]: where the
    # last of those pages starts.
    best: list[tuple[float, float]] = [inf] * (n + 1)
    back = [0] * (n + 1)
    best[0] = (0, 0.0)
    for i in range(n):
        if best[i] == inf:
            continue
        height = 0.0
        words = 0
        bullets = 0
        for j in range(i, n):
            m = measured[j]
            if j == i:
                height += m.overhead + m.height
            elif measured[j - 1].block == m.block:
                height += m.space + m.height
            else:
                height += m.gap + m.overhead + m.height
            words += m.words
            bullets += m.bullets
            alone = j == i
            if alone and (height > capacity or words > HARD_WORDS):
                return None
            if not alone and (height > capacity or bullets > MAX_BULLETS or words > ABOUT_WORDS):
                break
            load = max(height / capacity, bullets / MAX_BULLETS, words / SOFT_WORDS)
            cost = (best[i][0] + 1, max(best[i][1], load))
            if cost < best[j + 1]:
                best[j + 1] = cost
                back[j + 1] = i
    if best[n] == inf:
        return None
    pages: list[list[Measured]] = []
    j = n
    while j > 0:
        i = back[j]
        pages.append(measured[i:j])
        j = i
    return pages[::-1]


class BodyMeasure:
    """Body paragraphs and table rows measured for the body box, at any size."""

    def __init__(self, theme: Theme, ts: Typesetter, tables: TableLayout) -> None:
        self.ts = ts
        self.sizes = theme.sizes
        self.tables = tables
        self._word_counts: dict[int, tuple[Spans, int]] = {}

    def body_sizes(self, quote: bool) -> list[float]:
        """The sizes to try, largest first; a quotation starts larger."""
        top = self.sizes.body + (4 if quote else 0)
        return size_steps(top, self.sizes.body_min, 2)

    def capacity(self, area: Box, size: float) -> float:
        """Room for a paragraph's lines when it is alone in the body box."""
        return area.h - 2 * TEXT_INSET - DESCENT_ALLOWANCE * size

    def indent(self, text: Text, size: float) -> tuple[float, float]:
        """(left edge of the text, hanging width of its marker)."""
        hang = 0.0
        if text.marker is not None or text.cont:
            hang = size * (1.0 if (text.marker or BULLET) == BULLET else 1.6)
        step = size * 1.1
        return text.level * step + hang, hang

    def item_height(self, text: Text, width: float, size: float) -> float:
        indent, _ = self.indent(text, size)
        return self.ts.lines(text.spans, width - indent, size) * pitch(size)

    def space(self, text: Text, size: float, quote: bool) -> float:
        """Space above a paragraph that follows another in the same text box."""
        if quote:
            return round(size * 0.6, 2)
        return round(size * (0.45 if text.level == 0 else 0.2), 2)

    # ----------------------------------------------------------------------- presplit

    def presplit(self, entries: list[Entry], area: Box, floor: float) -> list[Entry]:
        """Cut any paragraph too long for one slide at the floor size into sentences (then
        words); a table whose row cannot fit becomes one paragraph per row."""
        capacity = self.capacity(area, floor)
        width = area.w - 2 * TEXT_INSET
        out: list[Entry] = []
        for entry in entries:
            unit = entry.unit
            if isinstance(unit, TableUnit) and not self._table_fits(unit, area, floor):
                out.extend(_in_place_of(entry, _rows_as_items(unit)))
            elif isinstance(unit, Item) and not self._item_fits(unit.text, width, floor, capacity):
                out.extend(_in_place_of(entry, self._split_item(unit, width, floor, capacity)))
            else:
                out.append(entry)
        return out

    def _table_fits(self, table: TableUnit, area: Box, size: float) -> bool:
        """Every row fits a slide under the header, and none is too wordy to show."""
        return self.tables.rows_fit(table, area.w, size, area.h) and all(
            sum(word_count(plain(cell)) for cell in (*table.header, *row)) <= HARD_WORDS
            for row in table.rows
        )

    def _item_fits(self, text: Text, width: float, size: float, capacity: float) -> bool:
        return (
            self.item_height(text, width, size) <= capacity
            and word_count(plain(text.spans)) <= HARD_WORDS
        )

    def _split_item(self, item: Item, width: float, size: float, capacity: float) -> list[Item]:
        """The paragraph in pieces that each fit; the rest after the first piece is
        indented like it, without a marker."""
        text = item.text
        pieces = self._pieces(text, width, size, capacity)
        return [
            Item(
                replace(
                    text,
                    spans=piece,
                    marker=text.marker if k == 0 else None,
                    cont=k > 0 and (text.marker is not None or text.cont),
                ),
                item.notes if k == 0 else (),
            )
            for k, piece in enumerate(pieces)
        ]

    def _pieces(self, text: Text, width: float, size: float, capacity: float) -> list[Spans]:
        """The paragraph cut at sentences (a sentence too long, at every ``per`` words,
        halving ``per`` until each part fits), then joined back as far as they fit."""

        def fits(spans: Spans) -> bool:
            return (
                self.item_height(replace(text, spans=spans), width, size) <= capacity
                and word_count(plain(spans)) <= SOFT_WORDS
            )

        parts: list[Spans] = []
        for sentence in split_sentences(text.spans):
            if fits(sentence):
                parts.append(sentence)
            else:
                per = SOFT_WORDS // 2
                while True:
                    split = split_words(sentence, per)
                    if all(fits(p) for p in split) or per <= 1:
                        break
                    per //= 2
                parts.extend(split)
        pieces: list[Spans] = []
        for part in parts:
            if pieces:
                joined = (*pieces[-1], Span(" "), *part)
                if fits(joined):
                    pieces[-1] = joined
                    continue
            pieces.append(part)
        return pieces or [text.spans]

    # ----------------------------------------------------------------------- measure

    def measure(self, entries: list[Entry], area: Box, size: float, quote: bool) -> list[Measured]:
        """Every paragraph and table row of ``entries`` at ``size``."""
        gap = round(size * 0.5, 2)
        out: list[Measured] = []
        for k, entry in enumerate(entries):
            unit = entry.unit
            if isinstance(unit, Item):
                out.append(self._measure_item(entry, unit, area, size, gap, quote))
            elif isinstance(unit, TableUnit):
                out.extend(self._measure_rows(entry, k, unit, area, size, gap))
        return out

    def _measure_item(
        self, entry: Entry, item: Item, area: Box, size: float, gap: float, quote: bool
    ) -> Measured:
        text = item.text
        return Measured(
            entry=entry,
            row=None,
            item=item,
            height=self.item_height(text, area.w - 2 * TEXT_INSET, size),
            space=self.space(text, size, quote),
            overhead=2 * TEXT_INSET + DESCENT_ALLOWANCE * size,
            gap=gap,
            block=-1,
            words=self._words_in(text.spans),
            bullets=1 if text.level == 0 and text.marker is not None else 0,
        )

    def _measure_rows(
        self, entry: Entry, index: int, table: TableUnit, area: Box, size: float, gap: float
    ) -> list[Measured]:
        """The table's rows (its header alone when it has no other), each carrying the
        header's height as the overhead of starting the table on a slide."""
        columns = self.tables.columns(table, area.w, size)
        header = (
            self.tables.row_height(table.header, columns, size, bold_text=True)
            if table.header and table.rows
            else 0.0
        )
        body = table.rows or (table.header,)
        return [
            Measured(
                entry=entry,
                row=TableRow(index, r, table),
                item=None,
                height=self.tables.row_height(row, columns, size, bold_text=not table.rows),
                space=0.0,
                overhead=header,
                gap=gap,
                block=index,
                words=sum(word_count(plain(cell)) for cell in row),
                bullets=0,
            )
            for r, row in enumerate(body)
        ]

    def _words_in(self, spans: Spans) -> int:
        """Words of a paragraph, counted once for all the sizes a layout tries."""
        found = self._word_counts.get(id(spans))
        if found is not None and found[0] is spans:
            return found[1]
        count = word_count(plain(spans))
        self._word_counts[id(spans)] = (spans, count)
        return count


def _rows_as_items(table: TableUnit) -> list[Item]:
    """One bullet per row ("Header: cell · ..."), the table's notes with the first."""
    rows = [Item(Text(row_text(table.header, row), 0, BULLET)) for row in table.rows] or [
        Item(Text(row_text((), table.header), 0, BULLET))
    ]
    rows[0] = replace(rows[0], notes=table.notes)
    return rows


def _in_place_of(entry: Entry, items: list[Item]) -> list[Entry]:
    """``items`` as entries in place of ``entry``: the prose before it goes with the first,
    the prose after it with the last."""
    last = len(items) - 1
    return [
        Entry(item, entry.before if k == 0 else (), entry.after if k == last else ())
        for k, item in enumerate(items)
    ]
