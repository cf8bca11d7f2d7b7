"""Course -> HandoutPlan: what the student handout says, and in which order.

Pure: no files are written, and fonts are read only to learn which characters they can
draw (``measure.missing_glyphs``). The plan is student material only: only sections and
asides whose audience is ``student`` (registry.py) enter it. Talking-point prose, discussion
guidance, tips, answers and pitfalls never do; code enters with the audience around it.
Sections deckbuild cannot classify are presenter material: left out (their code is kept)
and reported, because a handout that leaks teacher notes is worse than one that is missing
a paragraph the teacher can add.

The writer decides page breaks; the plan decides content, order, and the fixed amounts of
space students get to write in.

Sizes (``limits``): a code block over ``PRINT_CODE_LINES`` lines shows its first lines, and a
table (or table of key concepts) over ``PRINT_TABLE_ROWS`` rows its first rows, each followed
by a line saying from which line of the manual the rest can be read, with a warning at the
block's line. Words are never cut: the writer breaks a word wider than a line between
characters.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal, TypeAlias, assert_never

from deckbuild import diagnostics
from deckbuild.diagnostics import Diagnostic
from deckbuild.layout import limits
from deckbuild.layout.handout_text import (
    drop_whole_bold,
    is_lead_in,
    strip_colon,
    strip_lead,
    unquote,
)
from deckbuild.model import (
    ON_SLIDE,
    Answers,
    Aside,
    Block,
    Blocks,
    CodeBlock,
    CommonPitfalls,
    Course,
    DiscussionQuestions,
    Examples,
    Exercise,
    Heading,
    Image,
    Inlines,
    KeyConcepts,
    Lesson,
    ListBlock,
    Objectives,
    OtherSection,
    Pacing,
    Paragraph,
    Question,
    Quote,
    Rule,
    Run,
    Section,
    StudentSummary,
    Table,
    TalkingPoints,
    TeachingTips,
    Topic,
    code_blocks,
    inline_text,
    walk,
)
from deckbuild.services import measure
from deckbuild.services.highlight import highlight
from deckbuild.services.schedule import Agenda, agenda, duration_text, lesson_label, slot_text
from deckbuild.services.spans import CodeLines, Line, Span, Style
from deckbuild.theme import Theme

#: Ruled lines under each discussion question, and the notes area's range: the writer
#: fills the rest of the lesson's last page within these bounds, and leaves the area out
#: when fewer than the minimum fit (a page of nothing but notes lines wastes paper).
ANSWER_LINES = 3
NOTES_MIN_LINES = 2
NOTES_MAX_LINES = 8

DEFAULT_LANGUAGE = "en"

# --------------------------------------------------------------------------- plan types
# Flow blocks: generic student content (examples, resources, overview).


@dataclass(frozen=True, slots=True)
class TextFlow:
    spans: Line
    depth: int = 0
    quote: bool = False


@dataclass(frozen=True, slots=True)
class ItemFlow:
    """One list item's first paragraph; ``marker`` is "•", "3." or a checkbox."""

    spans: Line
    marker: str
    depth: int = 0


@dataclass(frozen=True, slots=True)
class HeadingFlow:
    spans: Line


@dataclass(frozen=True, slots=True)
class CodeFlow:
    code: CodeLines
    #: The topic title or lead-in paragraph that introduces the listing; may be empty.
    caption: Line = ()
    depth: int = 0


@dataclass(frozen=True, slots=True)
class GridFlow:
    """A table."""

    header: tuple[Line, ...]
    rows: tuple[tuple[Line, ...], ...]


Flow: TypeAlias = TextFlow | ItemFlow | HeadingFlow | CodeFlow | GridFlow

# Lesson parts, in the order the plan puts them.


@dataclass(frozen=True, slots=True)
class Summary:
    """The student summary, set as a pull quote."""

    flow: tuple[Flow, ...]


@dataclass(frozen=True, slots=True)
class ConceptRow:
    term: Line
    explanation: Line
    details: tuple[Flow, ...] = ()


@dataclass(frozen=True, slots=True)
class Concepts:
    title: str
    concepts: tuple[ConceptRow, ...]
    rest: tuple[Flow, ...] = ()


@dataclass(frozen=True, slots=True)
class CodeSection:
    title: str
    flow: tuple[Flow, ...]


@dataclass(frozen=True, slots=True)
class AskedQuestion:
    number: int
    text: Line
    #: Ruled lines to write the answer on.
    lines: int = ANSWER_LINES


@dataclass(frozen=True, slots=True)
class Questions:
    title: str
    questions: tuple[AskedQuestion, ...]


@dataclass(frozen=True, slots=True)
class Notes:
    title: str
    min_lines: int = NOTES_MIN_LINES
    max_lines: int = NOTES_MAX_LINES


Part: TypeAlias = Summary | Concepts | CodeSection | Questions | Notes


@dataclass(frozen=True, slots=True)
class LessonPlan:
    #: Anchor, bookmark key and per-lesson file stem: ``lesson-01``.
    key: str
    #: ``01 · Intro to Ecto``, as on the deck's section slide.
    heading: str
    #: ``45 min``, ``2–3 h`` or empty.
    duration: str
    #: ``09:00–09:45`` when the manual has a schedule, else empty.
    slot: str
    parts: tuple[Part, ...]
    line: int


@dataclass(frozen=True, slots=True)
class ContentsRow:
    kind: Literal["lesson", "break", "resources"]
    label: str
    duration: str = ""
    slot: str = ""
    #: The anchor the row links to; empty for a break.
    key: str = ""


@dataclass(frozen=True, slots=True)
class Cover:
    title: str
    subtitle: str
    #: ``Marta Kowalczyk · 2024-03-04``; empty when neither is known.
    byline: str
    overview: tuple[Flow, ...]
    #: The overview's closing lead-in ("By the end of Day Two, students will:").
    objectives_intro: Line
    objectives: tuple[Line, ...]
    contents: tuple[ContentsRow, ...]
    #: ``Total: 14 h 45 min`` (or a range); empty without durations.
    total: str
    scheduled: bool
    #: The theme's logo file, shown at the top of the cover.
    logo: str | None = None


@dataclass(frozen=True, slots=True)
class ResourcesPage:
    key: str
    title: str
    flow: tuple[Flow, ...]


@dataclass(frozen=True, slots=True)
class Metadata:
    title: str
    author: str
    subject: str
    language: str


@dataclass(frozen=True, slots=True)
class HandoutPlan:
    meta: Metadata
    #: The running header on every page but the cover.
    header: str
    cover: Cover
    lessons: tuple[LessonPlan, ...]
    resources: ResourcesPage | None


# --------------------------------------------------------------------------- layout


@dataclass
class _Ctx:
    """What the layout threads through its helpers: the theme and the diagnostics."""

    theme: Theme
    diags: list[Diagnostic]
    #: First line at which each undrawable character was seen.
    missing: dict[str, int]
    images: int = 0


def layout_handouts(course: Course, theme: Theme) -> tuple[HandoutPlan, list[Diagnostic]]:
    """The student handout's plan, and the notes on what it leaves out or cannot draw."""
    ctx = _Ctx(theme, [], {})
    keys = _lesson_keys(course.lessons)
    schedule = agenda(course)
    slots = {r.lesson_index: slot_text(r) for r in schedule.rows if r.kind == "lesson"}
    lessons = tuple(
        _lesson(les, key, slots.get(i, ""), ctx)
        for i, (les, key) in enumerate(zip(course.lessons, keys, strict=True))
    )
    resources = _resources(course, ctx)
    for a in course.appendices:
        if a.kind == "other":
            ctx.diags.append(
                diagnostics.info(
                    f"handout: section {a.title!r} is not in the handout "
                    "(after the lessons, students get only the resources)",
                    a.pos.line,
                )
            )
    cover = _cover(course, schedule, _contents(schedule, lessons, resources), ctx)
    meta = Metadata(
        title=f"{cover.title} — Student handout",
        author=course.meta.author or "",
        subject=cover.subtitle or "Student handout",
        language=course.meta.language or DEFAULT_LANGUAGE,
    )
    # Reported last, once: a character or an image may occur in every lesson.
    _report_missing(ctx)
    if ctx.images:
        ctx.diags.append(
            diagnostics.info(
                f"handout: {ctx.images} image(s) shown as their alt text", course.pos.line
            )
        )
    return HandoutPlan(meta, cover.title, cover, lessons, resources), ctx.diags


def _cover(course: Course, schedule: Agenda, contents: tuple[ContentsRow, ...], ctx: _Ctx) -> Cover:
    """The first page: title, byline, the course overview and objectives, the contents."""
    total = ""
    if schedule.total:
        total = "Total: " + duration_text(schedule.total, schedule.total_max)
    byline = " · ".join(x for x in (course.meta.author, course.meta.date) if x)
    overview = _flows(course.overview, ctx)
    objectives = tuple(_spans(o, ctx, course.pos.line) for o in course.objectives)
    # The overview's closing lead-in ("By the end of Day Two, students will:") heads the
    # objectives, so it moves out of the overview to stay with them.
    intro: Line = ()
    if objectives and overview and isinstance(overview[-1], TextFlow):
        last = overview[-1]
        if "".join(s.text for s in last.spans).rstrip().endswith(":"):
            intro, overview = last.spans, overview[:-1]
    return Cover(
        student_title(course.title),
        student_title(course.subtitle),
        byline,
        overview,
        intro,
        objectives,
        contents,
        total,
        schedule.scheduled,
        ctx.theme.logo,
    )


def _contents(
    schedule: Agenda, lessons: tuple[LessonPlan, ...], resources: ResourcesPage | None
) -> tuple[ContentsRow, ...]:
    """One row per lesson and break in the agenda's order, then the resources page."""
    contents: list[ContentsRow] = []
    for row in schedule.rows:
        duration = duration_text(row.minutes, row.minutes_max)
        if row.kind == "lesson":
            key = lessons[row.lesson_index].key
            contents.append(ContentsRow("lesson", _short(row.label), duration, slot_text(row), key))
        else:
            contents.append(ContentsRow("break", _short(row.label), duration, slot_text(row)))
    if resources is not None:
        contents.append(ContentsRow("resources", _short(resources.title), key=resources.key))
    return tuple(contents)


#: A contents row is one line or two; the lesson's own heading shows the whole title.
CONTENTS_LABEL_MAX = 100


def _short(label: str) -> str:
    if len(label) <= CONTENTS_LABEL_MAX:
        return label
    return label[: CONTENTS_LABEL_MAX - 1].rsplit(" ", 1)[0].rstrip(" ·:–—,") + "…"


_TEACHER_WORDS = (
    r"teacher'?s?'? (?:manual|guide|notes|edition)|instructor'?s?'? (?:manual|guide|notes|edition)"
)
_TEACHER_AFFIX = re.compile(
    rf"^\s*(?:{_TEACHER_WORDS})\s*(?:[:–—|-]\s*|$)|\s*(?:[:–—|-]\s*)?\b(?:{_TEACHER_WORDS})\s*$",
    re.IGNORECASE,
)


def student_title(text: str) -> str:
    """The manual's title without "Teacher's Manual": the handout is the student's copy."""
    cleaned = _TEACHER_AFFIX.sub("", text.replace("’", "'")).strip()
    return cleaned if cleaned else text.strip()


# --------------------------------------------------------------------------- lessons


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:40].strip("-")


def _lesson_keys(lessons: tuple[Lesson, ...]) -> list[str]:
    """``lesson-01``; a repeated number gets the title's slug; no number: the slug alone.

    Names depend on the lesson itself, not its position, so a file keeps its name when
    other lessons are added or moved.
    """
    keys: list[str] = []
    seen: set[str] = set()
    for i, les in enumerate(lessons):
        slug = _slug(inline_text(les.title)) or f"x{i + 1:02d}"
        base = f"lesson-{les.number:02d}" if les.number is not None else f"lesson-{slug}"
        key = base
        if key in seen and les.number is not None:
            key = f"{base}-{slug}"
        n = 2
        while key in seen:
            key = f"{base}-{n}"
            n += 1
        seen.add(key)
        keys.append(key)
    return keys


@dataclass
class _LessonParts:
    """A lesson's parts as its sections yield them, grouped by where the plan puts them."""

    summaries: list[Part] = field(default_factory=list)
    concepts: list[Part] = field(default_factory=list)
    #: The talking points' and the intro's listings: one "Code" part after the concepts.
    topic_code: list[Flow] = field(default_factory=list)
    examples: list[Part] = field(default_factory=list)
    questions: list[Part] = field(default_factory=list)

    def in_order(self) -> tuple[Part, ...]:
        code = [CodeSection("Code", tuple(self.topic_code))] if self.topic_code else []
        return (
            *self.summaries,
            *self.concepts,
            *code,
            *self.examples,
            *self.questions,
            Notes("Notes"),
        )


def _lesson(lesson: Lesson, key: str, slot: str, ctx: _Ctx) -> LessonPlan:
    parts = _LessonParts()
    if lesson.intro:
        parts.topic_code.extend(_code_only(lesson.intro, ctx))
        _omitted(
            ctx, lesson.intro, f"lesson {lesson.number_text}: the text before its first section"
        )
    for section in lesson.sections:
        _add_section(section, lesson, parts, ctx)
    return LessonPlan(
        key,
        lesson_label(lesson),
        duration_text(lesson.minutes, lesson.minutes_max),
        slot,
        parts.in_order(),
        lesson.pos.line,
    )


def _add_section(section: Section, lesson: Lesson, parts: _LessonParts, ctx: _Ctx) -> None:
    """Add a section's student material to the lesson's parts; report what is left out."""
    match section:
        case StudentSummary(blocks=blocks):
            parts.summaries.append(Summary(_unquote_flow(_flows(blocks, ctx))))
        case KeyConcepts():
            parts.concepts.append(_key_concepts(section, ctx))
        case TalkingPoints(topics=topics):
            _talking_points(topics, parts, ctx)
        case DiscussionQuestions(questions=questions, rest=rest):
            parts.questions.append(_discussion_questions(questions, ctx))
            _omitted(ctx, rest, f"lesson {lesson.number_text}: text after the questions")
        case TeachingTips() | Answers() | Pacing():
            pass  # teacher and answer audiences: the deck's notes only
        case CommonPitfalls(blocks=blocks):
            parts.examples.extend(_student_asides(blocks, ctx))
        case Examples(title=title, blocks=blocks) | Exercise(title=title, blocks=blocks):
            if flow := _flows(blocks, ctx):
                parts.examples.append(CodeSection(title, flow))
        case Objectives(title=title, blocks=blocks):
            if flow := _flows(blocks, ctx):
                parts.summaries.append(CodeSection(title, flow))
        case OtherSection():
            _other_section(section, lesson, parts, ctx)
        case _:
            assert_never(section)


def _key_concepts(section: KeyConcepts, ctx: _Ctx) -> Part:
    """Terms with explanations as a table of concepts; bare key points as a list."""
    items, cuts = limits.cut_concepts(section.concepts, limits.PRINT_TABLE_ROWS, "the handouts")
    ctx.diags.extend(cuts)
    if not any(not isinstance(c, str) and c.explanation for c in items):
        # Key points written as sentences ("- Use git config to …"): a list.
        flow = tuple(
            ItemFlow((Span(c, _MORE),), "", 0)
            if isinstance(c, str)
            else ItemFlow(_spans(c.term, ctx, c.pos.line), "•", 0)
            for c in items
        )
        return CodeSection(section.title, (*flow, *_flows(section.rest, ctx)))
    rows = tuple(
        ConceptRow((Span(c, _MORE),), ())
        if isinstance(c, str)
        else ConceptRow(
            _spans(c.term, ctx, c.pos.line),
            strip_lead(_spans(c.explanation, ctx, c.pos.line)),
            _flows(c.details, ctx),
        )
        for c in items
    )
    return Concepts("Key concepts", rows, _flows(section.rest, ctx))


def _talking_points(topics: tuple[Topic, ...], parts: _LessonParts, ctx: _Ctx) -> None:
    """Only the code, captioned by its topic, and the student asides: the prose is what
    the teacher says."""
    for topic in topics:
        caption = strip_colon(_spans(topic.title, ctx, topic.pos.line))
        for i, block in enumerate(code_blocks(topic.blocks, ON_SLIDE)):
            parts.topic_code.append(_code(block, caption if i == 0 else (), ctx))
        parts.examples.extend(_student_asides(topic.blocks, ctx))


def _discussion_questions(questions: tuple[Question, ...], ctx: _Ctx) -> Questions:
    asked = tuple(
        AskedQuestion(n, drop_whole_bold(unquote(_spans(q.text, ctx, q.pos.line))))
        for n, q in enumerate(questions, 1)
    )
    return Questions("Discussion questions", asked)


def _other_section(section: OtherSection, lesson: Lesson, parts: _LessonParts, ctx: _Ctx) -> None:
    """An unknown section is presenter material: only its code and student asides stay."""
    if kept := _code_only(section.blocks, ctx):
        parts.examples.append(CodeSection(section.title, kept))
    parts.examples.extend(_student_asides(section.blocks, ctx))
    _omitted(
        ctx,
        section.blocks,
        f"lesson {lesson.number_text}: section {section.title!r} is not a known student section",
        always=True,
        line=section.pos.line,
    )


def _omitted(
    ctx: _Ctx, blocks: Blocks, what: str, *, always: bool = False, line: int | None = None
) -> None:
    """Report prose the handout leaves out, so nothing disappears silently."""
    prose = [b for b in blocks if not isinstance(b, Rule | CodeBlock)]
    if not prose and not always:
        return
    at = line if line is not None else (prose[0].pos.line if prose else 1)
    suffix = " (its code is kept)" if any(code_blocks(blocks)) else ""
    ctx.diags.append(diagnostics.info(f"handout: {what}; left out of the handout{suffix}", at))


def _code_only(blocks: Blocks, ctx: _Ctx) -> tuple[Flow, ...]:
    return tuple(_code(b, (), ctx) for b in code_blocks(blocks, ON_SLIDE))


def _student_asides(blocks: Blocks, ctx: _Ctx) -> list[Part]:
    """Student material inside a section for the teacher (a challenge in the script)."""
    out: list[Part] = []
    for b in walk(blocks, ON_SLIDE):
        flow = _flows(b.blocks, ctx) if isinstance(b, Aside) and b.audience == "student" else ()
        if isinstance(b, Aside) and flow:
            out.append(CodeSection(b.heading or "Exercise", flow))
    return out


def _code(block: CodeBlock, caption: Line, ctx: _Ctx, depth: int = 0) -> CodeFlow:
    colours = ctx.theme.colours
    text, hidden = limits.cut_code(block.text, limits.PRINT_CODE_LINES)
    lines = highlight(text, block.lang, ctx.theme.print_code_style, colours.code_background)
    _check_glyphs(text, Style(mono=True), ctx, block.pos.line)
    if hidden:
        first = limits.code_first_line(block) + limits.PRINT_CODE_LINES
        more = Span(limits.more_lines(hidden, first), Style(mono=True, colour=colours.muted))
        lines = CodeLines(lines.lang, (*lines.lines, (more,)))
        ctx.diags.append(
            limits.code_warning(block, hidden, limits.PRINT_CODE_LINES, "the handouts")
        )
    return CodeFlow(lines, caption, depth)


#: The style of the line that says where the rest of a cut table is.
_MORE = Style(italic=True)


def _grid(table: Table, ctx: _Ctx) -> GridFlow:
    """A table; one over ``limits.PRINT_TABLE_ROWS`` rows shows its first rows and a last
    row saying where the rest is."""
    line = table.pos.line
    limit = limits.PRINT_TABLE_ROWS
    header = tuple(_spans(c, ctx, line) for c in table.header)
    rows = tuple(tuple(_spans(c, ctx, line) for c in row) for row in table.rows[:limit])
    hidden = len(table.rows) - limit
    if hidden <= 0:
        return GridFlow(header, rows)
    first = limits.table_first_row_line(table) + limit
    rows += (((Span(limits.more_rows(hidden, first), _MORE),),),)
    ctx.diags.append(limits.table_warning(line, len(table.rows), limit, first, "the handouts"))
    return GridFlow(header, rows)


# --------------------------------------------------------------------------- resources


def _resources(course: Course, ctx: _Ctx) -> ResourcesPage | None:
    found = [a for a in course.appendices if a.kind == "resources"]
    if not found:
        return None
    if len(found) == 1:
        return ResourcesPage("resources", found[0].title, _flows(found[0].blocks, ctx))
    flow: list[Flow] = []
    for a in found:
        flow.append(HeadingFlow((Span(a.title),)))
        flow.extend(_flows(a.blocks, ctx))
    return ResourcesPage("resources", "Resources", tuple(flow))


# --------------------------------------------------------------------------- blocks -> flow


def _flows(blocks: Blocks, ctx: _Ctx, depth: int = 0, quote: bool = False) -> tuple[Flow, ...]:
    out: list[Flow] = []
    for i, block in enumerate(blocks):
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        out.extend(_flow(block, nxt, ctx, depth, quote))
    # A lead-in paragraph ("**Authentication Pipeline:**", "A minimal hook:") becomes the
    # caption of the listing it introduces, so the two are never separated.
    merged: list[Flow] = []
    for f in out:
        if isinstance(f, CodeFlow) and not f.caption and merged:
            prev = merged[-1]
            if isinstance(prev, TextFlow) and prev.depth == f.depth and is_lead_in(prev.spans):
                merged[-1] = CodeFlow(f.code, strip_colon(prev.spans), f.depth)
                continue
        merged.append(f)
    return tuple(merged)


def _flow(block: Block, nxt: Block | None, ctx: _Ctx, depth: int, quote: bool) -> list[Flow]:
    match block:
        case Paragraph(inlines=inlines, pos=pos):
            return [TextFlow(_spans(inlines, ctx, pos.line), depth, quote)]
        case Heading(inlines=inlines, pos=pos):
            return [HeadingFlow(_spans(inlines, ctx, pos.line))]
        case ListBlock(ordered=ordered, items=items, start=start):
            out: list[Flow] = []
            for n, item in enumerate(items, start):
                if item.checked is not None:
                    marker = "☑" if item.checked else "☐"
                else:
                    marker = f"{n}." if ordered else ("•" if depth % 2 == 0 else "–")
                first, *rest = item.blocks or (Paragraph(item.pos, ()),)
                if isinstance(first, Paragraph):
                    out.append(ItemFlow(_spans(first.inlines, ctx, first.pos.line), marker, depth))
                    out.extend(_flows(tuple(rest), ctx, depth + 1, quote))
                else:
                    out.append(ItemFlow((), marker, depth))
                    out.extend(_flows(item.blocks, ctx, depth + 1, quote))
            return out
        case CodeBlock():
            return [_code(block, (), ctx, depth)]
        case Quote(blocks=inner):
            return list(_flows(inner, ctx, depth, True))
        case Table():
            return [_grid(block, ctx)]
        case Aside(blocks=inner):
            # Only what is for students; answers and directions stay in the deck's notes.
            return list(_flows(inner, ctx, depth, quote)) if block.audience == "student" else []
        case Rule():
            return []
        case _:
            assert_never(block)


# --------------------------------------------------------------------------- inlines


def _spans(inlines: Inlines, ctx: _Ctx, line: int) -> Line:
    out: list[Span] = []
    for inline in inlines:
        match inline:
            case Run(text=text, strong=strong, emph=emph, code=code, strike=strike, href=href):
                if not text:
                    continue
                style = Style(bold=strong, italic=emph, mono=code, strike=strike, href=href)
                _check_glyphs(text, style, ctx, line)
                if out and out[-1].style == style:
                    out[-1] = Span(out[-1].text + text, style)
                else:
                    out.append(Span(text, style))
            case Image(alt=alt, src=src):
                ctx.images += 1
                out.append(Span(f"[{alt or src}]", Style(italic=True)))
            case _:
                assert_never(inline)
    return tuple(out)


def _unquote_flow(flow: tuple[Flow, ...]) -> tuple[Flow, ...]:
    """The flow with every paragraph ``unquote``d (the summary is quoted in the manual)."""
    return tuple(
        TextFlow(unquote(f.spans), f.depth, f.quote) if isinstance(f, TextFlow) else f for f in flow
    )


# --------------------------------------------------------------------------- glyphs


def _check_glyphs(text: str, style: Style, ctx: _Ctx, line: int) -> None:
    """Note characters no embedded font can draw; the writer draws U+FFFD for them."""
    fonts = ctx.theme.fonts
    face = fonts.code if style.mono else fonts.body
    chain = (face.file(style.bold, style.italic), *fonts.fallback)
    for ch in measure.missing_glyphs(text, chain):
        ctx.missing.setdefault(ch, line)


def _report_missing(ctx: _Ctx) -> None:
    for ch, line in sorted(ctx.missing.items(), key=lambda kv: (kv[1], kv[0])):
        ctx.diags.append(
            diagnostics.warning(
                f"handout: no embedded font has a glyph for {ch!r} (U+{ord(ch):04X}); "
                "it is drawn as \ufffd",
                line,
            )
        )
