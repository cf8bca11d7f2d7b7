"""The handout's flowables, made from the plan: the cover, each lesson's parts and the
resources page, in order, with the page-break rules that keep a heading with what follows
it and print a box too tall for a page as its content one after another.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, assert_never

from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Indenter,
    KeepTogether,
    Spacer,
    Table,
    TableStyle,
)

from deckbuild.compat import reportlab_private
from deckbuild.layout.handout import (
    CodeFlow,
    CodeSection,
    Concepts,
    Cover,
    Flow,
    GridFlow,
    HeadingFlow,
    ItemFlow,
    LessonPlan,
    Notes,
    Questions,
    ResourcesPage,
    Summary,
    TextFlow,
)
from deckbuild.services.spans import Line, Span, Style
from deckbuild.writers import _pdf
from deckbuild.writers._pdf import Figure, Lines, bold, colour
from deckbuild.writers.pdf_handout_flowables import (
    Anchor,
    Cell,
    Contents,
    NotesArea,
    Panel,
    Row,
    Ruled,
    TableCell,
)
from deckbuild.writers.pdf_handout_typography import Typography, printable

#: How much of a following block must fit under a heading for the heading to stay on the
#: page, in body lines; longer blocks continue on the next page.
_MIN_FOLLOW_LINES = 3
_MIN_CODE_LINES = 5


# --------------------------------------------------------------------------- page breaks


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


# --------------------------------------------------------------------------- cover


#: The logo's height on the cover; its width follows the image's proportions.
_LOGO_HEIGHT = 16 * mm


def _logo(path: str, alt: str, typography: Typography) -> Flowable:
    width, height = ImageReader(path).getSize()
    scale = min(_LOGO_HEIGHT / height, typography.width / 3 / width)
    return Figure(path, width * scale, height * scale, hAlign="RIGHT", alt=alt)


def cover_flowables(cover: Cover, typography: Typography) -> list[Flowable]:
    logo = [_logo(cover.logo, f"{cover.title} logo", typography)] if cover.logo else []
    out: list[Flowable] = logo
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
        out.append(Contents(cover.contents, cover.scheduled, typography))
        if cover.total:
            out.append(Spacer(1, typography.size * 0.4))
            out.append(typography.text(cover.total, "cellmuted"))
    return out


def _h2(text: str, typography: Typography) -> Lines:
    return typography.heading_text(text, "h2")


# --------------------------------------------------------------------------- lessons


def lesson_flowables(lesson: LessonPlan, typography: Typography) -> list[Flowable]:
    meta = " · ".join(x for x in (lesson.duration, lesson.slot) if x)
    rule = colour(typography.theme.colours.rule)
    out: list[Flowable] = [
        Anchor(lesson.key, lesson.heading, lesson.heading),
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
                                    printable(q.text),
                                    typography.styles["question"],
                                    bullet=(Span(f"{q.number}.", Style(bold=True)),),
                                ),
                                Spacer(1, typography.size * 0.2),
                                Ruled(q.lines, typography.line_gap, rule, typography.size * 1.8),
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
                    NotesArea(label, lo, hi, typography.line_gap, rule, typography.size * 0.5)
                )
            case _:
                assert_never(part)
    return out


def _section(title: str, units: list[list[Flowable]], typography: Typography) -> list[Flowable]:
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


def _reserve(unit: list[Flowable], typography: Typography) -> float:
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


def _summary(flow: tuple[Flow, ...], typography: Typography) -> list[Flowable]:
    c = typography.theme.colours
    inner: list[Flowable] = [typography.heading_text("Summary", "label")]
    for f in flow:
        if isinstance(f, TextFlow):
            inner.append(typography.para(f.spans, "summary"))
        else:
            inner.extend(_flow((f,), typography))
    s = typography.size
    panel = Panel(inner, (s * 1.1, s * 1.1, s * 0.8, s * 0.9), c.code_background, c.accent)
    panel.spaceAfter = s * 0.4
    return _boxed(panel, inner, typography)


def _boxed(
    box: Flowable,
    content: list[Flowable],
    typography: Typography,
    tallest: Callable[[], float] | None = None,
) -> list[Flowable]:
    """The box, or its content one after another when the box (or ``tallest``, its
    tallest row) is taller than a page could hold: a box or row cannot break across pages,
    and text too long for it must still be printed."""
    _, h = box.wrap(typography.width, 1e6)
    if (h if tallest is None else tallest()) <= typography.frame_height * 0.8:
        return [box]
    return content


def _concept(term: Line, explanation: Line, typography: Typography) -> list[Flowable]:
    term_w = typography.width * 0.3
    gap = typography.size * 0.8
    cells = [typography.para(bold(term), "term"), typography.para(explanation, "explanation")]
    row = Row(
        [
            Cell(cells[0], 0, term_w),
            Cell(cells[1], term_w + gap, typography.width - term_w - gap),
        ],
        typography.size * 0.35,
        typography.size * 0.45,
        typography.theme.colours.rule,
    )
    return _boxed(row, cells, typography)


# --------------------------------------------------------------------------- flow


def _units(flow: tuple[Flow, ...], typography: Typography, depth: int = 0) -> list[list[Flowable]]:
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


def _flow(flow: tuple[Flow, ...], typography: Typography, depth: int = 0) -> list[Flowable]:
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
                    parts.append(Lines(printable(bold(caption)), ts, sticky=True))
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


def _item(item: ItemFlow, typography: Typography, depth: int = 0) -> Lines:
    indent = typography.size * 1.6
    level = _level(item.depth + depth)
    ts = typography.styles["body"].derive(
        indent=(level + 1) * indent, space_after=typography.size * 0.25
    )
    return Lines(
        printable(item.spans),
        ts,
        bullet=(Span(item.marker),) if item.marker else (),
        bullet_x=level * indent + typography.size * 0.3,
    )


def _grid(
    header: tuple[Line, ...], rows: tuple[tuple[Line, ...], ...], typography: Typography
) -> list[Flowable]:
    cols = max(1, len(header), *(len(r) for r in rows))
    data = []
    paras: list[Flowable] = []  # in reading order, for a table too tall to keep
    for i, row in enumerate((header, *rows)):
        cells: list[Flowable] = []
        for j in range(cols):
            spans = row[j] if j < len(row) else ()
            para = typography.para(bold(spans) if i == 0 else spans, "cell")
            paras.append(para)
            cells.append(TableCell(para, j == 0, j == cols - 1))
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
    return _boxed(
        table, paras, typography, lambda: max(reportlab_private.row_heights(table), default=0)
    )


# --------------------------------------------------------------------------- resources


def resources_flowables(page: ResourcesPage, typography: Typography) -> list[Flowable]:
    out: list[Flowable] = [
        Anchor(page.key, page.title, page.title),
        typography.heading_text(page.title, "h1"),
        Spacer(1, typography.size * 0.6),
    ]
    for unit in _units(page.flow, typography):
        out.extend(unit)
    return out
