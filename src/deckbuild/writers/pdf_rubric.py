"""RubricPlan -> rubric.pdf: a printable checklist that is also a fillable AcroForm.

Every box is drawn twice on purpose: once in the page content, so it prints as a box from
any viewer or printer, and once as a transparent AcroForm checkbox on top, so it can be
ticked on screen. The widget draws only the tick; a tick made on screen prints with it.

Sizes: every flowable can be set whatever its size, in time linear in its length, and no
text is cut but the footer's (``FOOTER_CHARS`` characters of the rubric's and course's
titles). A heading is kept with what follows it only while it takes at most half a page
(``KEEP_WITH_NEXT_SHARE``): a taller one cannot be kept with anything, and asking reportlab
to would move it from page to page for ever. A criterion taller than a page (thousands of
characters, or a word of tens of thousands) is split between its lines: the box and the
first lines on one page, the rest of its text and its lesson link after it. A snippet
taller than half a page is indented by a wrapper that splits with it (``_Shifted``), not by
an ``Indenter``, whose content cannot split at the indented width.
"""

from __future__ import annotations

import datetime as _dt
from functools import partial
from io import BytesIO
from typing import Any, assert_never

from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Indenter,
    KeepTogether,
    SimpleDocTemplate,
    Spacer,
)

from deckbuild.layout.rubric import (
    CategoryPlan,
    Extra,
    HeaderField,
    ItemPlan,
    LevelPlan,
    Note,
    Review,
    RubricPlan,
    ScorePlan,
)
from deckbuild.services import measure
from deckbuild.services.spans import Line, Span, Style
from deckbuild.theme import Theme
from deckbuild.writers import pdf_tags
from deckbuild.writers._pdf import (
    Face,
    Lines,
    TextStyle,
    code_box,
    faces,
    margin,
    page_size,
    pdf_date,
    without_internal_link,
)
from deckbuild.writers.pdf_tags import TaggedCanvas

#: Indent per nesting level and the gap between box and text, in body sizes.
INDENT_EM = 1.6
GAP_EM = 0.6
#: A heading is kept with the flowable after it only if it takes at most this share of
#: a page's frame.
KEEP_WITH_NEXT_SHARE = 0.5
#: The footer's text is cut (with an ellipsis) beyond this many characters.
FOOTER_CHARS = 200
#: reportlab's default padding inside a SimpleDocTemplate frame, on each side.
_FRAME_PADDING = 6.0


class _Styles:
    """Text styles, all derived from the theme's PDF body size, fonts and colours."""

    def __init__(self, theme: Theme) -> None:
        self.theme = theme
        self.heading, self.body, self.code = faces(theme)
        c = theme.colours
        size = theme.sizes.pdf_body
        self.size = size

        def style(face: Face, scale: float, colour: str, **kw: Any) -> TextStyle:
            s = size * scale
            return TextStyle(face, self.code, s, s * 1.3, colour, **kw)

        self.title = style(self.heading, 2.0, c.accent, space_after=size * 0.2, role="H1")
        self.course = style(self.heading, 1.2, c.text)
        self.subtitle = style(self.body, 1.0, c.muted, space_after=size * 0.4)
        self.legend = style(self.body, 0.85, c.muted, space_before=size * 0.4)
        self.category = style(
            self.heading,
            1.45,
            c.accent,
            space_before=size * 1.2,
            space_after=size * 0.4,
            role="H2",
        )
        self.level = style(
            self.heading, 1.1, c.text, space_before=size * 0.6, space_after=size * 0.2, role="H3"
        )
        self.item = style(self.body, 1.0, c.text)
        self.link = style(self.body, 0.85, c.muted)
        self.caption = style(self.body, 0.8, c.muted, space_before=size * 0.2)
        self.note = style(self.body, 1.0, c.text, space_after=size * 0.3)
        footer = theme.sizes.footer
        self.footer = TextStyle(
            self.body, self.code, footer * 0.8, footer, c.muted, role="Artifact"
        )
        self.footer_right = self.footer.derive(align_right=True)
        pw, ph = page_size(theme)
        m = margin(theme)
        #: The room a page's frame offers its flowables.
        self.frame_width = pw - 2 * m - 2 * _FRAME_PADDING
        self.frame_height = ph - 2 * m - 2 * _FRAME_PADDING

    def para(self, line: Line, style: TextStyle) -> Lines:
        return Lines(tuple(Span(s.text, without_internal_link(s.style)) for s in line), style)

    def text(self, text: str, style: TextStyle, st: Style | None = None) -> Lines:
        return self.para((Span(text, st or Style()),), style)


# --------------------------------------------------------------------------- flowables


class _Check(Flowable):  # type: ignore[misc]
    """One criterion: printed box + AcroForm checkbox, its text, and its lesson link.

    A criterion taller than a page splits: this box with as many lines of its text as fit,
    then the rest of the text and the link as indented text. One that fits a page never
    splits; it moves to the next page whole.
    """

    def __init__(self, item: ItemPlan, st: _Styles, text: Lines | None = None) -> None:
        super().__init__()
        self.item = item
        self.st = st
        self.indent = item.depth * st.size * INDENT_EM
        self.box = st.size * 1.05
        self.gap = st.size * GAP_EM
        link_style = Style(italic=item.source == "none")
        #: The head of a split criterion has part of the text and no link.
        self.text = st.para(item.text, st.item) if text is None else text
        self.link = st.text(item.link_text, st.link, link_style) if text is None else None
        self.text_h = self.link_h = 0.0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        inner = avail_width - self.indent - self.box - self.gap
        _, self.text_h = self.text.wrap(inner, avail_height)
        self.width = avail_width
        if self.link is None:
            self.link_h = 0.0
            self.height = self.text_h
        else:
            _, self.link_h = self.link.wrap(inner, avail_height)
            self.height = self.text_h + self.link_h + self.st.size * 0.35
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        self.wrap(avail_width, avail_height)
        if self.link is None or self.height <= self.st.frame_height:
            return []
        inner = avail_width - self.indent - self.box - self.gap
        if self.text_h <= avail_height:
            parts: list[Flowable] = [self.text]
        else:
            parts = self.text.split(inner, avail_height)
            if not parts:  # not even its first lines fit: the next page has room
                return []
        shift = self.indent + self.box + self.gap
        return [
            _Check(self.item, self.st, parts[0]),
            *(_Shifted(part, shift) for part in parts[1:]),
            _Shifted(self.link, shift),
            Spacer(1, self.st.size * 0.35),
        ]

    def draw(self) -> None:
        canv: Canvas = self.canv
        theme = self.st.theme
        top = self.height
        leading = self.st.item.leading
        x = self.indent
        # Centred on the first line of text, so a wrapped criterion keeps its box at the top.
        y = top - (leading + self.box) / 2
        canv.saveState()
        canv.setStrokeColor(colors.HexColor(theme.colours.text))
        canv.setLineWidth(0.8)
        canv.rect(x, y, self.box, self.box, stroke=1, fill=0)
        canv.restoreState()
        with pdf_tags.group(canv, "LI"), pdf_tags.group(canv, "LBody"):
            self._draw(canv, x, y, top)

    def _draw(self, canv: Canvas, x: float, y: float, top: float) -> None:
        theme = self.st.theme
        canv.acroForm.checkbox(
            name=self.item.field,
            tooltip=_plain(self.item.text),
            checked=self.item.checked,
            buttonStyle="check",
            shape="square",
            size=self.box,
            x=x,
            y=y,
            relative=True,
            fieldFlags="",
            annotationFlags="print",
            borderWidth=None,
            borderColor=None,
            fillColor=None,
            textColor=colors.HexColor(theme.colours.text),
        )
        pdf_tags.annotation(canv, "Form", _plain(self.item.text))
        tx = x + self.box + self.gap
        self.text.drawOn(canv, tx, top - self.text_h)
        if self.link is not None:
            self.link.drawOn(canv, tx, top - self.text_h - self.link_h)


class _Shifted(Flowable):  # type: ignore[misc]
    """A flowable set ``shift`` points in from the left, split as it splits: the rest of a
    criterion under its first lines, a snippet taller than a page. (Not an Indenter: a
    frame asks a flowable to split at its full width, indent or not, and the part then no
    longer fits the indented width.)"""

    def __init__(self, inner: Flowable, shift: float) -> None:
        super().__init__()
        self.inner = inner
        self.shift = shift

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        _, self.height = self.inner.wrap(avail_width - self.shift, avail_height)
        self.width = avail_width
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        parts = self.inner.split(avail_width - self.shift, avail_height)
        return [_Shifted(part, self.shift) for part in parts]

    def getSpaceBefore(self) -> float:
        return float(self.inner.getSpaceBefore())

    def getSpaceAfter(self) -> float:
        return float(self.inner.getSpaceAfter())

    def draw(self) -> None:
        self.inner.drawOn(self.canv, self.shift, 0)


class _Fields(Flowable):  # type: ignore[misc]
    """The header's fill-in fields side by side: a label, a printed line, a text field."""

    SHARES = (0.45, 0.33, 0.22)

    def __init__(self, fields: tuple[HeaderField, ...], st: _Styles) -> None:
        super().__init__()
        self.fields = fields
        self.st = st
        self.labels = [st.text(f.label, st.link) for f in fields]

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        self.height = self.st.size * 3.4
        return self.width, self.height

    def draw(self) -> None:
        canv: Canvas = self.canv
        theme = self.st.theme
        gap = self.st.size * 1.2
        n = len(self.fields)
        shares = self.SHARES if n == len(self.SHARES) else tuple(1 / n for _ in range(n))
        usable = self.width - gap * (n - 1)
        x = 0.0
        line_y = self.st.size * 0.4
        field_h = self.st.size * 1.7
        for field, label, share in zip(self.fields, self.labels, shares, strict=True):
            w = usable * share
            _, h = label.wrap(w, self.height)
            label.drawOn(canv, x, self.height - h)
            canv.saveState()
            canv.setStrokeColor(colors.HexColor(theme.colours.text))
            canv.setLineWidth(0.6)
            canv.line(x, line_y, x + w, line_y)
            canv.restoreState()
            _text_field(
                canv,
                field.field,
                field.label,
                (x, line_y + 1, w, field_h),
                theme.colours.text,
                self.st.size,
                maxlen=200,
            )
            x += w + gap


def _text_field(
    canv: Canvas,
    name: str,
    tooltip: str,
    box: tuple[float, float, float, float],
    colour: str,
    size: float,
    maxlen: int,
) -> None:
    """A borderless, unfilled text field over a printed line: it prints as the line alone
    and fills in on screen."""
    x, y, width, height = box
    canv.acroForm.textfield(
        name=name,
        tooltip=tooltip,
        value="",
        x=x,
        y=y,
        width=width,
        height=height,
        relative=True,
        fieldFlags="",
        annotationFlags="print",
        borderWidth=0,
        borderColor=None,
        fillColor=None,
        textColor=colors.HexColor(colour),
        fontSize=size,
        maxlen=maxlen,
    )
    pdf_tags.annotation(canv, "Form", tooltip)


class _Score(Flowable):  # type: ignore[misc]
    """Right-aligned "Score: ______ / 40" with a text field over the blank."""

    BLANK = "_" * 10

    def __init__(self, score: ScorePlan, st: _Styles, total: bool) -> None:
        super().__init__()
        self.score = score
        self.st = st
        self.total = total
        self.size = st.size * (1.25 if total else 1.0)
        self.face = st.heading if total else st.body
        self.style = st.item.derive(face=self.face, size=self.size, leading=self.size * 1.3)
        self.parts = (f"{score.label}: ", self.BLANK, f" {score.out_of}" if score.out_of else "")
        bold = Style(bold=True)
        self.para = st.para(tuple(Span(p, bold) for p in self.parts if p), self.style)

    def _width(self, text: str) -> float:
        return measure.width(text, self.face.chain(True, False), self.size)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        self.height = self.size * (2.4 if self.total else 1.9)
        return self.width, self.height

    def draw(self) -> None:
        canv: Canvas = self.canv
        label, blank, out_of = (self._width(p) for p in self.parts)
        x = self.width - (label + blank + out_of)
        if self.total:
            canv.saveState()
            canv.setStrokeColor(colors.HexColor(self.st.theme.colours.rule))
            canv.line(0, self.height - 1, self.width, self.height - 1)
            canv.restoreState()
        self.para.wrap(self.width, self.height)
        base = self.size * 0.3
        self.para.drawOn(canv, x, base)
        _text_field(
            canv,
            self.score.field,
            f"{self.score.label} {self.score.out_of}".strip(),
            (x + label, base + self.size * 0.15, blank, self.size * 1.2),
            self.st.theme.colours.text,
            self.size * 0.9,
            maxlen=8,
        )


class _Outline(Flowable):  # type: ignore[misc]
    """A zero-height bookmark, so a long rubric can be navigated by category."""

    def __init__(self, key: str, title: str) -> None:
        super().__init__()
        self.key = key
        self.title = title

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return 0.0, 0.0

    def draw(self) -> None:
        self.canv.bookmarkPage(self.key)
        self.canv.addOutlineEntry(self.title, self.key, level=0, closed=True)


# --------------------------------------------------------------------------- story


def _plain(line: Line) -> str:
    return "".join(s.text for s in line)


def _item_flowables(item: ItemPlan, st: _Styles) -> list[Flowable]:
    parts: list[Flowable] = [_Check(item, st)]
    if item.snippet is not None:
        indent = item.depth * st.size * INDENT_EM + st.size * (1.05 + GAP_EM)
        caption = st.text(item.snippet.caption, st.caption, Style(italic=True))
        box = code_box(item.snippet.code, st.theme)
        inner = st.frame_width - indent
        tall = caption.wrap(inner, st.frame_height)[1] + box.wrap(inner, st.frame_height)[1]
        if tall <= st.frame_height * KEEP_WITH_NEXT_SHARE:
            parts += [Indenter(left=indent), caption, box, Indenter(left=-indent)]
        else:  # it may have to split, which an Indenter's content cannot
            parts += [_Shifted(caption, indent), _Shifted(box, indent)]
        parts.append(Spacer(1, st.size * 0.5))
    return [KeepTogether(parts)]


def _extras(extras: tuple[Extra, ...], st: _Styles) -> list[Flowable]:
    out: list[Flowable] = []
    for e in extras:
        match e:
            case Note(text=text):
                out.append(st.para(text, st.note))
            case Review(code=code):
                out += [code_box(code, st.theme), Spacer(1, st.size * 0.5)]
            case _:
                assert_never(e)
    return out


def _heading(text: str, points: str, style: TextStyle, st: _Styles) -> Lines:
    spans: list[Span] = [Span(text, Style(bold=True))]
    if points:
        spans += [Span("  "), Span(points, Style(colour=st.theme.colours.muted))]
    p = st.para(tuple(spans), style)
    # A heading taller than a page cannot be kept with anything: reportlab would move it
    # to the next page and try again, for ever.
    height = len(p.lines_at(st.frame_width)) * style.leading
    if height <= st.frame_height * KEEP_WITH_NEXT_SHARE:
        p.keepWithNext = 1
    return p


def _level(level: LevelPlan, st: _Styles) -> list[Flowable]:
    out: list[Flowable] = [_heading(level.name, level.points, st.level, st)]
    for item in level.items:
        out += _item_flowables(item, st)
    out += _extras(level.extras, st)
    return out


def _category(cat: CategoryPlan, st: _Styles) -> list[Flowable]:
    out: list[Flowable] = [
        _Outline(f"category-{cat.number}", cat.name),
        _heading(f"{cat.number}. {cat.name}", cat.points, st.category, st),
    ]
    for item in cat.items:
        out += _item_flowables(item, st)
    for level in cat.levels:
        out += _level(level, st)
    out += _extras(cat.extras, st)
    out.append(_Score(cat.score, st, total=False))
    return out


def _story(plan: RubricPlan, st: _Styles) -> list[Flowable]:
    story: list[Flowable] = [
        st.text(plan.heading, st.title, Style(bold=True)),
        st.text(plan.title, st.course, Style(bold=True)),
    ]
    if plan.subtitle:
        story.append(st.text(plan.subtitle, st.subtitle, Style(italic=True)))
    story += [Spacer(1, st.size * 0.6), _Fields(plan.fields, st)]
    if plan.notice:
        story += [Spacer(1, st.size), st.text(plan.notice, st.note)]
        return story
    story.append(st.text(plan.legend, st.legend))
    for cat in plan.categories:
        story += _category(cat, st)
    story += [Spacer(1, st.size), _Score(plan.total, st, total=True)]
    return story


def write_rubric(plan: RubricPlan, theme: Theme, date: _dt.datetime) -> bytes:
    """The rubric as PDF bytes; the same plan, theme and date always give the same bytes."""
    st = _Styles(theme)
    pw, ph = page_size(theme)
    m = margin(theme)
    width = pw - 2 * m
    stamp = pdf_date(date)
    footer_text = f"{plan.heading} · {plan.title}"
    if len(footer_text) > FOOTER_CHARS:
        footer_text = footer_text[: FOOTER_CHARS - 1].rstrip() + "…"

    def on_page(canv: Canvas, doc: Any) -> None:
        canv.setDateFormatter(lambda *_: stamp)
        canv.saveState()
        left = st.text(footer_text, st.footer)
        right = st.text(f"{canv.getPageNumber()}", st.footer_right)
        _, rh = right.wrap(width, m)
        right.drawOn(canv, m, m / 2 - rh / 2)
        _, lh = left.wrap(width * 0.85, m)
        left.drawOn(canv, m, m / 2 - lh / 2)
        canv.restoreState()

    buf = BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=(pw, ph),
        leftMargin=m,
        rightMargin=m,
        topMargin=m,
        bottomMargin=m,
        title=f"{plan.heading}: {plan.title}",
        author=plan.author or "",
        subject=plan.heading,
        creator="deckbuild",
        invariant=1,
        lang=plan.language or "en",
        displayDocTitle=1,
        # Otherwise the canvas opens with an unembedded Helvetica that draws nothing.
        initialFontName=st.body.name(),
        initialFontSize=st.size,
    )
    maker = partial(TaggedCanvas, title=f"{plan.heading}: {plan.title}")
    doc.build(_story(plan, st), onFirstPage=on_page, onLaterPages=on_page, canvasmaker=maker)
    return buf.getvalue()
