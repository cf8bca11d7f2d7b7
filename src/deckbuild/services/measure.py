"""The only code that knows fonts: glyph coverage, advance widths, line breaking.

Metrics come from the TrueType files the theme names (shipped with the package): the
tables that widths need are read here directly, with the same results as reportlab's
TrueType parser, which stays the fallback for any font this reader does not handle.
Parsing every table of a 4 MB CJK fallback font with reportlab costs more than laying out
a whole deck, and importing reportlab costs the deck's process another 20 ms. Widths are
cached per (font chain, word), because text is measured word by word many times while
layouts try sizes and splits.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from deckbuild.services.spans import Line, Span, Style

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
    return _read_font(path)[0]


@cache
def family_name(path: str) -> str:
    """The family name a font file declares ("DejaVu Sans"), as office apps look it up."""
    return _read_font(path)[1]


@cache
def _read_font(path: str) -> tuple[FontMetrics, str]:
    data = Path(path).read_bytes()
    try:
        found = _TrueType(data).read(path)
    except (struct.error, KeyError, IndexError, ValueError):
        found = None
    return found or _read_with_reportlab(path)


def _read_with_reportlab(path: str) -> tuple[FontMetrics, str]:
    from reportlab.pdfbase.ttfonts import TTFontFile

    face = TTFontFile(path, validate=0)
    widths = {cp: float(w) for cp, w in face.charWidths.items() if cp in face.charToGlyph}
    name = face.familyName
    family = name.decode("utf-8", "replace") if isinstance(name, bytes) else str(name)
    return FontMetrics(
        path, widths, float(face.defaultWidth), float(face.ascent), float(face.descent)
    ), family


class _TrueType:
    """The few tables of a TrueType file that measuring needs (name, head, OS/2, hhea,
    maxp, cmap, hmtx), read as reportlab's ``TTFontFile.extractInfo`` reads them, so the
    numbers are the same. ``read`` returns None for anything it does not handle (font
    collections, CFF outlines, unusual cmap formats): reportlab reads those."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.tables: dict[bytes, int] = {}

    def _u16(self, pos: int) -> int:
        return int.from_bytes(self.data[pos : pos + 2], "big")

    def _s16(self, pos: int) -> int:
        return int.from_bytes(self.data[pos : pos + 2], "big", signed=True)

    def _u32(self, pos: int) -> int:
        return int.from_bytes(self.data[pos : pos + 4], "big")

    def read(self, path: str) -> tuple[FontMetrics, str] | None:
        data = self.data
        if self._u32(0) not in (0x00010000, 0x74727565):
            return None
        for k in range(self._u16(4)):
            rec = 12 + 16 * k
            self.tables[data[rec : rec + 4]] = self._u32(rec + 8)
        family = self._family()
        head = self.tables[b"head"]
        if self._u16(head) != 1 or self._u32(head + 12) != 0x5F0F3CF5:
            return None
        upem = self._u16(head + 18)
        if self._u16(head + 52) != 0:  # glyphDataFormat
            return None
        mult = 1000 / upem

        def scale(x: int) -> float:
            return float(x) if upem == 1000 else x * mult

        if b"OS/2" in self.tables:
            os2 = self.tables[b"OS/2"]
            ascent, descent = scale(self._s16(os2 + 68)), scale(self._s16(os2 + 70))
        else:
            ascent, descent = scale(self._s16(head + 42)), scale(self._s16(head + 38))
        hhea = self.tables[b"hhea"]
        n_metrics = self._u16(hhea + 34)
        n_glyphs = self._u16(self.tables[b"maxp"] + 4)
        if not family or n_metrics == 0 or self._u16(hhea + 32) != 0:
            return None
        pairs = self._cmap()
        if pairs is None:
            return None
        hmtx = self.tables[b"hmtx"]
        advances = struct.unpack_from(f">{2 * n_metrics}H", data, hmtx)[0::2]
        per_glyph = [float(a) for a in advances] if upem == 1000 else [a * mult for a in advances]
        per_glyph += [per_glyph[-1]] * (n_glyphs - n_metrics)
        glyph_of = dict(pairs)
        if len(glyph_of) != len(pairs):  # a code point in two cmap segments: reportlab's
            return None
        widths = {cp: per_glyph[g] for cp, g in glyph_of.items() if g < n_glyphs}
        # reportlab gives the no-break space the space's glyph (or the other way round).
        if 0x20 in glyph_of:
            widths[0xA0] = widths[0x20]
        elif 0xA0 in glyph_of:
            widths[0x20] = widths[0xA0]
        return FontMetrics(path, widths, per_glyph[0], ascent, descent), family

    def _family(self) -> str | None:
        """Name 1 from the first Windows-Unicode-US-English or Mac-Roman-English record."""
        base = self.tables[b"name"]
        if self._u16(base) != 0:
            return None
        strings = base + self._u16(base + 4)
        for k in range(self._u16(base + 2)):
            rec = base + 6 + 12 * k
            platform, encoding, language, name_id, length, offset = struct.unpack_from(
                ">6H", self.data, rec
            )
            if name_id != 1:
                continue
            raw = self.data[strings + offset : strings + offset + length]
            if (platform, encoding, language) == (3, 1, 0x409):
                if length % 2:
                    return None
                return _decode(raw, "utf_16_be")
            if (platform, encoding, language) == (1, 0, 0):
                return _decode(raw, "mac_roman")
        return None

    def _cmap(self) -> list[tuple[int, int]] | None:
        """(code point, glyph) pairs of the subtable reportlab picks, in its order."""
        base = self.tables[b"cmap"]
        version, count = self._u16(base), self._u16(base + 2)
        if count == 0 and version != 0:
            count = version
        chosen, kind = None, 0
        for k in range(count):
            platform, encoding = self._u16(base + 4 + 8 * k), self._u16(base + 6 + 8 * k)
            offset = self._u32(base + 8 + 8 * k)
            if platform == 3 or (platform == 1 and encoding == 1):
                chosen, kind = offset, 1
            elif platform == 1 and encoding == 0 and kind != 1:
                chosen, kind = offset, 2
            elif platform == 0 and encoding != 5:
                chosen, kind = offset, 1
        if chosen is None:
            return None
        sub = base + chosen
        fmt = self._u16(sub)
        if fmt == 4:
            return self._format4(sub)
        if fmt == 12:
            return self._format12(sub)
        return None

    def _format4(self, sub: int) -> list[tuple[int, int]]:
        data = self.data
        limit = sub + self._u16(sub + 2)
        segs = self._u16(sub + 6) // 2
        ends = struct.unpack_from(f">{segs}H", data, sub + 14)
        starts = struct.unpack_from(f">{segs}H", data, sub + 16 + 2 * segs)
        deltas = struct.unpack_from(f">{segs}h", data, sub + 16 + 4 * segs)
        ranges_at = sub + 16 + 6 * segs
        ranges = struct.unpack_from(f">{segs}H", data, ranges_at)
        out: list[tuple[int, int]] = []
        for n in range(segs):
            start, end, delta, rng = starts[n], ends[n], deltas[n], ranges[n]
            if rng == 0:
                out.extend((cp, (cp + delta) & 0xFFFF) for cp in range(start, end + 1))
                continue
            first = ranges_at + 2 * n + rng
            count = end - start + 1
            if first + 2 * count <= limit:
                glyphs = struct.unpack_from(f">{count}H", data, first)
                out.extend(
                    (cp, (g + delta) & 0xFFFF if g else 0)
                    for cp, g in zip(range(start, end + 1), glyphs, strict=True)
                )
                continue
            for cp in range(start, end + 1):
                at = ranges_at + 2 * n + (cp - start) * 2 + rng
                glyph = 0 if at >= limit else self._u16(at)
                out.append((cp, (glyph + delta) & 0xFFFF if glyph else 0))
        return out

    def _format12(self, sub: int) -> list[tuple[int, int]]:
        groups = self._u32(sub + 12)
        flat = struct.unpack_from(f">{3 * groups}L", self.data, sub + 16)
        out: list[tuple[int, int]] = []
        for k in range(0, len(flat), 3):
            start, end, first = flat[k], flat[k + 1], flat[k + 2]
            out.extend(
                zip(range(start, end + 1), range(first, first + end - start + 1), strict=True)
            )
        return out


def _decode(raw: bytes, encoding: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        return raw.decode("latin1")


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


# --------------------------------------------------------------------------- line breaking

#: A newline, a run of spaces, or a word. A no-break space (U+00A0) belongs to the word, as
#: in every office app: the PDF writers use it to keep short inline code on one line.
PIECES = re.compile(r"(\n)|([^\S\n\xa0]+)|[\S\xa0]+")


@dataclass(frozen=True, slots=True)
class _Piece:
    text: str
    style: Style
    kind: int  # 0 word, 1 space, 2 newline


def _pieces(spans: Sequence[Span]) -> list[_Piece]:
    out: list[_Piece] = []
    for span in spans:
        for m in PIECES.finditer(span.text):
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
    """Break a word wider than the line between characters; returns the last line's width.

    Each line's part of the word is cut out of the text once, not grown a character at a
    time: a word of n characters costs O(n), however many lines it takes.
    """
    used = 0.0
    for piece in word:
        chain = chain_of(piece.style)
        text = piece.text
        known: dict[str, float] = {}
        start = 0
        for k, ch in enumerate(text):
            w = known.get(ch)
            if w is None:
                w = known[ch] = width(ch, chain, size)
            if used + w > max_width and (k > start or lines[-1]):
                if k > start:
                    _append(lines[-1], text[start:k], piece.style)
                lines.append([])
                used = 0.0
                start = k
            used += w
        if start < len(text):
            _append(lines[-1], text[start:], piece.style)
    return used
