"""Course -> RubricPlan: the assessment checklist, fully decided before any PDF exists.

The plan holds every word the PDF prints, every form field name, each item's lesson links
and its highlighted snippet. The writer only places and draws it. Field names come from
positions in the manual (``c02_i03_1``: category 2, item 3, its first sub-item), so they
are stable between builds and unique by construction.

Sizes: a code-review block over ``limits.PRINT_CODE_LINES`` lines shows its first lines and
a line saying from which line of the manual the rest can be read, with a warning; nothing
else is cut (the writer splits long criteria and headings between pages, and breaks a word
wider than a line between characters).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Literal, TypeAlias, assert_never

from deckbuild import diagnostics
from deckbuild.diagnostics import Diagnostic
from deckbuild.layout import limits, links
from deckbuild.layout.snippets import Candidate, Request, assign, candidates
from deckbuild.model import (
    Aside,
    Block,
    CodeBlock,
    Course,
    Heading,
    Image,
    Inlines,
    Lesson,
    ListBlock,
    Paragraph,
    Quote,
    RubricCategory,
    RubricItem,
    Rule,
    Run,
    Table,
    block_lines,
    inline_text,
)
from deckbuild.services import measure
from deckbuild.services.highlight import highlight
from deckbuild.services.spans import CodeLines, Line, Span, Style
from deckbuild.theme import Theme

# --------------------------------------------------------------------------- plan types


@dataclass(frozen=True, slots=True)
class LessonRef:
    label: str
    number: str
    title: str
    line: int


@dataclass(frozen=True, slots=True)
class Snippet:
    caption: str
    lesson: LessonRef
    #: Manual line of the snippet's first line.
    line: int
    code: CodeLines


LinkSource: TypeAlias = Literal["words", "front matter", "none"]


@dataclass(frozen=True, slots=True)
class ItemPlan:
    #: AcroForm checkbox name.
    field: str
    text: Line
    checked: bool
    #: 0 for a top-level item, 1 for its sub-items, …
    depth: int
    #: Linked lessons in manual order.
    lessons: tuple[LessonRef, ...]
    #: "Lessons 04 (Querying), 05 (…)", or the sentence saying no lesson matched.
    link_text: str
    source: LinkSource
    snippet: Snippet | None
    line: int


@dataclass(frozen=True, slots=True)
class Note:
    """Prose in a category or level, one paragraph."""

    text: Line


@dataclass(frozen=True, slots=True)
class Review:
    """A code-review block (``# ✅ Uses pattern matching``), highlighted as written."""

    code: CodeLines
    line: int


Extra: TypeAlias = Note | Review


@dataclass(frozen=True, slots=True)
class LevelPlan:
    name: str
    #: "36–40 points", or "" when the manual gives none.
    points: str
    items: tuple[ItemPlan, ...]
    extras: tuple[Extra, ...]


@dataclass(frozen=True, slots=True)
class ScorePlan:
    #: AcroForm text field for the awarded points.
    field: str
    label: str
    #: "__ / 40" or "__".
    text: str
    #: The printed "/ 40" after the blank, "" when the maximum is unknown.
    out_of: str


@dataclass(frozen=True, slots=True)
class CategoryPlan:
    number: int
    name: str
    points: str
    items: tuple[ItemPlan, ...]
    levels: tuple[LevelPlan, ...]
    extras: tuple[Extra, ...]
    score: ScorePlan


@dataclass(frozen=True, slots=True)
class HeaderField:
    field: str
    label: str


@dataclass(frozen=True, slots=True)
class RubricPlan:
    title: str
    subtitle: str
    #: "Assessment Rubric", as the manual names it.
    heading: str
    author: str | None
    language: str | None
    fields: tuple[HeaderField, ...]
    categories: tuple[CategoryPlan, ...]
    total: ScorePlan
    #: Printed instead of categories when the manual has no rubric.
    notice: str | None = None
    legend: str = (
        "Tick each criterion met. Under each one: the lessons that teach it and, where they "
        "have Elixir code, a short example of what good looks like."
    )

    def items(self) -> Iterable[ItemPlan]:
        for cat in self.categories:
            yield from cat.items
            for level in cat.levels:
                yield from level.items


# --------------------------------------------------------------------------- text


def spans(inlines: Inlines) -> Line:
    out: list[Span] = []
    for i in inlines:
        match i:
            case Run():
                st = Style(bold=i.strong, italic=i.emph, mono=i.code, strike=i.strike, href=i.href)
                out.append(Span(i.text, st))
            case Image():
                out.append(Span(i.alt))
            case _:
                assert_never(i)
    return tuple(out)


def points_text(points: int | None, points_max: int | None) -> str:
    if points is None:
        return ""
    if points_max is None or points_max == points:
        return f"{points} point" + ("" if points == 1 else "s")
    return f"{points}–{points_max} points"


def _lesson_ref(lesson: Lesson) -> LessonRef:
    return LessonRef(
        lesson.label or "Lesson", lesson.number_text, inline_text(lesson.title), lesson.pos.line
    )


def link_text(refs: tuple[LessonRef, ...]) -> str:
    """ "Lesson 08 (Phoenix PubSub)", "Lessons 04 (Querying), 05 (Associations …)"."""
    if not refs:
        return ""
    labels = {r.label for r in refs}
    label = refs[0].label if len(labels) == 1 else "Lesson"
    label = label + ("s" if len(refs) > 1 else "")
    parts = [f"{r.number} ({r.title})" if r.number else r.title for r in refs]
    return f"{label} {', '.join(parts)}"


NO_LINK = "No lesson matched this criterion."
NO_LINK_OVERRIDE = "No lesson linked (front matter)."

# --------------------------------------------------------------------------- links


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


@dataclass
class _Linker:
    """Links items to lessons as the layout meets them, and collects snippet requests."""

    course: Course
    theme: Theme
    diags: list[Diagnostic]
    index: links.Index = field(init=False)
    overrides_used: set[str] = field(default_factory=set)
    #: Field name and request of every item that may show a snippet, in reading order.
    requests: list[tuple[str, Request]] = field(default_factory=list)
    _offered: dict[int, list[Candidate]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.index = links.build_index(self.course.lessons)

    def drawable(self, text: str, line: int, what: str, mono: bool = False) -> None:
        """Warn about characters no embedded font has: the PDF prints them as \ufffd."""
        fonts = self.theme.fonts
        chain = ((fonts.code if mono else fonts.body).regular, *fonts.fallback)
        missing = measure.missing_glyphs(text, chain)
        if missing:
            shown = " ".join(sorted(missing)[:8])
            self.diags.append(
                diagnostics.warning(
                    f"{what} has characters no embedded font can draw ({shown}); "
                    "rubric.pdf prints \ufffd for them",
                    line,
                )
            )

    def offered(self, lesson: int) -> list[Candidate]:
        """Snippets of one lesson, cut on first use: most lessons are never linked."""
        if lesson not in self._offered:
            self._offered[lesson] = candidates(lesson, self.course.lessons[lesson])
        return self._offered[lesson]

    def override(self, text: str) -> tuple[str, tuple[int, ...]] | None:
        """The longest front-matter key that starts the item's text."""
        item = _norm(text)
        best: tuple[str, tuple[int, ...]] | None = None
        for key, numbers in self.course.meta.rubric_links:
            k = _norm(key)
            if k and item.startswith(k) and (best is None or len(k) > len(_norm(best[0]))):
                best = (key, numbers)
        return best

    def lessons_for(self, item: RubricItem) -> tuple[tuple[int, ...], LinkSource]:
        """Linked lesson indices, best first, and where the link came from."""
        text = inline_text(item.text)
        forced = self.override(text)
        if forced is not None:
            key, numbers = forced
            self.overrides_used.add(key)
            found: list[int] = []
            for n in numbers:
                matches = [i for i, ls in enumerate(self.course.lessons) if ls.number == n]
                if not matches:
                    self.diags.append(
                        diagnostics.warning(
                            f"rubric_links: {key!r} names lesson {n}, "
                            "which the manual does not have",
                            item.pos.line,
                        )
                    )
                found.extend(m for m in matches if m not in found)
            return tuple(found), "front matter"
        linked = tuple(i for i, _ in links.link(text, self.index))
        if not linked:
            self.diags.append(
                diagnostics.info(
                    f"rubric item {_short(text)!r} shares no word with a lesson title or key "
                    "concept; rubric.pdf says so (link it with rubric_links in the front matter)",
                    item.pos.line,
                )
            )
            return (), "none"
        return linked, "words"

    def snippets(self) -> dict[str, Snippet]:
        """The snippet of each requesting item, by field name."""
        chosen = assign([r for _, r in self.requests], self.offered)
        out: dict[str, Snippet] = {}
        for (name, _), c in zip(self.requests, chosen, strict=True):
            if c is None:
                continue
            ref = _lesson_ref(self.course.lessons[c.lesson])
            self.drawable(c.text, c.line, "snippet", mono=True)
            code = highlight(
                c.text, c.lang, self.theme.print_code_style, self.theme.colours.code_background
            )
            out[name] = Snippet(f"from {link_text((ref,))}", ref, c.line, code)
        return out


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --------------------------------------------------------------------------- layout


def _items(
    items: tuple[RubricItem, ...],
    prefix: str,
    depth: int,
    linker: _Linker,
    with_snippets: bool,
) -> list[ItemPlan]:
    out: list[ItemPlan] = []
    for n, item in enumerate(items, 1):
        name = f"{prefix}_i{n:02d}" if depth == 0 else f"{prefix}_{n}"
        linked, source = linker.lessons_for(item)
        linker.drawable(inline_text(item.text), item.pos.line, "rubric item")
        refs = tuple(_lesson_ref(linker.course.lessons[i]) for i in sorted(linked))
        if refs:
            text = link_text(refs)
        else:
            text = NO_LINK_OVERRIDE if source == "front matter" else NO_LINK
        if with_snippets and linked:
            words = frozenset(links.stems(inline_text(item.text)))
            linker.requests.append((name, Request(words, linked)))
        out.append(
            ItemPlan(
                name,
                spans(item.text),
                item.checked,
                depth,
                refs,
                text,
                source,
                None,
                item.pos.line,
            )
        )
        out.extend(_items(item.children, name, depth + 1, linker, with_snippets))
    return out


def _extras(blocks: tuple[Block, ...], linker: _Linker) -> list[Extra]:
    out: list[Extra] = []
    for block in blocks:
        mono = isinstance(block, CodeBlock)
        linker.drawable("".join(block_lines(block)), block.pos.line, "rubric text", mono)
        match block:
            case CodeBlock():
                out.append(Review(_review_code(block, linker), block.pos.line))
            case Paragraph(inlines=inlines) | Heading(inlines=inlines):
                out.append(Note(spans(inlines)))
            case ListBlock() | Quote() | Table() | Aside():
                out.extend(Note((Span(line),)) for line in block_lines(block) if line.strip())
            case Rule():
                pass
            case _:
                assert_never(block)
    return out


def _review_code(block: CodeBlock, linker: _Linker) -> CodeLines:
    """A code-review block, highlighted; cut after ``limits.PRINT_CODE_LINES`` lines."""
    theme = linker.theme
    text, hidden = limits.cut_code(block.text, limits.PRINT_CODE_LINES)
    code = highlight(text, block.lang, theme.print_code_style, theme.colours.code_background)
    if not hidden:
        return code
    first = limits.code_first_line(block) + limits.PRINT_CODE_LINES
    more = Span(limits.more_lines(hidden, first), Style(mono=True, colour=theme.colours.muted))
    linker.diags.append(limits.code_warning(block, hidden, limits.PRINT_CODE_LINES, "the rubric"))
    return CodeLines(code.lang, (*code.lines, (more,)))


def _with_snippets(
    categories: tuple[CategoryPlan, ...], snippets: dict[str, Snippet]
) -> tuple[CategoryPlan, ...]:
    def fill(items: tuple[ItemPlan, ...]) -> tuple[ItemPlan, ...]:
        return tuple(replace(it, snippet=snippets.get(it.field)) for it in items)

    return tuple(
        replace(
            cat,
            items=fill(cat.items),
            levels=tuple(replace(lv, items=fill(lv.items)) for lv in cat.levels),
        )
        for cat in categories
    )


def _score(name: str, label: str, points: int | None, points_max: int | None) -> ScorePlan:
    top = points_max if points_max is not None else points
    if top is None:
        return ScorePlan(name, label, "__", "")
    return ScorePlan(name, label, f"__ / {top}", f"/ {top}")


def _category(cat: RubricCategory, number: int, linker: _Linker) -> CategoryPlan:
    linker.drawable(cat.name, cat.pos.line, "rubric category")
    for level in cat.levels:
        linker.drawable(level.name, level.pos.line, "rubric level")
    prefix = f"c{number:02d}"
    items = _items(cat.items, prefix, 0, linker, True)
    # The best level shows what good looks like; the others would repeat its snippets.
    best = max(
        range(len(cat.levels)),
        key=lambda i: (cat.levels[i].points_max or cat.levels[i].points or -1, -i),
        default=-1,
    )
    levels = tuple(
        LevelPlan(
            level.name,
            points_text(level.points, level.points_max),
            tuple(_items(level.items, f"{prefix}_l{li:02d}", 0, linker, li - 1 == best)),
            tuple(_extras(level.blocks, linker)),
        )
        for li, level in enumerate(cat.levels, 1)
    )
    return CategoryPlan(
        number,
        cat.name,
        points_text(cat.points, cat.points_max),
        tuple(items),
        levels,
        tuple(_extras(cat.blocks, linker)),
        _score(f"{prefix}_score", "Score", cat.points, cat.points_max),
    )


HEADER_FIELDS = (
    HeaderField("student", "Student"),
    HeaderField("assessor", "Assessor"),
    HeaderField("date", "Date"),
)


def _plan(
    course: Course,
    heading: str,
    categories: tuple[CategoryPlan, ...],
    total: ScorePlan,
    notice: str | None = None,
) -> RubricPlan:
    return RubricPlan(
        title=course.title,
        subtitle=course.subtitle,
        heading=heading,
        author=course.meta.author,
        language=course.meta.language,
        fields=HEADER_FIELDS,
        categories=categories,
        total=total,
        notice=notice,
    )


def layout_rubric(course: Course, theme: Theme) -> tuple[RubricPlan, list[Diagnostic]]:
    """Pure: the same course and theme always give the same plan and diagnostics."""
    diags: list[Diagnostic] = []
    rubric = course.rubric
    if rubric is None or not rubric.categories:
        where = rubric.pos.line if rubric is not None else 1
        diags.append(
            diagnostics.info(
                "the manual has no assessment rubric (### Category with - [ ] items); "
                "rubric.pdf says so",
                where,
            )
        )
        heading = rubric.title if rubric is not None else "Assessment Rubric"
        total = _score("total_score", "Total", None, None)
        return _plan(course, heading, (), total, "This manual has no assessment rubric."), diags
    linker = _Linker(course, theme, diags)
    categories = tuple(_category(cat, n, linker) for n, cat in enumerate(rubric.categories, 1))
    categories = _with_snippets(categories, linker.snippets())
    for key, _numbers in course.meta.rubric_links:
        if key not in linker.overrides_used:
            diags.append(
                # Meta keeps no positions; the front matter starts the file.
                diagnostics.warning(f"rubric_links: {key!r} starts no rubric item", 1)
            )
    scored = [c for c in rubric.categories if c.items or c.levels]
    known = [c.points_max if c.points_max is not None else c.points for c in scored]
    total_points = sum(p for p in known if p is not None)
    total = (
        _score("total_score", "Total", total_points, None)
        if scored and all(p is not None for p in known)
        else _score("total_score", "Total", None, None)
    )
    return _plan(course, rubric.title, categories, total), diags
