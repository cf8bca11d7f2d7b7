"""Course -> DeckPlan: the instructor deck, measured, with the talking points in the notes.

Pure: no files are read or written (image files are named, not opened). The order of the
deck is the SPEC's: title, objectives, agenda; per lesson a section slide and its sections'
slides; then the rubric overview and the appendices.

Sizes: the deck is laid out in time linear in the manual. What no slide can sensibly show
is cut, with a warning at its line (``limits``): code blocks after ``DECK_CODE_LINES``
lines, tables after ``DECK_TABLE_ROWS`` rows, words after ``DECK_WORD_CHARS`` characters
and lines of code after ``DECK_CODE_LINE_CHARS``.
"""

from __future__ import annotations

from dataclasses import replace

from deckbuild.diagnostics import Diagnostic
from deckbuild.diagnostics import warning as _warning
from deckbuild.layout import limits
from deckbuild.layout.deck_content import (
    BULLET,
    Group,
    Item,
    NotesOnly,
    TableUnit,
    Text,
    appendix_groups,
    lesson_groups,
    media,
    notes_of,
)
from deckbuild.layout.deck_fit import Draft, Fitter
from deckbuild.layout.deck_geometry import TEXT_INSET
from deckbuild.layout.deck_inline import spans_of
from deckbuild.layout.deck_plan import (
    Box,
    Bullet,
    DeckPlan,
    Para,
    PictureShape,
    RuleShape,
    Slide,
    TextFrame,
    TextRun,
    TextShape,
    runs_text,
)
from deckbuild.layout.deck_text import Spans, Typesetter, pitch, strip_spans, truncate
from deckbuild.model import Course, Lesson, Rubric
from deckbuild.services.schedule import (
    Agenda,
    AgendaRow,
    agenda,
    duration_text,
    lesson_label,
    lesson_tag,
    slot_text,
)
from deckbuild.services.spans import Span, Style
from deckbuild.theme import Theme


def layout_deck(course: Course, theme: Theme) -> tuple[DeckPlan, list[Diagnostic]]:
    ts = Typesetter(theme)
    fit = Fitter(theme, ts)
    plan_agenda = agenda(course)
    diags: list[Diagnostic] = [*limits.long_code(course), *limits.long_words(course)]
    drafts: list[Draft] = [_title_slide(course, fit)]
    if course.objectives:
        items = tuple(Item(Text(strip_spans(spans_of(o)), 0, BULLET)) for o in course.objectives)
        drafts += fit.group(Group("objectives", (Span("Learning Objectives"),), items, course.pos))
    if course.lessons:
        drafts += fit.group(_agenda_group(course, plan_agenda))
    # Agenda.slot searches the rows: once per lesson, that is quadratic in a big manual.
    slots: dict[int, AgendaRow] = {}
    for row in plan_agenda.rows:
        if row.kind == "lesson":
            slots.setdefault(row.lesson_index, row)
    for i, lesson in enumerate(course.lessons):
        drafts.append(_section_slide(lesson, i, slots.get(i), fit))
        if extra := media(lesson.intro):
            title = (Span(lesson_label(lesson)),)
            drafts += fit.group(Group("other", title, tuple(extra), lesson.pos, i))
        prefix = (Span(f"{lesson_tag(lesson)} · "),)
        groups = lesson_groups(lesson, i)
        _place(drafts, [_retitled(g, prefix) for g in groups], fit)
    if course.rubric is not None and course.rubric.categories:
        drafts += fit.group(_rubric_group(course.rubric))
    for appendix in course.appendices:
        _place(drafts, appendix_groups(appendix), fit)
    footer = _footer(course, fit)
    drafts = _unique_titles(drafts, fit)
    slides = tuple(_finish(d, n, footer, fit) for n, d in enumerate(drafts, 1))
    diags.extend(fit.cuts)
    if ts.missing:
        chars = "".join(sorted(ts.missing))
        diags.append(
            _warning(
                f"deck: no bundled font has a glyph for {chars!r}; the viewer's own fallback "
                "font will draw it, so its width was estimated",
                course.pos.line,
            )
        )
    plan = DeckPlan(
        width=fit.geo.width,
        height=fit.geo.height,
        title=course.title,
        subtitle=course.subtitle,
        author=course.meta.author or "",
        language=course.meta.language,
        slides=slides,
    )
    return plan, diags


def _retitled(group: Group | NotesOnly, prefix: Spans) -> Group | NotesOnly:
    """A lesson's slide titled "03 · Key Concepts": every lesson has one, and a screen
    reader's list of slides (or PowerPoint's outline) must tell them apart."""
    if isinstance(group, NotesOnly):
        return group
    return replace(group, title=(*prefix, *group.title))


def _unique_titles(drafts: list[Draft], fit: Fitter) -> list[Draft]:
    """The drafts, a title met again given " (2)", " (3)"…, shortened to keep its box."""
    seen: dict[str, int] = {}
    titles = [runs_text(d.title.frame.paras[0].runs) for d in drafts]
    taken = set(titles)
    out: list[Draft] = []
    for draft, title in zip(drafts, titles, strict=True):
        n = seen[title] = seen.get(title, 0) + 1
        if n > 1:
            while True:
                new = fit.titles.retitle(draft.title, (Span(title),), f" ({n})")
                text = runs_text(new.frame.paras[0].runs)
                if text not in taken:
                    break
                n += 1
            taken.add(text)
            draft = replace(draft, title=new)
        out.append(draft)
    return out


def _place(drafts: list[Draft], groups: list[Group | NotesOnly], fit: Fitter) -> None:
    """Slides for the groups; notes-only sections join the slide before them (all at once:
    joining thousands one by one would copy the slide's growing notes each time)."""
    pending: list[Text] = []
    for group in groups:
        if isinstance(group, NotesOnly):
            pending.extend(group.notes)
            continue
        if pending:
            drafts[-1] = replace(drafts[-1], notes=(*drafts[-1].notes, *pending))
            pending.clear()
        drafts += fit.group(group)
    if pending:
        drafts[-1] = replace(drafts[-1], notes=(*drafts[-1].notes, *pending))


# --------------------------------------------------------------------------- opening slides


def _title_slide(course: Course, fit: Fitter) -> Draft:
    geo, sizes, colours = fit.geo, fit.sizes, fit.colours
    ts = fit.ts
    title = fit.title_shape(
        (Span(limits.cut_text(course.title)),),
        box=Box(geo.margin, geo.height * 0.22, geo.inner_width, geo.height * 0.30),
        size=round(sizes.title * 1.25),
        align="ctr",
        anchor="b",
    )
    shapes: list[TextShape | RuleShape | PictureShape] = [
        RuleShape((geo.width - 96) / 2, title.box.bottom + 8, 96, colours.accent, 3)
    ]
    if fit.theme.logo:
        # Top right, clear of the centred title; the writer keeps the image's proportions.
        box = Box(geo.width - geo.margin - 144, geo.title_top, 144, 72)
        shapes.append(PictureShape(box, fit.theme.logo, f"{course.title} logo"))
    y = title.box.bottom + 24
    inner = geo.inner_width - 2 * TEXT_INSET
    lines: list[tuple[Spans, float, str]] = []
    if course.subtitle:
        subtitle = limits.cut_text(course.subtitle)
        lines.append(((Span(subtitle, Style(italic=True)),), sizes.subtitle, colours.text))
    byline = " · ".join(x for x in (course.meta.author, course.meta.date) if x)
    if byline:
        lines.append(((Span(limits.cut_text(byline)),), sizes.body_min, colours.muted))
    for spans, size, colour in lines:
        n = ts.lines(spans, inner, size)
        h = n * pitch(size) + 2 * TEXT_INSET + 0.25 * size
        para = ts.para(spans, size, colour, align="ctr")
        shapes.append(
            TextShape(
                "subtitle", Box(geo.margin, y, geo.inner_width, h), TextFrame((para,), TEXT_INSET)
            )
        )
        y += h + 4
    notes = notes_of(course.overview)
    if runs_text(title.frame.paras[0].runs) != course.title:
        notes.insert(0, Text((Span(course.title, Style(bold=True)),)))  # shortened on the slide
    return Draft("title", title, tuple(shapes), tuple(notes), None, course.pos)


def _agenda_group(course: Course, plan: Agenda) -> Group:
    muted = Style(italic=True, colour=None)
    header: list[Spans] = []
    if plan.scheduled:
        header.append((Span("Time"),))
    header += [(Span("Lesson"),), (Span("Duration"),)]
    rows: list[tuple[Spans, ...]] = []
    styles: list[Style] = []
    for row in plan.rows:
        cells: list[Spans] = []
        if plan.scheduled:
            cells.append((Span(slot_text(row)),))
        cells += [(Span(row.label),), (Span(duration_text(row.minutes, row.minutes_max)),)]
        rows.append(tuple(cells))
        styles.append(muted if row.kind == "break" else Style())
    total = duration_text(plan.total, plan.total_max)
    if total:
        cells = [(Span(""),)] if plan.scheduled else []
        cells += [(Span("Total", Style(bold=True)),), (Span(total, Style(bold=True)),)]
        rows.append(tuple(cells))
        styles.append(Style())
    table = TableUnit(tuple(header), tuple(rows), row_styles=tuple(styles))
    return Group("agenda", (Span("Agenda"),), (table,), course.pos)


def _section_slide(lesson: Lesson, index: int, row: AgendaRow | None, fit: Fitter) -> Draft:
    geo, sizes, colours, ts = fit.geo, fit.sizes, fit.colours, fit.ts
    label = lesson_label(lesson)
    title = fit.title_shape(
        (Span(limits.cut_text(label)),),
        box=Box(geo.margin, geo.height * 0.18, geo.inner_width, geo.height * 0.30),
        size=round(sizes.title * 1.15),
        align="ctr",
        anchor="b",
    )
    duration = duration_text(lesson.minutes, lesson.minutes_max)
    slot = slot_text(row) if row else ""
    shapes: list[TextShape | RuleShape] = [
        RuleShape((geo.width - 96) / 2, title.box.bottom + 8, 96, colours.accent, 3)
    ]
    facts = " · ".join(x for x in (duration, slot) if x)
    if facts:
        size = sizes.subtitle
        h = pitch(size) + 2 * TEXT_INSET + 0.25 * size
        para = ts.para((Span(facts),), size, colours.muted, align="ctr")
        box = Box(geo.margin, title.box.bottom + 24, geo.inner_width, h)
        shapes.append(TextShape("subtitle", box, TextFrame((para,), TEXT_INSET)))
    who = f"{lesson.label or 'Lesson'} {lesson.number}" if lesson.number is not None else label
    cue = " · ".join(x for x in (who, duration or "no duration given", slot) if x)
    notes = [Text((Span(cue, Style(bold=True)),)), *notes_of(lesson.intro)]
    if runs_text(title.frame.paras[0].runs) != label:
        notes.insert(0, Text((Span(label, Style(bold=True)),)))  # shortened on the slide
    return Draft("section", title, tuple(shapes), tuple(notes), index, lesson.pos)


def _rubric_group(rubric: Rubric) -> Group:
    with_points = any(c.points is not None for c in rubric.categories)
    header: list[Spans] = [(Span("Category"),), (Span("Items"),)]
    if with_points:
        header.append((Span("Points"),))
    rows: list[tuple[Spans, ...]] = []
    total = 0
    for c in rubric.categories:
        count = len(c.items) + sum(len(level.items) for level in c.levels)
        cells: list[Spans] = [(Span(c.name),), (Span(str(count)),)]
        if with_points:
            points = "" if c.points is None else str(c.points)
            if c.points_max is not None and c.points_max != c.points:
                points = f"{c.points}–{c.points_max}"
            cells.append((Span(points),))
            total += c.points_max or c.points or 0
        rows.append(tuple(cells))
    if with_points:
        bold = Style(bold=True)
        rows.append(((Span("Total", bold),), (Span(""),), (Span(str(total), bold),)))
    table = TableUnit(tuple(header), tuple(rows), tuple(notes_of(rubric.intro)))
    units = (table, *media(rubric.intro))
    return Group("rubric", (Span(rubric.title or "Assessment Rubric"),), units, rubric.pos)


# --------------------------------------------------------------------------- finishing


def _finish(d: Draft, number: int, footer: TextShape, fit: Fitter) -> Slide:
    shapes = d.shapes
    if d.kind != "title":
        shapes = (*shapes, footer, _slide_number(number, fit))
    notes = tuple(_note_para(t, fit) for t in d.notes)
    return Slide(d.kind, d.title, shapes, notes, fit.colours.background, d.lesson, d.pos)


_NUMBER_W = 72.0
_FOOTER_INSET = 2.0


def _footer(course: Course, fit: Fitter) -> TextShape:
    """The course title at the foot of every slide but the first (one shape, shared)."""
    geo, size, colours, ts = fit.geo, fit.sizes.footer, fit.colours, fit.ts
    left = Box(geo.margin, geo.footer_top, geo.inner_width - _NUMBER_W, geo.footer_height)
    text = truncate(ts, (Span(limits.cut_text(course.title)),), left.w - 2 * _FOOTER_INSET, size)
    return TextShape(
        "footer", left, TextFrame((ts.para(text, size, colours.muted),), _FOOTER_INSET)
    )


def _slide_number(number: int, fit: Fitter) -> TextShape:
    geo, size, colours, ts = fit.geo, fit.sizes.footer, fit.colours, fit.ts
    run = replace(ts.runs((Span(str(number)),), size, colours.muted)[0], field="slidenum")
    para = Para((run,), pitch(size), size, align="r")
    box = Box(geo.width - geo.margin - _NUMBER_W, geo.footer_top, _NUMBER_W, geo.footer_height)
    return TextShape("number", box, TextFrame((para,), _FOOTER_INSET))


def _note_para(t: Text, fit: Fitter) -> Para:
    size = fit.sizes.notes
    hang = size * (1.2 if t.marker in (None, BULLET) else 2.0) if t.marker else 0.0
    bullet = None
    if t.marker is not None:
        number = int(t.marker[:-1]) if t.marker[:-1].isdigit() else None
        bullet = Bullet(t.marker, fit.theme.fonts.body.name, fit.colours.text, hang, number)
    runs: tuple[TextRun, ...] = fit.ts.runs(t.spans, size, fit.colours.text)
    return Para(
        runs=runs,
        pitch=None,
        size=size,
        indent=t.level * size * 1.5 + hang,
        bullet=bullet,
        level=t.level,
    )
