"""The handout's pages: the document template, the canvas that holds every page until it
knows how many there are, and the header and footer drawn on each ("page N of M").

``render`` sets a story on these pages and returns the PDF. Determinism: ``invariant=1``
fixes reportlab's ids and font subset names, the document dates come from the ``date``
argument, and nothing reads the clock.
"""

from __future__ import annotations

import datetime as _dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from reportlab.platypus import Flowable
from reportlab.platypus.doctemplate import BaseDocTemplate, PageTemplate
from reportlab.platypus.frames import Frame

from deckbuild.compat import reportlab_private
from deckbuild.layout.handout import Metadata
from deckbuild.services.spans import Span
from deckbuild.writers import _pdf
from deckbuild.writers._pdf import colour
from deckbuild.writers.pdf_handout_flowables import Anchor
from deckbuild.writers.pdf_handout_typography import Typography
from deckbuild.writers.pdf_tags import Boundary, TaggedCanvas


@dataclass(frozen=True, slots=True)
class _PageFurniture:
    """What the deferred pass draws on each finished page."""

    typography: Typography
    header: str
    date: _dt.datetime

    def date_text(self, *_: int) -> str:
        return _pdf.pdf_date(self.date)

    def draw(self, canv: Any, page: int, total: int) -> None:
        typography = self.typography
        w, h = typography.page
        m = typography.margin
        cover = getattr(canv, "_db_cover", False)
        running = typography.styles["running"]
        right = typography.styles["runningright"]
        # One line of the running style, its box's bottom at y: the baseline is above it.
        above = running.leading - running.size
        canv.saveState()
        if not cover:
            half = (w - 2 * m) / 2
            # One line each: a long title is shortened rather than wrapped into the margin.
            left_text = typography.one_line(self.header, half - 8, "running")
            right_text = typography.one_line(getattr(canv, "_db_running", ""), half - 8, "running")
            top = h - m * 0.55
            _pdf.draw_lines(canv, [(Span(left_text),)], running, m, top + above)
            _pdf.draw_lines(canv, [(Span(right_text),)], right, m + half, top + above, half - 4)
            canv.setStrokeColor(colour(typography.theme.colours.rule))
            canv.setLineWidth(0.5)
            canv.line(m, top - 3, w - m, top - 3)
        footer = (Span(f"Page {page} of {total}"),)
        _pdf.draw_lines(canv, [footer], right, m, m * 0.45 + above, w - 2 * m)
        canv.restoreState()


@dataclass(frozen=True, slots=True)
class Part:
    """A document made of some of the whole handout's pages (a lesson file): those from
    the page where the ``Anchor`` named ``key`` lands to the page before the next anchor's.
    """

    key: str
    path: str
    title: str


@dataclass(frozen=True, slots=True)
class _Mark:
    """Where an ``Anchor`` landed: its page and height, and the tree at that point."""

    key: str
    title: str
    page: int
    top: float
    tree: Boundary


class _PagedCanvas(TaggedCanvas):
    """Keeps each page until the document ends, so the footer can say "of M" and the
    contents can give the page each lesson landed on (``PageRef``).

    Pages are handed to the PDF document only in ``save``; meanwhile its page counter is
    advanced by hand, because bookmarks and link targets name their page by that counter.
    With ``parts``, each finished page's operators are kept too, and ``save`` also makes a
    document of each part from the same pages (``parts_made``).
    """

    def __init__(
        self,
        *args: Any,
        furniture: _PageFurniture,
        parts: Sequence[Part] = (),
        template: Callable[[str], BaseDocTemplate] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._db_decor = furniture
        self._db_pages: list[dict[str, Any]] = []
        self._db_parts = parts
        self._db_template = template
        #: Whether this is a part, whose fonts are its whole document's.
        self._db_part_of = False
        self._db_marks: list[_Mark] = []
        self.parts_made: dict[str, bytes] = {}
        self.setDateFormatter(furniture.date_text)

    def mark(self, key: str, title: str) -> None:
        """An anchor is drawn here: a bookmark (outline entry) that a part copies too."""
        self.bookmarkHorizontal(key, 0, 0)
        self.addOutlineEntry(title, key, level=0)
        page, top = len(self._db_pages), self.absolutePosition(0, 0)[1]
        self._db_marks.append(_Mark(key, title, page, top, self._db_tags.mark()))

    def showPage(self) -> None:
        state = dict(self.__dict__)
        if self._db_parts:
            state["_db_copy"] = reportlab_private.page_copy(self)
        self._db_pages.append(state)
        self._doc.pageCounter += 1
        self._startPage()

    def save(self) -> None:
        total = len(self._db_pages)
        # Where the pages' own drawing ended: what is drawn from here on is no part's.
        self._db_marks.append(_Mark("", "", total, 0.0, self._db_tags.mark()))
        self._doc.pageCounter = 1
        anchors: dict[str, int] = self.__dict__.pop("_db_anchors", {})
        refs: dict[int, list[tuple[Any, Any, Any]]] = {}
        for page, ref, place, reserved in self.__dict__.pop("_db_refs", []):
            refs.setdefault(page, []).append((ref, place, reserved))
        # Links drawn now are numbered after every link the pages already hold.
        links = reportlab_private.link_count(self)
        for n, state in enumerate(self._db_pages, 1):
            self.__dict__.update(state)
            self._db_decor.draw(self, n, total)
            reportlab_private.set_link_count(self, links)
            for ref, place, reserved in reversed(refs.get(n - 1, [])):  # later places first
                if ref.key in anchors:
                    with reportlab_private.drawing_at(self, place):
                        ref.draw_number(self, anchors[ref.key], reserved)
            links = reportlab_private.link_count(self)
            super().showPage()
        # Before this document's tree is written, which groups the elements they share.
        at = {mark.key: n for n, mark in enumerate(self._db_marks)}
        self.parts_made = {part.path: self._part(part, at[part.key]) for part in self._db_parts}
        if self._db_part_of:
            reportlab_private.drop_unshown_fonts(self)
        # Page labels, so a viewer's page box shows the printed number.
        self.addPageLabel(0, "D", 1)
        super().save()

    def _part(self, part: Part, at: int) -> bytes:
        """The document of ``part``: this document's pages, their operators as they are,
        with the furniture drawn again ("page N of M" counts the part's pages)."""
        assert self._db_template is not None
        start, end = self._db_marks[at], self._db_marks[at + 1]  # the last is the end
        pages = range(start.page, end.page)
        doc = self._db_template(part.title)
        maker = partial(_PagedCanvas, furniture=self._db_decor, title=part.title)
        canv = reportlab_private.make_canvas(doc, maker)
        reportlab_private.share_fonts(self, canv)
        canv._db_part_of = True
        canv._db_tags = self._db_tags.part(start.tree, end.tree, pages)
        for index in pages:
            state = self._db_pages[index]
            reportlab_private.restore_page(canv, self, state["_db_copy"])
            canv._db_cover, canv._db_running = False, state["_db_running"]
            if index == start.page:  # the part's one anchor
                canv.bookmarkPage(start.key, fit="FitH", top=start.top)
                canv.addOutlineEntry(start.title, start.key, level=0)
            canv.showPage()
        canv.save()
        return bytes(doc.filename.getvalue())


class _Doc(BaseDocTemplate):  # type: ignore[misc]
    def __init__(
        self, buf: io.BytesIO, typography: Typography, meta: Metadata, title: str, cover: bool
    ) -> None:
        m = typography.margin
        super().__init__(
            buf,
            pagesize=typography.page,
            leftMargin=m,
            rightMargin=m,
            topMargin=m,
            bottomMargin=m,
            title=title,
            author=meta.author,
            subject=meta.subject,
            creator="deckbuild",
            lang=meta.language,
            invariant=1,
            displayDocTitle=1,
            # Otherwise the canvas starts in Helvetica, a font that is not embedded.
            initialFontName=typography.body.name(),
            initialFontSize=typography.size,
        )
        frame = Frame(
            m, m, typography.page[0] - 2 * m, typography.page[1] - 2 * m, 0, 0, 0, 0, id="body"
        )
        body = PageTemplate("body", [frame], onPageEnd=partial(self._page_end, cover=False))
        if cover:
            first = PageTemplate("cover", [frame], onPageEnd=partial(self._page_end, cover=True))
            self.addPageTemplates([first, body])
        else:
            self.addPageTemplates([body])
        self._running = ""

    def _page_end(self, canv: Any, doc: Any, cover: bool) -> None:
        canv._db_cover = cover
        canv._db_running = self._running

    def beforeDocument(self) -> None:
        self._running = ""

    def afterFlowable(self, flowable: Flowable) -> None:
        if isinstance(flowable, Anchor):
            self._running = flowable.running


def render(
    story: list[Flowable],
    typography: Typography,
    meta: Metadata,
    title: str,
    header: str,
    date: _dt.datetime,
    cover: bool,
    parts: Sequence[Part] = (),
) -> tuple[bytes, dict[str, bytes]]:
    """The PDF of ``story``, set in one pass, and the PDF of each of ``parts`` (by path),
    made of the same pages."""
    buf = io.BytesIO()
    doc = _Doc(buf, typography, meta, title, cover)
    furniture = _PageFurniture(typography, header, date)
    made: list[_PagedCanvas] = []

    def template(part_title: str) -> BaseDocTemplate:
        return _Doc(io.BytesIO(), typography, meta, part_title, False)

    def maker(*args: Any, **kwargs: Any) -> _PagedCanvas:
        canv = _PagedCanvas(
            *args, furniture=furniture, title=title, parts=parts, template=template, **kwargs
        )
        made.append(canv)
        return canv

    doc.build(story, canvasmaker=maker)
    return buf.getvalue(), made[-1].parts_made
