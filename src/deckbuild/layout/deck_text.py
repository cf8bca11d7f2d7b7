"""Typesetting for the deck: styled spans -> measured lines and font-resolved runs.

Every slide text box is measured here with the theme's TrueType metrics. Lines are stacked
at an exact pitch (``a:lnSpc/a:spcPts``), which PowerPoint and LibreOffice both honour, so
a box's height is a sum of known quantities instead of each renderer's idea of "single"
spacing.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, partial
from typing import Any

from deckbuild.layout.deck_plan import Align, Bullet, Para, TextRun
from deckbuild.services import measure
from deckbuild.services.spans import Span, Style
from deckbuild.theme import FontFace, Theme

#: Line pitch as a multiple of the font size.
PITCH = 1.2
#: Renderers place glyph boxes a little below the last line's pitch (calibrated against
#: LibreOffice: the last line's descent ends ~0.15 em below n * pitch).
DESCENT_ALLOWANCE = 0.25
#: Lines are broken at a slightly narrower width than the box offers, so a renderer whose
#: metrics or kerning differ by a hair never needs an extra line.
WIDTH_SAFETY = 0.96

Spans = tuple[Span, ...]


@cache
def bolded(style: Style) -> Style:
    return replace(style, bold=True)


@cache
def unbolded(style: Style) -> Style:
    return replace(style, bold=False)


@cache
def italic(style: Style) -> Style:
    return replace(style, italic=True)


def pitch(size: float) -> float:
    return round(size * PITCH, 2)


def plain(spans: Sequence[Span]) -> str:
    return "".join(s.text for s in spans)


_WORD = re.compile(r"\w", re.UNICODE)


def word_count(text: str) -> int:
    return sum(1 for w in text.split() if _WORD.search(w))


@dataclass(slots=True)
class Typesetter:
    """The theme's faces and fallback chain, and what is measured with them.

    Collects characters that no bundled font can draw, so the layout reports them once.
    """

    theme: Theme
    missing: set[str] = field(default_factory=set)
    _chains: dict[tuple[Style, bool], measure.Chain] = field(default_factory=dict)
    _chains_by_id: dict[tuple[int, bool], tuple[Style, measure.Chain]] = field(default_factory=dict)
    _words: dict[tuple[tuple[Span, ...], bool], _Words] = field(default_factory=dict)
    #: The same paragraph object is measured at every size a layout tries; finding it by
    #: identity skips hashing every span (the object is kept, so its id is not reused).
    _words_by_id: dict[tuple[int, bool], tuple[object, _Words]] = field(default_factory=dict)
    _covered: dict[str, frozenset[str]] = field(default_factory=dict)
    _runs: dict[tuple[str, _Format], TextRun] = field(default_factory=dict)

    def face(self, style: Style, heading: bool = False) -> FontFace:
        fonts = self.theme.fonts
        if style.mono:
            return fonts.code
        return fonts.heading if heading else fonts.body

    def chain(self, style: Style, heading: bool = False) -> measure.Chain:
        # Styles are mostly shared objects: found by identity, without hashing their fields.
        found = self._chains_by_id.get((id(style), heading))
        if found is not None and found[0] is style:
            return found[1]
        key = (style, heading)
        chain = self._chains.get(key)
        if chain is None:
            face = self.face(style, heading)
            chain = (face.file(style.bold, style.italic), *self.theme.fonts.fallback)
            self._chains[key] = chain
        self._chains_by_id[(id(style), heading)] = (style, chain)
        return chain

    # ----------------------------------------------------------------------- measuring

    def lines(self, spans: Sequence[Span], width: float, size: float, heading: bool = False) -> int:
        """How many lines ``spans`` take when broken at ``width`` points.

        The same greedy breaking as ``measure.wrap`` (at spaces; a word wider than the line
        is broken between characters), but counted from word widths in font units that are
        measured once per paragraph: layouts ask for the same paragraph at many sizes.
        """
        count = self.words(spans, heading).lines(width * WIDTH_SAFETY * 1000.0 / size)
        if count is None:  # a word wider than the line: where it breaks needs the breaker
            chain_of = partial(self.chain, heading=heading)
            return len(measure.wrap(spans, width * WIDTH_SAFETY, size, chain_of) or [()])
        return count

    def words(self, spans: Sequence[Span], heading: bool = False) -> _Words:
        """``spans`` measured as words, once per paragraph."""
        found = self._words_by_id.get((id(spans), heading))
        if found is not None and found[0] is spans:
            return found[1]
        key = (tuple(spans), heading)
        words = self._words.get(key)
        if words is None:
            words = self._words[key] = _words(spans, lambda s: self.chain(s, heading))
        if isinstance(spans, tuple):  # immutable, so its identity stands for its content
            self._words_by_id[(id(spans), heading)] = (spans, words)
        return words

    def wrap(self, spans: Sequence[Span], width: float, size: float) -> list[tuple[Span, ...]]:
        return measure.wrap(spans, width * WIDTH_SAFETY, size, self.chain) or [()]

    def width(self, spans: Sequence[Span], size: float, heading: bool = False) -> float:
        return sum(measure.width(s.text, self.chain(s.style, heading), size) for s in spans)

    # ----------------------------------------------------------------------- runs

    def runs(
        self,
        spans: Sequence[Span],
        size: float,
        colour: str,
        heading: bool = False,
    ) -> tuple[TextRun, ...]:
        """Spans as runs, each naming the font that has its glyphs.

        A character the theme's face lacks gets the fallback font that measure used for it,
        so the viewer draws it with the same advance width that was measured.
        """
        pieces: list[list[Any]] = []  # [text, format], merged while the format repeats
        for span in spans:
            if not span.text:
                continue
            st = span.style
            face = self.face(st, heading)
            chain = self.chain(st, heading)
            covered = self._covered.get(chain[0])
            if covered is None:
                covered = self._covered[chain[0]] = _covered(measure.metrics(chain[0]))
            segments: list[tuple[str, str | None]]
            if covered.issuperset(span.text):
                segments = [(span.text, None)]
            else:
                primary = measure.metrics(chain[0])
                segments = _font_segments(span.text, primary, chain, self.missing)
            for text, path in segments:
                name = face.name if path is None else measure.family_name(path)
                fmt = (name, size, st.colour or colour, st.bold, st.italic, st.strike, st.mono,
                       st.href)  # fmt: skip
                if pieces and pieces[-1][1] == fmt:
                    pieces[-1][0] += text
                else:
                    pieces.append([text, fmt])
        return tuple(self._run(text, fmt) for text, fmt in pieces)

    def _run(self, text: str, fmt: _Format) -> TextRun:
        """One shared object per distinct run: code repeats its tokens (``end``, ``do``)
        thousands of times, and making a TextRun costs more than finding it."""
        key = (text, fmt)
        run = self._runs.get(key)
        if run is None:
            run = self._runs[key] = TextRun(text, *fmt)
        return run

    def para(
        self,
        spans: Sequence[Span],
        size: float,
        colour: str,
        *,
        align: Align = "l",
        space_before: float = 0.0,
        indent: float = 0.0,
        bullet: Bullet | None = None,
        level: int = 0,
        heading: bool = False,
        exact: bool = True,
    ) -> Para:
        return Para(
            runs=self.runs(spans, size, colour, heading),
            pitch=pitch(size) if exact else None,
            size=size,
            align=align,
            space_before=space_before,
            indent=indent,
            bullet=bullet,
            level=level,
        )


#: A run's fields after its text: font, size, colour, bold, italic, strike, code, href.
_Format = tuple[str, float, str, bool, bool, bool, bool, str | None]


#: Breaking a word between characters can leave up to one character's width unused.
_CHAR_SLACK = 1000.0


@dataclass(frozen=True, slots=True)
class _Words:
    """A paragraph as words: (newlines before it, width of the spaces before it, width),
    in 1/1000 em, and the newlines after the last word."""

    words: tuple[tuple[int, float, float], ...]
    trailing_newlines: int
    #: For a paragraph without newlines, the widest test the line breaking below makes
    #: when no line breaks (computed as it computes it): within that limit it is one line.
    one_line: float | None = None

    def lines(self, limit: float) -> int | None:
        """Lines at ``limit`` (1/1000 em), greedy as ``measure.wrap`` breaks them; None
        when a word is wider than a line (the breaker then cuts it between characters)."""
        if self.one_line is not None and self.one_line <= limit:
            return 1
        count = 1
        used = 0.0
        empty = True
        #: At the start of the paragraph or after a newline, leading spaces take room;
        #: after a wrap they hang in the margin, as in measure.wrap.
        fresh = True
        for newlines, space, width in self.words:
            if newlines:
                count += newlines
                used, empty, fresh = 0.0, True, True
            if not empty and used + space + width > limit:
                count += 1
                used, empty, fresh = 0.0, True, False
            lead = space if fresh else 0.0
            if empty and lead + width > limit:
                return None
            used += (space if not empty else lead) + width
            empty, fresh = False, False
        return count + self.trailing_newlines


#: Widths of pieces of text in 1/1000 em, by font chain: ``measure.units`` without
#: hashing the chain for every word.
_UNITS: dict[measure.Chain, dict[str, float]] = {}


def _words(spans: Sequence[Span], chain_of: Callable[[Style], measure.Chain]) -> _Words:
    out: list[tuple[int, float, float]] = []
    newlines = 0
    space = 0.0
    width = 0.0
    in_word = False
    any_newline = False
    for span in spans:
        chain = chain_of(span.style)
        known = _UNITS.get(chain)
        if known is None:
            known = _UNITS[chain] = {}
        # The same pieces as measure.wrap, so both agree on where lines may break.
        for m in measure.PIECES.finditer(span.text):
            piece = m.group(0)
            w = known.get(piece)
            if w is None:
                w = known[piece] = measure.units(piece, chain)
            if m.group(1) or m.group(2):
                if in_word:
                    out.append((newlines, space, width))
                    newlines, space, width, in_word = 0, 0.0, 0.0, False
                if piece == "\n":
                    newlines += 1
                    space = 0.0
                    any_newline = True
                else:
                    space += w
            else:
                in_word = True
                width += w
    if in_word:
        out.append((newlines, space, width))
        newlines = 0
    if any_newline:
        return _Words(tuple(out), newlines)
    # The tests _Words.lines makes while no line breaks, with the same arithmetic.
    widest = -math.inf
    used = 0.0
    for k, (_, space, width) in enumerate(out):
        test = space + width if k == 0 else used + space + width
        widest = max(widest, test)
        used += space + width
    return _Words(tuple(out), newlines, widest)


#: Every character ``str.isspace`` accepts.
_SPACES = frozenset(
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def _covered(primary: measure.FontMetrics) -> frozenset[str]:
    """Characters a run can be drawn with in ``primary`` alone: its glyphs and spaces."""
    return frozenset(map(chr, primary.widths)) | _SPACES


def _font_segments(
    text: str, primary: measure.FontMetrics, chain: measure.Chain, missing: set[str]
) -> list[tuple[str, str | None]]:
    """Split ``text`` where the drawing font changes; None means the primary face."""
    widths = primary.widths
    if all(ord(ch) in widths or ch.isspace() for ch in text):
        return [(text, None)]
    out: list[tuple[str, str | None]] = []
    for ch in text:
        path: str | None = None
        if not (ch.isspace() or ord(ch) in widths):
            path = measure.font_for(ch, chain)
            if path is None and measure.missing_glyphs(ch, chain):
                missing.add(ch)
        if out and out[-1][1] == path:
            out[-1] = (out[-1][0] + ch, path)
        else:
            out.append((ch, path))
    return out


# --------------------------------------------------------------------------- sentences

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)]*\s+(?=[\"“‘(\[]?[A-Z0-9`*_])")


def split_sentences(spans: Sequence[Span]) -> list[tuple[Span, ...]]:
    """Break styled text after sentence ends; styles are kept on each piece."""
    text = plain(spans)
    cuts = [m.end() for m in _SENTENCE_END.finditer(text)]
    return [p for p in cut_spans(spans, cuts) if plain(p).strip()]


def split_words(spans: Sequence[Span], per_piece: int) -> list[tuple[Span, ...]]:
    """Break styled text every ``per_piece`` words."""
    text = plain(spans)
    starts = [m.start() for m in re.finditer(r"\S+", text)]
    cuts = starts[per_piece::per_piece]
    return [p for p in cut_spans(spans, cuts) if plain(p).strip()]


def cut_spans(spans: Sequence[Span], cuts: Sequence[int]) -> list[tuple[Span, ...]]:
    """Pieces of ``spans`` between character offsets ``cuts``, whitespace trimmed at ends."""
    bounds = [0, *cuts, len(plain(spans))]
    starts = list(itertools.accumulate((len(s.text) for s in spans), initial=0))
    pieces: list[tuple[Span, ...]] = []
    # The cuts are in order, so the first span a piece can touch only moves forward: a
    # paragraph of many spans cut into many sentences costs their sum, not their product.
    first = 0
    for lo, hi in itertools.pairwise(bounds):
        while first < len(spans) and starts[first + 1] <= lo:
            first += 1
        piece: list[Span] = []
        k = first
        while k < len(spans) and starts[k] < hi:
            a, b = starts[k], starts[k + 1]
            if b > lo:
                piece.append(Span(spans[k].text[max(lo - a, 0) : hi - a], spans[k].style))
            k += 1
        pieces.append(strip_spans(piece))
    return pieces


def strip_spans(spans: Sequence[Span]) -> tuple[Span, ...]:
    out = [s for s in spans if s.text]
    while out and not out[0].text.strip():
        out.pop(0)
    while out and not out[-1].text.strip():
        out.pop()
    if out:
        out[0] = Span(out[0].text.lstrip(), out[0].style)
        out[-1] = Span(out[-1].text.rstrip(), out[-1].style)
    return tuple(out)


def truncate(ts: Typesetter, spans: Sequence[Span], width: float, size: float) -> tuple[Span, ...]:
    """``spans`` cut with an ellipsis to fit one line of ``width`` (decorations only)."""
    if ts.lines(spans, width, size) <= 1:
        return tuple(spans)
    text = plain(spans)
    style = spans[0].style if spans else Style()
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if ts.lines((Span(text[:mid].rstrip() + "…", style),), width, size) <= 1:
            lo = mid
        else:
            hi = mid - 1
    return (Span(text[:lo].rstrip() + "…", style),)
