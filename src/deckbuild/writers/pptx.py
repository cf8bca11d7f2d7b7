"""DeckPlan -> .pptx bytes: the package assembled part by part, straight into the zip.
The only writer module that imports python-pptx, and only to read a picture's format and
size.

Importing python-pptx and building its part graph cost more than laying out the deck, so
the package is written here as text. The parts every deck shares come from python-pptx's
default template (``pptx_package``); each slide's XML is written by ``pptx_slides``.
Beyond python-pptx's defaults the package:

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

from deckbuild.layout.deck_plan import DeckPlan, PictureShape
from deckbuild.theme import Theme
from deckbuild.writers.pptx_package import (
    TEMPLATE,
    FixedZip,
    ImagePart,
    Relationships,
    Template,
    generated_parts,
    shipped_template,
    template_package,
)
from deckbuild.writers.pptx_slides import paragraph, slide_xml
from deckbuild.writers.pptx_xml import nsdecls

__all__ = ["TEMPLATE", "nsdecls", "template_package", "write_pptx"]

EMU_PER_INCH = 914400


def write_pptx(plan: DeckPlan, theme: Theme, date: _dt.datetime) -> bytes:
    """Serialise ``plan``; ``theme`` is already resolved into the plan, ``date`` stamps it."""
    del theme
    tpl = shipped_template()
    images = _Images(plan)
    notes = sum(bool(s.notes) for s in plan.slides)
    generated = generated_parts(tpl, plan, date, images.parts, notes)
    buf = io.BytesIO()
    with FixedZip(buf, date) as archive:
        for name, blob in tpl.members:
            archive.write(name, generated.get(name, blob))
            if name == tpl.last_of_presentation:
                _write_slides(archive, plan, tpl, images)
    return buf.getvalue()


def _write_slides(archive: FixedZip, plan: DeckPlan, tpl: Template, images: _Images) -> None:
    """Each slide, its new pictures and its notes, in python-pptx's order (depth first
    through the relationships); each part is compressed as soon as it is written."""
    notes = 0
    for n, slide in enumerate(plan.slides, 1):
        rels = Relationships()
        rels.add("slideLayout", f"../slideLayouts/{tpl.title_only}")
        xml = slide_xml(slide, rels, images.by_path, plan.language)
        name = f"ppt/slides/slide{n}.xml"
        if slide.notes:
            notes += 1
            rels.add("notesSlide", f"../notesSlides/notesSlide{notes}.xml")
        archive.write(name, xml.encode("utf-8"))
        archive.write(f"ppt/slides/_rels/slide{n}.xml.rels", rels.xml())
        for image in images.first_used_on(n):
            archive.write(image.partname, image.blob)
        if slide.notes:
            notes_rels = Relationships()
            notes_rels.add("notesMaster", "../notesMasters/notesMaster1.xml")
            notes_rels.add("slide", f"../slides/slide{n}.xml")
            body = "".join(paragraph(p, notes_rels, plan.language) for p in slide.notes)
            head, tail = tpl.notes
            archive.write(
                f"ppt/notesSlides/notesSlide{notes}.xml",
                (head + (body or "<a:p/>") + tail).encode("utf-8"),
            )
            archive.write(f"ppt/notesSlides/_rels/notesSlide{notes}.xml.rels", notes_rels.xml())


# --------------------------------------------------------------------------- pictures


class _Images:
    """Every picture file of the deck, read before any part is written (the content types
    name their formats); one part per distinct image, numbered in order of first use.
    A file that cannot be read or is no supported image is None: its alt text stands in."""

    def __init__(self, plan: DeckPlan) -> None:
        self.by_path: dict[str, ImagePart | None] = {}
        self.parts: list[ImagePart] = []
        self._first: dict[int, list[ImagePart]] = {}
        by_digest: dict[str, ImagePart] = {}
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

    def first_used_on(self, slide: int) -> list[ImagePart]:
        return self._first.get(slide, [])


def _read_image(path: str, number: int) -> ImagePart | None:
    try:
        from pptx.parts.image import Image

        image = Image.from_file(path)
        horz, vert = image.dpi
        width, height = image.size
        return ImagePart(
            f"ppt/media/image{number}.{image.ext}",
            image.blob,
            image.ext,
            image.content_type,
            int(EMU_PER_INCH * width / horz),
            int(EMU_PER_INCH * height / vert),
        )
    except Exception:  # noqa: BLE001 - any unreadable image file must not fail the deck
        return None
