"""Code blocks on slides: highlighted, wrapped behind a marker, cut at natural boundaries.

Every size from the theme's code size down to its floor (in steps of one point) is tried.
At each, a source line too long for the box wraps behind CONTINUATION, and the visual
lines are cut into slides at the lowest cost (``_code_chunks``): a slide costs a fixed
amount, each cut what its boundary costs (``_code_costs``: nothing at a blank line
before a top-level definition or after a top-level ``end``, more inside a block, most
inside a wrapped line), a slide of one or two lines a penalty (unless it is the whole
block), and each wrapped line a little. The cheapest size wins; ties go to the larger
size.

Limits (``limits``): a block over ``DECK_CODE_LINES`` lines shows its first lines and a last
line saying from which line of the manual the rest can be read; a line over
``DECK_CODE_LINE_CHARS`` characters, or a word in it over ``DECK_WORD_CHARS``, is cut with an
ellipsis. The deck reports both (``limits.long_code``, ``limits.long_words``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from deckbuild.layout import limits
from deckbuild.layout.deck_geometry import CODE_INSET, size_steps
from deckbuild.layout.deck_plan import Box, TextFrame, TextShape
from deckbuild.layout.deck_text import DESCENT_ALLOWANCE, Spans, Typesetter, pitch
from deckbuild.model import CodeBlock
from deckbuild.services.highlight import highlight
from deckbuild.services.spans import CodeLines, Span, Style
from deckbuild.theme import Theme

#: Visible marker in front of the rest of a code line that had to wrap.
CONTINUATION = "↪ "

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
_MONO = Style(mono=True)


# Not frozen, like deck_paginate.Measured: one per code line per size tried.
@dataclass(slots=True)
class _VisualLine:
    """One line on a code slide: a source line or the wrapped rest of one."""

    source: int
    spans: Spans
    continued: bool


@dataclass(frozen=True, slots=True)
class _Layout:
    """A code block at one size: its visual lines, cut into slides (slices of them)."""

    cost: float
    size: float
    lines: list[_VisualLine]
    chunks: list[tuple[int, int]]


class CodeLayout:
    """The code shapes of a code block, one per slide."""

    def __init__(self, theme: Theme, ts: Typesetter) -> None:
        self.theme = theme
        self.ts = ts
        self.colours = theme.colours
        self.sizes = theme.sizes
        self._highlighted: dict[int, tuple[CodeBlock, CodeLines]] = {}

    def shapes(self, code: CodeBlock, area: Box) -> list[TextShape]:
        """One code box per slide, at the top of ``area`` and as tall as its lines."""
        colours = self.colours
        layout = self._best_layout(self._source_lines(code), area)
        size = layout.size
        shapes: list[TextShape] = []
        for low, high in layout.chunks:
            paras = tuple(
                self.ts.para(line.spans, size, colours.code_text) for line in layout.lines[low:high]
            )
            height = len(paras) * pitch(size) + 2 * CODE_INSET + DESCENT_ALLOWANCE * size
            box = Box(area.x, area.y, area.w, height)
            frame = TextFrame(paras, CODE_INSET)
            shapes.append(
                TextShape("code", box, frame, colours.code_background, colours.rule, code.lang)
            )
        return shapes

    def _source_lines(self, code: CodeBlock) -> list[tuple[Span, ...]]:
        """The highlighted lines, without trailing space or blank lines at either end; each
        cut to ``DECK_CODE_LINE_CHARS`` characters (its words to ``DECK_WORD_CHARS``), and
        the block to ``DECK_CODE_LINES`` lines."""
        lines = [_rstrip_line(line) for line in self._highlight(code).lines]
        while lines and not _line_text(lines[-1]).strip():
            lines.pop()
        first = 0
        while first < len(lines) and not _line_text(lines[first]).strip():
            first += 1
        del lines[:first]
        for k, line in enumerate(lines):
            cut = limits.cut_line(line)
            if cut is not None:
                lines[k] = cut
        _, hidden = limits.cut_code(code.text, limits.DECK_CODE_LINES)
        if hidden:
            start = limits.code_first_line(code) + limits.DECK_CODE_LINES
            more = Span(limits.more_lines(hidden, start), replace(_MONO, colour=self.colours.muted))
            lines.append((more,))
        return lines

    def _best_layout(self, lines: list[tuple[Span, ...]], area: Box) -> _Layout:
        """The cheapest layout over the sizes tried; ties go to the larger size."""
        texts = [_line_text(line) for line in lines] or [""]
        lines = lines or [()]
        best: _Layout | None = None
        # Most sizes wrap no line, so they share one cost table; only the capacity differs.
        costs: dict[tuple[bool, ...], _CodeCosts] = {}
        for size in size_steps(self.sizes.code, self.sizes.code_min, 1):
            visual = [
                _VisualLine(k, piece, n > 0)
                for k, line in enumerate(lines)
                for n, piece in enumerate(self._visual_lines(line, area.w - 2 * CODE_INSET, size))
            ]
            capacity = int((area.h - 2 * CODE_INSET - DESCENT_ALLOWANCE * size) // pitch(size))
            wrapped = tuple(line.continued for line in visual)
            table = costs.get(wrapped)
            if table is None:
                table = costs[wrapped] = _code_costs(texts, visual)
            chunks, cost = _code_chunks(table, capacity)
            cost += _WRAP_COST * sum(wrapped)
            # Ties go to the larger size, tried first.
            if best is None or cost < best.cost:
                best = _Layout(cost, size, visual, chunks)
        assert best is not None
        return best

    def _highlight(self, code: CodeBlock) -> CodeLines:
        """Highlighted once: a group that needs several slides is laid out twice (the
        second time with room for "(i/n)" in its title)."""
        found = self._highlighted.get(id(code))
        if found is None or found[0] is not code:
            text, _ = limits.cut_code(code.text, limits.DECK_CODE_LINES)
            lines = highlight(text, code.lang, self.theme.code_style, self.colours.code_background)
            found = self._highlighted[id(code)] = (code, lines)
        return found[1]

    def _visual_lines(self, line: tuple[Span, ...], width: float, size: float) -> list[Spans]:
        """One source line as the lines it takes on the slide; the rest of a line that is
        too long follows a continuation marker."""
        if not line or self.ts.lines(line, width, size) <= 1:
            return [tuple(line)]
        marker = (Span(CONTINUATION, replace(_MONO, colour=self.colours.muted)),)
        marker_width = self.ts.width(marker, size)
        wrapped = self.ts.wrap(line, width - marker_width, size)
        out: list[Spans] = []
        for k, piece in enumerate(wrapped):
            piece = tuple(piece)
            if k == 0:
                out.append(piece)
            else:
                out.append((*marker, *_lstrip_line(piece)))
        return out


# --------------------------------------------------------------------------- cutting


@dataclass(frozen=True, slots=True)
class _CodeCosts:
    """What cutting a code block's visual lines costs, whatever a slide's capacity."""

    #: Cost of ending a slide before visual line k (k = n: the end of the block).
    before: list[int]
    #: The first non-blank line at or after k, and the last one before k.
    first_nonblank: list[int]
    last_nonblank: list[int]


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip())


@dataclass(frozen=True, slots=True)
class _Outline:
    """The indentation structure of a block's source lines, that boundaries are read from."""

    texts: list[str]
    #: The least indentation of a non-blank line.
    base: int
    #: The level definitions live at: in a module, its functions' indentation.
    top_level: int
    #: The nearest non-blank source line at or after i, and before i.
    next_text: list[int | None]
    previous_text: list[int | None]

    @classmethod
    def of(cls, texts: list[str]) -> _Outline:
        nonblank = [t for t in texts if t.strip()]
        base = min((_indent(t) for t in nonblank), default=0)
        tops = [_indent(t) for t in nonblank if _TOP_START.match(t.strip())]
        count = len(texts)
        next_text: list[int | None] = [None] * (count + 1)
        for i in range(count - 1, -1, -1):
            next_text[i] = i if texts[i].strip() else next_text[i + 1]
        previous_text: list[int | None] = [None] * (count + 1)
        for i in range(1, count + 1):
            previous_text[i] = i - 1 if texts[i - 1].strip() else previous_text[i - 1]
        return cls(texts, base, min(tops, default=base), next_text, previous_text)

    def cost_before(self, source: int) -> int:
        """What ending a slide just before source line ``source`` costs."""
        following, preceding = self.next_text[source], self.previous_text[source]
        if following is None or preceding is None:
            return 0
        gap = following - preceding > 1
        next_line, previous_line = self.texts[following], self.texts[preceding]
        top_start = _indent(next_line) <= self.top_level and bool(
            _TOP_START.match(next_line.strip())
        )
        top_end = _indent(previous_line) <= self.top_level and bool(
            _END.match(previous_line.strip())
        )
        if gap and (top_start or top_end):
            return _BREAK_COST[0]
        if top_start or top_end or (gap and _indent(next_line) <= self.top_level):
            return _BREAK_COST[1]
        if _indent(next_line) <= self.base:
            return _BREAK_COST[2]
        if gap:
            return _BREAK_COST[3]
        if _END.match(previous_line.strip()):
            return _BREAK_COST[4]
        return _BREAK_COST[5]


def _code_costs(texts: list[str], visual: list[_VisualLine]) -> _CodeCosts:
    """Slides are cut at the most natural boundaries: after a blank line, after a top-level
    ``end``, before a top-level ``def``."""
    n = len(visual)
    outline = _Outline.of(texts)

    def cost_before(k: int) -> int:
        if k >= n:
            return 0
        if visual[k].continued:
            return _BREAK_COST[-1]
        return outline.cost_before(visual[k].source)

    blank = [not _line_text(line.spans).strip() and not line.continued for line in visual]
    first_nonblank = [n] * (n + 1)
    for k in range(n - 1, -1, -1):
        first_nonblank[k] = first_nonblank[k + 1] if blank[k] else k
    last_nonblank = [-1] * (n + 1)
    for k in range(n):
        last_nonblank[k + 1] = last_nonblank[k] if blank[k] else k
    return _CodeCosts([cost_before(k) for k in range(n + 1)], first_nonblank, last_nonblank)


def _code_chunks(table: _CodeCosts, capacity: int) -> tuple[list[tuple[int, int]], float]:
    """Slices of the visual lines of at most ``capacity`` lines at the lowest cost, and
    that cost. Blank lines at the ends of a slide are dropped, so they take no room."""
    costs, first_nonblank, last_nonblank = table.before, table.first_nonblank, table.last_nonblank
    n = len(costs) - 1
    capacity = max(capacity, 1)
    best = [math.inf] * (n + 1)
    back = [0] * (n + 1)
    best[0] = 0
    for i in range(n):
        if best[i] == math.inf:
            continue
        for j in range(i + 1, n + 1):
            first, last = first_nonblank[i], last_nonblank[j]
            used = last - first + 1 if first <= last else 0
            if used > capacity:
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
        first, last = first_nonblank[i], last_nonblank[j]
        if first <= last:
            chunks.append((first, last + 1))
        j = i
    return chunks[::-1] or [(0, n)], best[n]


# --------------------------------------------------------------------------- spans


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
