"""What both PDF writers share: embedded fonts, span markup with glyph fallback, code boxes.

reportlab draws a missing glyph as a box and says nothing. Every character therefore goes
through ``markup``, which asks the font metrics which embedded font can draw it and switches
font for that character when the main face cannot.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Table, TableStyle, XPreformatted

from deckbuild.layout import measure
from deckbuild.layout.plan import CodeLines, Span, Style
from deckbuild.theme import FontFace, Theme

#: Dropped before drawing: they select emoji presentation or join glyphs, and no embedded
#: font has (or needs) a glyph for them.
_INVISIBLE = dict.fromkeys(map(ord, "\ufe0e\ufe0f\u200d\u200b\u2060"))

CONTINUATION = "↪ "

# reportlab writes a code point above U+FFFF into a font's ToUnicode map as five hex
# digits; the map needs UTF-16, or viewers cannot copy or search an emoji they draw.
_ASTRAL = re.compile(r"^(<[0-9A-F]{2}>) <([0-9A-F]{5,6})>$", re.MULTILINE)
_reportlab_to_unicode = ttfonts.makeToUnicodeCMap


def _utf16(m: re.Match[str]) -> str:
    cp = int(m.group(2), 16) - 0x10000
    return f"{m.group(1)} <{0xD800 + (cp >> 10):04X}{0xDC00 + (cp & 0x3FF):04X}>"


def _to_unicode_cmap(fontname: str, subset: Sequence[int]) -> str:
    return _ASTRAL.sub(_utf16, _reportlab_to_unicode(fontname, subset))


ttfonts.makeToUnicodeCMap = _to_unicode_cmap


def font_name(path: str) -> str:
    """The reportlab name of a font file, registered on first use."""
    return _register(path)


@cache
def _register(path: str) -> str:
    name = "db-" + Path(path).stem
    pdfmetrics.registerFont(TTFont(name, path))
    return name


@dataclass(frozen=True, slots=True)
class Face:
    """A theme face registered as a reportlab family, so <b> and <i> pick the right file."""

    family: str
    chain_regular: measure.Chain
    face: FontFace
    fallback: tuple[str, ...]

    def chain(self, bold: bool, italic: bool) -> measure.Chain:
        return (self.face.file(bold, italic), *self.fallback)

    def name(self, bold: bool = False, italic: bool = False) -> str:
        return font_name(self.face.file(bold, italic))


@cache
def _face(face: FontFace, fallback: tuple[str, ...]) -> Face:
    names = [
        font_name(face.file(b, i))
        for b, i in ((False, False), (True, False), (False, True), (True, True))
    ]
    family = names[0]
    pdfmetrics.registerFontFamily(
        family, normal=names[0], bold=names[1], italic=names[2], boldItalic=names[3]
    )
    return Face(family, (face.regular, *fallback), face, fallback)


def faces(theme: Theme) -> tuple[Face, Face, Face]:
    """(heading, body, code) faces of the theme, registered."""
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


def _text_markup(text: str, style: Style, body: Face, code: Face) -> str:
    """Escape ``text`` and switch to a fallback font for characters the face cannot draw."""
    face = code if style.mono else body
    primary = face.face.file(style.bold, style.italic)
    chain = face.chain(style.bold, style.italic)
    out: list[str] = []
    run: list[str] = []
    run_font: str | None = primary

    def flush() -> None:
        if not run:
            return
        chunk = escape("".join(run))
        if run_font is None or run_font == primary:
            out.append(chunk)
        else:
            out.append(f'<font name="{font_name(run_font)}">{chunk}</font>')
        run.clear()

    for ch in text.translate(_INVISIBLE):
        font = primary if ch.isspace() else measure.font_for(ch, chain)
        if font is None:
            # No embedded font has it: draw the replacement character, never a box.
            ch, font = "\ufffd", measure.font_for("\ufffd", chain)
        if font != run_font:
            flush()
            run_font = font
        run.append(ch)
    flush()
    return "".join(out)


def markup(spans: Sequence[Span], body: Face, code: Face) -> str:
    """reportlab paragraph markup for styled spans."""
    parts: list[str] = []
    for span in spans:
        st = span.style
        text = _text_markup(span.text, st, body, code)
        if st.mono:
            text = f'<font name="{code.name(st.bold, st.italic)}">{text}</font>'
        else:
            if st.bold:
                text = f"<b>{text}</b>"
            if st.italic:
                text = f"<i>{text}</i>"
        if st.strike:
            text = f"<strike>{text}</strike>"
        if st.colour:
            text = f'<font color="{st.colour}">{text}</font>'
        if st.href:
            text = f'<a href="{escape(st.href, {chr(34): "&quot;"})}">{text}</a>'
        parts.append(text)
    return "".join(parts)


def code_box(
    code: CodeLines,
    theme: Theme,
    width: float,
    size: float | None = None,
) -> Flowable:
    """A highlighted code listing in a shaded box that may split between lines.

    Lines wider than the box are wrapped by the layout's line breaker, and each wrapped
    part starts with a visible continuation marker, so nothing is cut off.
    """
    _, body, mono = faces(theme)
    size = size or theme.sizes.pdf_code
    pad = 4.0
    inner = width - 2 * pad
    para = ParagraphStyle(
        "code",
        fontName=mono.name(),
        fontSize=size,
        leading=size * 1.25,
        textColor=colors.HexColor(theme.colours.code_text),
    )
    rows: list[list[Flowable]] = []
    marker = Span(CONTINUATION, Style(mono=True, colour=theme.colours.muted))
    for line in code.lines:
        wrapped = measure.wrap(line, inner, size, lambda s: mono.chain(s.bold, s.italic)) or [()]
        for i, part in enumerate(wrapped):
            spans = (marker, *part) if i else part
            rows.append([XPreformatted(markup(spans, body, mono) or " ", para)])
    table = Table(rows, colWidths=[width], splitByRow=1)
    table.setStyle(
        TableStyle(
            [
                # Not the table's default font, Helvetica, which is not embedded.
                ("FONTNAME", (0, 0), (-1, -1), mono.name()),
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(theme.colours.code_background)),
                ("LEFTPADDING", (0, 0), (-1, -1), pad),
                ("RIGHTPADDING", (0, 0), (-1, -1), pad),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, 0), pad),
                ("BOTTOMPADDING", (0, -1), (-1, -1), pad),
                ("BOX", (0, 0), (-1, -1), 0.5, colors.HexColor(theme.colours.rule)),
            ]
        )
    )
    return table
