"""reportlab internals deckbuild relies on, checked against reportlab 5.1.0 (and 4.x).

Importing this module installs the global patches, once:

- ``pdfdoc.PDFZCompress``: the FlateDecode filter, remembering the font programs it
  compressed last (a build writes many PDFs from the same fonts; compression of font
  programs is the largest cost of writing one).
- ``rl_config.useA85 = 0``: ASCII85 makes page streams a quarter larger and costs time;
  every reader takes binary streams.
- ``ttfonts.TTFont.addObjects``: a font's widths array formats itself from a cache.
- ``ttfonts.makeToUnicodeCMap``: reportlab writes a code point above U+FFFF into a font's
  ToUnicode map as five hex digits; the map needs UTF-16, or viewers cannot copy or search
  an emoji they draw.

and gives names to the private attributes the writers use.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from reportlab import rl_config
from reportlab.pdfbase import pdfdoc, pdfmetrics, ttfonts

#: Font programs compressed recently, kept for the next PDF of the build.
_SUBSETS_KEPT = 32


class _Flate(pdfdoc.PDFStreamFilterZCompress):  # type: ignore[misc]
    """reportlab's FlateDecode filter, remembering the font programs it compressed last.

    Font programs and their ToUnicode maps are the streams that arrive as bytes; page
    contents (text) differ from page to page and are compressed as they come.
    """

    @staticmethod
    @lru_cache(maxsize=4 * _SUBSETS_KEPT)
    def _compress(data: bytes) -> bytes:
        return zlib.compress(data)

    def encode(self, text: str | bytes) -> bytes:
        if isinstance(text, str):
            return zlib.compress(text.encode("utf8"))
        return self._compress(text)


_ASTRAL = re.compile(r"^(<[0-9A-F]{2}>) <([0-9A-F]{5,6})>$", re.MULTILINE)
_reportlab_to_unicode = ttfonts.makeToUnicodeCMap


def _utf16(m: re.Match[str]) -> str:
    cp = int(m.group(2), 16) - 0x10000
    return f"{m.group(1)} <{0xD800 + (cp >> 10):04X}{0xDC00 + (cp & 0x3FF):04X}>"


def _to_unicode_cmap(fontname: str, subset: Sequence[int]) -> bytes:
    return _cmap(fontname, tuple(subset))


# The lesson files repeat the handout's subsets, each needing the same map again. As bytes,
# the map is compressed once too (``_Flate`` remembers bytes, as it does font programs).
@lru_cache(maxsize=4 * _SUBSETS_KEPT)
def _cmap(fontname: str, subset: tuple[int, ...]) -> bytes:
    return _ASTRAL.sub(_utf16, _reportlab_to_unicode(fontname, list(subset))).encode("ascii")


class _Numbers(pdfdoc.PDFArray):  # type: ignore[misc]
    """A font's widths, formatted as reportlab does but once per distinct list: every PDF of
    a build embeds the same few subsets, and formatting their widths number by number was
    a tenth of writing a one-page PDF."""

    def format(self, document: Any, IND: bytes = b"\n ") -> bytes:
        return _numbers(tuple(self.sequence))


@lru_cache(maxsize=4 * _SUBSETS_KEPT)
def _numbers(sequence: tuple[float, ...]) -> bytes:
    # Numbers format without the document (reportlab's fp_str).
    return bytes(pdfdoc.PDFArray.format(pdfdoc.PDFArray(sequence), None))


_reportlab_add_objects = ttfonts.TTFont.addObjects


def _add_objects(self: Any, doc: Any) -> None:
    _reportlab_add_objects(self, doc)
    for font in doc.idToObject["BasicFonts"].dict.values():
        if type(getattr(font, "Widths", None)) is pdfdoc.PDFArray:
            font.Widths.__class__ = _Numbers


pdfdoc.PDFZCompress = _Flate()
rl_config.useA85 = 0
ttfonts.makeToUnicodeCMap = _to_unicode_cmap
ttfonts.TTFont.addObjects = _add_objects
# Entries of tagged PDF that reportlab's page and link objects do not write (None: absent).
pdfdoc.PDFPage.__NoDefault__ = [*pdfdoc.PDFPage.__NoDefault__, "StructParents", "Tabs"]
pdfdoc.LinkAnnotation.permitted = (*pdfdoc.LinkAnnotation.permitted, "StructParent")


def last_annotation(canvas: Any) -> str:
    """The name reportlab gave the annotation (link or field) the canvas made last."""
    return f"NUMBER{canvas._annotationCount}"


def set_annotation_entries(canvas: Any, name: str, **entries: Any) -> None:
    """Adds entries to the annotation ``name``: a PDFDictionary (fields, URL links) or a
    LinkAnnotation (links within the document), which keeps extra entries in
    ``otherkw``."""
    obj = canvas._doc.idToObject[canvas._doc.annotationName(name)]
    if isinstance(obj, pdfdoc.PDFDictionary):
        obj.dict.update(entries)
    else:
        obj.otherkw.update(entries)


def page_count(canvas: Any) -> int:
    """Pages the document holds so far."""
    return len(canvas._doc.Pages.pages)


def set_page_entries(canvas: Any, index: int, **entries: Any) -> None:
    page = canvas._doc.Pages.pages[index]
    for key, value in entries.items():
        setattr(page, key, value)


def wrap_page_code(canvas: Any, before: str, after: str) -> None:
    """Puts ``before`` first and ``after`` last in the current page's stream."""
    canvas._code.insert(0, before)
    canvas._code.append(after)


def link_count(canvas: Any) -> int:
    """``Canvas._annotationCount``: the number in the next unnamed link's name, which must
    not repeat within a document."""
    return int(canvas._annotationCount)


def set_link_count(canvas: Any, count: int) -> None:
    canvas._annotationCount = count


@dataclass(frozen=True, slots=True)
class StreamPlace:
    """A place in a page's content stream, with the transform in force there."""

    index: int
    matrix: tuple[float, ...]


def stream_place(canvas: Any) -> StreamPlace:
    """Where the canvas is now: ``Canvas._code`` (the page's operators so far) and
    ``Canvas._currentMatrix`` (which ``linkRect(relative=1)`` reads)."""
    return StreamPlace(len(canvas._code), tuple(canvas._currentMatrix))


@contextmanager
def drawing_at(canvas: Any, place: StreamPlace) -> Iterator[None]:
    """Whatever is drawn inside goes to ``place`` in the current page's stream, as if drawn
    there: with that transform, and between q and Q so it changes no state after it."""
    start = len(canvas._code)
    matrix = canvas._currentMatrix
    canvas._currentMatrix = place.matrix
    try:
        yield
    finally:
        canvas._currentMatrix = matrix
        ops = canvas._code[start:]
        del canvas._code[start:]
        canvas._code[place.index : place.index] = ["q", *ops, "Q"]


def text_out(text_object: Any, text: str) -> None:
    """``PDFTextObject._textOut``: draws text without measuring it again (``textOut``
    measures each run only to move a cursor that the next line's origin replaces)."""
    text_object._textOut(text)


def kept_together(flowable: Any) -> list[Any] | None:
    """The flowables inside a ``KeepTogether`` (``_content``), None for any other."""
    inner = getattr(flowable, "_content", None)
    return inner if isinstance(inner, list) else None


def row_heights(table: Any) -> list[float]:
    """``Table._rowHeights``: the row heights of a table after ``wrap``."""
    return list(table._rowHeights)


# --------------------------------------------------------------------------- page copies
# A lesson file is made of the whole handout's pages: the pages' operators are reused as
# they are, which needs the same fonts under the same names with the same subsets, and the
# page's pictures and links in the new document.


def make_canvas(doc_template: Any, canvasmaker: Any) -> Any:
    """``BaseDocTemplate._makeCanvas``: a canvas with the template's page size, metadata,
    language and viewer preferences, for a document drawn without platypus."""
    return doc_template._makeCanvas(canvasmaker=canvasmaker)


def share_fonts(source: Any, canvas: Any) -> None:
    """Gives ``canvas``'s document the fonts of ``source``'s, with the same internal names
    and a copy of each TrueType font's subsets, so text encoded for one is right in the
    other. Characters the new document adds go into its own copy."""
    src, dst = source._doc, canvas._doc
    for name in src.fontMapping:
        font = pdfmetrics.getFont(name)
        state = getattr(font, "state", {}).get(src)
        if state is not None:
            copy = ttfonts.TTFont.State.__new__(ttfonts.TTFont.State)
            copy.__dict__.update(state.__dict__)
            copy.assignments = dict(state.assignments)
            copy.subsets = [list(s) for s in state.subsets]
            copy.frozen = 0
            font.state[dst] = copy
    dst.fontMapping = dict(src.fontMapping)
    dst.delayedFonts = list(src.delayedFonts)


@dataclass(frozen=True, slots=True)
class PageCopy:
    """A finished page's operators (before anything drawn on it at save) and resources."""

    code: tuple[str, ...]
    forms: tuple[str, ...]
    annotations: tuple[Any, ...]
    colours: dict[str, Any]
    images: bool


def page_copy(canvas: Any) -> PageCopy:
    """The current page of ``canvas`` as it stands."""
    return PageCopy(
        tuple(canvas._code),
        tuple(canvas._formsinuse),
        tuple(canvas._annotationrefs),
        dict(canvas._colorsUsed),
        bool(canvas._currentPageHasImages),
    )


def copyable(source: Any, page: PageCopy) -> bool:
    """Whether ``restore_page`` can copy the page: its links go to addresses (a link within
    the document points at a destination the copy may not have)."""
    objects = source._doc.idToObject
    return all(isinstance(objects[a.name], pdfdoc.PDFDictionary) for a in page.annotations)


def restore_page(canvas: Any, source: Any, page: PageCopy) -> None:
    """Makes the current page of ``canvas`` the ``page`` of ``source``'s document: its
    operators, and its pictures and link annotations copied into ``canvas``'s document."""
    src, dst = source._doc, canvas._doc
    canvas._code = list(page.code)
    canvas._formsinuse = list(page.forms)
    canvas._colorsUsed = dict(page.colours)
    canvas._currentPageHasImages = int(page.images)
    for form in page.forms:
        internal = pdfdoc.xObjectName(form)
        if internal not in dst.idToObject:
            dst.Reference(src.idToObject[internal], internal)
    for ref in page.annotations:
        # A copy: each document gives the link its own /StructParent.
        dst.Reference(pdfdoc.PDFDictionary(dict(src.idToObject[ref.name].dict)), ref.name)
    canvas._annotationrefs = list(page.annotations)
    canvas._annotationCount = max(canvas._annotationCount, source._annotationCount)


#: A TrueType subset shown in a content stream: ``/F3+0 10 Tf``.
_SHOWN_FONT = re.compile(r"/(F\d+)\+\d+ ")


def drop_unshown_fonts(canvas: Any) -> None:
    """Leaves out of the document the TrueType fonts that none of its pages shows: a part
    has every font of its whole document (``share_fonts``), and most lessons use few."""
    doc = canvas._doc
    shown: set[str] = set()
    for page in doc.Pages.pages:
        shown.update(_SHOWN_FONT.findall(page.stream))
    doc.delayedFonts = [
        font
        for font in doc.delayedFonts
        if (state := getattr(font, "state", {}).get(doc)) is None or state.internalName in shown
    ]
