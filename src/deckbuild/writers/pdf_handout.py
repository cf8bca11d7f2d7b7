"""HandoutPlan -> handouts.pdf and handouts/<lesson>.pdf, with reportlab platypus.

The plan fixes content and order; this module only sets it in type and lets platypus break
pages. TextFlow is broken into lines by the layout's line breaker and drawn directly
(``_pdf.Lines``), so nothing is reflowed. Two things need a second look at the finished
pages, and both are done without reflowing anything: the contents' page numbers
(``multiBuild`` runs until they are stable) and "page N of M" (the canvas keeps every page
until it knows M, then draws the header and footer on each).

Determinism: ``invariant=1`` fixes reportlab's ids and font subset names, the document
dates come from the ``date`` argument, and nothing reads the clock.
"""

from __future__ import annotations

import datetime as _dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, assert_never

from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Image,
    Indenter,
    KeepTogether,
    PageBreak,
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

from deckbuild.compat import reportlab_private
from deckbuild.layout.handout import (
    CodeFlow,
    CodeSection,
    Concepts,
    ContentsRow,
    Cover,
    Flow,
    GridFlow,
    HandoutPlan,
    HeadingFlow,
    ItemFlow,
    LessonPlan,
    Metadata,
    Notes,
    Questions,
    ResourcesPage,
    Summary,
    TextFlow,
)
from deckbuild.services import measure
from deckbuild.services.spans import Line, Span, Style
from deckbuild.theme import Theme
from deckbuild.writers import _pdf
from deckbuild.writers._pdf import Lines, TextStyle, bold, colour

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
    They keep their line breaks between the two, so the second setting costs only the
    drawing. Both use the same frame and every lesson starts a page, so a lesson takes as
    many pages in the handout as in its own file; those counts predict the contents' page
    numbers and the handout is usually right in one pass (``multiBuild`` still checks, and
    corrects).
    """
    typography = _Typography.make(theme)
    files: dict[str, bytes] = {}
    stories: list[list[Flowable]] = []
    predicted: dict[str, int] = {}
    page = 2  # after a one-page cover
    for lesson in plan.lessons:
        story = _lesson(lesson, typography)
        title = f"{plan.meta.title}: {lesson.heading}"
        data, pages = _render(story, typography, plan.meta, title, plan.header, date, cover=False)
        files[f"handouts/{lesson.key}.pdf"] = data
        stories.append(story)
        predicted[lesson.key] = page
        page += pages
    if plan.resources is not None:
        predicted[plan.resources.key] = page
    files["handouts.pdf"] = _build_full(plan, stories, predicted, typography, date)
    return files


# --------------------------------------------------------------------------- styles


@dataclass(frozen=True, slots=True)
class _Typography:
    """Theme-derived faces, text styles and measures, made once per build."""

    theme: Theme
    heading: _pdf.Face
    body: _pdf.Face
    code: _pdf.Face
    page: tuple[float, float]
    margin: float
    width: float
    frame_height: float
    styles: dict[str, TextStyle]

    @staticmethod
    def make(theme: Theme) -> _Typography:
        heading, body, code = _pdf.faces(theme)
        page = _pdf.page_size(theme)
        margin = _pdf.margin(theme)
        c = theme.colours
        size = theme.sizes.pdf_body
        base = TextStyle(body, code, size, size * 1.4, c.text, space_after=size * 0.5)

        def derive(scale: float, leading: float, **kw: Any) -> TextStyle:
            return base.derive(size=size * scale, leading=size * leading, **kw)

        def head(scale: float, leading: float, **kw: Any) -> TextStyle:
            return derive(scale, leading, face=heading, **kw)

        cell = derive(0.9, 1.25, space_after=0.0)
        running = derive(0.8, 1.0, colour=c.muted, space_after=0.0)
        styles = {
            "body": base,
            "kicker": head(1.0, 1.3, colour=c.muted),
            "title": head(2.6, 3.0, colour=c.accent, space_after=size * 0.4),
            "subtitle": head(1.35, 1.7, space_after=size * 0.6),
            "byline": base.derive(colour=c.muted, space_after=size * 1.2),
            "h1": head(1.9, 2.3, colour=c.accent, space_after=size * 0.2),
            "lessonmeta": base.derive(colour=c.muted, space_after=size * 1.0),
            "h2": head(
                1.25, 1.6, colour=c.accent, space_before=size * 1.1, space_after=size * 0.45
            ),
            "h3": head(1.05, 1.4, space_before=size * 0.6, space_after=size * 0.3),
            "caption": derive(0.9, 1.25, space_before=size * 0.5, space_after=size * 0.3),
            "summary": derive(1.1, 1.5, space_after=0.0),
            "label": head(0.85, 1.2, colour=c.accent, space_after=size * 0.3),
            "term": base.derive(space_after=0.0),
            "explanation": base.derive(space_after=0.0),
            "question": base.derive(indent=size * 1.8, space_after=0.0),
            "cell": cell,
            "cellright": cell.derive(align_right=True),
            "cellmuted": cell.derive(colour=c.muted),
            "running": running,
            "runningright": running.derive(align_right=True),
        }
        width = page[0] - 2 * margin
        return _Typography(
            theme, heading, body, code, page, margin, width, page[1] - 2 * margin, styles
        )

    @property
    def size(self) -> float:
        return self.theme.sizes.pdf_body

    @property
    def line_gap(self) -> float:
        """Spacing of ruled writing lines: about 7 mm, a comfortable handwriting height."""
        return self.size * 1.95

    def para(self, spans: Line, style: str, **changes: Any) -> Lines:
        ts = self.styles[style]
        return Lines(_printable(spans), ts.derive(**changes) if changes else ts)

    def text(self, text: str, style: str, **changes: Any) -> Lines:
        return self.para((Span(text),), style, **changes)

    def heading_text(self, text: str, style: str, **changes: Any) -> Lines:
        return self.para((Span(text, Style(bold=True)),), style, **changes)

    def one_line(self, text: str, width: float, style: str) -> str:
        """``text``, cut at a word and ended with "…" if it is wider than ``width``."""
        size = self.styles[style].size
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


def _printable(spans: Line) -> Line:
    """Plan text as the PDF sets it: short inline code kept on one line, and no links to
    "#name" (they point at headings of the manual, which the handout does not have)."""
    return tuple(
        Span(
            s.text.replace(" ", "\u00a0")
            if s.style.mono and len(s.text) <= _NOBREAK_CODE
            else s.text,
            _pdf.without_internal_link(s.style),
        )
        for s in spans
    )


def _height(flowables: Sequence[Flowable], width: float) -> float:
    """Height the flowables take at ``width``, with their spacing (before the build)."""
    total = 0.0
    for f in flowables:
        if (inner := reportlab_private.kept_together(f)) is not None:
            total += _height(inner, width)
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

    def __init__(self, label: Lines, lo: int, hi: int, gap: float, colour: Any, pad: float) -> None:
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


@dataclass(frozen=True, slots=True)
class _Cell:
    content: Flowable
    #: Where the content starts and how wide it is, padding already taken off.
    x: float
    width: float


class _Row(Flowable):  # type: ignore[misc]
    """Cells side by side, top-aligned, with a rule below: one table row, without the
    table's per-cell geometry. Like a table row, it does not split."""

    def __init__(
        self, cells: Sequence[_Cell], pad_top: float, pad_bottom: float, rule: str
    ) -> None:
        super().__init__()
        self.cells = cells
        self.pad_top = pad_top
        self.pad_bottom = pad_bottom
        self.rule = rule
        self._heights: list[float] = []

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.width = aw
        canv = getattr(self, "canv", None)
        self._heights = [c.content.wrapOn(canv, c.width, 1e6)[1] for c in self.cells]
        self.height = self.pad_top + max(self._heights, default=0.0) + self.pad_bottom
        return aw, self.height

    def draw(self) -> None:
        top = self.height - self.pad_top
        for cell, h in zip(self.cells, self._heights, strict=True):
            cell.content.drawOn(self.canv, cell.x, top - h)
        self.canv.setStrokeColor(colour(self.rule))
        self.canv.setLineWidth(0.4)
        self.canv.line(0, 0, self.width, 0)


class _Panel(Flowable):  # type: ignore[misc]
    """Flowables on a shaded panel with a coloured bar on the left: the summary's pull
    quote. Spacing between the flowables is kept, and dropped at the panel's edges."""

    def __init__(
        self,
        content: Sequence[Flowable],
        pad: tuple[float, float, float, float],
        background: str,
        bar: str,
    ) -> None:
        super().__init__()
        self.content = content
        #: Left, right, top, bottom.
        self.pad = pad
        self.background = background
        self.bar = bar
        self._heights: list[float] = []

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        left, right, top, bottom = self.pad
        inner = aw - left - right
        # wrapOn: a keep-together inside needs a canvas attribute, even if it is None.
        canv = getattr(self, "canv", None)
        self._heights = [f.wrapOn(canv, inner, 1e6)[1] for f in self.content]
        gaps = sum(
            a.getSpaceAfter() + b.getSpaceBefore()
            for a, b in zip(self.content, self.content[1:], strict=False)
        )
        self.width = aw
        self.height = top + sum(self._heights) + gaps + bottom
        return aw, self.height

    def draw(self) -> None:
        canv = self.canv
        canv.saveState()
        canv.setFillColor(colour(self.background))
        canv.rect(0, 0, self.width, self.height, stroke=0, fill=1)
        canv.setStrokeColor(colour(self.bar))
        canv.setLineWidth(3)
        canv.line(0, 0, 0, self.height)
        canv.restoreState()
        left, _, top, _ = self.pad
        y = self.height - top
        for i, (f, h) in enumerate(zip(self.content, self._heights, strict=True)):
            if i:
                y -= f.getSpaceBefore()
            y -= h
            f.drawOn(canv, left, y)
            y -= f.getSpaceAfter()


class _Contents(IndexingFlowable):  # type: ignore[misc]
    """The cover's contents: rows from the plan, page numbers from the previous pass."""

    def __init__(
        self,
        rows: tuple[ContentsRow, ...],
        scheduled: bool,
        predicted: dict[str, int],
        typography: _Typography,
    ) -> None:
        super().__init__()
        self.rows = rows
        self.scheduled = scheduled
        self.typography = typography
        # Taken as the "previous pass": when the prediction holds, one pass is enough.
        self._pages: dict[str, int] = dict(predicted)
        self._last: dict[str, int] = {}
        self._made: list[_Row] = []

    def beforeBuild(self) -> None:
        self._last, self._pages = self._pages, {}

    def isSatisfied(self) -> bool:
        return self._last == self._pages

    def notify(self, kind: str, stuff: Any) -> None:
        if kind == "TOCEntry":
            key, page = stuff
            self._pages.setdefault(key, page)

    def _build(self, width: float) -> list[_Row]:
        typography = self.typography
        pad = 2.0
        page_w = typography.size * 3.2
        dur_w = typography.size * 7.5
        slot_w = typography.size * 7.5 if self.scheduled else 0
        label_w = width - page_w - dur_w - slot_w
        widths = [label_w, dur_w, page_w]
        if self.scheduled:
            widths.insert(0, slot_w)
        rule = typography.theme.colours.rule
        rows: list[_Row] = []
        for row in self.rows:
            link = Style(href=f"#{row.key}") if row.key else Style(italic=True)
            style = "cell" if row.key else "cellmuted"
            page = str(self._last.get(row.key, "")) if row.key else ""
            page_link = (Span(page, Style(href=f"#{row.key}")),) if page else ()
            # Lines, not typography.para: these are the handout's own links, to its own anchors.
            texts = [
                Lines((Span(row.label, link),), typography.styles[style]),
                typography.text(row.duration, "cellmuted"),
                Lines(page_link, typography.styles["cellright"]),
            ]
            if self.scheduled:
                texts.insert(0, typography.text(row.slot, style))
            cells, x = [], 0.0
            for text, w in zip(texts, widths, strict=True):
                cells.append(_Cell(text, x + pad, w - 2 * pad))
                x += w
            rows.append(_Row(cells, 2.5, 2.5, rule))
        return rows

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self._made = self._build(aw)
        self.width = aw
        self.height = sum(r.wrap(aw, ah)[1] for r in self._made)
        return aw, self.height

    def split(self, aw: float, ah: float) -> list[Flowable]:
        # Between any two rows, as a table split by row would.
        return list(self._build(aw))

    def draw(self) -> None:
        y = self.height
        for row in self._made:
            y -= row.height
            row.drawOn(self.canv, 0, y)


# --------------------------------------------------------------------------- pages


@dataclass(frozen=True, slots=True)
class _PageFurniture:
    """What the deferred pass draws on each finished page."""

    typography: _Typography
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


class _PagedCanvas(Canvas):  # type: ignore[misc]
    """Keeps each page until the document ends, so the footer can say "of M".

    Pages are handed to the PDF document only in ``save``; meanwhile its page counter is
    advanced by hand, because bookmarks and link targets name their page by that counter.
    """

    def __init__(self, *args: Any, furniture: _PageFurniture, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._db_decor = furniture
        self._db_pages: list[dict[str, Any]] = []
        self.setDateFormatter(furniture.date_text)

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
    def __init__(
        self, buf: io.BytesIO, typography: _Typography, meta: Metadata, title: str, cover: bool
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
        if isinstance(flowable, _Anchor):
            self.notify("TOCEntry", (flowable.key, self.page))
            self._running = flowable.running


def _render(
    story: list[Flowable],
    typography: _Typography,
    meta: Metadata,
    title: str,
    header: str,
    date: _dt.datetime,
    cover: bool,
) -> tuple[bytes, int]:
    """The PDF and its page count."""
    _forget_postponement(story)
    buf = io.BytesIO()
    doc = _Doc(buf, typography, meta, title, cover)
    maker = partial(_PagedCanvas, furniture=_PageFurniture(typography, header, date))
    doc.multiBuild(story, canvasmaker=maker)
    return buf.getvalue(), int(doc.page)


def _forget_postponement(story: Sequence[Flowable]) -> None:
    """reportlab marks a flowable it has moved to the next frame as ``_postponed`` and
    treats a second move as "too large". Lesson stories are set twice (alone, then in the
    whole handout), so a mark left by the first document must not reach the second."""
    for f in story:
        reportlab_private.forget_postponement(f)
        if (inner := reportlab_private.kept_together(f)) is not None:
            _forget_postponement(inner)


def _build_full(
    plan: HandoutPlan,
    lessons: list[list[Flowable]],
    predicted: dict[str, int],
    typography: _Typography,
    date: _dt.datetime,
) -> bytes:
    story: list[Flowable] = [NextPageTemplate("body"), *_cover(plan.cover, predicted, typography)]
    for flowables in lessons:
        story.append(PageBreak())
        story.extend(flowables)
    if plan.resources is not None:
        story.append(PageBreak())
        story.extend(_resources(plan.resources, typography))
    meta = plan.meta
    return _render(story, typography, meta, meta.title, plan.header, date, cover=True)[0]


# --------------------------------------------------------------------------- cover


#: The logo's height on the cover; its width follows the image's proportions.
_LOGO_HEIGHT = 16 * mm


def _logo(path: str, typography: _Typography) -> Flowable:
    width, height = ImageReader(path).getSize()
    scale = min(_LOGO_HEIGHT / height, typography.width / 3 / width)
    return Image(path, width * scale, height * scale, hAlign="RIGHT")


def _cover(cover: Cover, predicted: dict[str, int], typography: _Typography) -> list[Flowable]:
    out: list[Flowable] = [_logo(cover.logo, typography)] if cover.logo else []
    out += [
        typography.text("Student handout", "kicker"),
        Spacer(1, typography.size * 0.4),
        typography.heading_text(cover.title, "title"),
    ]
    if cover.subtitle:
        out.append(typography.text(cover.subtitle, "subtitle"))
    if cover.byline:
        out.append(typography.text(cover.byline, "byline"))
    else:
        out.append(Spacer(1, typography.size * 0.8))
    out.extend(_flow(cover.overview, typography))
    if cover.objectives:
        block: list[Flowable] = [_h2("Learning objectives", typography)]
        if cover.objectives_intro:
            block.append(typography.para(cover.objectives_intro, "body"))
        items = [_item(ItemFlow(o, "•"), typography) for o in cover.objectives]
        out.extend(_group([*block, items[0]], _height([*block, items[0]], typography.width)))
        out.extend(items[1:])
    if cover.contents:
        head = _h2("Schedule and contents" if cover.scheduled else "Contents", typography)
        out.extend(_group([head], _height([head], typography.width) + typography.size * 6))
        out.append(_Contents(cover.contents, cover.scheduled, predicted, typography))
        if cover.total:
            out.append(Spacer(1, typography.size * 0.4))
            out.append(typography.text(cover.total, "cellmuted"))
    return out


def _h2(text: str, typography: _Typography) -> Lines:
    return typography.heading_text(text, "h2")


# --------------------------------------------------------------------------- lessons


def _lesson(lesson: LessonPlan, typography: _Typography) -> list[Flowable]:
    meta = " · ".join(x for x in (lesson.duration, lesson.slot) if x)
    rule = colour(typography.theme.colours.rule)
    out: list[Flowable] = [
        _Anchor(lesson.key, lesson.heading, lesson.heading),
        typography.heading_text(lesson.heading, "h1"),
        typography.text(meta, "lessonmeta") if meta else Spacer(1, typography.size * 0.8),
    ]
    for part in lesson.parts:
        match part:
            case Summary(flow=flow):
                out.extend(_summary(flow, typography))
            case Concepts(title=title, concepts=concepts, rest=rest):
                units = [
                    [*_concept(c.term, c.explanation, typography), *_flow(c.details, typography, 1)]
                    for c in concepts
                ]
                units.extend([f] for f in _flow(rest, typography))
                out.extend(_section(title, units, typography))
            case CodeSection(title=title, flow=flow):
                out.extend(_section(title, _units(flow, typography), typography))
            case Questions(title=title, questions=questions):
                units = [
                    [
                        KeepTogether(
                            [
                                Lines(
                                    _printable(q.text),
                                    typography.styles["question"],
                                    bullet=(Span(f"{q.number}.", Style(bold=True)),),
                                ),
                                Spacer(1, typography.size * 0.2),
                                _Ruled(q.lines, typography.line_gap, rule, typography.size * 1.8),
                                Spacer(1, typography.size * 0.7),
                            ]
                        )
                    ]
                    for q in questions
                ]
                out.extend(_section(title, units, typography))
            case Notes(title=title, min_lines=lo, max_lines=hi):
                label = typography.heading_text(title, "h2", space_before=0.0)
                out.append(
                    _NotesArea(label, lo, hi, typography.line_gap, rule, typography.size * 0.5)
                )
            case _:
                assert_never(part)
    return out


def _section(title: str, units: list[list[Flowable]], typography: _Typography) -> list[Flowable]:
    """A heading and its units; the heading stays with the start of the first unit."""
    if not units:
        return []
    head = _h2(title, typography)
    first, rest = units[0], units[1:]
    reserve = _height([head], typography.width) + _reserve(first, typography)
    out = _group([head, *first], reserve)
    for unit in rest:
        out.extend(unit)
    return out


def _reserve(unit: list[Flowable], typography: _Typography) -> float:
    """Room the start of a unit needs so that nothing before it is left alone at a page end.

    Blocks that split (paragraphs, long listings) need their first few lines; blocks that
    do not (keep-togethers, rows) and captions need all of their height.
    """
    total = 0.0
    for f in unit:
        h = _height([f], typography.width)
        if isinstance(f, _pdf.CodeListing):
            lines = f.ts.leading * _MIN_CODE_LINES + 2 * f.PAD
            return total + min(h, lines)
        if isinstance(f, Lines) and not f.sticky:
            lines = typography.size * 1.4 * _MIN_FOLLOW_LINES + float(f.getSpaceBefore())
            return total + min(h, lines)
        total += h
    return total


def _summary(flow: tuple[Flow, ...], typography: _Typography) -> list[Flowable]:
    c = typography.theme.colours
    inner: list[Flowable] = [typography.heading_text("Summary", "label")]
    for f in flow:
        if isinstance(f, TextFlow):
            inner.append(typography.para(f.spans, "summary"))
        else:
            inner.extend(_flow((f,), typography))
    s = typography.size
    panel = _Panel(inner, (s * 1.1, s * 1.1, s * 0.8, s * 0.9), c.code_background, c.accent)
    panel.spaceAfter = s * 0.4
    return _boxed(panel, inner, typography)


def _boxed(
    box: Flowable,
    content: list[Flowable],
    typography: _Typography,
    tallest: Callable[[], float] | None = None,
) -> list[Flowable]:
    """The box, or its content one after another when the box (or ``tallest``, its
    tallest row) is taller than a page could hold: a box or row cannot break across pages,
    and text too long for it must still be printed."""
    _, h = box.wrap(typography.width, 1e6)
    if (h if tallest is None else tallest()) <= typography.frame_height * 0.8:
        return [box]
    return content


def _concept(term: Line, explanation: Line, typography: _Typography) -> list[Flowable]:
    term_w = typography.width * 0.3
    gap = typography.size * 0.8
    cells = [typography.para(bold(term), "term"), typography.para(explanation, "explanation")]
    row = _Row(
        [
            _Cell(cells[0], 0, term_w),
            _Cell(cells[1], term_w + gap, typography.width - term_w - gap),
        ],
        typography.size * 0.35,
        typography.size * 0.45,
        typography.theme.colours.rule,
    )
    return _boxed(row, cells, typography)


# --------------------------------------------------------------------------- flow


def _units(flow: tuple[Flow, ...], typography: _Typography, depth: int = 0) -> list[list[Flowable]]:
    """Flow blocks as units that must start together; a sub-heading joins the next unit."""
    units: list[list[Flowable]] = []
    pending: list[Flowable] = []
    for f in flow:
        made = _flow((f,), typography, depth)
        if isinstance(f, HeadingFlow):
            pending.extend(made)
            continue
        if pending:
            units.append(
                _group(
                    [*pending, *made],
                    _height(pending, typography.width) + _reserve(made, typography),
                )
            )
            pending = []
        else:
            units.append(made)
    if pending:
        units.append(pending)
    return units


def _flow(flow: tuple[Flow, ...], typography: _Typography, depth: int = 0) -> list[Flowable]:
    out: list[Flowable] = []
    indent = typography.size * 1.6
    for f in flow:
        match f:
            case TextFlow(spans=spans, depth=d, quote=quote):
                left = _level(d + depth) * indent + (indent * 0.6 if quote else 0)
                kw: dict[str, Any] = {"indent": left}
                if quote:
                    kw["colour"] = typography.theme.colours.muted
                out.append(typography.para(spans, "body", **kw))
            case ItemFlow():
                out.append(_item(f, typography, depth))
            case HeadingFlow(spans=spans):
                out.append(typography.para(bold(spans), "h3"))
            case CodeFlow(code=code, caption=caption, depth=d):
                left = _level(d + depth) * indent
                parts: list[Flowable] = []
                if caption:
                    ts = typography.styles["caption"].derive(indent=left)
                    parts.append(Lines(_printable(bold(caption)), ts, sticky=True))
                box = _pdf.code_box(code, typography.theme, typography.width - left)
                box.spaceAfter = typography.size * 0.6
                if left:
                    parts.extend([Indenter(left=left), box, Indenter(left=-left)])
                else:
                    parts.append(box)
                # A short listing never splits; a long one splits between lines, and the
                # section's reserve keeps its caption with the first of them.
                out.extend([KeepTogether(parts)] if len(code.lines) <= 15 else parts)
            case GridFlow(header=header, rows=rows):
                out.extend(_grid(header, rows, typography))
            case _:
                assert_never(f)
    return out


def _level(depth: int) -> int:
    """Nesting deeper than this is set flush with it, so text keeps a readable width."""
    return min(depth, 6)


def _item(item: ItemFlow, typography: _Typography, depth: int = 0) -> Lines:
    indent = typography.size * 1.6
    level = _level(item.depth + depth)
    ts = typography.styles["body"].derive(
        indent=(level + 1) * indent, space_after=typography.size * 0.25
    )
    return Lines(
        _printable(item.spans),
        ts,
        bullet=(Span(item.marker),) if item.marker else (),
        bullet_x=level * indent + typography.size * 0.3,
    )


def _grid(
    header: tuple[Line, ...], rows: tuple[tuple[Line, ...], ...], typography: _Typography
) -> list[Flowable]:
    cols = max(1, len(header), *(len(r) for r in rows))
    data = []
    for i, row in enumerate((header, *rows)):
        cells: list[Flowable] = []
        for j in range(cols):
            spans = row[j] if j < len(row) else ()
            cells.append(typography.para(bold(spans) if i == 0 else spans, "cell"))
        data.append(cells)
    table = Table(
        data,
        colWidths=[typography.width / cols] * cols,
        repeatRows=1 if header else 0,
    )
    rule = colour(typography.theme.colours.rule)
    table.setStyle(
        TableStyle(
            [
                # Not the table's default font, Helvetica, which is not embedded.
                ("FONTNAME", (0, 0), (-1, -1), typography.body.name()),
                ("FONTSIZE", (0, 0), (-1, -1), typography.size),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("GRID", (0, 0), (-1, -1), 0.4, rule),
                ("BACKGROUND", (0, 0), (-1, 0), colour(typography.theme.colours.code_background)),
            ]
        )
    )
    table.spaceAfter = typography.size * 0.6
    cells = [c for row in data for c in row]
    return _boxed(
        table, cells, typography, lambda: max(reportlab_private.row_heights(table), default=0)
    )


# --------------------------------------------------------------------------- resources


def _resources(page: ResourcesPage, typography: _Typography) -> list[Flowable]:
    out: list[Flowable] = [
        _Anchor(page.key, page.title, page.title),
        typography.heading_text(page.title, "h1"),
        Spacer(1, typography.size * 0.6),
    ]
    for unit in _units(page.flow, typography):
        out.extend(unit)
    return out
