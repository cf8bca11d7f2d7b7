"""A set slide drawn on a reportlab canvas: one function for slides.pdf and the thumbnails
of notes.pdf.

Lines arrive broken and placed (``layout.notes.set_slide``); this module only draws them.
Each character is drawn in the first font of its run's chain that has it (``_pdf.font_runs``,
the choice the layout measured with), so no glyph is missing. In a tagged drawing text is
marked as the structure a reader needs (heading, P, list items, Code, table cells, Figure)
and everything else (backgrounds, boxes, rules, the footer and the slide number) stays
page artifact; a thumbnail is drawn untagged, inside its page's Figure.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from PIL import Image as PILImage
from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFString

from deckbuild.compat import reportlab_text
from deckbuild.layout.deck_plan import RuleShape
from deckbuild.layout.notes import (
    SetLine,
    SetPara,
    SetPicture,
    SetSlide,
    SetTable,
    SetText,
)
from deckbuild.writers import pdf_tags
from deckbuild.writers._pdf import colour, font_runs

#: What a text shape is for a reader; footer and number are page furniture.
_ROLES = {
    "body": "P",
    "subtitle": "P",
    "pullout": "P",
    "code": "Code",
    "footer": pdf_tags.ARTIFACT,
    "number": pdf_tags.ARTIFACT,
}
#: Links only to the web and to mail: the deck's writer keeps the same.
_SAFE_LINK = ("http:", "https:", "mailto:")


@dataclass(frozen=True, slots=True)
class Drawing:
    """How a slide is drawn: in the structure tree or not, and its title's role."""

    tagged: bool
    heading: str = "H2"

    def leaf(self, canv: Any, role: str, alt: str = "") -> contextlib.AbstractContextManager[None]:
        if not self.tagged:
            return contextlib.nullcontext()
        return pdf_tags.leaf(canv, role, alt)

    def group(self, canv: Any, role: str) -> contextlib.AbstractContextManager[None]:
        if not self.tagged:
            return contextlib.nullcontext()
        return pdf_tags.group(canv, role)


def draw_slide(canv: Any, slide: SetSlide, how: Drawing) -> None:
    """Draws ``slide`` with its bottom-left corner at the origin, in points of the slide:
    the caller translates and scales the canvas for a thumbnail."""
    h = slide.height
    canv.setFillColor(colour(slide.background))
    canv.rect(0, 0, slide.width, h, stroke=0, fill=1)
    _text(canv, slide.title, h, how, how.heading)
    for shape in slide.shapes:
        match shape:
            case SetText():
                _text(canv, shape, h, how, _ROLES.get(shape.role, "P"))
            case SetTable():
                _table(canv, shape, h, how)
            case SetPicture():
                _picture(canv, shape, h, how)
            case RuleShape():
                canv.setStrokeColor(colour(shape.colour))
                canv.setLineWidth(shape.weight)
                canv.line(shape.x, h - shape.y, shape.x + shape.w, h - shape.y)


def _box(canv: Any, x: float, top: float, w: float, hgt: float, page_h: float) -> None:
    canv.rect(x, page_h - top - hgt, w, hgt, stroke=0, fill=1)


def _text(canv: Any, shape: SetText, h: float, how: Drawing, role: str) -> None:
    box = shape.box
    if shape.fill or shape.outline:
        if shape.fill:
            canv.setFillColor(colour(shape.fill))
        if shape.outline:
            canv.setStrokeColor(colour(shape.outline))
            canv.setLineWidth(0.75)
        y = h - box.y - box.h
        canv.rect(
            box.x, y, box.w, box.h, stroke=int(bool(shape.outline)), fill=int(bool(shape.fill))
        )
    if role in ("Code", pdf_tags.ARTIFACT):
        # One element for the whole listing (or none for furniture): its lines are one text.
        with how.leaf(canv, role):
            for para in shape.paras:
                draw_para(canv, para, h, how, inner=True)
        return
    for para in shape.paras:
        draw_para(canv, para, h, how, role=role)


def draw_para(
    canv: Any, para: SetPara, h: float, how: Drawing, role: str = "P", inner: bool = False
) -> None:
    """Draws a paragraph as one element (``role``, or a list item when it has a bullet);
    ``inner`` draws it inside an element already open. ``h`` is the height of the slide or
    page: lines are placed from its top."""
    if inner:
        _lines(canv, para, h, how.tagged)
    elif para.item:
        with how.group(canv, "LI"), how.leaf(canv, "LBody"):
            _lines(canv, para, h, how.tagged)
    else:
        with how.leaf(canv, role):
            _lines(canv, para, h, how.tagged)


def _lines(canv: Any, para: SetPara, h: float, links: bool) -> None:
    """The paragraph's lines as one text object of raw operators: a ``Tm`` per line, ``Tf``
    and ``rg`` only when the font or colour changes, a ``Tj`` per stretch of one font.
    reportlab's text object formats and tracks far more per call (a cursor, alpha, shaping)
    and was most of the cost of drawing a slide."""
    rows = list(para.lines)
    if para.bullet is not None:
        rows.insert(0, para.bullet)
    if not any(p.text for line in rows for p in line.pieces):
        return
    encoder = reportlab_text.Encoder(canv)
    ops = ["BT"]
    font = fill = ""
    size = 0.0
    extras: list[tuple[SetLine, int]] = []
    for line in rows:
        ops.append(f"1 0 0 1 {fp_str(line.x, h - line.baseline)} Tm")
        for k, piece in enumerate(line.pieces):
            if piece.strike or (links and piece.href and piece.href.startswith(_SAFE_LINK)):
                extras.append((line, k))
            for text, name in font_runs(piece.text, piece.chain):
                if piece.colour != fill and not text.isspace():
                    ops.append(_fill_op(piece.colour))
                    fill = piece.colour
                for subset, codes in encoder.encoded(_font(name), text):
                    if subset != font or piece.size != size:
                        ops.append(f"{subset} {fp_str(piece.size)} Tf")
                        font, size = subset, piece.size
                    ops.append(f"({escapePDF(codes)}) Tj")
    ops.append("ET")
    canv.addLiteral("\n".join(ops))
    for line, k in extras:
        x0 = line.x + sum(p.width for p in line.pieces[:k])
        piece = line.pieces[k]
        base = h - line.baseline
        if piece.strike:
            canv.setStrokeColor(colour(piece.colour))
            canv.setLineWidth(piece.size / 15)
            canv.line(x0, base + piece.size * 0.25, x0 + piece.width, base + piece.size * 0.25)
        if links and piece.href and piece.href.startswith(_SAFE_LINK):
            rect = (x0, base - piece.size / 5, x0 + piece.width, base + piece.size * 0.9)
            described = piece.text.strip() or piece.href
            canv.linkURL(piece.href, rect, relative=1, kind="URI", Contents=PDFString(described))
            pdf_tags.annotation(canv, "Link")


@cache
def _font(name: str) -> Any:
    return pdfmetrics.getFont(name)


@cache
def _fill_op(hex_: str) -> str:
    """The ``rg`` operator of a ``#RRGGBB`` colour, formatted once."""
    c = colour(hex_)
    return f"{fp_str(c.red, c.green, c.blue)} rg"


def _table(canv: Any, table: SetTable, h: float, how: Drawing) -> None:
    for row in table.rows:
        for cell in row:
            canv.setFillColor(colour(cell.fill))
            _box(canv, cell.box.x, cell.box.y, cell.box.w, cell.box.h, h)
    for row in table.rows:
        with how.group(canv, "TR"):
            for cell in row:
                with how.leaf(canv, "TD"):
                    for para in cell.paras:
                        draw_para(canv, para, h, how, inner=True)


def _picture(canv: Any, shape: SetPicture, h: float, how: Drawing) -> None:
    """Fitted in its box keeping its proportions, never enlarged beyond its own size (as
    the deck's writer places it); the alt text stands in for a file that cannot be read."""
    pic = shape.shape
    size = natural_size(pic.path)
    if size is None:
        with how.leaf(canv, "Figure", pic.alt or " "):
            _lines(canv, shape.alt, h, False)
        return
    box = pic.box
    scale = min(box.w / max(size[0], 1e-9), box.h / max(size[1], 1e-9), 1.0)
    w, ht = size[0] * scale, size[1] * scale
    x = box.x + (box.w - w) / 2
    y = box.y + (box.h - ht) / 2
    with how.leaf(canv, "Figure", pic.alt or " "):
        canv.drawImage(pic.path, x, h - y - ht, w, ht, mask="auto")


@cache
def natural_size(path: str) -> tuple[float, float] | None:
    """An image's size in points at its own resolution (72 dpi when it states none or an
    unlikely one, as python-pptx reads it); None when it cannot be decoded."""
    try:
        with PILImage.open(path) as image:
            width, height = image.size
            dpi = image.info.get("dpi")
            image.load()  # reportlab must be able to decode it too
    except Exception:  # noqa: BLE001 - any unreadable image leaves its alt text
        return None

    def sane(value: Any) -> float:
        try:
            v = round(float(value))
        except (TypeError, ValueError):
            return 72.0
        return float(v) if 1 <= v <= 2048 else 72.0

    horz, vert = (sane(dpi[0]), sane(dpi[1])) if isinstance(dpi, tuple) else (72.0, 72.0)
    return width * 72.0 / horz, height * 72.0 / vert


@contextlib.contextmanager
def placed(canv: Any, x: float, y: float, scale: float) -> Iterator[None]:
    """Draws at (x, y) from the page's bottom-left, scaled: a slide as a thumbnail."""
    canv.saveState()
    canv.translate(x, y)
    canv.scale(scale, scale)
    try:
        yield
    finally:
        canv.restoreState()
