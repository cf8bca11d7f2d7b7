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

import copy
import datetime as _dt
import io
import re
import zipfile
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_CONNECTOR
from pptx.opc.constants import CONTENT_TYPE as CT
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.opc.packuri import PackURI
from pptx.oxml import parse_xml
from pptx.oxml.ns import nsdecls, qn
from pptx.oxml.slide import CT_NotesSlide, CT_Slide
from pptx.oxml.xmlchemy import OxmlElement
from pptx.parts.slide import NotesSlidePart, SlidePart
from pptx.util import Emu, Pt

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
    notes = _Notes(prs)
    for slide_plan in plan.slides:
        slide = slides.add()
        _write_slide(slide, slide_plan, plan.language)
        if slide_plan.notes:
            notes.add(slide, slide_plan.notes, plan.language)
    _core_properties(prs, plan, date)
    buf = io.BytesIO()
    prs.save(buf)
    app = _app_properties(plan, notes.count)
    return _normalise_zip(buf.getvalue(), date, {"docProps/app.xml": app})


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
    next name, id and rId are counted, and the title placeholder is copied from the first
    slide's instead of being cloned from the layout each time.
    """

    def __init__(self, prs: Any) -> None:
        self.part = prs.part
        self.layout = _title_only_layout(prs)
        self.ids = prs.part._element.get_or_add_sldIdLst()
        self.count = len(self.ids)
        self.next_id = max((int(i) for i in self.ids.xpath("./p:sldId/@id")), default=255) + 1
        self.template: Any = None

    def add(self) -> Any:
        self.count += 1
        partname = PackURI(f"/ppt/slides/slide{self.count}.xml")
        element = CT_Slide.new() if self.template is None else copy.deepcopy(self.template)
        part = SlidePart(partname, CT.PML_SLIDE, self.part.package, element)
        part.relate_to(self.layout.part, RT.SLIDE_LAYOUT)
        if self.template is None:
            part.slide.shapes.clone_layout_placeholders(self.layout)
            self.template = copy.deepcopy(part._element)
        rid = self.part.rels._add_relationship(RT.SLIDE, part)
        self.ids._add_sldId(id=self.next_id, rId=rid)
        self.next_id += 1
        return part.slide


class _Notes:
    """Notes slides without python-pptx's quadratic part naming (it walks every part of
    the package to find a free name for each one)."""

    def __init__(self, prs: Any) -> None:
        self.package = prs.part.package
        self.master = prs.part.notes_master_part
        self.count = 0
        self.template: Any = None
        rid = prs.part.relate_to(self.master, RT.NOTES_MASTER)
        root = prs.part._element
        if root.find(qn("p:notesMasterIdLst")) is None:
            lst = OxmlElement("p:notesMasterIdLst")
            entry = _sub(lst, "p:notesMasterId")
            entry.set(qn("r:id"), rid)
            root.find(qn("p:sldMasterIdLst")).addnext(lst)

    def add(self, slide: Any, paras: tuple[Para, ...], lang: str | None) -> None:
        self.count += 1
        element = CT_NotesSlide.new() if self.template is None else copy.deepcopy(self.template)
        part = NotesSlidePart(
            PackURI(f"/ppt/notesSlides/notesSlide{self.count}.xml"),
            CT.PML_NOTES_SLIDE,
            self.package,
            element,
        )
        part.relate_to(self.master, RT.NOTES_MASTER)
        part.relate_to(slide.part, RT.SLIDE)
        slide.part.relate_to(part, RT.NOTES_SLIDE)
        if self.template is None:
            part.notes_slide.clone_master_placeholders(self.master.notes_master)
            self.template = copy.deepcopy(part._element)
        frame = slide.notes_slide.notes_text_frame
        if frame is not None:
            _replace_paragraphs(frame._txBody, paras, part, lang)


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


def _normalise_zip(data: bytes, date: _dt.datetime, replace: dict[str, bytes]) -> bytes:
    """The same parts in the same order with a fixed timestamp: identical bytes each time."""
    utc = date.astimezone(_dt.UTC)
    stamp = (min(max(utc.year, 1980), 2107), utc.month, utc.day, utc.hour, utc.minute, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 0
            entry.external_attr = 0o644 << 16
            body = replace.get(info.filename) or src.read(info.filename)
            dst.writestr(entry, body, compresslevel=6)
    return out.getvalue()


# --------------------------------------------------------------------------- slides


def _write_slide(slide: Any, plan: Slide, lang: str | None) -> None:
    fill = slide.background.fill
    fill.solid()
    fill.fore_color.rgb = _rgb(plan.background)
    title = next(iter(slide.placeholders), None)
    if title is None:  # a template without a title placeholder: still give it a title
        title = slide.shapes.add_textbox(0, 0, 1, 1)
    _place(title, plan.title.box)
    title.name = _NAMES["title"]
    _frame(title.text_frame._txBody, plan.title.frame, slide.part, lang)
    for shape in plan.shapes:
        _shape(slide, shape, lang)


def _shape(slide: Any, shape: Shape, lang: str | None) -> None:
    match shape:
        case TextShape():
            box = slide.shapes.add_textbox(*_xywh(shape.box))
            box.name = _NAMES[shape.role] + (f" ({shape.lang})" if shape.lang else "")
            if shape.fill:
                box.fill.solid()
                box.fill.fore_color.rgb = _rgb(shape.fill)
            if shape.outline:
                box.line.color.rgb = _rgb(shape.outline)
                box.line.width = Pt(0.75)
            _frame(box.text_frame._txBody, shape.frame, slide.part, lang)
        case TableShape():
            _table(slide, shape, lang)
        case PictureShape():
            _picture(slide, shape, lang)
        case RuleShape(x=x, y=y, w=w, colour=colour, weight=weight):
            line = slide.shapes.add_connector(
                MSO_CONNECTOR.STRAIGHT, _emu(x), _emu(y), _emu(x + w), _emu(y)
            )
            line.name = "Accent"
            line.line.color.rgb = _rgb(colour)
            line.line.width = Pt(weight)


def _table(slide: Any, shape: TableShape, lang: str | None) -> None:
    rows, cols = len(shape.rows), len(shape.columns)
    frame = slide.shapes.add_table(rows, cols, *_xywh(shape.box))
    frame.name = "Table"
    table = frame.table
    table.first_row = shape.header
    table.horz_banding = False
    for k, width in enumerate(shape.columns):
        table.columns[k].width = _emu(width)
    for r, height in enumerate(shape.heights):
        table.rows[r].height = _emu(height)
    inset = _emu(shape.inset)
    for r, row in enumerate(shape.rows):
        for k, cell_plan in enumerate(row):
            cell = table.cell(r, k)
            cell.fill.solid()
            cell.fill.fore_color.rgb = _rgb(cell_plan.fill)
            cell.margin_left = cell.margin_right = inset
            cell.margin_top = cell.margin_bottom = inset
            txbody = cell.text_frame._txBody
            _replace_paragraphs(txbody, cell_plan.paras, slide.part, lang)
    # The frame's height is exactly its rows', as measured.
    frame.height = sum(_emu(h) for h in shape.heights)


def _picture(slide: Any, shape: PictureShape, lang: str | None) -> None:
    box = shape.box
    try:
        pic = slide.shapes.add_picture(shape.path, _emu(box.x), _emu(box.y))
    except Exception:  # noqa: BLE001 - any unreadable image file must not fail the deck
        _unreadable_picture(slide, shape, lang)
        return
    scale = min(_emu(box.w) / pic.width, _emu(box.h) / pic.height, 1.0)
    w, h = int(pic.width * scale), int(pic.height * scale)
    pic.width, pic.height = w, h
    pic.left = _emu(box.x) + (_emu(box.w) - w) // 2
    pic.top = _emu(box.y) + (_emu(box.h) - h) // 2
    pic.name = "Picture"
    pic._element.nvPicPr.cNvPr.set("descr", _clean(shape.alt))


def _unreadable_picture(slide: Any, shape: PictureShape, lang: str | None) -> None:
    """The alt text in the picture's place, so nothing is lost."""
    box = slide.shapes.add_textbox(*_xywh(shape.box))
    box.name = "Picture (alt text)"
    p = _sub(box.text_frame._txBody, "a:p")
    r = _sub(p, "a:r")
    rpr = _sub(r, "a:rPr")
    if lang:
        rpr.set("lang", lang)
    _sub(r, "a:t").text = _clean(shape.alt)


# --------------------------------------------------------------------------- text


def _frame(txbody: Any, frame: Frame, part: Any, lang: str | None) -> None:
    """Body properties exactly as measured: insets, anchor, word wrap, no autofit."""
    inset = _emu(frame.inset)
    body_pr = parse_xml(
        f'<a:bodyPr {nsdecls("a")} wrap="square" lIns="{inset}" tIns="{inset}" '
        f'rIns="{inset}" bIns="{inset}" anchor="{frame.anchor}" rtlCol="0">'
        "<a:noAutofit/></a:bodyPr>"
    )
    old = txbody.find(qn("a:bodyPr"))
    if old is not None:
        txbody.replace(old, body_pr)
    else:
        txbody.insert(0, body_pr)
    _replace_paragraphs(txbody, frame.paras, part, lang)


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


def _sub(parent: Any, tag: str) -> Any:
    child = OxmlElement(tag)
    parent.append(child)
    return child


def _emu(points: float) -> Emu:
    return Emu(round(points * EMU_PER_PT))


def _xywh(box: Box) -> tuple[Emu, Emu, Emu, Emu]:
    return _emu(box.x), _emu(box.y), _emu(box.w), _emu(box.h)


def _place(shape: Any, box: Box) -> None:
    shape.left, shape.top, shape.width, shape.height = _xywh(box)


def _hundredths(points: float) -> str:
    return str(round(points * 100))


def _hex(colour: str) -> str:
    return colour.lstrip("#").upper()


def _rgb(colour: str) -> RGBColor:
    h = _hex(colour)
    return RGBColor(int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16))  # type: ignore[no-untyped-call]


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)
