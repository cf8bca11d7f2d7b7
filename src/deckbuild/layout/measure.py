"""The only code that knows fonts: glyph coverage, advance widths, line breaking.

Metrics come from the TrueType files the theme names (shipped with the package), read with
reportlab's TrueType parser. Widths are cached per (font chain, word), because text is
measured word by word many times while layouts try sizes and splits.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from reportlab.pdfbase.ttfonts import TTFontFile

from deckbuild.layout.plan import Line, Span, Style

#: A primary font file followed by its fallbacks, tried per character.
Chain = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FontMetrics:
    path: str
    #: Advance widths in 1/1000 em, by code point.
    widths: dict[int, float]
    default_width: float
    #: In 1/1000 em; descent is negative.
    ascent: float
    descent: float

    def covers(self, ch: str) -> bool:
        return ord(ch) in self.widths


@cache
def metrics(path: str) -> FontMetrics:
    face = TTFontFile(path, validate=0)
    widths = {cp: float(w) for cp, w in face.charWidths.items() if cp in face.charToGlyph}
    return FontMetrics(
        path, widths, float(face.defaultWidth), float(face.ascent), float(face.descent)
    )


@cache
def family_name(path: str) -> str:
    """The family name a font file declares ("DejaVu Sans"), as office apps look it up."""
    face = TTFontFile(path, validate=0)
    name = face.familyName
    return name.decode("utf-8", "replace") if isinstance(name, bytes) else str(name)


#: Characters that take no width and never need a glyph of their own.
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufe0e\ufe0f\n")


def font_for(ch: str, chain: Chain) -> str | None:
    """The first font in the chain with a glyph for ``ch``; None when none has one."""
    return _font_for(ch, chain)


@cache
def _font_for(ch: str, chain: Chain) -> str | None:
    for path in chain:
        if metrics(path).covers(ch):
            return path
    return None


def missing_glyphs(text: str, chain: Chain) -> set[str]:
    """Characters of ``text`` that no font in the chain can draw."""
    return {
        ch
        for ch in set(text)
        if ch not in _INVISIBLE and not ch.isspace() and _font_for(ch, chain) is None
    }


_WIDTH_CACHE: dict[tuple[Chain, str], float] = {}


def units(text: str, chain: Chain) -> float:
    """Advance width of ``text`` in 1/1000 em, each character from the font that draws it."""
    key = (chain, text)
    cached = _WIDTH_CACHE.get(key)
    if cached is not None:
        return cached
    primary = metrics(chain[0])
    total = 0.0
    for ch in text:
        w = primary.widths.get(ord(ch))
        if w is None:
            if ch in _INVISIBLE:
                continue
            path = _font_for(ch, chain)
            w = metrics(path).widths[ord(ch)] if path else primary.default_width
        total += w
    _WIDTH_CACHE[key] = total
    return total


def width(text: str, chain: Chain, size: float) -> float:
    """Width in points at ``size`` points."""
    return units(text, chain) * size / 1000.0


def line_height(chain: Chain, size: float, spacing: float = 1.0) -> float:
    """Single-spaced line height as office apps compute it: ascent + descent, scaled."""
    m = metrics(chain[0])
    return (m.ascent - m.descent) * size / 1000.0 * spacing


# --------------------------------------------------------------------------- line breaking

#: A newline, a run of spaces, or a word. A no-break space (U+00A0) belongs to the word, as
#: in every office app: the PDF writers use it to keep short inline code on one line.
_PIECES = re.compile(r"(\n)|([^\S\n\xa0]+)|[\S\xa0]+")


@dataclass(frozen=True, slots=True)
class _Piece:
    text: str
    style: Style
    kind: int  # 0 word, 1 space, 2 newline


def _pieces(spans: Sequence[Span]) -> list[_Piece]:
    out: list[_Piece] = []
    for span in spans:
        for m in _PIECES.finditer(span.text):
            kind = 2 if m.group(1) else 1 if m.group(2) else 0
            out.append(_Piece(m.group(0), span.style, kind))
    return out


def wrap(
    spans: Sequence[Span],
    max_width: float,
    size: float,
    chain_of: Callable[[Style], Chain],
) -> list[Line]:
    """Greedy line breaking at spaces, as PowerPoint, LibreOffice and reportlab do.

    Breaking only at spaces is conservative: renderers that may also break after hyphens
    never need more lines than this. A word wider than the line is broken between
    characters. Trailing spaces hang past the margin, so they do not count.
    """
    lines: list[list[Span]] = [[]]
    used = 0.0  # width of the current line without its trailing spaces
    pending_space: list[_Piece] = []
    pending_width = 0.0
    pieces = _pieces(spans)
    i = 0
    while i < len(pieces):
        # A word is a run of non-space pieces, possibly across style changes.
        p = pieces[i]
        if p.kind == 2:
            lines.append([])
            used, pending_space, pending_width = 0.0, [], 0.0
            i += 1
            continue
        if p.kind == 1:
            pending_space.append(p)
            pending_width += width(p.text, chain_of(p.style), size)
            i += 1
            continue
        word: list[_Piece] = []
        while i < len(pieces) and pieces[i].kind == 0:
            word.append(pieces[i])
            i += 1
        w = sum(width(x.text, chain_of(x.style), size) for x in word)
        line = lines[-1]
        if line and used + pending_width + w > max_width:
            lines.append([])
            line = lines[-1]
            used, pending_space, pending_width = 0.0, [], 0.0
        if not line and w > max_width:
            used = _break_word(word, lines, max_width, size, chain_of)
            pending_space, pending_width = [], 0.0
            continue
        for sp in pending_space:
            _append(line, sp.text, sp.style)
        for x in word:
            _append(line, x.text, x.style)
        used += pending_width + w
        pending_space, pending_width = [], 0.0
    return [tuple(line) for line in lines]


def _append(line: list[Span], text: str, style: Style) -> None:
    if line and line[-1].style == style:
        line[-1] = Span(line[-1].text + text, style)
    else:
        line.append(Span(text, style))


def _break_word(
    word: list[_Piece],
    lines: list[list[Span]],
    max_width: float,
    size: float,
    chain_of: Callable[[Style], Chain],
) -> float:
    used = 0.0
    for piece in word:
        chain = chain_of(piece.style)
        for ch in piece.text:
            w = width(ch, chain, size)
            if lines[-1] and used + w > max_width:
                lines.append([])
                used = 0.0
            _append(lines[-1], ch, piece.style)
            used += w
    return used
