"""What goes where (SPEC "What goes where"): lesson sections -> slide groups, no geometry.

A ``Group`` is the content of one or more slides with one title: a sequence of units, each
a body paragraph, a table, a code block or an image, carrying the speaker notes that belong
with it. ``deck_fit`` later measures the units and spreads them over slides, so the notes
always travel with the body text they explain.

A table (or a table of key concepts) longer than ``limits.DECK_TABLE_ROWS`` rows shows its
first rows and a last row saying from which line of the manual the rest can be read; its
notes stop at the same row. The warning travels with the unit or group (``cut``/``cuts``)
for ``deck_fit`` to report: every slide a table continues on carries the table's notes, so
a table of n rows would otherwise cost n² (``limits``). Code in the notes (answers, tips)
stops after ``limits.DECK_CODE_LINES`` lines, as on a slide (``limits.long_code`` warns).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, TypeAlias, assert_never

from deckbuild.diagnostics import Diagnostic, SourcePos
from deckbuild.layout import limits
from deckbuild.layout.deck_inline import (
    BOLD,
    QUOTES,
    bold,
    drop_trailing_colon,
    images_in,
    spans_of,
    unbold,
    unquote,
)
from deckbuild.layout.deck_plan import SlideKind
from deckbuild.layout.deck_pullouts import pullouts
from deckbuild.layout.deck_text import (
    Spans,
    plain,
    strip_spans,
)
from deckbuild.model import (
    ON_SLIDE,
    Answers,
    Appendix,
    Aside,
    Block,
    Blocks,
    CodeBlock,
    CommonPitfalls,
    DiscussionQuestions,
    Examples,
    Exercise,
    Heading,
    Inlines,
    KeyConcepts,
    Lesson,
    ListBlock,
    ListItem,
    Objectives,
    OtherSection,
    Pacing,
    Paragraph,
    Quote,
    Rule,
    Run,
    Section,
    StudentSummary,
    Table,
    TalkingPoints,
    TeachingTips,
)
from deckbuild.services.spans import Span, Style

BULLET = "•"


@dataclass(frozen=True, slots=True)
class Text:
    """A paragraph before layout: spans, nesting level and list marker ("•", "3.")."""

    spans: Spans
    level: int = 0
    marker: str | None = None
    #: The rest of a paragraph split across slides: indented like it, without a marker.
    cont: bool = False


Notes: TypeAlias = tuple[Text, ...]


@dataclass(frozen=True, slots=True)
class Item:
    """A body paragraph; ``notes`` are what the presenter reads while it is shown."""

    text: Text
    notes: Notes = ()


@dataclass(frozen=True, slots=True)
class TableUnit:
    header: tuple[Spans, ...]
    rows: tuple[tuple[Spans, ...], ...]
    notes: Notes = ()
    #: Styles of the header row and body rows' cells, e.g. a muted break row.
    row_styles: tuple[Style, ...] = ()
    #: The warning for a table cut at ``limits.DECK_TABLE_ROWS`` rows.
    cut: Diagnostic | None = None


@dataclass(frozen=True, slots=True)
class CodeUnit:
    code: CodeBlock
    notes: Notes = ()


@dataclass(frozen=True, slots=True)
class ImageUnit:
    path: str
    alt: str
    notes: Notes = ()


@dataclass(frozen=True, slots=True)
class NotesUnit:
    """Prose for the speaker notes only; it joins the slide of the unit before it."""

    notes: Notes


Unit: TypeAlias = Item | TableUnit | CodeUnit | ImageUnit | NotesUnit

#: How body paragraphs look: bullets, a centred quotation, or plain paragraphs.
BodyStyle: TypeAlias = Literal["bullets", "quote"]


@dataclass(frozen=True, slots=True)
class NotesOnly:
    """A section for the teacher or with answers: speaker notes only, joined to the slide
    before it (SPEC "Audiences"); it never makes a slide of its own."""

    notes: Notes


@dataclass(frozen=True, slots=True)
class Group:
    kind: SlideKind
    title: Spans
    units: tuple[Unit, ...]
    pos: SourcePos
    lesson: int | None = None
    body: BodyStyle = "bullets"
    #: What a prose-only group may take a one-line pull-out from (``pullouts``): only
    #: such groups need the candidates, so they are not made for every group.
    prose: Blocks = field(default=())
    #: Warnings for what the group leaves out (``limits``).
    cuts: tuple[Diagnostic, ...] = ()


# --------------------------------------------------------------------------- notes


MONO = Style(mono=True)


def notes_of(blocks: Blocks, level: int = 0, code: bool = False) -> list[Text]:
    """Blocks as speaker-notes paragraphs: every word, lists as bullets. Code goes to code
    slides, so it is left out, unless ``code`` says it has no slide (answers, tips)."""
    out: list[Text] = []
    for b in blocks:
        match b:
            case Paragraph(inlines=inlines):
                if spans := strip_spans(spans_of(inlines)):
                    out.append(Text(spans, level))
            case Heading(inlines=inlines):
                out.append(Text(strip_spans(spans_of(inlines, BOLD)), level))
            case ListBlock():
                for k, item in enumerate(b.items):
                    out.extend(_item_notes(item, level, _marker(b, k), code))
            case Quote(blocks=inner):
                out.extend(notes_of(inner, level, code))
            case Table(header=header, rows=rows):
                out.extend(Text(_row_spans(r), level) for r in (header, *rows) if r)
            case Aside(blocks=inner, label=label):
                inner_notes = notes_of(inner, level, code or b.audience not in ON_SLIDE)
                said = plain(inner_notes[0].spans).lstrip(QUOTES + " ") if inner_notes else ""
                if label and not said.casefold().startswith(label.casefold()):
                    out.append(Text((Span(f"{b.heading}:", BOLD),), level))
                out.extend(inner_notes)
            case CodeBlock(text=text):
                if code:
                    shown, hidden = limits.cut_code(text, limits.DECK_CODE_LINES)
                    out.extend(Text((Span(line, MONO),), level) for line in shown.split("\n"))
                    if hidden:
                        first = limits.code_first_line(b) + limits.DECK_CODE_LINES
                        more = limits.more_lines(hidden, first)
                        out.append(Text((Span(more, Style(italic=True)),), level))
            case Rule():
                pass
            case _:
                assert_never(b)
    return out


def _marker(block: ListBlock, k: int) -> str:
    return f"{block.start + k}." if block.ordered else BULLET


def _item_notes(item: ListItem, level: int, marker: str, code: bool = False) -> list[Text]:
    first, *rest = item.blocks or (Paragraph(item.pos, ()),)
    if isinstance(first, Paragraph):
        head = [Text(strip_spans(spans_of(first.inlines)), level, marker)]
        return head + notes_of(tuple(rest), level + 1, code)
    return [Text((), level, marker), *notes_of(item.blocks, level + 1, code)]


def _row_spans(row: tuple[Inlines, ...]) -> Spans:
    out: list[Span] = []
    for i, cell in enumerate(row):
        if i:
            out.append(Span(" | "))
        out.extend(spans_of(cell))
    return strip_spans(out)


# --------------------------------------------------------------------------- lead-ins


def lead_in(inlines: Inlines) -> Spans | None:
    """The bold (or code) phrase an item or paragraph opens with, without its colon.

    ``- **Repo**: "The repository…"`` gives ``Repo``; ``- "**Mock**: Verifies…"`` gives
    ``Mock``; ``- `{:ok, results}`: "On success…"`` gives the code.
    """
    runs = [i for i in inlines if isinstance(i, Run)]
    k = 0
    while k < len(runs) and not runs[k].strong and not runs[k].code:
        if runs[k].text.strip(QUOTES + " \t("):
            return None
        k += 1
    picked: list[Run] = []
    while k < len(runs) and (runs[k].strong or (picked and not runs[k].text.strip())):
        picked.append(runs[k])
        k += 1
    if picked:
        spans = drop_trailing_colon(spans_of(tuple(picked)))
        return bold(spans) if plain(spans).strip(QUOTES + " ") else None
    if k < len(runs) and runs[k].code:
        after = runs[k + 1].text if k + 1 < len(runs) else ""
        if after.lstrip().startswith((":", " -", " –", " —")):
            return spans_of((runs[k],))
    return None


def _opens_bold(inlines: Inlines) -> bool:
    runs = [i for i in inlines if isinstance(i, Run) and i.text.strip(QUOTES + " ")]
    return bool(runs) and runs[0].strong


def bold_phrases(inlines: Inlines, skip_first: bool = False) -> list[Spans]:
    """Bold phrases inside prose that stand for something (``**Atomicity**``), not mere
    emphasis (``**must**``): two or more words, or one capitalised term."""
    groups: list[list[Run]] = []
    previous_strong = False
    for r in inlines:
        strong = isinstance(r, Run) and r.strong
        if strong and isinstance(r, Run):
            if not previous_strong:
                groups.append([])
            groups[-1].append(r)
        previous_strong = strong
    out: list[Spans] = []
    for g in groups[1:] if skip_first else groups:
        spans = drop_trailing_colon(spans_of(tuple(g)))
        text = plain(spans).strip(QUOTES + " ")
        words = text.split()
        if len(words) >= 2 or (len(words) == 1 and text[:1].isupper() and len(text) >= 4):
            out.append(bold(spans))
    return out


def _is_opener(b: Block) -> Inlines | None:
    """A bold-only paragraph or a heading opens a topic-like group."""
    if isinstance(b, Heading):
        return b.inlines
    if isinstance(b, Paragraph):
        runs = strip_spans(spans_of(b.inlines))
        body = [s for s in runs if s.text.strip()]
        if body and body[-1].text.strip() in {":", "："} and not body[-1].style.bold:
            body = body[:-1]
        if body and all(s.style.bold for s in body):
            return b.inlines
    return None


# --------------------------------------------------------------------------- units


Mode: TypeAlias = Literal["leadins", "full", "summary"]


def units_of(blocks: Blocks, mode: Mode) -> list[Unit]:
    """Blocks as units.

    ``leadins`` (talking points, tips): the slide shows only bold lead-ins and bold phrases;
    every word goes to the notes. ``summary`` (examples, other sections, appendices): list
    items are shown by their lead-in, or whole when they have none; prose goes to the notes.
    ``full`` (pitfalls, summaries): everything is shown, nothing is in the notes.
    """
    out: list[Unit] = []
    for b in blocks:
        match b:
            case Paragraph(inlines=inlines):
                spans = strip_spans(spans_of(inlines))
                if not spans:
                    continue
                if mode == "full":
                    out.append(Item(Text(spans)))
                else:
                    lead = lead_in(inlines)
                    shown = [lead] if lead else []
                    if mode == "leadins":
                        shown += bold_phrases(inlines, skip_first=_opens_bold(inlines))
                    out.extend(_with_notes(shown, (Text(spans),)))
                out.extend(ImageUnit(i.path or "", i.alt) for i in images_in(inlines))
            case Heading(inlines=inlines):
                spans = strip_spans(spans_of(inlines, BOLD))
                notes: Notes = () if mode == "full" else (Text(spans),)
                out.append(Item(Text(spans), notes))
            case ListBlock():
                out.extend(_list_units(b, mode, 0))
            case Quote(blocks=inner):
                if mode == "full":
                    out.extend(units_of(inner, mode))
                else:
                    out.append(NotesUnit(tuple(notes_of(inner))))
                    out.extend(u for u in units_of(inner, mode) if not isinstance(u, Item))
            case Table():
                out.append(_table_unit(b, mode))
            case CodeBlock():
                out.append(CodeUnit(b))
            case Aside():
                out.extend(_aside_units(b))
            case Rule():
                pass
            case _:
                assert_never(b)
    return [u for u in out if not (isinstance(u, NotesUnit) and not u.notes)]


def _table_unit(table: Table, mode: Mode) -> TableUnit:
    """A table as a unit; one over ``limits.DECK_TABLE_ROWS`` rows is cut, with a last row
    (and a last line of notes) saying where the rest is."""
    limit = limits.DECK_TABLE_ROWS
    shown = table if len(table.rows) <= limit else replace(table, rows=table.rows[:limit])
    notes = () if mode == "full" else tuple(notes_of((shown,)))
    header = tuple(strip_spans(spans_of(c)) for c in table.header)
    rows = tuple(tuple(strip_spans(spans_of(c)) for c in r) for r in shown.rows)
    if shown is table:
        return TableUnit(header, rows, notes)
    hidden = len(table.rows) - limit
    first = limits.table_first_row_line(table) + limit
    more = limits.more_rows(hidden, first)
    width = max(len(header), *(len(r) for r in rows), 1)
    row: tuple[Spans, ...] = ((Span(more, Style(italic=True)),), *((),) * (width - 1))
    if notes:
        notes = (*notes, Text((Span(more, Style(italic=True)),)))
    cut = limits.table_warning(table.pos.line, len(table.rows), limit, first, "the deck")
    return TableUnit(header, (*rows, row), notes, cut=cut)


def _aside_units(aside: Aside) -> list[Unit]:
    """Student asides are shown whole; a presenter's ("**Teaching Moment**: …") is said,
    its label being no lead-in; teacher and answer asides reach the notes only, code
    included."""
    if aside.audience == "student":
        return units_of(aside.blocks, "full")
    notes: list[Unit] = [NotesUnit(tuple(notes_of((aside,))))]
    return notes + media(aside.blocks) if aside.audience == "presenter" else notes


def _with_notes(shown: Sequence[Spans], notes: Notes) -> list[Unit]:
    if not shown:
        return [NotesUnit(notes)]
    return [Item(Text(s, 0, BULLET), notes if i == 0 else ()) for i, s in enumerate(shown)]


def _list_units(block: ListBlock, mode: Mode, level: int) -> Iterator[Unit]:
    for k, item in enumerate(block.items):
        marker = _marker(block, k)
        first = item.blocks[0] if item.blocks else None
        own = first.inlines if isinstance(first, Paragraph) else ()
        rest = item.blocks[1:] if isinstance(first, Paragraph) else item.blocks
        spans = strip_spans(spans_of(own))
        if mode == "full":
            yield Item(Text(spans, level, marker if level == 0 else BULLET))
            yield from _nested_units(rest, mode, level)
            continue
        notes = tuple(_item_notes(item, level, marker)) if level == 0 else ()
        lead = lead_in(own)
        if lead is None and mode == "summary" and spans:
            lead = spans
        if lead:
            yield Item(Text(lead, level, BULLET), notes)
        elif notes:
            yield NotesUnit(notes)
        yield from _nested_units(rest, mode, level)


def _nested_units(blocks: Blocks, mode: Mode, level: int) -> Iterator[Unit]:
    """Nested content of a list item: nested lists one level down; other blocks' text is
    already in the item's notes (or shown, in ``full`` mode), so only code, tables and
    images become units of their own."""
    for b in blocks:
        if isinstance(b, ListBlock):
            for u in _list_units(b, mode, level + 1):
                if mode != "full" and isinstance(u, NotesUnit):
                    continue
                yield u
        elif mode == "full":
            yield from (
                replace(u, text=replace(u.text, level=level + 1)) if isinstance(u, Item) else u
                for u in units_of((b,), mode)
            )
        else:
            for u in units_of((b,), mode):
                if isinstance(u, CodeUnit | TableUnit | ImageUnit):
                    yield replace(u, notes=()) if isinstance(u, TableUnit) else u


# --------------------------------------------------------------------------- sections


def topic_groups(
    kind: SlideKind,
    fallback_title: Spans,
    blocks: Blocks,
    mode: Mode,
    lesson: int | None,
    pos: SourcePos,
) -> list[Group]:
    """Blocks split at bold-only paragraphs and headings, one group each."""
    groups: list[Group] = []
    title, start, body = fallback_title, pos, list[Block]()

    def close() -> None:
        if body or title is not fallback_title:
            units = tuple(units_of(tuple(body), mode))
            groups.append(Group(kind, title, units, start, lesson, prose=tuple(body)))

    for b in blocks:
        opener = _is_opener(b)
        if opener is not None:
            close()
            title = drop_trailing_colon(unbold(strip_spans(spans_of(opener))))
            start, body = b.pos, []
        else:
            body.append(b)
    close()
    return groups


def media(blocks: Blocks) -> list[Unit]:
    """Code, images and tables anywhere in ``blocks``, for sections whose words are all
    placed elsewhere (tables without notes: their rows are already in the notes)."""
    out: list[Unit] = []
    for u in units_of(blocks, "leadins"):
        if isinstance(u, CodeUnit | ImageUnit):
            out.append(u)
        elif isinstance(u, TableUnit):
            out.append(replace(u, notes=()))
    return out


def section_groups(
    section: Section, index: int, tips: Sequence[TeachingTips] = ()
) -> list[Group | NotesOnly]:
    """The slide groups of one lesson section; ``tips`` join a pitfalls slide's notes."""
    title: Spans = (Span(section.title),)
    pos = section.pos
    match section:
        case KeyConcepts(concepts=concepts, rest=rest):
            units: list[Unit] = []
            shown, cuts = limits.cut_concepts(concepts, limits.DECK_TABLE_ROWS, "the deck")
            for c in shown:
                if isinstance(c, str):
                    units.append(Item(Text((Span(c, Style(italic=True)),), 0, BULLET)))
                    continue
                term = bold(strip_spans(spans_of(c.term)))
                expl = strip_spans(spans_of(c.explanation))
                spans = (*term, Span(": "), *expl) if expl else term
                units.append(Item(Text(spans, 0, BULLET), tuple(notes_of(c.details))))
                units.extend(media(c.details))
            units.extend(units_of(rest, "summary"))
            return [Group("concepts", title, tuple(units), pos, index, cuts=cuts)]
        case StudentSummary(blocks=blocks):
            units = units_of(blocks, "full")
            return [Group("summary", title, tuple(units), pos, index, "quote")]
        case Objectives(blocks=blocks):
            return [Group("objectives", title, tuple(units_of(blocks, "full")), pos, index)]
        case TalkingPoints(topics=topics):
            return [
                Group(
                    "topic",
                    strip_spans(spans_of(t.title)) or title,
                    tuple(units_of(t.blocks, "leadins")),
                    t.pos,
                    index,
                    prose=t.blocks,
                )
                for t in topics
            ]
        case DiscussionQuestions(questions=questions, rest=rest):
            units = []
            for n, q in enumerate(questions, 1):
                asked = strip_spans(spans_of(q.text))
                notes = (Text((Span(f"Q{n}. ", BOLD), *bold(asked))), *notes_of(q.guidance, 1))
                units.append(Item(Text(unquote(unbold(asked)), 0, f"{n}."), notes))
            units.append(NotesUnit(tuple(notes_of(rest))))
            units.extend(media(rest))
            return [Group("discussion", title, tuple(units), pos, index)]
        case CommonPitfalls(blocks=blocks):
            units = units_of(blocks, "full")
            for tip in tips:
                units.append(NotesUnit(_titled_notes(tip.title, tip.blocks)))
            return [Group("pitfalls", title, tuple(units), pos, index)]
        case Exercise(blocks=blocks):
            return list(topic_groups("exercise", title, blocks, "full", index, pos))
        case TeachingTips(blocks=blocks) | Answers(blocks=blocks) | Pacing(blocks=blocks):
            return [NotesOnly(_titled_notes(section.title, blocks))]
        case Examples(blocks=blocks):
            return list(topic_groups("examples", title, blocks, "summary", index, pos))
        case OtherSection(blocks=blocks):
            return list(topic_groups("other", title, blocks, "leadins", index, pos))
        case _:
            assert_never(section)


def settle(group: Group) -> Group | NotesOnly:
    """A group with nothing to show (only notes, and no sentence a pull-out could take:
    every sentence in it tells the teacher what to do) has no slide of its own."""
    if any(not isinstance(u, NotesUnit) for u in group.units):
        return group
    if next(pullouts(group.prose, plain(group.title)), None) is not None:
        return group
    notes = [n for u in group.units if isinstance(u, NotesUnit) for n in u.notes]
    return NotesOnly((Text(bold(group.title)), *notes))


def _titled_notes(title: str, blocks: Blocks) -> Notes:
    return (Text((Span(title, BOLD),)), *notes_of(blocks, code=True))


def lesson_groups(lesson: Lesson, index: int) -> list[Group | NotesOnly]:
    """Teaching tips go to the first pitfalls slide's notes when the lesson has one."""
    tips = [s for s in lesson.sections if isinstance(s, TeachingTips)]
    first_pitfalls = next((s for s in lesson.sections if isinstance(s, CommonPitfalls)), None)
    groups: list[Group | NotesOnly] = []
    for section in lesson.sections:
        if isinstance(section, TeachingTips) and first_pitfalls is not None:
            continue
        joined = tips if section is first_pitfalls else ()
        groups.extend(
            settle(g) if isinstance(g, Group) else g for g in section_groups(section, index, joined)
        )
    return groups


#: Known manual-level sections show their list items; unknown ones only their lead-ins.
_APPENDIX_MODES: dict[str, Mode] = {"other": "leadins"}


def appendix_groups(appendix: Appendix) -> list[Group | NotesOnly]:
    """An appendix: one group per sub-heading, titled "Appendix · Sub-heading"; one for
    the teacher or with answers is speaker notes only."""
    if appendix.audience not in ON_SLIDE:
        return [NotesOnly(_titled_notes(appendix.title, appendix.blocks))]
    base: Spans = (Span(appendix.title),)
    mode = _APPENDIX_MODES.get(appendix.kind, "summary")
    groups = topic_groups("appendix", base, appendix.blocks, mode, None, appendix.pos)
    out: list[Group | NotesOnly] = []
    for g in groups:
        if g.title is not base and plain(g.title) != appendix.title:
            g = replace(g, title=(*base, Span(" · "), *g.title))
        out.append(settle(g))
    return out
