"""The .pptx package around the slides: the shipped template and the parts each deck
rewrites in it (content types, document properties, the presentation part and its
relationships, the notes master), relationships, and the fixed-stamp zip they go into.

The parts every deck shares are python-pptx's default template exactly as python-pptx
writes it, shipped as ``pptx_template.zip``; ``template_package()`` makes that file with
python-pptx and a test checks that it still matches.
"""

from __future__ import annotations

import datetime as _dt
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Self

from deckbuild.compat import pptx_private
from deckbuild.layout.deck_plan import DeckPlan
from deckbuild.writers.pptx_xml import (
    DECLARATION,
    clean,
    emu,
    lxml_attribute,
    lxml_text,
    nsdecls,
)

TEMPLATE = Path(__file__).with_name("pptx_template.zip")
#: The notes-slide skeleton inside the template (not a part of the package).
_NOTES_SKELETON = "deckbuild/notesSlide.xml"
_NOTES_MARK = "<a:p><a:r><a:t>deckbuild-notes</a:t></a:r></a:p>"

_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_CT = "application/vnd.openxmlformats-officedocument.presentationml."
_CT_SLIDE = _CT + "slide+xml"
_CT_NOTES = _CT + "notesSlide+xml"


@dataclass(frozen=True, slots=True)
class Template:
    """``pptx_template.zip``, read once and taken apart where the deck's parts go in."""

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
def shipped_template() -> Template:
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
    return Template(
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
    with FixedZip(buf, _dt.datetime(1980, 1, 1, tzinfo=_dt.UTC)) as archive:
        for name, blob in (*members, (_NOTES_SKELETON, skeleton)):
            archive.write(name, blob)
    return buf.getvalue()


def generated_parts(
    template: Template,
    plan: DeckPlan,
    date: _dt.datetime,
    images: Sequence[ImagePart],
    notes: int,
) -> dict[str, bytes]:
    """The template's members that each deck rewrites, by member name: they list the deck's
    slides, notes slides and picture formats, or describe the deck."""
    overrides = dict(template.overrides)
    for n in range(1, len(plan.slides) + 1):
        overrides[f"/ppt/slides/slide{n}.xml"] = _CT_SLIDE
    for k in range(1, notes + 1):
        overrides[f"/ppt/notesSlides/notesSlide{k}.xml"] = _CT_NOTES
    defaults = dict(template.defaults)
    defaults.update((i.ext, i.content_type) for i in images)
    return {
        "[Content_Types].xml": _content_types(defaults, overrides),
        "docProps/core.xml": _core_properties(plan, date),
        "docProps/app.xml": _app_properties(plan, notes),
        "ppt/presentation.xml": _presentation(template.presentation, plan),
        "ppt/_rels/presentation.xml.rels": _presentation_rels(template.presentation_rels, plan),
        "ppt/notesMasters/notesMaster1.xml": _fit_slide_image(template.notes_master, plan),
    }


def _presentation(xml: str, plan: DeckPlan) -> bytes:
    """The slide list and the slide size; the default template says ``type="screen4x3"``,
    which a widescreen deck must not."""
    size = f'<p:sldSz cx="{emu(plan.width)}" cy="{emu(plan.height)}"'
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
        DECLARATION,
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">',
    ]
    parts += (
        f'<Default Extension="{lxml_attribute(clean(e))}" ContentType="{lxml_attribute(clean(t))}"/>'
        for e, t in sorted(defaults.items())
    )
    parts += (
        f'<Override PartName="{lxml_attribute(clean(n))}" ContentType="{lxml_attribute(clean(t))}"/>'
        for n, t in sorted(overrides.items())
    )
    parts.append("</Types>")
    return "".join(parts).encode("utf-8")


def _core_properties(plan: DeckPlan, date: _dt.datetime) -> bytes:
    stamp = date.astimezone(_dt.UTC).replace(tzinfo=None, microsecond=0)
    when = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")

    def text(value: str) -> str:
        return lxml_text(clean(value))

    return (
        f"{DECLARATION}<cp:coreProperties "
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


class FixedZip:
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


class Relationships:
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
                f'Target="{lxml_attribute(clean(target))}"{mode}/>'
            )
        return rid

    def link(self, url: str) -> str:
        return self.add("hyperlink", url, external=True)

    def xml(self) -> bytes:
        return (
            f"{DECLARATION}<Relationships "
            'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{''.join(self._out)}</Relationships>"
        ).encode()


# --------------------------------------------------------------------------- pictures


@dataclass(frozen=True, slots=True)
class ImagePart:
    """A picture file as a media part of the package."""

    partname: str
    blob: bytes
    ext: str
    content_type: str
    #: Native size in EMU, from the pixel size and resolution (72 dpi when unknown).
    cx: int
    cy: int
