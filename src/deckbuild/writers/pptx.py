"""DeckPlan -> .pptx bytes. The only module that imports python-pptx.

It serialises; it does not decide. Every size, colour, font, box and line pitch comes from
the plan, so what LibreOffice or PowerPoint shows is what the layout measured.

The package is written here part by part, straight into the zip: importing python-pptx and
building its part graph cost more than laying out the deck. The parts every deck shares
(slide master, layouts, themes, notes master, presentation properties, thumbnail) are
python-pptx's default template exactly as python-pptx writes it, shipped as
``pptx_template.zip``; ``template_package()`` makes that file with python-pptx and a test
checks that it still matches. python-pptx itself is imported only to read a picture's
format and size. Beyond python-pptx's defaults the package:

- lists the notes master in ``p:notesMasterIdLst`` (python-pptx #1051: without it Keynote
  rejects the file and PowerPoint may offer a repair);
- writes ``a:noAutofit`` and explicit run sizes everywhere (autofit only applies after an
  edit in PowerPoint, python-pptx #1021);
- numbers parts, ids and rIds with counters: python-pptx looks for a free part name by
  walking every part of the package, which makes a deck of n slides cost n²;
- is zipped with fixed timestamps and order, and fixed core properties, so the same plan
  always gives the same bytes.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Self

from deckbuild.compat import pptx_private
from deckbuild.layout.deck_plan import (
    Box,
    DeckPlan,
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
from deckbuild.theme import Theme

EMU_PER_PT = 12700
EMU_PER_INCH = 914400
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

TEMPLATE = Path(__file__).with_name("pptx_template.zip")
#: The notes-slide skeleton inside the template (not a part of the package).
_NOTES_SKELETON = "deckbuild/notesSlide.xml"
_NOTES_MARK = "<a:p><a:r><a:t>deckbuild-notes</a:t></a:r></a:p>"

_NS = {
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "p": "http://schemas.openxmlformats.org/presentationml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}
_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_CT = "application/vnd.openxmlformats-officedocument.presentationml."
_CT_SLIDE = _CT + "slide+xml"
_CT_NOTES = _CT + "notesSlide+xml"
_DECLARATION = "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"


def nsdecls(*prefixes: str) -> str:
    return " ".join(f'xmlns:{p}="{_NS[p]}"' for p in prefixes)


def write_pptx(plan: DeckPlan, theme: Theme, date: _dt.datetime) -> bytes:
    """Serialise ``plan``; ``theme`` is already resolved into the plan, ``date`` stamps it."""
    del theme
    tpl = _template()
    images = _Images(plan)
    noted = [bool(s.notes) for s in plan.slides]
    overrides = dict(tpl.overrides)
    for n in range(1, len(noted) + 1):
        overrides[f"/ppt/slides/slide{n}.xml"] = _CT_SLIDE
    for k in range(1, sum(noted) + 1):
        overrides[f"/ppt/notesSlides/notesSlide{k}.xml"] = _CT_NOTES
    defaults = dict(tpl.defaults)
    defaults.update((i.ext, i.content_type) for i in images.parts)
    generated = {
        "[Content_Types].xml": _content_types(defaults, overrides),
        "docProps/core.xml": _core_properties(plan, date),
        "docProps/app.xml": _app_properties(plan, sum(noted)),
        "ppt/presentation.xml": _presentation(tpl.presentation, plan),
        "ppt/_rels/presentation.xml.rels": _presentation_rels(tpl.presentation_rels, plan),
        "ppt/notesMasters/notesMaster1.xml": _fit_slide_image(tpl.notes_master, plan),
    }
    buf = io.BytesIO()
    with _FixedZip(buf, date) as archive:
        for name, blob in tpl.members:
            archive.write(name, generated.get(name, blob))
            if name == tpl.last_of_presentation:
                _write_slides(archive, plan, tpl, images)
    return buf.getvalue()


def _write_slides(archive: _FixedZip, plan: DeckPlan, tpl: _Template, images: _Images) -> None:
    """Each slide, its new pictures and its notes, in python-pptx's order (depth first
    through the relationships); each part is compressed as soon as it is written."""
    notes = 0
    for n, slide in enumerate(plan.slides, 1):
        rels = _Rels()
        rels.add("slideLayout", f"../slideLayouts/{tpl.title_only}")
        xml = _slide_xml(slide, rels, images, plan.language)
        name = f"ppt/slides/slide{n}.xml"
        if slide.notes:
            notes += 1
            rels.add("notesSlide", f"../notesSlides/notesSlide{notes}.xml")
        archive.write(name, xml.encode("utf-8"))
        archive.write(f"ppt/slides/_rels/slide{n}.xml.rels", rels.xml())
        for image in images.first_used_on(n):
            archive.write(image.partname, image.blob)
        if slide.notes:
            notes_rels = _Rels()
            notes_rels.add("notesMaster", "../notesMasters/notesMaster1.xml")
            notes_rels.add("slide", f"../slides/slide{n}.xml")
            body = "".join(_paragraph(p, notes_rels, plan.language) for p in slide.notes)
            head, tail = tpl.notes
            archive.write(
                f"ppt/notesSlides/notesSlide{notes}.xml",
                (head + (body or "<a:p/>") + tail).encode("utf-8"),
            )
            archive.write(f"ppt/notesSlides/_rels/notesSlide{notes}.xml.rels", notes_rels.xml())


# --------------------------------------------------------------------------- template


@dataclass(frozen=True, slots=True)
class _Template:
    #: (member name, bytes) in python-pptx's part order, rels after their part.
    members: tuple[tuple[str, bytes], ...]
    defaults: dict[str, str]
    overrides: dict[str, str]
    presentation: str
    presentation_rels: str
    notes_master: str
    #: Head and tail of a notes slide; its paragraphs go between.
    notes: tuple[str, str]
    #: File name of the layout every slide uses.
    title_only: str
    #: The member after which the slides follow (the end of the presentation's parts).
    last_of_presentation: str


@cache
def _template() -> _Template:
    with zipfile.ZipFile(TEMPLATE) as z:
        read = {name: z.read(name) for name in z.namelist()}
    members = tuple((n, b) for n, b in read.items() if n != _NOTES_SKELETON)
    types = read["[Content_Types].xml"].decode("utf-8")
    defaults = dict(re.findall(r'<Default Extension="([^"]+)" ContentType="([^"]+)"/>', types))
    overrides = dict(re.findall(r'<Override PartName="([^"]+)" ContentType="([^"]+)"/>', types))
    skeleton = read[_NOTES_SKELETON].decode("utf-8")
    head, mark, tail = skeleton.partition(_NOTES_MARK)
    if not mark:  # a notes master without a body placeholder: notes have nowhere to go
        head, tail = skeleton, ""
    layouts = sorted(n for n in read if re.fullmatch(r"ppt/slideLayouts/slideLayout\d+\.xml", n))
    title_only = next(
        (n for n in layouts if b'<p:cSld name="Title Only">' in read[n]),
        "ppt/slideLayouts/slideLayout6.xml",
    )
    return _Template(
        members=members,
        defaults=defaults,
        overrides=overrides,
        presentation=read["ppt/presentation.xml"].decode("utf-8"),
        presentation_rels=read["ppt/_rels/presentation.xml.rels"].decode("utf-8"),
        notes_master=read["ppt/notesMasters/notesMaster1.xml"].decode("utf-8"),
        notes=(head, tail),
        title_only=title_only.rsplit("/", 1)[1],
        last_of_presentation=[n for n, _ in members if n.startswith("ppt/")][-1],
    )


def template_package() -> bytes:
    """``pptx_template.zip``: what python-pptx writes for an empty 4:3 deck with a notes
    master, plus the skeleton of a notes slide (python-pptx clones the master's placeholders
    into it, and deckbuild's notes paragraphs replace the marker paragraph)."""
    members, skeleton = pptx_private.empty_package(
        _NOTES_MARK.replace("<a:p>", f"<a:p {nsdecls('a')}>", 1)
    )
    buf = io.BytesIO()
    with _FixedZip(buf, _dt.datetime(1980, 1, 1, tzinfo=_dt.UTC)) as archive:
        for name, blob in (*members, (_NOTES_SKELETON, skeleton)):
            archive.write(name, blob)
    return buf.getvalue()


def _presentation(xml: str, plan: DeckPlan) -> bytes:
    """The slide list and the slide size; the default template says ``type="screen4x3"``,
    which a widescreen deck must not."""
    size = f'<p:sldSz cx="{_emu(plan.width)}" cy="{_emu(plan.height)}"'
    if (round(plan.width), round(plan.height)) == (720, 540):
        size += ' type="screen4x3"'
    xml, found = re.subn(r"<p:sldSz [^>]*?(?=/>)", size, xml, count=1)
    ids = "".join(
        f'<p:sldId id="{255 + n}" r:id="rId{_FIRST_SLIDE_RID + n - 1}"/>'
        for n in range(1, len(plan.slides) + 1)
    )
    slides = f"<p:sldIdLst>{ids}</p:sldIdLst>" if ids else "<p:sldIdLst/>"
    end = "</p:notesMasterIdLst>"
    assert found == 1 and end in xml, "unexpected presentation.xml in the template"
    return xml.replace(end, end + slides, 1).encode("utf-8")


#: The template's presentation part relates rId1-rId7 (master, printer settings,
#: properties, theme, table styles, notes master); slides follow.
_FIRST_SLIDE_RID = 8


def _presentation_rels(xml: str, plan: DeckPlan) -> bytes:
    assert f'Id="rId{_FIRST_SLIDE_RID - 1}"' in xml and f'Id="rId{_FIRST_SLIDE_RID}"' not in xml
    rels = "".join(
        f'<Relationship Id="rId{_FIRST_SLIDE_RID + n - 1}" Type="{_RT}slide" '
        f'Target="slides/slide{n}.xml"/>'
        for n in range(1, len(plan.slides) + 1)
    )
    return xml.replace("</Relationships>", rels + "</Relationships>").encode("utf-8")


_XFRM = re.compile(
    r'(<p:ph type="(\w+)"[^>]*/>.*?<a:xfrm><a:off x=")(\d+)(" y=")(\d+)("/><a:ext cx=")(\d+)'
    r'(" cy=")(\d+)("/></a:xfrm>)'
)


def _fit_slide_image(xml: str, plan: DeckPlan) -> bytes:
    """The default notes master frames a 4:3 slide; give its slide image the deck's shape:
    as wide as the notes below it, or as tall as the room above them allows."""
    found = {m.group(2): m for m in _XFRM.finditer(xml)}
    image, body = found.get("sldImg"), found.get("body")
    if image is None or body is None:
        return xml.encode("utf-8")
    room = int(body.group(5)) - int(image.group(5))
    width = int(body.group(7))
    height = round(width * plan.height / plan.width)
    if height > room:
        width, height = round(room * plan.width / plan.height), room
    x = int(body.group(3)) + (int(body.group(7)) - width) // 2
    g = image.group
    fitted = f"{g(1)}{x}{g(4)}{g(5)}{g(6)}{width}{g(8)}{height}{g(10)}"
    return (xml[: image.start()] + fitted + xml[image.end() :]).encode("utf-8")


def _content_types(defaults: dict[str, str], overrides: dict[str, str]) -> bytes:
    parts = [
        _DECLARATION,
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">',
    ]
    parts += (
        f'<Default Extension="{_attr(e)}" ContentType="{_attr(t)}"/>'
        for e, t in sorted(defaults.items())
    )
    parts += (
        f'<Override PartName="{_attr(n)}" ContentType="{_attr(t)}"/>'
        for n, t in sorted(overrides.items())
    )
    parts.append("</Types>")
    return "".join(parts).encode("utf-8")


def _core_properties(plan: DeckPlan, date: _dt.datetime) -> bytes:
    stamp = date.astimezone(_dt.UTC).replace(tzinfo=None, microsecond=0)
    when = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")

    def text(value: str) -> str:
        return _text(_clean(value))

    return (
        f"{_DECLARATION}<cp:coreProperties "
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{text(plan.title)}</dc:title><dc:subject>{text(plan.subtitle)}</dc:subject>"
        f"<dc:creator>{text(plan.author)}</dc:creator><cp:keywords></cp:keywords>"
        "<dc:description></dc:description><cp:lastModifiedBy></cp:lastModifiedBy>"
        f'<cp:revision>1</cp:revision><dcterms:created xsi:type="dcterms:W3CDTF">{when}'
        f'</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">{when}'
        "</dcterms:modified><cp:category></cp:category>"
        f"<dc:language>{text(plan.language or '')}</dc:language></cp:coreProperties>"
    ).encode()


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
    """A zip with one fixed timestamp, written in the order parts are given, so the same
    plan always gives the same bytes."""

    def __init__(self, out: io.BytesIO, date: _dt.datetime) -> None:
        utc = date.astimezone(_dt.UTC)
        # Zip times are local-less and have a 2-second resolution.
        year = min(max(utc.year, 1980), 2107)
        self.stamp = (year, utc.month, utc.day, utc.hour, utc.minute, utc.second // 2 * 2)
        self.zip = zipfile.ZipFile(out, "w")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.zip.close()

    def write(self, name: str, blob: bytes) -> None:
        entry = zipfile.ZipInfo(name, date_time=self.stamp)
        entry.compress_type = zipfile.ZIP_DEFLATED
        entry.create_system = 0
        entry.external_attr = 0o644 << 16
        self.zip.writestr(entry, blob, compresslevel=6)


# --------------------------------------------------------------------------- relationships


class _Rels:
    """One part's relationships, numbered in the order they are made (as python-pptx
    numbers them); a hyperlink or image used twice shares one."""

    def __init__(self) -> None:
        self._out: list[str] = []
        self._known: dict[tuple[str, str], str] = {}

    def add(self, kind: str, target: str, external: bool = False) -> str:
        key = (kind, target)
        rid = self._known.get(key)
        if rid is None:
            rid = self._known[key] = f"rId{len(self._out) + 1}"
            mode = ' TargetMode="External"' if external else ""
            self._out.append(
                f'<Relationship Id="{rid}" Type="{_RT}{kind}" '
                f'Target="{_attr(_clean(target))}"{mode}/>'
            )
        return rid

    def link(self, url: str) -> str:
        return self.add("hyperlink", url, external=True)

    def xml(self) -> bytes:
        return (
            f"{_DECLARATION}<Relationships "
            'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{''.join(self._out)}</Relationships>"
        ).encode()


# --------------------------------------------------------------------------- pictures


@dataclass(frozen=True, slots=True)
class _Image:
    partname: str
    blob: bytes
    ext: str
    content_type: str
    #: Native size in EMU, from the pixel size and resolution (72 dpi when unknown).
    cx: int
    cy: int


class _Images:
    """Every picture file of the deck, read before any part is written (the content types
    name their formats); one part per distinct image, numbered in order of first use.
    A file that cannot be read or is no supported image is None: its alt text stands in."""

    def __init__(self, plan: DeckPlan) -> None:
        self.by_path: dict[str, _Image | None] = {}
        self.parts: list[_Image] = []
        self._first: dict[int, list[_Image]] = {}
        by_digest: dict[str, _Image] = {}
        for n, slide in enumerate(plan.slides, 1):
            for shape in slide.shapes:
                if not isinstance(shape, PictureShape) or shape.path in self.by_path:
                    continue
                found = _read_image(shape.path, len(self.parts) + 1)
                if found is not None:
                    digest = hashlib.sha1(found.blob).hexdigest()
                    known = by_digest.get(digest)
                    if known is None:
                        known = by_digest[digest] = found
                        self.parts.append(found)
                        self._first.setdefault(n, []).append(found)
                    found = known
                self.by_path[shape.path] = found

    def first_used_on(self, slide: int) -> list[_Image]:
        return self._first.get(slide, [])


def _read_image(path: str, number: int) -> _Image | None:
    try:
        from pptx.parts.image import Image

        image = Image.from_file(path)
        horz, vert = image.dpi
        width, height = image.size
        return _Image(
            f"ppt/media/image{number}.{image.ext}",
            image.blob,
            image.ext,
            image.content_type,
            int(EMU_PER_INCH * width / horz),
            int(EMU_PER_INCH * height / vert),
        )
    except Exception:  # noqa: BLE001 - any unreadable image file must not fail the deck
        return None


# --------------------------------------------------------------------------- slides


def _slide_xml(plan: Slide, rels: _Rels, images: _Images, lang: str | None) -> str:
    """The slide part's XML, written as text: the plan is fully decided."""
    shapes = _Shapes(rels, images, lang)
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

    def __init__(self, rels: _Rels, images: _Images, lang: str | None) -> None:
        self.rels = rels
        self.images = images
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

    def _txbody(self, tag: str, frame: TextFrame) -> str:
        """Body properties exactly as measured: insets, anchor, word wrap, no autofit."""
        inset = _emu(frame.inset)
        body = "".join(_paragraph(p, self.rels, self.lang) for p in frame.paras) or "<a:p/>"
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
                + ("".join(_paragraph(p, self.rels, self.lang) for p in cell.paras) or "<a:p/>")
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
        image = self.images.by_path.get(shape.path)
        if image is None:
            self.out.append(
                f'<p:sp><p:nvSpPr>{self._id("Picture (alt text)")}<p:cNvSpPr txBox="1"/>'
                f"<p:nvPr/></p:nvSpPr><p:spPr>{_xfrm(box)}</p:spPr><p:txBody>"
                '<a:bodyPr wrap="square" anchor="ctr"><a:noAutofit/></a:bodyPr><a:lstStyle/>'
                f'<a:p><a:pPr algn="ctr"/><a:r><a:rPr lang="{escape(self.lang or "en-US")}"/>'
                f"<a:t>{escape(_clean(shape.alt))}</a:t></a:r></a:p></p:txBody></p:sp>"
            )
            return
        rid = self.rels.add("image", f"../media/{image.partname.rsplit('/', 1)[1]}")
        cx, cy = image.cx, image.cy
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


def _paragraph(para: Para, rels: _Rels, lang: str | None) -> str:
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
        out.append(_run(run, rels, lang))
    last = para.runs[-1] if para.runs else None
    out.append(_run_properties("a:endParaRPr", last, para.size, lang))
    out.append("</a:p>")
    return "".join(out)


def _run(run: TextRun, rels: _Rels, lang: str | None) -> str:
    if run.field == "slidenum":
        return (
            f'<a:fld id="{_SLIDENUM_FIELD_ID}" type="slidenum">'
            f"{_run_properties('a:rPr', run, run.size, lang)}"
            f"<a:t>{escape(_clean(run.text))}</a:t></a:fld>"
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
            out.append(f"<a:r>{rpr}<a:t>{escape(_clean(piece))}</a:t></a:r>")
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
    attrs = f' lang="{escape(lang)}"' if lang else ""
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
    attrs = f' lang="{escape(lang)}"' if lang else ""
    attrs += f' sz="{round(size * 100)}"'
    attrs += f' b="{int(bold)}" i="{int(italic)}"'
    if strike:
        attrs += ' strike="sngStrike"'
    if code:
        attrs += ' noProof="1"'
    attrs += ' dirty="0"'
    font = quoteattr(_clean(font_name))
    return (
        f"<{tag}{attrs}>"
        f'<a:solidFill><a:srgbClr val="{_hex(colour)}"/></a:solidFill>'
        f"<a:latin typeface={font}/><a:ea typeface={font}/><a:cs typeface={font}/>"
        f"{inner}</{tag}>"
    )


# --------------------------------------------------------------------------- units


def _emu(points: float) -> int:
    return round(points * EMU_PER_PT)


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


# --------------------------------------------------------------------------- escaping
# xml.sax.saxutils would do, but it imports urllib and http.client (20 ms).


def escape(text: str) -> str:
    """Character data: ``&``, ``<`` and ``>`` escaped (saxutils.escape)."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


_ATTR = str.maketrans({"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def quoteattr(text: str) -> str:
    """An attribute value with its quotes, as saxutils.quoteattr writes it."""
    text = escape(text).translate(_ATTR)
    if '"' in text:
        if "'" in text:
            return '"{}"'.format(text.replace('"', "&quot;"))
        return f"'{text}'"
    return f'"{text}"'


def _attr(text: str) -> str:
    """An attribute value in double quotes, as lxml writes it."""
    return escape(text).replace('"', "&quot;").translate(_ATTR)


def _text(text: str) -> str:
    """Character data as lxml writes it."""
    return escape(text).replace("\r", "&#13;")
