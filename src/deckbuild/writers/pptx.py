"""DeckPlan -> .pptx bytes. The only module that imports python-pptx.

It serialises; it does not decide. Every size, colour, font, box and line pitch comes from
the plan, so what LibreOffice or PowerPoint shows is what the layout measured. Beyond
python-pptx's defaults it:

- lists the notes master in ``p:notesMasterIdLst`` (python-pptx #1051: without it Keynote
  rejects the file and PowerPoint may offer a repair);
- creates notes-slide parts with its own part counter, because python-pptx looks for a free
  part name by walking every part of the package for each notes slide (quadratic);
- writes ``a:noAutofit`` and explicit run sizes everywhere (autofit only applies after an
  edit in PowerPoint, python-pptx #1021);
- re-zips the package with fixed timestamps and order, and fixes the core properties, so
  the same plan always gives the same bytes.
"""

from __future__ import annotations

import datetime as _dt
import io
import re
import zipfile
from typing import Any, Self
from xml.sax.saxutils import escape, quoteattr

from pptx import Presentation
from pptx.opc.constants import CONTENT_TYPE as CT
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.opc.oxml import serialize_part_xml
from pptx.opc.package import Part
from pptx.opc.packuri import PackURI
from pptx.opc.serialized import PackageWriter
from pptx.oxml import parse_xml
from pptx.oxml.ns import nsdecls, qn
from pptx.oxml.slide import CT_NotesSlide
from pptx.parts.slide import NotesSlidePart
from pptx.util import Emu

from deckbuild.layout.deck_plan import (
    Box,
    DeckPlan,
    Frame,
    Para,
    PictureShape,
    RuleShape,
    Shape,
    Slide,
    TableShape,
    TextRun,
    TextShape,
)
from deckbuild.theme import Theme

EMU_PER_PT = 12700
#: Any fixed id will do; PowerPoint only needs the field to carry one.
_SLIDENUM_FIELD_ID = "{B6F15528-21DE-4FAA-801E-634DDDAF4B2B}"
_SAFE_LINK = re.compile(r"^(https?|mailto):", re.IGNORECASE)
#: XML 1.0 cannot carry these; they are drawn as the replacement character.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NAMES = {
    "title": "Title",
    "body": "Body",
    "code": "Code",
    "subtitle": "Subtitle",
    "pullout": "Pull-out",
    "footer": "Footer",
    "number": "Slide Number",
}


def write_pptx(plan: DeckPlan, theme: Theme, date: _dt.datetime) -> bytes:
    """Serialise ``plan``; ``theme`` is already resolved into the plan, ``date`` stamps it."""
    del theme
    prs = Presentation()
    prs.slide_width = _emu(plan.width)
    prs.slide_height = _emu(plan.height)
    _fix_slide_size(prs, plan)
    slides = _Slides(prs)
    notes = _Notes(prs, plan)
    for slide_plan in plan.slides:
        part = slides.add(slide_plan, plan.language)
        if slide_plan.notes:
            notes.add(part, slide_plan.notes, plan.language)
    _core_properties(prs, plan, date)
    buf = io.BytesIO()
    app = _app_properties(plan, notes.count)
    with _FixedZip(buf, date, {"docProps/app.xml": app}) as archive:
        _save(prs.part.package, archive)
    return buf.getvalue()


# --------------------------------------------------------------------------- package


def _fix_slide_size(prs: Any, plan: DeckPlan) -> None:
    """The default template says ``type="screen4x3"``; a widescreen deck must not."""
    size = prs.part._element.find(qn("p:sldSz"))
    if size is not None and (round(plan.width), round(plan.height)) != (720, 540):
        size.attrib.pop("type", None)


def _title_only_layout(prs: Any) -> Any:
    for layout in prs.slide_layouts:
        if layout.name == "Title Only":
            return layout
    return prs.slide_layouts[5]


class _Slides:
    """Slides added in constant time each.

    ``Slides.add_slide`` searches all of the presentation's relationships for a duplicate
    and all slide ids for the largest, which makes a deck of n slides cost n²; here the
    next part name, id and rId are counted.
    """

    def __init__(self, prs: Any) -> None:
        self.part = prs.part
        self.layout = _title_only_layout(prs)
        self.ids = prs.part._element.get_or_add_sldIdLst()
        self.count = len(self.ids)
        self.next_id = max((int(i) for i in self.ids.xpath("./p:sldId/@id")), default=255) + 1

    def add(self, plan: Slide, lang: str | None) -> Any:
        self.count += 1
        partname = PackURI(f"/ppt/slides/slide{self.count}.xml")
        part = Part(partname, CT.PML_SLIDE, self.part.package)
        part.relate_to(self.layout.part, RT.SLIDE_LAYOUT)
        part.blob = _slide_xml(plan, part, lang).encode("utf-8")
        rid = self.part.rels._add_relationship(RT.SLIDE, part)
        self.ids._add_sldId(id=self.next_id, rId=rid)
        self.next_id += 1
        return part


class _Notes:
    """Notes slides without python-pptx's quadratic part naming (it walks every part of
    the package to find a free name for each one), each parsed once from text.

    The first notes slide is cloned from the notes master by python-pptx; its XML, with the
    notes paragraphs cut out, is the template for all of them.
    """

    _MARK = "<a:p><a:r><a:t>deckbuild-notes</a:t></a:r></a:p>"

    def __init__(self, prs: Any, plan: DeckPlan) -> None:
        self.package = prs.part.package
        self.master = prs.part.notes_master_part
        self.count = 0
        self.template: tuple[str, str] | None = None
        _fit_slide_image(self.master._element, plan)
        rid = prs.part.relate_to(self.master, RT.NOTES_MASTER)
        root = prs.part._element
        if root.find(qn("p:notesMasterIdLst")) is None:
            lst = parse_xml(
                f'<p:notesMasterIdLst {nsdecls("p", "r")}><p:notesMasterId r:id="{rid}"/>'
                "</p:notesMasterIdLst>"
            )
            root.find(qn("p:sldMasterIdLst")).addnext(lst)

    def add(self, slide_part: Any, paras: tuple[Para, ...], lang: str | None) -> None:
        self.count += 1
        part = Part(
            PackURI(f"/ppt/notesSlides/notesSlide{self.count}.xml"),
            CT.PML_NOTES_SLIDE,
            self.package,
        )
        part.relate_to(self.master, RT.NOTES_MASTER)
        part.relate_to(slide_part, RT.SLIDE)
        slide_part.relate_to(part, RT.NOTES_SLIDE)
        head, tail = self.template or self._template()
        body = "".join(_paragraph(p, part, lang) for p in paras) or "<a:p/>"
        part.blob = (head + body + tail).encode("utf-8")

    def _template(self) -> tuple[str, str]:
        # A detached part, never saved: python-pptx clones the master's placeholders into it.
        part = NotesSlidePart(
            PackURI("/ppt/notesSlides/template.xml"),
            CT.PML_NOTES_SLIDE,
            self.package,
            CT_NotesSlide.new(),
        )
        part.notes_slide.clone_master_placeholders(self.master.notes_master)
        for sp in part._element.iter(qn("p:sp")):
            ph = sp.find(f"{qn('p:nvSpPr')}/{qn('p:nvPr')}/{qn('p:ph')}")
            body = sp.find(qn("p:txBody"))
            if ph is not None and ph.get("type") == "body" and body is not None:
                for p in body.findall(qn("a:p")):
                    body.remove(p)
                body.append(
                    parse_xml(f"<a:p {nsdecls('a')}><a:r><a:t>deckbuild-notes</a:t></a:r></a:p>")
                )
                break
        text = serialize_part_xml(part._element).decode("utf-8")
        head, _, tail = text.partition(self._MARK)
        if not tail:  # a notes master without a body placeholder: notes have nowhere to go
            head, tail = text, ""
        self.template = (head, tail)
        return self.template


def _placeholder_xfrm(master: Any, kind: str) -> tuple[Any, Any] | None:
    """(a:off, a:ext) of the notes master's placeholder of ``kind``."""
    for sp in master.iter(qn("p:sp")):
        ph = sp.find(f"{qn('p:nvSpPr')}/{qn('p:nvPr')}/{qn('p:ph')}")
        xfrm = sp.find(f"{qn('p:spPr')}/{qn('a:xfrm')}")
        if ph is not None and ph.get("type") == kind and xfrm is not None:
            off, ext = xfrm.find(qn("a:off")), xfrm.find(qn("a:ext"))
            if off is not None and ext is not None:
                return off, ext
    return None


def _fit_slide_image(master: Any, plan: DeckPlan) -> None:
    """The default notes master frames a 4:3 slide; give its slide image the deck's shape:
    as wide as the notes below it, or as tall as the room above them allows."""
    image, body = _placeholder_xfrm(master, "sldImg"), _placeholder_xfrm(master, "body")
    if image is None or body is None:
        return
    (img_off, img_ext), (body_off, body_ext) = image, body
    room = int(body_off.get("y")) - int(img_off.get("y"))
    width = int(body_ext.get("cx"))
    height = round(width * plan.height / plan.width)
    if height > room:
        width, height = round(room * plan.width / plan.height), room
    img_off.set("x", str(int(body_off.get("x")) + (int(body_ext.get("cx")) - width) // 2))
    img_ext.set("cx", str(width))
    img_ext.set("cy", str(height))


def _core_properties(prs: Any, plan: DeckPlan, date: _dt.datetime) -> None:
    stamp = date.astimezone(_dt.UTC).replace(tzinfo=None, microsecond=0)
    cp = prs.core_properties
    cp.title = _clean(plan.title)
    cp.subject = _clean(plan.subtitle)
    cp.author = _clean(plan.author)
    cp.last_modified_by = ""
    cp.revision = 1
    cp.created = stamp
    cp.modified = stamp
    cp.language = plan.language or ""
    cp.comments = ""
    cp.keywords = ""
    cp.category = ""


def _app_properties(plan: DeckPlan, notes: int) -> bytes:
    """The template's app.xml describes an empty 4:3 deck made by PowerPoint; say what this
    one is."""
    fmt = (
        "On-screen Show (4:3)"
        if (round(plan.width), round(plan.height)) == (720, 540)
        else ("Custom")
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
        'docPropsVTypes"><TotalTime>0</TotalTime><Application>deckbuild</Application>'
        f"<PresentationFormat>{fmt}</PresentationFormat><Slides>{len(plan.slides)}</Slides>"
        f"<Notes>{notes}</Notes><HiddenSlides>0</HiddenSlides><MMClips>0</MMClips>"
        "<ScaleCrop>false</ScaleCrop><LinksUpToDate>false</LinksUpToDate>"
        "<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>"
        "<AppVersion>16.0000</AppVersion></Properties>"
    ).encode()


class _FixedZip:
    """The package's zip with one fixed timestamp and python-pptx's (stable) part order,
    so the same plan always gives the same bytes. Written once: python-pptx's own writer
    stamps every member with the current time."""

    def __init__(self, out: io.BytesIO, date: _dt.datetime, replace: dict[str, bytes]) -> None:
        utc = date.astimezone(_dt.UTC)
        self.stamp = (min(max(utc.year, 1980), 2107), utc.month, utc.day, utc.hour, utc.minute, 0)
        self.replace = replace
        self.zip = zipfile.ZipFile(out, "w")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.zip.close()

    def write(self, pack_uri: PackURI, blob: bytes) -> None:
        name = pack_uri.membername
        entry = zipfile.ZipInfo(name, date_time=self.stamp)
        entry.compress_type = zipfile.ZIP_DEFLATED
        entry.create_system = 0
        entry.external_attr = 0o644 << 16
        self.zip.writestr(entry, self.replace.get(name, blob), compresslevel=6)


def _save(package: Any, archive: _FixedZip) -> None:
    """python-pptx's package writing (content types, package rels, then the parts in its
    stable order), into ``archive``."""
    writer = PackageWriter("", package._rels, tuple(package.iter_parts()))
    writer._write_content_types_stream(archive)  # type: ignore[arg-type]
    writer._write_pkg_rels(archive)  # type: ignore[arg-type]
    writer._write_parts(archive)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- slides


_DECLARATION = "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"


def _slide_xml(plan: Slide, part: Any, lang: str | None) -> str:
    """The slide part's XML, written as text: the plan is fully decided, and building it
    through python-pptx's shape proxies costs an XPath search per shape."""
    shapes = _Shapes(part, lang)
    shapes.title(plan.title)
    for shape in plan.shapes:
        shapes.add(shape)
    return (
        f"{_DECLARATION}<p:sld {nsdecls('p', 'a', 'r')}><p:cSld><p:bg><p:bgPr>{_fill(plan.background)}"
        "<a:effectLst/></p:bgPr></p:bg><p:spTree><p:nvGrpSpPr>"
        '<p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/>'
        f"{''.join(shapes.out)}</p:spTree></p:cSld>"
        "<p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sld>"
    )


class _Shapes:
    """One slide's shapes as XML, with shape ids counted from 2."""

    def __init__(self, part: Any, lang: str | None) -> None:
        self.part = part
        self.lang = lang
        self.next_id = 2
        self.out: list[str] = []

    def _id(self, name: str, descr: str = "") -> str:
        sid = self.next_id
        self.next_id += 1
        extra = f" descr={quoteattr(_clean(descr))}" if descr else ""
        return f'<p:cNvPr id="{sid}" name={quoteattr(_clean(name))}{extra}/>'

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
                    f'<a:ln w="{_emu(0.75)}">{_fill(shape.outline)}</a:ln>' if shape.outline else ""
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
                    f'</a:prstGeom><a:ln w="{_emu(weight)}">{_fill(colour)}</a:ln></p:spPr>'
                    "</p:cxnSp>"
                )

    def _txbody(self, tag: str, frame: Frame) -> str:
        """Body properties exactly as measured: insets, anchor, word wrap, no autofit."""
        inset = _emu(frame.inset)
        body = "".join(_paragraph(p, self.part, self.lang) for p in frame.paras) or "<a:p/>"
        return (
            f'<{tag}><a:bodyPr wrap="square" lIns="{inset}" tIns="{inset}" rIns="{inset}" '
            f'bIns="{inset}" anchor="{frame.anchor}" rtlCol="0"><a:noAutofit/></a:bodyPr>'
            f"<a:lstStyle/>{body}</{tag}>"
        )

    def _table(self, shape: TableShape) -> None:
        inset = _emu(shape.inset)
        grid = "".join(f'<a:gridCol w="{_emu(w)}"/>' for w in shape.columns)
        rows: list[str] = []
        for height, row in zip(shape.heights, shape.rows, strict=True):
            cells = "".join(
                "<a:tc>"
                + "<a:txBody><a:bodyPr/><a:lstStyle/>"
                + ("".join(_paragraph(p, self.part, self.lang) for p in cell.paras) or "<a:p/>")
                + "</a:txBody>"
                + f'<a:tcPr marL="{inset}" marR="{inset}" marT="{inset}" marB="{inset}">'
                + f"{_fill(cell.fill)}</a:tcPr></a:tc>"
                for cell in row
            )
            rows.append(f'<a:tr h="{_emu(height)}">{cells}</a:tr>')
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
        try:
            image_part = self.part.package.get_or_add_image_part(shape.path)
            rid = self.part.relate_to(image_part, RT.IMAGE)
            cx, cy = image_part.scale(None, None)
        except Exception:  # noqa: BLE001 - any unreadable image file must not fail the deck
            self.out.append(
                f'<p:sp><p:nvSpPr>{self._id("Picture (alt text)")}<p:cNvSpPr txBox="1"/>'
                f"<p:nvPr/></p:nvSpPr><p:spPr>{_xfrm(box)}</p:spPr><p:txBody>"
                '<a:bodyPr wrap="square" anchor="ctr"><a:noAutofit/></a:bodyPr><a:lstStyle/>'
                f'<a:p><a:pPr algn="ctr"/><a:r><a:rPr lang="{escape(self.lang or "en-US")}"/>'
                f"<a:t>{escape(_clean(shape.alt))}</a:t></a:r></a:p></p:txBody></p:sp>"
            )
            return
        scale = min(_emu(box.w) / max(cx, 1), _emu(box.h) / max(cy, 1), 1.0)
        w, h = round(cx * scale), round(cy * scale)
        x = _emu(box.x) + (_emu(box.w) - w) // 2
        y = _emu(box.y) + (_emu(box.h) - h) // 2
        self.out.append(
            f"<p:pic><p:nvPicPr>{self._id('Picture', shape.alt or ' ')}"
            '<p:cNvPicPr><a:picLocks noChangeAspect="1"/></p:cNvPicPr><p:nvPr/></p:nvPicPr>'
            f'<p:blipFill><a:blip r:embed="{rid}"/><a:stretch><a:fillRect/></a:stretch>'
            f'</p:blipFill><p:spPr><a:xfrm><a:off x="{x}" y="{y}"/><a:ext cx="{w}" cy="{h}"/>'
            '</a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></p:spPr></p:pic>'
        )


# --------------------------------------------------------------------------- text


def _replace_paragraphs(txbody: Any, paras: tuple[Para, ...], part: Any, lang: str | None) -> None:
    """All paragraphs serialised as text and parsed once: building them element by element
    is the slowest part of writing a large deck."""
    for p in txbody.findall(qn("a:p")):
        txbody.remove(p)
    body = "".join(_paragraph(para, part, lang) for para in paras) or "<a:p/>"
    wrapper = parse_xml(f"<a:txBody {nsdecls('a', 'r')}>{body}</a:txBody>")
    txbody.extend(list(wrapper))


def _paragraph(para: Para, part: Any, lang: str | None) -> str:
    hanging = para.bullet.hanging if para.bullet else 0.0
    attrs = f'algn="{para.align}" marL="{_emu(para.indent)}" indent="{-_emu(hanging)}"'
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
        out.append(f'<a:buClr><a:srgbClr val="{_hex(b.colour)}"/></a:buClr>')
        out.append(f"<a:buFont typeface={quoteattr(_clean(b.font))}/>")
        if b.number is not None:
            out.append(f'<a:buAutoNum type="arabicPeriod" startAt="{b.number}"/>')
        else:
            out.append(f"<a:buChar char={quoteattr(_clean(b.text))}/>")
    out.append("</a:pPr>")
    for run in para.runs:
        out.append(_run(run, part, lang))
    last = para.runs[-1] if para.runs else None
    out.append(_run_properties("a:endParaRPr", last, para.size, lang))
    out.append("</a:p>")
    return "".join(out)


def _run(run: TextRun, part: Any, lang: str | None) -> str:
    if run.field == "slidenum":
        return (
            f'<a:fld id="{_SLIDENUM_FIELD_ID}" type="slidenum">'
            f"{_run_properties('a:rPr', run, run.size, lang)}"
            f"<a:t>{escape(_clean(run.text))}</a:t></a:fld>"
        )
    link = ""
    if run.href and _SAFE_LINK.match(run.href):
        rid = part.relate_to(run.href, RT.HYPERLINK, is_external=True)
        link = f'<a:hlinkClick r:id="{rid}"/>'
    out: list[str] = []
    for k, piece in enumerate(run.text.split("\n")):
        if k:
            out.append(f"<a:br>{_run_properties('a:rPr', run, run.size, lang)}</a:br>")
        if piece:
            rpr = _run_properties("a:rPr", run, run.size, lang, link)
            out.append(f"<a:r>{rpr}<a:t>{escape(_clean(piece))}</a:t></a:r>")
    return "".join(out)


def _run_properties(
    tag: str, run: TextRun | None, size: float, lang: str | None, inner: str = ""
) -> str:
    attrs = f' lang="{escape(lang)}"' if lang else ""
    attrs += f' sz="{round(size * 100)}"'
    if run is None:
        return f"<{tag}{attrs}/>"
    attrs += f' b="{int(run.bold)}" i="{int(run.italic)}"'
    if run.strike:
        attrs += ' strike="sngStrike"'
    if run.code:
        attrs += ' noProof="1"'
    attrs += ' dirty="0"'
    font = quoteattr(_clean(run.font))
    return (
        f"<{tag}{attrs}>"
        f'<a:solidFill><a:srgbClr val="{_hex(run.colour)}"/></a:solidFill>'
        f"<a:latin typeface={font}/><a:ea typeface={font}/><a:cs typeface={font}/>"
        f"{inner}</{tag}>"
    )


# --------------------------------------------------------------------------- units


def _emu(points: float) -> Emu:
    return Emu(round(points * EMU_PER_PT))


def _xfrm(box: Box, tag: str = "a:xfrm") -> str:
    return (
        f'<{tag}><a:off x="{_emu(box.x)}" y="{_emu(box.y)}"/>'
        f'<a:ext cx="{_emu(box.w)}" cy="{_emu(box.h)}"/></{tag}>'
    )


def _fill(colour: str) -> str:
    return f'<a:solidFill><a:srgbClr val="{_hex(colour)}"/></a:solidFill>'


def _hundredths(points: float) -> str:
    return str(round(points * 100))


def _hex(colour: str) -> str:
    return colour.lstrip("#").upper()


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)
