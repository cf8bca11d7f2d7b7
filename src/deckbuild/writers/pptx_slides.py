"""One slide of the plan as the XML of its slide part, and notes paragraphs as XML.

It serialises; it does not decide. Every size, colour, font, box and line pitch comes from
the plan, so what LibreOffice or PowerPoint shows is what the layout measured. Text frames
get ``a:noAutofit`` and explicit run sizes everywhere (autofit only applies after an edit
in PowerPoint, python-pptx #1021).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

from deckbuild.layout.deck_plan import (
    Box,
    Para,
    PictureShape,
    RuleShape,
    Shape,
    Slide,
    TableShape,
    TextFrame,
    TextRun,
    TextShape,
)
from deckbuild.writers.pptx_package import ImagePart, Relationships
from deckbuild.writers.pptx_xml import DECLARATION, attr, clean, emu, escape, nsdecls

#: Any fixed id will do; PowerPoint only needs the field to carry one.
_SLIDENUM_FIELD_ID = "{B6F15528-21DE-4FAA-801E-634DDDAF4B2B}"
_SAFE_LINK = re.compile(r"^(https?|mailto):", re.IGNORECASE)
_NAMES = {
    "title": "Title",
    "body": "Body",
    "code": "Code",
    "subtitle": "Subtitle",
    "pullout": "Pull-out",
    "footer": "Footer",
    "number": "Slide Number",
}


def slide_xml(
    plan: Slide, rels: Relationships, pictures: Mapping[str, ImagePart | None], lang: str | None
) -> str:
    """The slide part's XML, written as text: the plan is fully decided."""
    shapes = _Shapes(rels, pictures, lang)
    shapes.title(plan.title)
    for shape in plan.shapes:
        shapes.add(shape)
    return (
        f"{DECLARATION}<p:sld {nsdecls('p', 'a', 'r')}><p:cSld><p:bg><p:bgPr>{_fill(plan.background)}"
        "<a:effectLst/></p:bgPr></p:bg><p:spTree><p:nvGrpSpPr>"
        '<p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/>'
        f"{''.join(shapes.out)}</p:spTree></p:cSld>"
        "<p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sld>"
    )


class _Shapes:
    """One slide's shapes as XML, with shape ids counted from 2."""

    def __init__(
        self, rels: Relationships, pictures: Mapping[str, ImagePart | None], lang: str | None
    ) -> None:
        self.rels = rels
        #: Each picture file's part, or None when it could not be read.
        self.pictures = pictures
        self.lang = lang
        self.next_id = 2
        self.out: list[str] = []

    def _id(self, name: str, descr: str = "") -> str:
        sid = self.next_id
        self.next_id += 1
        extra = f" descr={attr(descr)}" if descr else ""
        return f'<p:cNvPr id="{sid}" name={attr(name)}{extra}/>'

    def title(self, shape: TextShape) -> None:
        """The title goes into the layout's title placeholder (outline view, screen
        readers), placed and formatted explicitly rather than inherited."""
        self.out.append(
            f"<p:sp><p:nvSpPr>{self._id(_NAMES['title'])}"
            '<p:cNvSpPr><a:spLocks noGrp="1"/></p:cNvSpPr><p:nvPr><p:ph type="title"/></p:nvPr>'
            f"</p:nvSpPr><p:spPr>{_xfrm(shape.box)}</p:spPr>"
            f"{self._txbody('p:txBody', shape.frame)}</p:sp>"
        )

    def add(self, shape: Shape) -> None:
        match shape:
            case TextShape():
                name = _NAMES[shape.role] + (f" ({shape.lang})" if shape.lang else "")
                fill = _fill(shape.fill) if shape.fill else "<a:noFill/>"
                line = (
                    f'<a:ln w="{emu(0.75)}">{_fill(shape.outline)}</a:ln>' if shape.outline else ""
                )
                self.out.append(
                    f'<p:sp><p:nvSpPr>{self._id(name)}<p:cNvSpPr txBox="1"/><p:nvPr/></p:nvSpPr>'
                    f'<p:spPr>{_xfrm(shape.box)}<a:prstGeom prst="rect"><a:avLst/></a:prstGeom>'
                    f"{fill}{line}</p:spPr>{self._txbody('p:txBody', shape.frame)}</p:sp>"
                )
            case TableShape():
                self._table(shape)
            case PictureShape():
                self._picture(shape)
            case RuleShape(x=x, y=y, w=w, colour=colour, weight=weight):
                box = Box(x, y, w, 0)
                self.out.append(
                    f"<p:cxnSp><p:nvCxnSpPr>{self._id('Accent')}<p:cNvCxnSpPr/><p:nvPr/>"
                    f'</p:nvCxnSpPr><p:spPr>{_xfrm(box)}<a:prstGeom prst="line"><a:avLst/>'
                    f'</a:prstGeom><a:ln w="{emu(weight)}">{_fill(colour)}</a:ln></p:spPr>'
                    "</p:cxnSp>"
                )

    def _txbody(self, tag: str, frame: TextFrame) -> str:
        """Body properties exactly as measured: insets, anchor, word wrap, no autofit."""
        inset = emu(frame.inset)
        body = "".join(paragraph(p, self.rels, self.lang) for p in frame.paras) or "<a:p/>"
        return (
            f'<{tag}><a:bodyPr wrap="square" lIns="{inset}" tIns="{inset}" rIns="{inset}" '
            f'bIns="{inset}" anchor={attr(frame.anchor)} rtlCol="0"><a:noAutofit/></a:bodyPr>'
            f"<a:lstStyle/>{body}</{tag}>"
        )

    def _table(self, shape: TableShape) -> None:
        inset = emu(shape.inset)
        grid = "".join(f'<a:gridCol w="{emu(w)}"/>' for w in shape.columns)
        rows: list[str] = []
        for height, row in zip(shape.heights, shape.rows, strict=True):
            cells = "".join(
                "<a:tc>"
                + "<a:txBody><a:bodyPr/><a:lstStyle/>"
                + ("".join(paragraph(p, self.rels, self.lang) for p in cell.paras) or "<a:p/>")
                + "</a:txBody>"
                + f'<a:tcPr marL="{inset}" marR="{inset}" marT="{inset}" marB="{inset}">'
                + f"{_fill(cell.fill)}</a:tcPr></a:tc>"
                for cell in row
            )
            rows.append(f'<a:tr h="{emu(height)}">{cells}</a:tr>')
        # The frame is exactly as tall as its rows, as measured.
        box = Box(shape.box.x, shape.box.y, sum(shape.columns), sum(shape.heights))
        self.out.append(
            f"<p:graphicFrame><p:nvGraphicFramePr>{self._id('Table')}<p:cNvGraphicFramePr>"
            '<a:graphicFrameLocks noGrp="1"/></p:cNvGraphicFramePr><p:nvPr/></p:nvGraphicFramePr>'
            f"{_xfrm(box, 'p:xfrm')}<a:graphic>"
            '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/table">'
            f'<a:tbl><a:tblPr firstRow="{int(shape.header)}" bandRow="0"/>'
            f"<a:tblGrid>{grid}</a:tblGrid>{''.join(rows)}</a:tbl></a:graphicData></a:graphic>"
            "</p:graphicFrame>"
        )

    def _picture(self, shape: PictureShape) -> None:
        """Fitted inside its box, keeping its aspect ratio; the alt text is its
        description. An unreadable file leaves the alt text in its place."""
        box = shape.box
        image = self.pictures.get(shape.path)
        if image is None:
            self.out.append(
                f'<p:sp><p:nvSpPr>{self._id("Picture (alt text)")}<p:cNvSpPr txBox="1"/>'
                f"<p:nvPr/></p:nvSpPr><p:spPr>{_xfrm(box)}</p:spPr><p:txBody>"
                '<a:bodyPr wrap="square" anchor="ctr"><a:noAutofit/></a:bodyPr><a:lstStyle/>'
                f'<a:p><a:pPr algn="ctr"/><a:r><a:rPr lang={attr(self.lang or "en-US")}/>'
                f"<a:t>{escape(clean(shape.alt))}</a:t></a:r></a:p></p:txBody></p:sp>"
            )
            return
        rid = self.rels.add("image", f"../media/{image.partname.rsplit('/', 1)[1]}")
        cx, cy = image.cx, image.cy
        scale = min(emu(box.w) / max(cx, 1), emu(box.h) / max(cy, 1), 1.0)
        w, h = round(cx * scale), round(cy * scale)
        x = emu(box.x) + (emu(box.w) - w) // 2
        y = emu(box.y) + (emu(box.h) - h) // 2
        self.out.append(
            f"<p:pic><p:nvPicPr>{self._id('Picture', shape.alt or ' ')}"
            '<p:cNvPicPr><a:picLocks noChangeAspect="1"/></p:cNvPicPr><p:nvPr/></p:nvPicPr>'
            f'<p:blipFill><a:blip r:embed="{rid}"/><a:stretch><a:fillRect/></a:stretch>'
            f'</p:blipFill><p:spPr><a:xfrm><a:off x="{x}" y="{y}"/><a:ext cx="{w}" cy="{h}"/>'
            '</a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></p:spPr></p:pic>'
        )


# --------------------------------------------------------------------------- text


def paragraph(para: Para, rels: Relationships, lang: str | None) -> str:
    hanging = para.bullet.hanging if para.bullet else 0.0
    attrs = f'algn={attr(para.align)} marL="{emu(para.indent)}" indent="{-emu(hanging)}"'
    if para.level:
        attrs += f' lvl="{min(para.level, 8)}"'
    out = [f"<a:p><a:pPr {attrs}>"]
    if para.pitch is not None:
        out.append(f'<a:lnSpc><a:spcPts val="{_hundredths(para.pitch)}"/></a:lnSpc>')
    out.append(f'<a:spcBef><a:spcPts val="{_hundredths(para.space_before)}"/></a:spcBef>')
    b = para.bullet
    if b is None:
        out.append("<a:buNone/>")
    else:
        out.append(f"<a:buClr><a:srgbClr val={attr(_hex(b.colour))}/></a:buClr>")
        out.append(f"<a:buFont typeface={attr(b.font)}/>")
        if b.number is not None:
            out.append(f'<a:buAutoNum type="arabicPeriod" startAt="{b.number}"/>')
        else:
            out.append(f"<a:buChar char={attr(b.text)}/>")
    out.append("</a:pPr>")
    for run in para.runs:
        out.append(_run(run, rels, lang))
    last = para.runs[-1] if para.runs else None
    out.append(_run_properties("a:endParaRPr", last, para.size, lang))
    out.append("</a:p>")
    return "".join(out)


def _run(run: TextRun, rels: Relationships, lang: str | None) -> str:
    if run.field == "slidenum":
        return (
            f'<a:fld id="{_SLIDENUM_FIELD_ID}" type="slidenum">'
            f"{_run_properties('a:rPr', run, run.size, lang)}"
            f"<a:t>{escape(clean(run.text))}</a:t></a:fld>"
        )
    link = ""
    if run.href and _SAFE_LINK.match(run.href):
        link = f'<a:hlinkClick r:id="{rels.link(run.href)}"/>'
    out: list[str] = []
    for k, piece in enumerate(run.text.split("\n")):
        if k:
            out.append(f"<a:br>{_run_properties('a:rPr', run, run.size, lang)}</a:br>")
        if piece:
            rpr = _run_properties("a:rPr", run, run.size, lang, link)
            out.append(f"<a:r>{rpr}<a:t>{escape(clean(piece))}</a:t></a:r>")
    return "".join(out)


def _run_properties(
    tag: str, run: TextRun | None, size: float, lang: str | None, inner: str = ""
) -> str:
    if run is None:
        return _bare_properties(tag, size, lang)
    return _styled_properties(
        tag, size, lang, run.bold, run.italic, run.strike, run.code, run.colour, run.font, inner
    )


@cache
def _bare_properties(tag: str, size: float, lang: str | None) -> str:
    attrs = f" lang={attr(lang)}" if lang else ""
    return f'<{tag}{attrs} sz="{round(size * 100)}"/>'


# Decks repeat a handful of run formats thousands of times.
@cache
def _styled_properties(
    tag: str,
    size: float,
    lang: str | None,
    bold: bool,
    italic: bool,
    strike: bool,
    code: bool,
    colour: str,
    font_name: str,
    inner: str,
) -> str:
    attrs = f" lang={attr(lang)}" if lang else ""
    attrs += f' sz="{round(size * 100)}"'
    attrs += f' b="{int(bold)}" i="{int(italic)}"'
    if strike:
        attrs += ' strike="sngStrike"'
    if code:
        attrs += ' noProof="1"'
    attrs += ' dirty="0"'
    font = attr(font_name)
    return (
        f"<{tag}{attrs}>"
        f"<a:solidFill><a:srgbClr val={attr(_hex(colour))}/></a:solidFill>"
        f"<a:latin typeface={font}/><a:ea typeface={font}/><a:cs typeface={font}/>"
        f"{inner}</{tag}>"
    )


# --------------------------------------------------------------------------- units


def _xfrm(box: Box, tag: str = "a:xfrm") -> str:
    return (
        f'<{tag}><a:off x="{emu(box.x)}" y="{emu(box.y)}"/>'
        f'<a:ext cx="{emu(box.w)}" cy="{emu(box.h)}"/></{tag}>'
    )


def _fill(colour: str) -> str:
    return f"<a:solidFill><a:srgbClr val={attr(_hex(colour))}/></a:solidFill>"


def _hundredths(points: float) -> str:
    return str(round(points * 100))


def _hex(colour: str) -> str:
    return colour.lstrip("#").upper()
