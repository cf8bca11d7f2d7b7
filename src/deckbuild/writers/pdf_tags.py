"""Tagged PDF (PDF/UA-1) for the PDFs deckbuild draws with reportlab, which has no tagging.

The structure comes from the drawing itself, so no flowable has to say where it sits in
the tree:

- every piece of text goes through ``_pdf.draw_lines``, which draws it inside ``leaf``:
  marked content (``BDC``/``EMC``) with an MCID, tied to a new element whose role is the
  text style's (H1, H2, P, Code, TD, LBody…);
- everything else on a page (rules, boxes, writing lines, running headers and footers,
  page numbers) is an ``/Artifact``: each page's content is one artifact sequence that
  ``leaf`` closes and reopens around the text it tags;
- rows (``group("TR")``) and list items (``group("LI")``) are grouped when the tree is
  written: consecutive TR become a Table and consecutive LI an L;
- links and form fields become Link and Form elements that point at their annotation
  (``OBJR``), and the annotation points back (``/StructParent``); a link's annotation
  gets ``/Contents`` (its text), a field has its tooltip (``/TU``) from the writer.

``TaggedCanvas.save`` writes the tree as PDF objects (StructTreeRoot, ParentTree, one
StructElem per element), ``/MarkInfo``, ``/StructParents`` and ``/Tabs /S`` on every page,
and an XMP packet that claims PDF/UA-1. The private reportlab calls are in
``compat.reportlab_private``.
"""

from __future__ import annotations

import contextlib
import html
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas

from deckbuild.compat import reportlab_private

#: What text drawn in an artifact style is: no element, part of the page's artifact.
ARTIFACT = "Artifact"

#: Marked content on a page: (page index, MCID).
Marked = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Boundary:
    """A point in the drawing of a tree: top-level elements and annotations made so far."""

    kids: int
    annotations: int


@dataclass(eq=False, slots=True)
class Element:
    role: str
    #: Child elements, marked content, and annotations (their reportlab names).
    kids: list[Element | Marked | str] = field(default_factory=list)
    alt: str = ""


class Tags:
    """The structure tree of one PDF while it is drawn."""

    def __init__(self) -> None:
        self.root = Element("Document")
        self._open: list[Element] = [self.root]
        #: Per page, the element of each MCID (the ParentTree's arrays).
        self.pages: list[list[Element]] = []
        #: (annotation name, page index, element), in the order they were made.
        self.annotations: list[tuple[str, int, Element]] = []
        #: The page the marked content's page indices count from: 0, or the first page of a
        #: part copied from a larger document (``part``).
        self.offset = 0

    def mark(self) -> Boundary:
        """Where the tree stands: the start (or end) of a part of the document."""
        return Boundary(len(self.root.kids), len(self.annotations))

    def part(self, start: Boundary, end: Boundary, pages: range) -> Tags:
        """The tree of a document made of ``pages`` of this one, which hold the elements
        made between ``start`` and ``end`` at the top level (a lesson of the handout)."""
        tags = Tags()
        tags.root.kids = self.root.kids[start.kids : end.kids]
        tags.pages = self.pages[pages.start : pages.stop]
        tags.annotations = [
            (name, page - pages.start, element)
            for name, page, element in self.annotations[start.annotations : end.annotations]
        ]
        tags.offset = pages.start
        return tags

    def _add(self, role: str, alt: str = "") -> Element:
        element = Element(role, alt=alt)
        self._open[-1].kids.append(element)
        return element

    def _mark(self, page: int, element: Element) -> int:
        while len(self.pages) <= page:
            self.pages.append([])
        self.pages[page].append(element)
        element.kids.append((page, len(self.pages[page]) - 1))
        return len(self.pages[page]) - 1

    @contextlib.contextmanager
    def leaf(self, canv: Any, role: str, alt: str = "") -> Iterator[None]:
        """What is drawn inside is the content of a new ``role`` element."""
        if role == ARTIFACT:
            yield
            return
        element = self._add(role, alt)
        page = page_index(canv)
        with self.leaf_at(canv, (element, page, self._mark(page, element))):
            yield

    @contextlib.contextmanager
    def group(self, role: str) -> Iterator[None]:
        """Elements made inside are kids of a new ``role`` element (TR, LI)."""
        self._open.append(self._add(role))
        try:
            yield
        finally:
            self._open.pop()

    def open(self, role: str) -> None:
        """``group`` for a container whose first and last kids are drawn apart (the cells
        of a row, drawn by a reportlab table): ``close`` ends it."""
        self._open.append(self._add(role))

    def close(self) -> None:
        if len(self._open) > 1:
            self._open.pop()

    def reserve(self, canv: Any, role: str) -> tuple[Element, int, int]:
        """An element whose content is drawn later, into an earlier place of this page
        (``PageRef``); ``leaf_at`` draws it."""
        element = self._add(role)
        page = page_index(canv)
        return element, page, self._mark(page, element)

    @contextlib.contextmanager
    def leaf_at(self, canv: Any, reserved: tuple[Element, int, int]) -> Iterator[None]:
        """Draws the content of an element already in the tree, with its MCID."""
        element, _, mcid = reserved
        canv.addLiteral(f"EMC /{element.role} <</MCID {mcid}>> BDC")
        self._open.append(element)
        try:
            yield
        finally:
            self._open.pop()
            canv.addLiteral("EMC /Artifact BMC")

    def annotation(self, canv: Any, role: str, alt: str = "") -> None:
        """The annotation just made (a link or a form field) is a ``role`` element, within
        the element being drawn."""
        name = reportlab_private.last_annotation(canv)
        element = self._add(role, alt)
        element.kids.append(name)
        self.annotations.append((name, page_index(canv), element))


def page_index(canv: Any) -> int:
    return int(canv.getPageNumber()) - 1


def tags_of(canv: Any) -> Tags | None:
    """The canvas's tags; None for a canvas that does not tag (a measuring one)."""
    tags = getattr(canv, "_db_tags", None)
    return tags if isinstance(tags, Tags) else None


def leaf(canv: Any, role: str, alt: str = "") -> contextlib.AbstractContextManager[None]:
    tags = tags_of(canv)
    return tags.leaf(canv, role, alt) if tags is not None else contextlib.nullcontext()


def group(canv: Any, role: str) -> contextlib.AbstractContextManager[None]:
    tags = tags_of(canv)
    return tags.group(role) if tags is not None else contextlib.nullcontext()


def annotation(canv: Any, role: str, alt: str = "") -> None:
    tags = tags_of(canv)
    if tags is not None:
        tags.annotation(canv, role, alt)


class TaggedCanvas(Canvas):  # type: ignore[misc]
    """A canvas whose pages are tagged: see the module's docstring."""

    def __init__(self, *args: Any, title: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._db_tags = Tags()
        self._db_title = title

    def showPage(self) -> None:
        # Everything the page draws is an artifact unless a leaf says otherwise.
        reportlab_private.wrap_page_code(self, "/Artifact BMC", "EMC")
        super().showPage()

    def save(self) -> None:
        _write_tree(self, self._db_tags, self._db_title)
        super().save()


# --------------------------------------------------------------------------- the tree

#: Runs of these kids are wrapped in an element of the second role.
_RUNS = {"TR": "Table", "LI": "L"}


def _grouped(kids: list[Element | Marked | str], within: str = "") -> list[Element | Marked | str]:
    """``kids`` with runs wrapped; kids already in their wrapper are left as they are, as
    the elements of a lesson are written twice (in the handout and in the lesson file)."""
    out: list[Element | Marked | str] = []
    for kid in kids:
        if isinstance(kid, Element):
            kid.kids = _grouped(kid.kids, kid.role)
            wrapper = _RUNS.get(kid.role)
            if wrapper is not None and wrapper != within:
                last = out[-1] if out else None
                if isinstance(last, Element) and last.role == wrapper:
                    last.kids.append(kid)
                else:
                    out.append(Element(wrapper, [kid]))
                continue
        out.append(kid)
    return out


def _header_cells(element: Element) -> None:
    """The first row of a table has header cells (TH)."""
    for kid in element.kids:
        if isinstance(kid, Element):
            if kid.role == "Table":
                first = next((k for k in kid.kids if isinstance(k, Element)), None)
                if first is not None:
                    for cell in first.kids:
                        if isinstance(cell, Element) and cell.role == "TD":
                            cell.role = "TH"
            _header_cells(kid)


class _Raw(pdfdoc.PDFObject):  # type: ignore[misc]
    """A PDF object written as given: bytes, and objects (references, strings) that format
    themselves. reportlab's generic dictionaries cost more to format than everything
    else in a tagged lesson file, and a handout has an element per paragraph."""

    def __init__(self, *parts: Any) -> None:
        self.parts = list(parts)

    def format(self, document: Any) -> bytes:
        return b"".join(p if isinstance(p, bytes) else p.format(document) for p in self.parts)


def _write_tree(canv: Any, tags: Tags, title: str) -> None:
    doc = canv._doc
    tags.root.kids = _grouped(tags.root.kids)
    _header_cells(tags.root)
    pages = reportlab_private.page_count(canv)
    page_refs = [pdfdoc.PDFObjectReference(f"Page{n}") for n in range(1, pages + 1)]
    objects: dict[int, _Raw] = {}
    refs: dict[int, Any] = {}
    root = _Raw()
    root_ref = doc.Reference(root)

    def reference(element: Element) -> Any:
        key = id(element)
        if key not in refs:
            objects[key] = _Raw()
            refs[key] = doc.Reference(objects[key])
        return refs[key]

    annotated: dict[int, list[tuple[str, int]]] = {}
    for name, page, owner in tags.annotations:
        annotated.setdefault(id(owner), []).append((name, page))
    stack: list[tuple[Element, Any]] = [(tags.root, root_ref)]
    while stack:
        element, parent = stack.pop()
        ref = reference(element)
        parts: list[Any] = [b"<</Type/StructElem/S/", element.role.encode(), b"/P ", parent]
        kids: list[list[Any]] = []
        for kid in element.kids:
            if isinstance(kid, Element):
                kids.append([reference(kid)])
                stack.append((kid, ref))
            elif isinstance(kid, tuple):
                page, mcid = kid
                # A leaf's marked content is on one page.
                parts += [b"/Pg ", page_refs[page - tags.offset]]
                kids.append([b"%d" % mcid])
        for name, page in annotated.get(id(element), ()):
            obj = doc.refAnnotation(name)
            kids.append([b"<</Type/OBJR/Obj ", obj, b"/Pg ", page_refs[page], b">>"])
        # One kid is written bare, as most producers do (and as some checkers expect).
        parts.append(b"/K ")
        if len(kids) == 1:
            parts += kids[0]
        else:
            parts.append(b"[")
            for kid_parts in kids:
                parts += [*kid_parts, b" "]
            parts.append(b"]")
        if element.role == "TH":
            parts.append(b"/A<</O/Table/Scope/Column>>")
        if element.alt:
            parts += [b"/Alt ", pdfdoc.PDFString(element.alt)]
        parts.append(b">>")
        objects[id(element)].parts = parts

    nums: list[Any] = [b"<</Nums["]
    for n in range(pages):
        nums.append(b"%d [" % n)
        for element in tags.pages[n] if n < len(tags.pages) else []:
            nums += [reference(element), b" "]
        nums.append(b"] ")
        reportlab_private.set_page_entries(canv, n, StructParents=n, Tabs=pdfdoc.PDFName("S"))
    for key, (name, _, element) in enumerate(tags.annotations, pages):
        nums += [b"%d " % key, reference(element), b" "]
        reportlab_private.set_annotation_entries(canv, name, StructParent=key)
    nums.append(b"]>>")
    next_key = pages + len(tags.annotations)
    root.parts = [
        b"<</Type/StructTreeRoot/K ",
        reference(tags.root),
        b"/ParentTree ",
        doc.Reference(_Raw(*nums)),
        b"/ParentTreeNextKey %d>>" % next_key,
    ]
    canv.setCatalogEntry("StructTreeRoot", root_ref)
    canv.setCatalogEntry("MarkInfo", _Raw(b"<</Marked true>>"))
    canv.setCatalogEntry("Metadata", doc.Reference(_xmp(title)))


def _xmp(title: str) -> Any:
    """An XMP packet with the title and the PDF/UA-1 claim (``pdfuaid:part``)."""
    text = html.escape(title)
    packet = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{text}</rdf:li></rdf:Alt></dc:title>
<pdfuaid:part>1</pdfuaid:part>
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
    stream = pdfdoc.PDFStream(
        pdfdoc.PDFDictionary(
            {"Type": pdfdoc.PDFName("Metadata"), "Subtype": pdfdoc.PDFName("XML")}
        ),
        packet.encode("utf-8"),
    )
    stream.filters = []
    return stream
