"""What both PDF writers share: embedded fonts, and flowables that draw pre-broken lines.

Text is broken into lines by ``services.measure.wrap``, the line breaker the layouts use, and
drawn span by span on a canvas text object: no markup is generated and nothing is parsed
again, which is what made reportlab's ``Paragraph`` the most expensive part of a build.

reportlab draws a missing glyph as a box and says nothing. Every character is therefore
drawn in the first font of its chain that has a glyph for it (the fallback fonts carry
symbols, emoji and CJK); a character no font has becomes U+FFFD, never a box.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFString
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Image

from deckbuild.compat import reportlab_private
from deckbuild.services import measure
from deckbuild.services.spans import CodeLines, Line, Span, Style
from deckbuild.theme import FontFace, Theme
from deckbuild.writers import pdf_tags

#: Dropped before drawing: they select emoji presentation or join glyphs, take no width
#: in the measurements, and no embedded font has (or needs) a glyph for them.
_INVISIBLE = dict.fromkeys(map(ord, "\ufe0e\ufe0f\u200b\u200c\u200d\u2060"))

CONTINUATION = "↪ "


def font_name(path: str) -> str:
    """The reportlab name of a font file, registered on first use."""
    return _register(path)


@cache
def _register(path: str) -> str:
    name = "db-" + Path(path).stem
    font = TTFont(name, path)
    font.face.makeSubset = _remembered_subsets(font.face.makeSubset)
    pdfmetrics.registerFont(font)
    return name


# A build writes many PDFs (the handout and one per lesson) from the same fonts, and most of
# their font subsets are the same: a font's first subset always holds its whole ASCII range.
# Making a subset and compressing it are pure functions of their input and the largest
# cost of writing a PDF, so recent results are kept (bounded, for very long manuals).
_SUBSETS_KEPT = 32


def _remembered_subsets(make: Callable[[list[int]], bytes]) -> Callable[[list[int]], bytes]:
    @lru_cache(maxsize=_SUBSETS_KEPT)
    def made(chars: tuple[int, ...]) -> bytes:
        return make(list(chars))

    return lambda chars: made(tuple(chars))


#: (bold, italic) of a face's four variants, in the order of ``Face.chains``.
VARIANTS = ((False, False), (True, False), (False, True), (True, True))


@dataclass(frozen=True, slots=True)
class Face:
    """A theme face with its fallbacks: the font chain and reportlab name per variant."""

    face: FontFace
    fallback: tuple[str, ...]
    #: Chains for regular, bold, italic and bold italic, in that order.
    chains: tuple[measure.Chain, ...]

    def chain(self, bold: bool = False, italic: bool = False) -> measure.Chain:
        return self.chains[bold + 2 * italic]

    def name(self, bold: bool = False, italic: bool = False) -> str:
        return font_name(self.face.file(bold, italic))


@cache
def _face(face: FontFace, fallback: tuple[str, ...]) -> Face:
    return Face(face, fallback, tuple((face.file(b, i), *fallback) for b, i in VARIANTS))


def faces(theme: Theme) -> tuple[Face, Face, Face]:
    """(heading, body, code) faces of the theme."""
    fb = theme.fonts.fallback
    return _face(theme.fonts.heading, fb), _face(theme.fonts.body, fb), _face(theme.fonts.code, fb)


def page_size(theme: Theme) -> tuple[float, float]:
    size = LETTER if theme.page_size == "Letter" else A4
    return float(size[0]), float(size[1])


def margin(theme: Theme) -> float:
    return float(theme.margin_mm * mm)


def pdf_date(date: _dt.datetime) -> str:
    """A PDF date string (D:YYYYMMDDHHmmSS+00'00') for the document info."""
    utc = date.astimezone(_dt.UTC)
    return utc.strftime("D:%Y%m%d%H%M%S+00'00'")


@cache
def colour(hex_: str) -> Any:
    """A reportlab colour for ``#RRGGBB``, made once."""
    return colors.HexColor(hex_)


def bold(spans: Line) -> Line:
    """The spans set in bold: headings and terms are bold whatever the manual marked."""
    return tuple(Span(s.text, replace(s.style, bold=True)) for s in spans)


def without_internal_link(style: Style) -> Style:
    """``style`` without a link to "#name": manual text links to the manual's own headings,
    which a PDF does not have, and reportlab cannot save a link to a missing destination."""
    if style.href and style.href.startswith("#"):
        return replace(style, href=None)
    return style


# --------------------------------------------------------------------------- text style


@dataclass(frozen=True, slots=True)
class TextStyle:
    """How a block of text is set. Everything comes from the theme via the writers."""

    face: Face
    #: The face of inline code (mono spans).
    code: Face
    size: float
    leading: float
    #: Default text colour, ``#RRGGBB``; a span's own colour wins.
    colour: str
    space_before: float = 0.0
    space_after: float = 0.0
    #: Left indent of every line.
    indent: float = 0.0
    align_right: bool = False
    #: The structure role of text in this style (``pdf_tags``): P, H1, TD, Code… or
    #: ``Artifact`` for page furniture.
    role: str = "P"

    def chain(self, style: Style) -> measure.Chain:
        return (self.code if style.mono else self.face).chain(style.bold, style.italic)

    def derive(self, **changes: Any) -> TextStyle:
        return replace(self, **changes)


_RUNS: dict[tuple[str, measure.Chain], tuple[tuple[str, str], ...]] = {}


def font_runs(text: str, chain: measure.Chain) -> tuple[tuple[str, str], ...]:
    """``text`` cut where the drawing font changes: (text, reportlab font name) pairs.

    Each character goes to the first font of the chain that has it; spaces stay in the
    primary font; a character no font has becomes U+FFFD.
    """
    key = (text, chain)
    got = _RUNS.get(key)
    if got is not None:
        return got
    primary = chain[0]
    widths = measure.metrics(primary).widths
    out: list[tuple[str, str]] = []
    run: list[str] = []
    run_font = primary
    for ch in text.translate(_INVISIBLE):
        if ord(ch) in widths or ch.isspace():
            font = primary
        else:
            found = measure.font_for(ch, chain)
            if found is None:
                ch, found = "\ufffd", measure.font_for("\ufffd", chain)
            font = found or primary
        if font != run_font and run:
            out.append(("".join(run), font_name(run_font)))
            run.clear()
        run_font = font
        run.append(ch)
    if run:
        out.append(("".join(run), font_name(run_font)))
    got = _RUNS[key] = tuple(out)
    return got


def line_width(line: Line, ts: TextStyle) -> float:
    return sum(measure.width(s.text, ts.chain(s.style), ts.size) for s in line)


def draw_lines(
    canv: Any,
    lines: Sequence[Line],
    ts: TextStyle,
    x: float,
    baseline: float,
    width: float = 0.0,
    bullet: tuple[float, Line] | None = None,
) -> None:
    """Draw lines from ``baseline`` down, one ``leading`` apart, starting at ``x``.

    With ``ts.align_right`` each line ends at ``x + width``. A bullet (x, spans) goes on the
    first baseline, in the same text object, so text extraction keeps it with its line.
    Links and strike-through are placed over the spans' measured extent. The lines are
    one element of the structure tree (``ts.role``); with a bullet, a list item.
    """
    if bullet is None:
        with pdf_tags.leaf(canv, ts.role):
            _draw_lines(canv, lines, ts, x, baseline, width, None)
        return
    with pdf_tags.group(canv, "LI"), pdf_tags.leaf(canv, "LBody"):
        _draw_lines(canv, lines, ts, x, baseline, width, bullet)


def _draw_lines(
    canv: Any,
    lines: Sequence[Line],
    ts: TextStyle,
    x: float,
    baseline: float,
    width: float,
    bullet: tuple[float, Line] | None,
) -> None:
    size = ts.size
    tx = canv.beginText()
    font = fill = ""
    extras: list[tuple[Span, float, float, float]] = []
    rows = [
        (x + width - line_width(ln, ts) if ts.align_right else x, baseline - i * ts.leading, ln)
        for i, ln in enumerate(lines)
    ]
    if bullet is not None:
        rows.insert(0, (bullet[0], baseline, bullet[1]))
    for left, y, line in rows:
        tx.setTextOrigin(left, y)
        for text, name, hex_ in _line_runs(line, ts, fill):
            if hex_ != fill:
                tx.setFillColor(colour(hex_))
                fill = hex_
            if name != font:
                tx.setFont(name, size, ts.leading)
                font = name
            reportlab_private.text_out(tx, text)
        if any(s.style.href or s.style.strike for s in line):
            cursor = left
            for span in line:
                w = measure.width(span.text, ts.chain(span.style), size)
                if span.style.href or span.style.strike:
                    extras.append((span, cursor, cursor + w, y))
                cursor += w
    canv.drawText(tx)
    for span, x0, x1, base in extras:
        if span.style.strike:
            canv.setStrokeColor(colour(span.style.colour or ts.colour))
            canv.setLineWidth(size / 15)
            canv.line(x0, base + size * 0.25, x1, base + size * 0.25)
        if span.style.href:
            rect = (x0, base - size / 8, x1, base - size / 8 + ts.leading)
            _link(canv, span.style.href, span.text, rect)


def _line_runs(line: Line, ts: TextStyle, fill: str) -> list[tuple[str, str, str]]:
    """(text, font name, colour) runs of a line, neighbours with the same font and colour
    joined: each run is one text operator. Spaces take whatever colour is current, since
    their colour cannot be seen, so they never start a run of their own."""
    runs: list[tuple[str, str, str]] = []
    for span in line:
        hex_ = span.style.colour or ts.colour
        for text, name in font_runs(span.text, ts.chain(span.style)):
            if runs and runs[-1][1] == name and (runs[-1][2] == hex_ or text.isspace()):
                runs[-1] = (runs[-1][0] + text, name, runs[-1][2])
            elif text.isspace():
                runs.append((text, name, runs[-1][2] if runs else fill or hex_))
            else:
                runs.append((text, name, hex_))
    return runs


def _link(canv: Any, href: str, text: str, rect: tuple[float, float, float, float]) -> None:
    """A link annotation over ``rect``, described (``/Contents``) by its text."""
    described = text.strip() or href
    # As reportlab's paragraphs do: "#name" is a destination in this document.
    if href.startswith("#"):
        canv.linkRect(described, href[1:], rect, relative=1)
    else:
        canv.linkURL(href, rect, relative=1, kind="URI", Contents=PDFString(described))
    pdf_tags.annotation(canv, "Link")


# --------------------------------------------------------------------------- flowables


class Lines(Flowable):  # type: ignore[misc]
    """A block of styled text, broken into lines once per width and drawn directly.

    It splits between lines, leaving at least ``MIN_LINES`` on each side (no widows or
    orphans); a block too short for that moves to the next frame whole. ``bullet`` is
    drawn at ``bullet_x`` on the first line's baseline, moved left if it would touch the
    text.
    """

    MIN_LINES = 2

    def __init__(
        self,
        spans: Line,
        ts: TextStyle,
        bullet: Line = (),
        bullet_x: float = 0.0,
        *,
        sticky: bool = False,
    ) -> None:
        super().__init__()
        self.spans = spans
        self.ts = ts
        self.bullet = bullet
        self.bullet_x = bullet_x
        #: A caption or lead-in: keeps all its lines with what follows.
        self.sticky = sticky
        self.spaceBefore = ts.space_before
        self.spaceAfter = ts.space_after
        self.lines: list[Line] = []
        self._broken: dict[float, list[Line]] = {}

    def lines_at(self, width: float) -> list[Line]:
        """The lines at a frame width; computed once per width, since a story is set
        several times (measured for keep-with-next, then per lesson and in the handout)."""
        got = self._broken.get(width)
        if got is None:
            room = width - self.ts.indent
            got = measure.wrap(self.spans, room, self.ts.size, self.ts.chain) or [()]
            self._broken[width] = got
        return got

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.lines = self.lines_at(aw)
        self.width = aw
        self.height = len(self.lines) * self.ts.leading
        return aw, self.height

    def split(self, aw: float, ah: float) -> list[Flowable]:
        lines = self.lines_at(aw)
        fit = int((ah + 1e-6) // self.ts.leading)
        head = min(fit, len(lines) - self.MIN_LINES)
        if fit >= len(lines) or head < self.MIN_LINES:
            return []
        first = self._part(lines[:head], aw, bullet=self.bullet)
        first.spaceAfter = 0
        rest = self._part(lines[head:], aw)
        rest.spaceBefore = 0
        return [first, rest]

    def _part(self, lines: list[Line], width: float, bullet: Line = ()) -> Lines:
        # A part keeps its lines; its spans only matter if it is set at another width.
        spans = tuple(s for i, line in enumerate(lines) for s in ((Span(" "),) * bool(i) + line))
        part = Lines(spans, self.ts, bullet, self.bullet_x, sticky=self.sticky)
        part._broken[width] = lines
        return part

    def draw(self) -> None:
        ts = self.ts
        baseline = self.height - ts.size
        bullet = None
        if self.bullet:
            gap = ts.size * 0.3
            room = ts.indent - gap - line_width(self.bullet, ts)
            bullet = (min(self.bullet_x, room), self.bullet)
        width = self.width - ts.indent
        draw_lines(self.canv, self.lines, ts, ts.indent, baseline, width, bullet)


def _code_runs(code: CodeLines, width: float, ts: TextStyle, marker: Span) -> list[Line]:
    """Code lines broken to ``width``; each wrapped part starts with the marker, and is
    broken short enough to hold it, so nothing reaches past the box."""
    out: list[Line] = []
    marker_w = line_width((marker,), ts)
    for line in code.lines:
        parts = measure.wrap(line, width, ts.size, ts.chain) or [()]
        if len(parts) > 1:
            parts = measure.wrap(line, width - marker_w, ts.size, ts.chain)
            out.append(parts[0])
            out.extend((marker, *p) for p in parts[1:])
        else:
            out.extend(parts)
    return out


class Figure(Image):  # type: ignore[misc]
    """A picture, tagged Figure with its alternative text."""

    def __init__(self, *args: Any, alt: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.alt = alt

    def draw(self) -> None:
        with pdf_tags.leaf(self.canv, "Figure", self.alt):
            super().draw()


class CodeListing(Flowable):  # type: ignore[misc]
    """A highlighted listing in a shaded, ruled box that splits between lines.

    Every source line keeps its height, blank ones too. Each part of a split listing is a
    complete box, and keeps at least ``min_lines`` lines when the listing allows it: a
    listing's last line alone on a page reads as a stray brace.
    """

    PAD = 4.0

    def __init__(
        self,
        code: CodeLines,
        ts: TextStyle,
        background: str,
        border: str,
        marker: Span,
        width: float | None = None,
        min_lines: int = 3,
    ) -> None:
        super().__init__()
        self.code = code
        self.ts = ts if ts.role == "Code" else ts.derive(role="Code")
        self.background = background
        self.border = border
        self.marker = marker
        self.fixed_width = width
        self.min_lines = min_lines
        self.lines: list[Line] = []
        self._broken: dict[float, list[Line]] = {}

    def lines_at(self, width: float) -> list[Line]:
        got = self._broken.get(width)
        if got is None:
            got = _code_runs(self.code, width - 2 * self.PAD, self.ts, self.marker)
            self._broken[width] = got
        return got

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.width = self.fixed_width or aw
        self.lines = self.lines_at(self.width)
        self.height = len(self.lines) * self.ts.leading + 2 * self.PAD
        return self.width, self.height

    def split(self, aw: float, ah: float) -> list[Flowable]:
        width = self.fixed_width or aw
        lines = self.lines_at(width)
        fit = int((ah - 2 * self.PAD + 1e-6) // self.ts.leading)
        head = min(fit, len(lines) - self.min_lines)
        if fit >= len(lines) or head < self.min_lines:
            return []
        return [self._part(lines[:head], width), self._part(lines[head:], width)]

    def _part(self, lines: list[Line], width: float) -> CodeListing:
        part = CodeListing(
            CodeLines(self.code.lang, tuple(lines)),
            self.ts,
            self.background,
            self.border,
            self.marker,
            self.fixed_width,
            self.min_lines,
        )
        part._broken[width] = lines
        return part

    def draw(self) -> None:
        canv = self.canv
        canv.setFillColor(colour(self.background))
        canv.setStrokeColor(colour(self.border))
        canv.setLineWidth(0.5)
        canv.rect(0, 0, self.width, self.height, stroke=1, fill=1)
        baseline = self.height - self.PAD - self.ts.size
        draw_lines(canv, self.lines, self.ts, self.PAD, baseline)


def code_style(theme: Theme, size: float | None = None) -> TextStyle:
    _, _, mono = faces(theme)
    size = size or theme.sizes.pdf_code
    return TextStyle(mono, mono, size, size * 1.25, theme.colours.code_text)


def code_box(
    code: CodeLines,
    theme: Theme,
    width: float | None = None,
    size: float | None = None,
    min_lines: int = 3,
) -> CodeListing:
    """A highlighted code listing in a shaded box that may split between lines.

    Lines wider than the box are wrapped by the layout's line breaker, and each wrapped
    part starts with a visible continuation marker, so nothing is cut off.
    """
    c = theme.colours
    marker = Span(CONTINUATION, Style(mono=True, colour=c.muted))
    ts = code_style(theme, size)
    return CodeListing(code, ts, c.code_background, c.rule, marker, width, min_lines)
