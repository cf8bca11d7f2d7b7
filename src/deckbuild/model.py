"""The document model: what a teacher's manual says, independent of any output format.

Every node is a frozen, slotted dataclass; sequences are tuples, so a model can be shared
between layouts without copying. Block and section kinds are closed unions: consumers
dispatch with ``match`` and end with ``assert_never``, so that adding a kind fails type
checking everywhere it is not handled yet.

Inline runs carry no position of their own: they are the content of the block that holds
them, and that block's ``pos`` is where they start.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import ClassVar, TypeAlias, assert_never

from deckbuild.diagnostics import SourcePos
from deckbuild.registry import Audience, SectionKind, audience

# --------------------------------------------------------------------------- inline


@dataclass(frozen=True, slots=True)
class Run:
    """A span of text with one style. ``href`` is set inside a link."""

    text: str
    strong: bool = False
    emph: bool = False
    code: bool = False
    strike: bool = False
    href: str | None = None


@dataclass(frozen=True, slots=True)
class Image:
    """An image reference. ``path`` is the resolved file, or None when it cannot be used."""

    src: str
    alt: str
    path: str | None = None


Inline: TypeAlias = Run | Image
Inlines: TypeAlias = tuple[Inline, ...]

# --------------------------------------------------------------------------- blocks


@dataclass(frozen=True, slots=True)
class Paragraph:
    pos: SourcePos
    inlines: Inlines


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading below the structural levels (e.g. ``#####`` inside a lesson section)."""

    pos: SourcePos
    level: int
    inlines: Inlines


@dataclass(frozen=True, slots=True)
class ListItem:
    pos: SourcePos
    blocks: tuple[Block, ...]
    #: ``- [ ]`` is False, ``- [x]`` True, a plain item None.
    checked: bool | None = None


@dataclass(frozen=True, slots=True)
class ListBlock:
    pos: SourcePos
    ordered: bool
    items: tuple[ListItem, ...]
    start: int = 1


@dataclass(frozen=True, slots=True)
class CodeBlock:
    pos: SourcePos
    #: Lower-cased first word of the fence's info string; empty when none.
    lang: str
    text: str


@dataclass(frozen=True, slots=True)
class Quote:
    pos: SourcePos
    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class Table:
    pos: SourcePos
    header: tuple[Inlines, ...]
    rows: tuple[tuple[Inlines, ...], ...]


@dataclass(frozen=True, slots=True)
class Rule:
    pos: SourcePos


@dataclass(frozen=True, slots=True)
class Aside:
    """Blocks with an audience of their own inside a section: a labelled paragraph or list
    (``**Answer**: …``), a fenced div (``::: solution``), a ``<details>`` block, or a
    sentence addressed to the teacher ("Have students …")."""

    pos: SourcePos
    kind: SectionKind
    #: The label as the author wrote it ("Solution", "Teaching Moment"); may be empty.
    label: str
    blocks: tuple[Block, ...]

    @property
    def audience(self) -> Audience:
        return audience(self.kind)

    @property
    def heading(self) -> str:
        """The label as a heading: "solution" (a div class) reads "Solution"."""
        return self.label[:1].upper() + self.label[1:]


Block: TypeAlias = Paragraph | Heading | ListBlock | CodeBlock | Quote | Table | Rule | Aside
Blocks: TypeAlias = tuple[Block, ...]

# --------------------------------------------------------------------------- lesson sections


@dataclass(frozen=True, slots=True)
class Concept:
    pos: SourcePos
    term: Inlines
    explanation: Inlines
    #: Nested content under the concept's list item.
    details: Blocks = ()


@dataclass(frozen=True, slots=True)
class KeyConcepts:
    kind: ClassVar[SectionKind] = "key_concepts"

    pos: SourcePos
    title: str
    concepts: tuple[Concept, ...]
    #: Blocks that are not concept items, kept so nothing is lost.
    rest: Blocks = ()
    #: The header row of a table of concepts ("Term | Meaning"): kept, not shown.
    header: tuple[Inlines, ...] = ()


@dataclass(frozen=True, slots=True)
class StudentSummary:
    kind: ClassVar[SectionKind] = "summary"

    pos: SourcePos
    title: str
    blocks: Blocks


@dataclass(frozen=True, slots=True)
class Topic:
    """A talking-point topic: a bold-only paragraph and the blocks up to the next one.

    Text before the first bold heading forms an untitled topic (``title == ()``).
    """

    pos: SourcePos
    title: Inlines
    blocks: Blocks


@dataclass(frozen=True, slots=True)
class TalkingPoints:
    kind: ClassVar[SectionKind] = "talking_points"

    pos: SourcePos
    title: str
    topics: tuple[Topic, ...]


@dataclass(frozen=True, slots=True)
class Question:
    pos: SourcePos
    text: Inlines
    #: Teacher-only guidance (usually a nested italic list).
    guidance: Blocks


@dataclass(frozen=True, slots=True)
class DiscussionQuestions:
    kind: ClassVar[SectionKind] = "questions"

    pos: SourcePos
    title: str
    questions: tuple[Question, ...]
    rest: Blocks = ()


@dataclass(frozen=True, slots=True)
class TeachingTips:
    kind: ClassVar[SectionKind] = "tips"

    pos: SourcePos
    title: str
    blocks: Blocks


@dataclass(frozen=True, slots=True)
class CommonPitfalls:
    kind: ClassVar[SectionKind] = "pitfalls"

    pos: SourcePos
    title: str
    blocks: Blocks


@dataclass(frozen=True, slots=True)
class Examples:
    """Additional Examples, Common Implementation Patterns: code meant for students."""

    kind: ClassVar[SectionKind] = "examples"

    pos: SourcePos
    title: str
    blocks: Blocks


@dataclass(frozen=True, slots=True)
class Objectives:
    """What students will be able to do after the unit (Objectives, Aims, Goals)."""

    kind: ClassVar[SectionKind] = "objectives"

    pos: SourcePos
    title: str
    blocks: Blocks


@dataclass(frozen=True, slots=True)
class Exercise:
    """Exercise prompts for students; answers inside them are ``Aside`` blocks."""

    kind: ClassVar[SectionKind] = "exercise"

    pos: SourcePos
    title: str
    blocks: Blocks


@dataclass(frozen=True, slots=True)
class Answers:
    """Answers, solutions, answer keys: for the speaker notes only."""

    kind: ClassVar[SectionKind] = "answers"

    pos: SourcePos
    title: str
    blocks: Blocks


@dataclass(frozen=True, slots=True)
class Pacing:
    """A pacing guide or agenda inside a unit: activities and their minutes (teacher)."""

    kind: ClassVar[SectionKind] = "agenda"

    pos: SourcePos
    title: str
    blocks: Blocks
    #: The sum of the durations in its table, None when it has none.
    minutes: int | None = None


@dataclass(frozen=True, slots=True)
class OtherSection:
    """A lesson section with a name deckbuild does not know; kept, never dropped.

    Its audience is ``presenter``: a teacher's manual speaks to the teacher, so nothing
    unrecognised is projected in full or printed for students.
    """

    kind: ClassVar[SectionKind] = "other"

    pos: SourcePos
    title: str
    blocks: Blocks


Section: TypeAlias = (
    KeyConcepts
    | StudentSummary
    | TalkingPoints
    | DiscussionQuestions
    | TeachingTips
    | CommonPitfalls
    | Examples
    | Objectives
    | Exercise
    | Answers
    | Pacing
    | OtherSection
)


def section_audience(section: Section) -> Audience:
    return audience(section.kind)


# --------------------------------------------------------------------------- lessons


@dataclass(frozen=True, slots=True)
class Lesson:
    pos: SourcePos
    #: The unit's number as an int, None when the heading has none.
    number: int | None
    #: The number as written ("01"), for display.
    number_text: str
    #: "Lesson", "Phase", "Module", "Part", … or "" for the bare ``NN.`` form.
    label: str
    title: Inlines
    minutes: int | None
    minutes_max: int | None
    #: Blocks between the heading and the first section.
    intro: Blocks
    sections: tuple[Section, ...]


# --------------------------------------------------------------------------- rubric


@dataclass(frozen=True, slots=True)
class RubricItem:
    pos: SourcePos
    text: Inlines
    checked: bool
    children: tuple[RubricItem, ...] = ()


@dataclass(frozen=True, slots=True)
class RubricLevel:
    """A performance level inside a category (``#### Excellent (36-40 points)``)."""

    pos: SourcePos
    name: str
    points: int | None
    points_max: int | None
    items: tuple[RubricItem, ...]
    blocks: Blocks = ()


@dataclass(frozen=True, slots=True)
class RubricCategory:
    pos: SourcePos
    name: str
    points: int | None
    points_max: int | None
    items: tuple[RubricItem, ...]
    levels: tuple[RubricLevel, ...] = ()
    #: Other blocks in the category (prose, code-review blocks), kept in order.
    blocks: Blocks = ()


@dataclass(frozen=True, slots=True)
class Rubric:
    pos: SourcePos
    title: str
    intro: Blocks
    categories: tuple[RubricCategory, ...]


# --------------------------------------------------------------------------- manual level


@dataclass(frozen=True, slots=True)
class Appendix:
    """A manual-level section after (or around) the lessons, e.g. Teaching Strategies.

    Its sub-headings stay in ``blocks`` as ``Heading`` nodes.
    """

    pos: SourcePos
    kind: SectionKind
    title: str
    blocks: Blocks

    @property
    def audience(self) -> Audience:
        return audience(self.kind)


@dataclass(frozen=True, slots=True)
class ScheduleBreak:
    pos: SourcePos
    after: int
    minutes: int
    label: str


@dataclass(frozen=True, slots=True)
class Schedule:
    pos: SourcePos
    #: Minutes after midnight.
    start: int
    end: int | None
    breaks: tuple[ScheduleBreak, ...]


@dataclass(frozen=True, slots=True)
class Meta:
    """Front matter keys deckbuild understands, already validated."""

    author: str | None = None
    date: str | None = None
    theme: str | None = None
    language: str | None = None
    schedule: Schedule | None = None
    #: Leading words of a rubric item -> lesson numbers that teach it.
    rubric_links: tuple[tuple[str, tuple[int, ...]], ...] = ()
    #: The author's own section names (normalised) -> kind, from ``sections:``.
    sections: tuple[tuple[str, SectionKind], ...] = ()
    #: The heading level that holds the units, from ``unit_level:``; None to infer it.
    unit_level: int | None = None


@dataclass(frozen=True, slots=True)
class Course:
    pos: SourcePos
    title: str
    subtitle: str
    meta: Meta
    #: Overview prose (everything in the overview except the objectives list).
    overview: Blocks
    objectives: tuple[Inlines, ...]
    lessons: tuple[Lesson, ...]
    rubric: Rubric | None
    appendices: tuple[Appendix, ...] = field(default=())


# --------------------------------------------------------------------------- text helpers


def inline_text(inlines: Inlines) -> str:
    """The plain text of runs; images contribute their alt text."""
    return "".join(i.text if isinstance(i, Run) else i.alt for i in inlines)


def block_lines(block: Block) -> list[str]:
    """Plain text of a block, one entry per paragraph, item, row or code line."""
    match block:
        case Paragraph(inlines=inlines) | Heading(inlines=inlines):
            return [inline_text(inlines)]
        case ListBlock(items=items):
            return [line for item in items for b in item.blocks for line in block_lines(b)]
        case CodeBlock(text=text):
            return text.split("\n")
        case Quote(blocks=blocks):
            return blocks_lines(blocks)
        case Table(header=header, rows=rows):
            return [" | ".join(inline_text(c) for c in row) for row in (header, *rows)]
        case Rule():
            return []
        case Aside(blocks=blocks):
            return blocks_lines(blocks)
        case _:
            assert_never(block)


ALL_AUDIENCES: frozenset[Audience] = frozenset({"student", "presenter", "teacher", "answer"})
#: What may be shown on a slide (SPEC "Audiences").
ON_SLIDE: frozenset[Audience] = frozenset({"student", "presenter"})
#: What may be printed in a student handout.
FOR_STUDENTS: frozenset[Audience] = frozenset({"student"})


def walk(blocks: Blocks, audiences: frozenset[Audience] = ALL_AUDIENCES) -> Iterator[Block]:
    """Every block in reading order, also those nested in list items, quotes and asides;
    an aside whose audience is not in ``audiences`` is passed over, with its content."""
    for b in blocks:
        match b:
            case Aside(blocks=inner):
                if b.audience in audiences:
                    yield b
                    yield from walk(inner, audiences)
            case ListBlock(items=items):
                yield b
                for item in items:
                    yield from walk(item.blocks, audiences)
            case Quote(blocks=inner):
                yield b
                yield from walk(inner, audiences)
            case Paragraph() | Heading() | CodeBlock() | Table() | Rule():
                yield b
            case _:
                assert_never(b)


def code_blocks(
    blocks: Blocks, audiences: frozenset[Audience] = ALL_AUDIENCES
) -> Iterator[CodeBlock]:
    """Every code block, nested ones included, in reading order."""
    return (b for b in walk(blocks, audiences) if isinstance(b, CodeBlock))


def blocks_lines(blocks: Blocks) -> list[str]:
    return [line for b in blocks for line in block_lines(b)]


def section_blocks(section: Section) -> Blocks:
    """Every block of a section, structured parts flattened back, for completeness checks."""
    match section:
        case KeyConcepts(concepts=concepts, rest=rest, header=header):
            out: list[Block] = [Paragraph(section.pos, cell) for cell in header]
            for c in concepts:
                out.append(Paragraph(c.pos, (*c.term, Run(": "), *c.explanation)))
                out.extend(c.details)
            return (*out, *rest)
        case TalkingPoints(topics=topics):
            return tuple(
                b
                for t in topics
                for b in ((Paragraph(t.pos, t.title),) if t.title else ()) + t.blocks
            )
        case DiscussionQuestions(questions=questions, rest=rest):
            qs = [b for q in questions for b in (Paragraph(q.pos, q.text), *q.guidance)]
            return (*qs, *rest)
        case (
            StudentSummary(blocks=blocks)
            | TeachingTips(blocks=blocks)
            | CommonPitfalls(blocks=blocks)
            | Examples(blocks=blocks)
            | Objectives(blocks=blocks)
            | Exercise(blocks=blocks)
            | Answers(blocks=blocks)
            | Pacing(blocks=blocks)
            | OtherSection(blocks=blocks)
        ):
            return blocks
        case _:
            assert_never(section)
