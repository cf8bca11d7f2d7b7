"""Typesetting for the deck: styled spans -> measured lines and font-resolved runs.

Every slide text box is measured here with the theme's TrueType metrics. Lines are stacked
at an exact pitch (``a:lnSpc/a:spcPts``), which PowerPoint and LibreOffice both honour, so
a box's height is a sum of known quantities instead of each renderer's idea of "single"
spacing.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from deckbuild.layout import measure
from deckbuild.layout.deck_plan import Align, Bullet, Para, TextRun
from deckbuild.layout.plan import Span, Style
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

    def face(self, style: Style, heading: bool = False) -> FontFace:
        fonts = self.theme.fonts
        if style.mono:
            return fonts.code
        return fonts.heading if heading else fonts.body

    def chain(self, style: Style, heading: bool = False) -> measure.Chain:
        return (
            self.face(style, heading).file(style.bold, style.italic),
            *self.theme.fonts.fallback,
        )

    # ----------------------------------------------------------------------- measuring

    def lines(self, spans: Sequence[Span], width: float, size: float, heading: bool = False) -> int:
        """How many lines ``spans`` take when broken at ``width`` points."""
        if not spans or not plain(spans).strip():
            return 1
        wrapped = measure.wrap(spans, width * WIDTH_SAFETY, size, lambda s: self.chain(s, heading))
        return max(1, len(wrapped))

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
        out: list[TextRun] = []
        for span in spans:
            if not span.text:
                continue
            st = span.style
            face = self.face(st, heading)
            chain = self.chain(st, heading)
            primary = measure.metrics(chain[0])
            for text, path in _font_segments(span.text, primary, chain, self.missing):
                name = face.name if path is None else measure.family_name(path)
                run = TextRun(
                    text=text,
                    font=name,
                    size=size,
                    colour=st.colour or colour,
                    bold=st.bold,
                    italic=st.italic,
                    strike=st.strike,
                    code=st.mono,
                    href=st.href,
                )
                if out and replace(out[-1], text="") == replace(run, text=""):
                    out[-1] = replace(out[-1], text=out[-1].text + text)
                else:
                    out.append(run)
        return tuple(out)

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
    pieces: list[tuple[Span, ...]] = []
    for lo, hi in itertools.pairwise(bounds):
        piece: list[Span] = []
        offset = 0
        for s in spans:
            a, b = offset, offset + len(s.text)
            offset = b
            if b <= lo or a >= hi:
                continue
            piece.append(Span(s.text[max(lo - a, 0) : hi - a], s.style))
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
