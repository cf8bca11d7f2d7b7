"""HandoutPlan -> handouts.pdf and handouts/<lesson>.pdf, with reportlab platypus.

The plan fixes content and order; this module only sets it in type and lets platypus break
pages. Two things need a second look at the finished pages, and both are done without
reflowing anything: the contents' page numbers (``multiBuild`` runs until they are stable)
and "page N of M" (the canvas keeps every page until it knows M, then draws the header and
footer on each).

Determinism: ``invariant=1`` fixes reportlab's ids and font subset names, the document
dates come from the ``date`` argument, and nothing reads the clock.
"""

from __future__ import annotations

import datetime as _dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, assert_never

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Indenter,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.doctemplate import (
    BaseDocTemplate,
    IndexingFlowable,
    NextPageTemplate,
    PageTemplate,
)
from reportlab.platypus.frames import Frame

from deckbuild.layout import measure
from deckbuild.layout.handout import (
    Code,
    CodeSection,
    Concepts,
    ContentsRow,
    Cover,
    Flow,
    Grid,
    HandoutPlan,
    Item,
    LessonPlan,
    Metadata,
    Notes,
    Questions,
    ResourcesPage,
    SubHeading,
    Summary,
    Text,
)
from deckbuild.layout.plan import Line, Span, Style
from deckbuild.theme import Theme
from deckbuild.writers import _pdf

#: Inline code up to this length never breaks at its spaces (a call like ``Repo.get(User, id)``
#: reads as one token); longer snippets may break between their words, never inside one.
_NOBREAK_CODE = 40

#: How much of a following block must fit under a heading for the heading to stay on the
#: page, in body lines; longer blocks continue on the next page.
_MIN_FOLLOW_LINES = 3
_MIN_CODE_LINES = 5


def write_handouts(plan: HandoutPlan, theme: Theme, date: _dt.datetime) -> dict[str, bytes]:
    """``handouts.pdf`` and one ``handouts/<key>.pdf`` per lesson.

    Each lesson's flowables are made once and set twice: alone, then in the whole handout.
    Both use the same frame and every lesson starts a page, so a lesson takes as many pages
    in the handout as in its own file; those counts predict the contents' page numbers and
    the handout is usually right in one pass (``multiBuild`` still checks, and corrects).
    """
    kit = _Kit.make(theme)
    files: dict[str, bytes] = {}
    stories: list[list[Flowable]] = []
    predicted: dict[str, int] = {}
    page = 2  # after a one-page cover
    for lesson in plan.lessons:
        story = _lesson(lesson, kit)
        title = f"{plan.meta.title}: {lesson.heading}"
        data, pages = _render(story, kit, plan.meta, title, plan.header, date, cover=False)
        files[f"handouts/{lesson.key}.pdf"] = data
        stories.append(story)
        predicted[lesson.key] = page
        page += pages
    if plan.resources is not None:
        predicted[plan.resources.key] = page
    files["handouts.pdf"] = _build_full(plan, stories, predicted, kit, date)
    return files


# --------------------------------------------------------------------------- styles


@dataclass(frozen=True, slots=True)
class _Kit:
    """Theme-derived faces, styles and measures, made once per build."""

    theme: Theme
    heading: _pdf.Face
    body: _pdf.Face
    code: _pdf.Face
    page: tuple[float, float]
    margin: float
    width: float
    frame_height: float
    styles: dict[str, ParagraphStyle]
    colour: Callable[[str], Any]

    @staticmethod
    def make(theme: Theme) -> _Kit:
        heading, body, code = _pdf.faces(theme)
        page = _pdf.page_size(theme)
        margin = _pdf.margin(theme)
        c = theme.colours
        size = theme.sizes.pdf_body

        def colour(hex_: str) -> Any:
            return colors.HexColor(hex_)

        base = ParagraphStyle(
            "body",
            fontName=body.family,
            fontSize=size,
            leading=size * 1.4,
            textColor=colour(c.text),
            spaceAfter=size * 0.5,
            allowWidows=0,
            allowOrphans=0,
            # Break long URLs after a slash rather than mid-word.
            uriWasteReduce=0.3,
            embeddedHyphenation=1,
            splitLongWords=1,
        )

        def derive(name: str, **kw: Any) -> ParagraphStyle:
            return ParagraphStyle(name, parent=base, **kw)

        h = heading.family
        styles = {
            "body": base,
            "kicker": derive(
                "kicker", fontName=h, fontSize=size, leading=size * 1.3, textColor=colour(c.muted)
            ),
            "title": derive(
                "title",
                fontName=h,
                fontSize=size * 2.6,
                leading=size * 3.0,
                textColor=colour(c.accent),
                spaceAfter=size * 0.4,
            ),
            "subtitle": derive(
                "subtitle",
                fontName=h,
                fontSize=size * 1.35,
                leading=size * 1.7,
                textColor=colour(c.text),
                spaceAfter=size * 0.6,
            ),
            "byline": derive("byline", textColor=colour(c.muted), spaceAfter=size * 1.2),
            "h1": derive(
                "h1",
                fontName=h,
                fontSize=size * 1.9,
                leading=size * 2.3,
                textColor=colour(c.accent),
                spaceAfter=size * 0.2,
            ),
            "lessonmeta": derive("lessonmeta", textColor=colour(c.muted), spaceAfter=size * 1.0),
            "h2": derive(
                "h2",
                fontName=h,
                fontSize=size * 1.25,
                leading=size * 1.6,
                textColor=colour(c.accent),
                spaceBefore=size * 1.1,
                spaceAfter=size * 0.45,
            ),
            "h3": derive(
                "h3",
                fontName=h,
                fontSize=size * 1.05,
                leading=size * 1.4,
                spaceBefore=size * 0.6,
                spaceAfter=size * 0.3,
            ),
            "caption": derive(
                "caption",
                fontSize=size * 0.9,
                leading=size * 1.25,
                textColor=colour(c.text),
                spaceBefore=size * 0.5,
                spaceAfter=size * 0.3,
            ),
            "summary": derive("summary", fontSize=size * 1.1, leading=size * 1.5, spaceAfter=0),
            "label": derive(
                "label",
                fontName=h,
                fontSize=size * 0.85,
                leading=size * 1.2,
                textColor=colour(c.accent),
                spaceAfter=size * 0.3,
            ),
            "term": derive("term", spaceAfter=0),
            "explanation": derive("explanation", spaceAfter=0),
            "question": derive("question", leftIndent=size * 1.8, firstLineIndent=0, spaceAfter=0),
            "cell": derive("cell", fontSize=size * 0.9, leading=size * 1.25, spaceAfter=0),
            "cellright": derive(
                "cellright",
                fontSize=size * 0.9,
                leading=size * 1.25,
                spaceAfter=0,
                alignment=TA_RIGHT,
            ),
            "cellmuted": derive(
                "cellmuted",
                fontSize=size * 0.9,
                leading=size * 1.25,
                spaceAfter=0,
                textColor=colour(c.muted),
            ),
            "running": derive(
                "running",
                fontSize=size * 0.8,
                leading=size,
                textColor=colour(c.muted),
                spaceAfter=0,
            ),
            "runningright": derive(
                "runningright",
                fontSize=size * 0.8,
                leading=size,
                textColor=colour(c.muted),
                spaceAfter=0,
                alignment=TA_RIGHT,
            ),
        }
        width = page[0] - 2 * margin
        return _Kit(
            theme,
            heading,
            body,
            code,
            page,
            margin,
            width,
            page[1] - 2 * margin,
            styles,
            colour,
        )

    @property
    def size(self) -> float:
        return self.theme.sizes.pdf_body

    @property
    def line_gap(self) -> float:
        """Spacing of ruled writing lines: about 7 mm, a comfortable handwriting height."""
        return self.size * 1.95

    def para(self, spans: Line, style: str, face: str = "body", **kw: Any) -> Paragraph:
        base = self.styles[style]
        st = ParagraphStyle(f"{style}-x", parent=base, **kw) if kw else base
        font = self.heading if face == "heading" else self.body
        return Paragraph(_pdf.markup(_nobreak(spans), font, self.code) or "&nbsp;", st)

    def text(self, text: str, style: str, face: str = "body", **kw: Any) -> Paragraph:
        return self.para((Span(text),), style, face, **kw)

    def table_font(self) -> list[tuple[Any, ...]]:
        """A table's own font: its default, Helvetica, is not embedded and must not appear."""
        return [
            ("FONTNAME", (0, 0), (-1, -1), self.body.name()),
            ("FONTSIZE", (0, 0), (-1, -1), self.size),
        ]

    def one_line(self, text: str, width: float, style: str) -> str:
        """``text``, cut at a word and ended with "…" if it is wider than ``width``."""
        size = self.styles[style].fontSize
        chain = self.body.chain(False, False)
        if measure.width(text, chain, size) <= width:
            return text
        words = text.split(" ")
        while len(words) > 1:
            words.pop()
            cut = " ".join(words).rstrip(" ·:–—,") + "…"
            if measure.width(cut, chain, size) <= width:
                return cut
        return text

    def font_for_marker(self, marker: str) -> str:
        """The embedded font that draws a list marker (a checkbox may need a fallback)."""
        chain = self.body.chain(False, False)
        path = measure.font_for(marker[:1], chain) if marker else None
        return _pdf.font_name(path or chain[0])


def _nobreak(spans: Line) -> Line:
    return tuple(
        Span(s.text.replace(" ", "\u00a0"), s.style)
        if s.style.mono and len(s.text) <= _NOBREAK_CODE
        else s
        for s in spans
    )


def _height(flowables: Sequence[Flowable], width: float) -> float:
    """Height the flowables take at ``width``, with their spacing (before the build)."""
    total = 0.0
    for f in flowables:
        if isinstance(f, KeepTogether):
            total += _height(f._content, width)
            continue
        _, h = f.wrap(width, 1e6)
        total += h + f.getSpaceBefore() + f.getSpaceAfter()
    return total


def _group(flowables: list[Flowable], reserve: float) -> list[Flowable]:
    """Start ``flowables`` on this page only if ``reserve`` points fit; otherwise the next.

    This is keep-with-next for a heading followed by a block that may itself split: the
    heading never ends a page alone, and a long block does not leave a page half empty.
    """
    return [CondPageBreak(reserve), *flowables]


# --------------------------------------------------------------------------- flowables


class _Anchor(Flowable):  # type: ignore[misc]
    """A zero-size mark: link target, bookmark (outline entry) and contents entry."""

    def __init__(self, key: str, title: str, running: str) -> None:
        super().__init__()
        self.key = key
        self.title = title
        self.running = running
        self.width = self.height = 0

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.canv.bookmarkHorizontal(self.key, 0, 0)
        self.canv.addOutlineEntry(self.title, self.key, level=0)


class _Ruled(Flowable):  # type: ignore[misc]
    """Ruled lines to write on."""

    def __init__(self, lines: int, gap: float, colour: Any, indent: float = 0) -> None:
        super().__init__()
        self.lines = lines
        self.gap = gap
        self.colour = colour
        self.indent = indent

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.width = aw
        return aw, self.lines * self.gap

    def draw(self) -> None:
        c = self.canv
        c.setStrokeColor(self.colour)
        c.setLineWidth(0.6)
        for i in range(self.lines):
            y = i * self.gap
            c.line(self.indent, y, self.width, y)


class _NotesArea(Flowable):  # type: ignore[misc]
    """A label and ruled lines filling what is left of the lesson's last page.

    Between ``lo`` and ``hi`` lines; when not even ``lo`` fit, the area is left out rather
    than starting a page that would hold nothing else (the questions have their own lines).
    """

    def __init__(
        self, label: Paragraph, lo: int, hi: int, gap: float, colour: Any, pad: float
    ) -> None:
        super().__init__()
        self.label = label
        self.lo = lo
        self.hi = hi
        self.gap = gap
        self.colour = colour
        self.pad = pad
        self.lines = 0
        self._label_h = 0.0

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.width = aw
        _, self._label_h = self.label.wrap(aw, ah)
        fit = int((ah - self.pad - self._label_h - 1) // self.gap)
        self.lines = min(self.hi, fit) if fit >= self.lo else 0
        if not self.lines:
            return aw, 0
        return aw, self.pad + self._label_h + self.lines * self.gap

    def draw(self) -> None:
        if not self.lines:
            return
        h = self._label_h + self.lines * self.gap
        self.label.drawOn(self.canv, 0, h - self._label_h)
        c = self.canv
        c.setStrokeColor(self.colour)
        c.setLineWidth(0.6)
        for i in range(self.lines):
            c.line(0, i * self.gap, self.width, i * self.gap)


class _Listing(Flowable):  # type: ignore[misc]
    """A code box that splits only where each part keeps at least a few lines.

    A listing's last line alone at the top of a page (a widow) reads as a stray brace.
    """

    MIN_LINES = 3

    def __init__(self, table: Table) -> None:
        super().__init__()
        self.table = table

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.width, self.height = self.table.wrap(aw, ah)
        return self.width, self.height

    def draw(self) -> None:
        self.table.drawOn(self.canv, 0, 0)

    def split(self, aw: float, ah: float) -> list[Flowable]:
        self.table.wrap(aw, ah)
        rows = len(self.table._cellvalues)
        heights = list(self.table._rowHeights)
        budget = ah
        while True:
            parts = self.table.split(aw, budget)
            if len(parts) < 2:
                return [_Listing(p) for p in parts]
            head = len(parts[0]._cellvalues)
            if head < self.MIN_LINES:
                return []
            if rows - head >= self.MIN_LINES:
                return [_Listing(p) for p in parts]
            budget -= heights[head - 1]


class _Contents(IndexingFlowable):  # type: ignore[misc]
    """The cover's contents: rows from the plan, page numbers from the previous pass."""

    def __init__(
        self,
        rows: tuple[ContentsRow, ...],
        scheduled: bool,
        predicted: dict[str, int],
        kit: _Kit,
    ) -> None:
        super().__init__()
        self.rows = rows
        self.scheduled = scheduled
        self.kit = kit
        # Taken as the "previous pass": when the prediction holds, one pass is enough.
        self._pages: dict[str, int] = dict(predicted)
        self._last: dict[str, int] = {}
        self._table: Table | None = None

    def beforeBuild(self) -> None:
        self._last, self._pages = self._pages, {}

    def isSatisfied(self) -> bool:
        return self._last == self._pages

    def notify(self, kind: str, stuff: Any) -> None:
        if kind == "TOCEntry":
            key, page = stuff
            self._pages.setdefault(key, page)

    def _build(self, width: float) -> Table:
        kit = self.kit
        page_w = kit.size * 3.2
        dur_w = kit.size * 7.5
        slot_w = kit.size * 7.5 if self.scheduled else 0
        label_w = width - page_w - dur_w - slot_w
        data: list[list[Flowable]] = []
        for row in self.rows:
            link = Style(href=f"#{row.key}") if row.key else Style(italic=True)
            style = "cell" if row.key else "cellmuted"
            page = str(self._last.get(row.key, "")) if row.key else ""
            cells = [
                kit.para((Span(row.label, link),), style),
                kit.text(row.duration, "cellmuted"),
                kit.para((Span(page, Style(href=f"#{row.key}")),) if page else (), "cellright"),
            ]
            if self.scheduled:
                cells.insert(0, kit.text(row.slot, style))
            data.append(cells)
        widths = [label_w, dur_w, page_w]
        if self.scheduled:
            widths.insert(0, slot_w)
        table = Table(data, colWidths=widths, splitByRow=1)
        table.setStyle(
            TableStyle(
                [
                    *kit.table_font(),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 2),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                    ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.4, kit.colour(kit.theme.colours.rule)),
                ]
            )
        )
        return table

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self._table = self._build(aw)
        w, h = self._table.wrap(aw, ah)
        return w, h

    def split(self, aw: float, ah: float) -> list[Flowable]:
        self._table = self._build(aw)
        return list(self._table.split(aw, ah))

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:
        assert self._table is not None
        self._table.drawOn(canvas, x, y, _sW)


# --------------------------------------------------------------------------- pages


@dataclass(frozen=True, slots=True)
class _Decor:
    """What the deferred pass draws on each finished page."""

    kit: _Kit
    header: str
    date: _dt.datetime

    def date_text(self, *_: int) -> str:
        return _pdf.pdf_date(self.date)

    def draw(self, canv: Any, page: int, total: int) -> None:
        kit = self.kit
        w, h = kit.page
        m = kit.margin
        cover = getattr(canv, "_db_cover", False)
        rule = kit.colour(kit.theme.colours.rule)
        if not cover:
            half = (w - 2 * m) / 2
            # One line each: a long title is shortened rather than wrapped into the margin.
            left = kit.text(kit.one_line(self.header, half - 8, "running"), "running")
            running = getattr(canv, "_db_running", "")
            right = kit.text(kit.one_line(running, half - 8, "running"), "runningright")
            top = h - m * 0.55
            for para, x in ((left, m), (right, m + half)):
                para.wrap(half - 4, m)
                para.drawOn(canv, x, top)
            canv.setStrokeColor(rule)
            canv.setLineWidth(0.5)
            canv.line(m, top - 3, w - m, top - 3)
        footer = kit.text(f"Page {page} of {total}", "runningright")
        footer.wrap(w - 2 * m, m)
        footer.drawOn(canv, m, m * 0.45)


class _PagedCanvas(Canvas):  # type: ignore[misc]
    """Keeps each page until the document ends, so the footer can say "of M".

    Pages are handed to the PDF document only in ``save``; meanwhile its page counter is
    advanced by hand, because bookmarks and link targets name their page by that counter.
    """

    def __init__(self, *args: Any, decor: _Decor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._db_decor = decor
        self._db_pages: list[dict[str, Any]] = []
        self.setDateFormatter(decor.date_text)

    def showPage(self) -> None:
        self._db_pages.append(dict(self.__dict__))
        self._doc.pageCounter += 1
        self._startPage()

    def save(self) -> None:
        total = len(self._db_pages)
        self._doc.pageCounter = 1
        for n, state in enumerate(self._db_pages, 1):
            self.__dict__.update(state)
            self._db_decor.draw(self, n, total)
            super().showPage()
        # Page labels, so a viewer's page box shows the printed number.
        self.addPageLabel(0, "D", 1)
        super().save()


class _Doc(BaseDocTemplate):  # type: ignore[misc]
    def __init__(self, buf: io.BytesIO, kit: _Kit, meta: Metadata, title: str, cover: bool) -> None:
        m = kit.margin
        super().__init__(
            buf,
            pagesize=kit.page,
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
            initialFontName=kit.body.name(),
            initialFontSize=kit.size,
        )
        frame = Frame(m, m, kit.page[0] - 2 * m, kit.page[1] - 2 * m, 0, 0, 0, 0, id="body")
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
        if isinstance(flowable, _Anchor):
            self.notify("TOCEntry", (flowable.key, self.page))
            self._running = flowable.running


def _render(
    story: list[Flowable],
    kit: _Kit,
    meta: Metadata,
    title: str,
    header: str,
    date: _dt.datetime,
    cover: bool,
) -> tuple[bytes, int]:
    """The PDF and its page count."""
    buf = io.BytesIO()
    doc = _Doc(buf, kit, meta, title, cover)
    maker = partial(_PagedCanvas, decor=_Decor(kit, header, date))
    doc.multiBuild(story, canvasmaker=maker)
    return buf.getvalue(), int(doc.page)


def _build_full(
    plan: HandoutPlan,
    lessons: list[list[Flowable]],
    predicted: dict[str, int],
    kit: _Kit,
    date: _dt.datetime,
) -> bytes:
    story: list[Flowable] = [NextPageTemplate("body"), *_cover(plan.cover, predicted, kit)]
    for flowables in lessons:
        story.append(PageBreak())
        story.extend(flowables)
    if plan.resources is not None:
        story.append(PageBreak())
        story.extend(_resources(plan.resources, kit))
    meta = plan.meta
    return _render(story, kit, meta, meta.title, plan.header, date, cover=True)[0]


# --------------------------------------------------------------------------- cover


def _cover(cover: Cover, predicted: dict[str, int], kit: _Kit) -> list[Flowable]:
    out: list[Flowable] = [
        kit.text("Student handout", "kicker", "heading"),
        Spacer(1, kit.size * 0.4),
        kit.text(cover.title, "title", "heading", fontName=kit.heading.name(True)),
    ]
    if cover.subtitle:
        out.append(kit.text(cover.subtitle, "subtitle", "heading"))
    if cover.byline:
        out.append(kit.text(cover.byline, "byline"))
    else:
        out.append(Spacer(1, kit.size * 0.8))
    out.extend(_flow(cover.overview, kit))
    if cover.objectives:
        block: list[Flowable] = [_h2("Learning objectives", kit)]
        if cover.objectives_intro:
            block.append(kit.para(cover.objectives_intro, "body"))
        items = [_item(Item(o, "•"), kit) for o in cover.objectives]
        out.extend(_group([*block, items[0]], _height([*block, items[0]], kit.width)))
        out.extend(items[1:])
    if cover.contents:
        head = _h2("Schedule and contents" if cover.scheduled else "Contents", kit)
        out.extend(_group([head], _height([head], kit.width) + kit.size * 6))
        out.append(_Contents(cover.contents, cover.scheduled, predicted, kit))
        if cover.total:
            out.append(Spacer(1, kit.size * 0.4))
            out.append(kit.text(cover.total, "cellmuted"))
    return out


def _h2(text: str, kit: _Kit) -> Paragraph:
    return kit.text(text, "h2", "heading", fontName=kit.heading.name(True))


# --------------------------------------------------------------------------- lessons


def _lesson(lesson: LessonPlan, kit: _Kit) -> list[Flowable]:
    meta = " · ".join(x for x in (lesson.duration, lesson.slot) if x)
    out: list[Flowable] = [
        _Anchor(lesson.key, lesson.heading, lesson.heading),
        kit.text(lesson.heading, "h1", "heading", fontName=kit.heading.name(True)),
        kit.text(meta, "lessonmeta") if meta else Spacer(1, kit.size * 0.8),
    ]
    for part in lesson.parts:
        match part:
            case Summary(flow=flow):
                out.extend(_summary(flow, kit))
            case Concepts(title=title, concepts=concepts, rest=rest):
                units = [
                    [*_concept(c.term, c.explanation, kit), *_flow(c.details, kit, 1)]
                    for c in concepts
                ]
                units.extend([f] for f in _flow(rest, kit))
                out.extend(_section(title, units, kit))
            case CodeSection(title=title, flow=flow):
                out.extend(_section(title, _units(flow, kit), kit))
            case Questions(title=title, questions=questions):
                units = [
                    [
                        KeepTogether(
                            [
                                kit.para(
                                    q.text,
                                    "question",
                                    bulletText=f"{q.number}.",
                                    bulletFontName=kit.body.name(True),
                                    bulletIndent=0,
                                ),
                                Spacer(1, kit.size * 0.2),
                                _Ruled(
                                    q.lines,
                                    kit.line_gap,
                                    kit.colour(kit.theme.colours.rule),
                                    kit.size * 1.8,
                                ),
                                Spacer(1, kit.size * 0.7),
                            ]
                        )
                    ]
                    for q in questions
                ]
                out.extend(_section(title, units, kit))
            case Notes(title=title, min_lines=lo, max_lines=hi):
                label = kit.text(
                    title, "h2", "heading", fontName=kit.heading.name(True), spaceBefore=0
                )
                rule = kit.colour(kit.theme.colours.rule)
                out.append(_NotesArea(label, lo, hi, kit.line_gap, rule, kit.size * 0.5))
            case _:
                assert_never(part)
    return out


def _section(title: str, units: list[list[Flowable]], kit: _Kit) -> list[Flowable]:
    """A heading and its units; the heading stays with the start of the first unit."""
    if not units:
        return []
    head = _h2(title, kit)
    first, rest = units[0], units[1:]
    reserve = _height([head], kit.width) + _reserve(first, kit)
    out = _group([head, *first], reserve)
    for unit in rest:
        out.extend(unit)
    return out


def _reserve(unit: list[Flowable], kit: _Kit) -> float:
    """Room the start of a unit needs so that nothing before it is left alone at a page end.

    Blocks that split (paragraphs, long listings) need their first few lines; blocks that
    do not (keep-togethers, one-row tables) and captions need all of their height.
    """
    total = 0.0
    for f in unit:
        h = _height([f], kit.width)
        if isinstance(f, _Listing):
            lines = kit.theme.sizes.pdf_code * 1.25 * _MIN_CODE_LINES + 8
            return total + min(h, lines)
        if isinstance(f, Paragraph) and not getattr(f, "_db_sticky", False):
            lines = kit.size * 1.4 * _MIN_FOLLOW_LINES + float(f.getSpaceBefore())
            return total + min(h, lines)
        total += h
    return total


def _summary(flow: tuple[Flow, ...], kit: _Kit) -> list[Flowable]:
    c = kit.theme.colours
    inner: list[Flowable] = [
        kit.text("Summary", "label", "heading", fontName=kit.heading.name(True))
    ]
    for f in flow:
        if isinstance(f, Text):
            inner.append(kit.para(f.spans, "summary"))
        else:
            inner.extend(_flow((f,), kit))
    table = Table([[inner]], colWidths=[kit.width])
    table.setStyle(
        TableStyle(
            [
                *kit.table_font(),
                ("BACKGROUND", (0, 0), (-1, -1), kit.colour(c.code_background)),
                ("LINEBEFORE", (0, 0), (0, -1), 3, kit.colour(c.accent)),
                ("LEFTPADDING", (0, 0), (-1, -1), kit.size * 1.1),
                ("RIGHTPADDING", (0, 0), (-1, -1), kit.size * 1.1),
                ("TOPPADDING", (0, 0), (-1, -1), kit.size * 0.8),
                ("BOTTOMPADDING", (0, 0), (-1, -1), kit.size * 0.9),
            ]
        )
    )
    table.spaceAfter = kit.size * 0.4
    return _boxed(table, inner, kit)


def _boxed(table: Table, cells: list[Flowable], kit: _Kit) -> list[Flowable]:
    """The table, or its cells one after another when a row is taller than a page could
    hold: a table row cannot break across pages, and text too long for its box must still
    be printed."""
    table.wrap(kit.width, 1e6)
    if max(table._rowHeights, default=0) <= kit.frame_height * 0.8:
        return [table]
    return cells


def _concept(term: Line, explanation: Line, kit: _Kit) -> list[Flowable]:
    term_w = kit.width * 0.3
    bold_term = tuple(Span(s.text, replace(s.style, bold=True)) for s in term)
    cells = [kit.para(bold_term, "term"), kit.para(explanation, "explanation")]
    table = Table([cells], colWidths=[term_w, kit.width - term_w])
    table.setStyle(
        TableStyle(
            [
                *kit.table_font(),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
                ("LEFTPADDING", (1, 0), (1, -1), kit.size * 0.8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), kit.size * 0.35),
                ("BOTTOMPADDING", (0, 0), (-1, -1), kit.size * 0.45),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, kit.colour(kit.theme.colours.rule)),
            ]
        )
    )
    return _boxed(table, cells, kit)


# --------------------------------------------------------------------------- flow


def _units(flow: tuple[Flow, ...], kit: _Kit, depth: int = 0) -> list[list[Flowable]]:
    """Flow blocks as units that must start together; a sub-heading joins the next unit."""
    units: list[list[Flowable]] = []
    pending: list[Flowable] = []
    for f in flow:
        made = _flow((f,), kit, depth)
        if isinstance(f, SubHeading):
            pending.extend(made)
            continue
        if pending:
            units.append(
                _group([*pending, *made], _height(pending, kit.width) + _reserve(made, kit))
            )
            pending = []
        else:
            units.append(made)
    if pending:
        units.append(pending)
    return units


def _flow(flow: tuple[Flow, ...], kit: _Kit, depth: int = 0) -> list[Flowable]:
    out: list[Flowable] = []
    indent = kit.size * 1.6
    for f in flow:
        match f:
            case Text(spans=spans, depth=d, quote=quote):
                left = _level(d + depth) * indent + (indent * 0.6 if quote else 0)
                kw: dict[str, Any] = {"leftIndent": left}
                if quote:
                    kw["textColor"] = kit.colour(kit.theme.colours.muted)
                out.append(kit.para(spans, "body", **kw))
            case Item():
                out.append(_item(f, kit, depth))
            case SubHeading(spans=spans):
                out.append(kit.para(spans, "h3", "heading", fontName=kit.heading.name(True)))
            case Code(code=code, caption=caption, depth=d):
                left = _level(d + depth) * indent
                parts: list[Flowable] = []
                if caption:
                    bold = tuple(Span(s.text, replace(s.style, bold=True)) for s in caption)
                    cap = kit.para(bold, "caption", leftIndent=left)
                    cap._db_sticky = True
                    parts.append(cap)
                box = _Listing(_pdf.code_box(code, kit.theme, kit.width - left))
                box.spaceAfter = kit.size * 0.6
                if left:
                    parts.extend([Indenter(left=left), box, Indenter(left=-left)])
                else:
                    parts.append(box)
                # A short listing never splits; a long one splits between lines, and the
                # section's reserve keeps its caption with the first of them.
                out.extend([KeepTogether(parts)] if len(code.lines) <= 15 else parts)
            case Grid(header=header, rows=rows):
                out.extend(_grid(header, rows, kit))
            case _:
                assert_never(f)
    return out


def _level(depth: int) -> int:
    """Nesting deeper than this is set flush with it, so text keeps a readable width."""
    return min(depth, 6)


def _item(item: Item, kit: _Kit, depth: int = 0) -> Paragraph:
    indent = kit.size * 1.6
    level = _level(item.depth + depth)
    return kit.para(
        item.spans,
        "body",
        leftIndent=(level + 1) * indent,
        bulletIndent=level * indent + kit.size * 0.3,
        bulletText=item.marker,
        bulletFontName=kit.font_for_marker(item.marker),
        spaceAfter=kit.size * 0.25,
    )


def _grid(
    header: tuple[Line, ...], rows: tuple[tuple[Line, ...], ...], kit: _Kit
) -> list[Flowable]:
    cols = max(1, len(header), *(len(r) for r in rows))
    data = []
    for i, row in enumerate((header, *rows)):
        style = "cell"
        cells: list[Flowable] = []
        for j in range(cols):
            spans = row[j] if j < len(row) else ()
            if i == 0:
                spans = tuple(Span(s.text, replace(s.style, bold=True)) for s in spans)
            cells.append(kit.para(spans, style))
        data.append(cells)
    table = Table(
        data,
        colWidths=[kit.width / cols] * cols,
        repeatRows=1 if header else 0,
    )
    rule = kit.colour(kit.theme.colours.rule)
    table.setStyle(
        TableStyle(
            [
                *kit.table_font(),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("GRID", (0, 0), (-1, -1), 0.4, rule),
                ("BACKGROUND", (0, 0), (-1, 0), kit.colour(kit.theme.colours.code_background)),
            ]
        )
    )
    table.spaceAfter = kit.size * 0.6
    return _boxed(table, [c for row in data for c in row], kit)


# --------------------------------------------------------------------------- resources


def _resources(page: ResourcesPage, kit: _Kit) -> list[Flowable]:
    out: list[Flowable] = [
        _Anchor(page.key, page.title, page.title),
        kit.text(page.title, "h1", "heading", fontName=kit.heading.name(True)),
        Spacer(1, kit.size * 0.6),
    ]
    for unit in _units(page.flow, kit):
        out.extend(unit)
    return out
