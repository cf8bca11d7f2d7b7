"""markdown-it syntax tree -> Course.

The manual's structure lives in its headings. We build an outline (heading + the blocks
under it + child headings), find the teaching units in it wherever they sit, and read every
other part by its name. Nothing is dropped: what has no special meaning is kept as a
generic section and reported at info level.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

from markdown_it.tree import SyntaxTreeNode

from deckbuild import diagnostics as dg
from deckbuild.diagnostics import Diagnostic, SourcePos
from deckbuild.model import (
    Appendix,
    Block,
    Blocks,
    CodeBlock,
    CommonPitfalls,
    Concept,
    Course,
    DiscussionQuestions,
    Examples,
    Heading,
    Inlines,
    KeyConcepts,
    Lesson,
    ListBlock,
    ListItem,
    Meta,
    OtherSection,
    Paragraph,
    Question,
    Quote,
    Rubric,
    RubricCategory,
    RubricItem,
    RubricLevel,
    Run,
    Section,
    StudentSummary,
    Table,
    TalkingPoints,
    TeachingTips,
    Topic,
    inline_text,
)
from deckbuild.parse import frontmatter, names
from deckbuild.parse import inline as il
from deckbuild.parse.blocks import Context, convert, inline_child, pos_of
from deckbuild.parse.tokens import parse_tree

# --------------------------------------------------------------------------- outline


@dataclass(slots=True)
class _Node:
    """A heading with the blocks directly under it and its sub-headings."""

    level: int
    pos: SourcePos
    inlines: Inlines
    blocks: list[Block] = field(default_factory=list)
    children: list[_Node] = field(default_factory=list)

    @property
    def text(self) -> str:
        return names.strip_decoration(inline_text(self.inlines))

    def flatten(self) -> Blocks:
        """Its blocks, then each sub-heading as a Heading block followed by its content."""
        out: list[Block] = list(self.blocks)
        for c in self.children:
            out.append(Heading(c.pos, c.level, _strip_decoration(c.inlines)))
            out.extend(c.flatten())
        return tuple(out)

    def walk(self) -> Iterator[_Node]:
        for c in self.children:
            yield c
            yield from c.walk()


def _outline(root: SyntaxTreeNode, ctx: Context) -> tuple[_Node, SyntaxTreeNode | None]:
    top = _Node(0, SourcePos(1), ())
    stack = [top]
    front: SyntaxTreeNode | None = None
    for n in root.children:
        if n.type == "front_matter":
            front = n
            continue
        if n.type == "heading":
            level = int(n.tag[1:])
            node = _Node(level, pos_of(n), inline_child(n, ctx))
            while stack[-1].level >= level:
                stack.pop()
            stack[-1].children.append(node)
            stack.append(node)
        else:
            stack[-1].blocks.extend(convert([n], ctx))
    return top, front


def _strip_decoration(inlines: Inlines) -> Inlines:
    """Drop leading emoji from heading runs (they decorate, they do not name)."""
    text = inline_text(inlines)
    stripped = names.strip_decoration(text)
    cut = text.find(stripped) if stripped else len(text)
    return _slice(inlines, cut, len(text.rstrip()))


def _slice(inlines: Inlines, start: int, end: int) -> Inlines:
    """The runs covering characters [start, end) of their joined text."""
    out: list[Run | Any] = []
    offset = 0
    for item in inlines:
        text = item.text if isinstance(item, Run) else item.alt
        lo, hi = offset, offset + len(text)
        offset = hi
        if hi <= start or lo >= end:
            continue
        if isinstance(item, Run):
            out.append(dataclasses.replace(item, text=text[max(start - lo, 0) : end - lo]))
        else:
            out.append(item)
    return il.strip(il.merge(out))


# --------------------------------------------------------------------------- entry point


def parse_course(
    text: str, *, name: str = "manual", base_dir: Path | None = None
) -> tuple[Course | None, tuple[Diagnostic, ...]]:
    """Parse decoded manual text. Returns None (with an error) when there are no lessons."""
    lines = text.split("\n")
    ctx = Context(lines, _image_resolver(base_dir, []))
    ctx.resolve = _image_resolver(base_dir, ctx.diags)
    try:
        root = parse_tree(text)
    except RecursionError:
        return None, (dg.error("the Markdown nests too deeply to read", 1),)
    top, front = _outline(root, ctx)
    reader = _Reader(ctx)
    course = reader.course(top, front, name)
    # Each node points back at its parent: unlinked, the tree (most of what a parse
    # allocates) is freed right here instead of waiting for the cyclic collector.
    for node in root.walk():
        node.parent = None
    diags = sorted(ctx.diags, key=dg.sort_key)
    return course, tuple(diags)


def _image_resolver(base_dir: Path | None, diags: list[Diagnostic]) -> il.ImageResolver:
    def resolve(src: str, line: int) -> str | None:
        if re.match(r"^[a-z][a-z0-9+.-]*:", src, re.IGNORECASE):
            return None  # a URL: kept as a reference, never fetched
        if base_dir is None:
            return None
        base = base_dir.resolve()
        target = (base / src).resolve()
        if base != target and base not in target.parents:
            diags.append(
                dg.warning(f"image {src!r} is outside the manual's folder; not used", line)
            )
            return None
        if not target.is_file():
            diags.append(dg.warning(f"image {src!r} not found; its alt text is kept", line))
            return None
        return os.fspath(target)

    return resolve


# --------------------------------------------------------------------------- reader

#: Manual-level sections whose numbered sub-headings are never lessons.
_NON_LESSON_CONTAINERS = frozenset(get_args(names.ManualKind)) - {"other"}


class _Reader:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.lessons: list[Lesson] = []
        self.overview: list[Block] = []
        self.objectives: list[Inlines] = []
        self.appendices: list[Appendix] = []
        self.rubric: Rubric | None = None

    def report(self, d: Diagnostic) -> None:
        self.ctx.diags.append(d)

    # ---- course

    def course(self, top: _Node, front: SyntaxTreeNode | None, name: str) -> Course | None:
        data: dict[str, Any] = {}
        meta = Meta()
        if front is not None:
            first = (front.map[0] + 2) if front.map else 2
            data, lines, diags = frontmatter.load(front.content, first)
            self.ctx.diags.extend(diags)
            meta, diags = frontmatter.meta(data, lines)
            self.ctx.diags.extend(diags)

        h1s = [c for c in top.children if c.level == 1]
        title_node = h1s[0] if h1s else None
        title = title_node.text if title_node else ""
        subtitle = ""
        sections: list[_Node] = [c for c in top.children if c.level > 1]
        if title_node is not None:
            body = list(title_node.blocks)
            if body and isinstance(body[0], Paragraph) and il.is_all_emph(body[0].inlines):
                subtitle = inline_text(body[0].inlines).strip().strip("\"'“”")
                body = body[1:]
            self.overview.extend(body)
            sections += title_node.children
            # Further H1s are read like top-level sections.
            for extra in h1s[1:]:
                sections.append(extra)
        self.overview[:0] = top.blocks
        sections.sort(key=lambda n: n.pos.line)

        lesson_nodes = self._find_lessons(sections)
        for node in sections:
            self._top_section(node, lesson_nodes)

        if isinstance(data.get("title"), str | int | float) and str(data["title"]).strip():
            title = str(data["title"]).strip()
        if isinstance(data.get("subtitle"), str | int | float):
            subtitle = str(data["subtitle"]).strip()
        if not title:
            title = name
            self.report(dg.warning("the manual has no '# Title' heading; using the file name", 1))

        if not self.lessons:
            self.report(
                dg.error(
                    "no lessons found: expected headings like '### 01. Title (45 minutes)' "
                    "or '### Lesson 1: Title'",
                    1,
                )
            )
            return None
        self._check_numbers()
        return Course(
            pos=title_node.pos if title_node else SourcePos(1),
            title=title,
            subtitle=subtitle,
            meta=meta,
            overview=tuple(self.overview),
            objectives=tuple(self.objectives),
            lessons=tuple(self.lessons),
            rubric=self.rubric,
            appendices=tuple(self.appendices),
        )

    # ---- finding lessons

    def _find_lessons(self, sections: list[_Node]) -> set[int]:
        """ids of the outline nodes that are teaching units."""
        found: set[int] = set()

        def visit(node: _Node, inside_known: bool) -> None:
            known = inside_known or (
                node.level <= 2 and names.manual_kind(node.text) in _NON_LESSON_CONTAINERS
            )
            if not known and self._is_lesson(node):
                found.add(id(node))
                return
            for c in node.children:
                visit(c, known)

        for s in sections:
            visit(s, False)
        # A heading between lessons at their level, under the same parent, is a unit
        # without a number (a wrap-up, a lab): keep the teaching order intact.
        for parent in [*sections, *(n for s in sections for n in s.walk())]:
            kids = parent.children
            idx = [i for i, c in enumerate(kids) if id(c) in found]
            if len(idx) >= 2:
                level = kids[idx[0]].level
                for c in kids[idx[0] : idx[-1] + 1]:
                    if c.level == level:
                        found.add(id(c))
        return found

    @staticmethod
    def _is_lesson(node: _Node) -> bool:
        text = node.text
        if names.lesson_heading(text) is not None:
            return names.manual_kind(text) == "other"
        known_children = sum(1 for c in node.children if names.section_kind(c.text) != "other")
        has_duration = names.trailing_duration(text) is not None
        return (has_duration and (known_children > 0 or not node.children)) or known_children >= 2

    # ---- top-level sections

    def _top_section(self, node: _Node, lessons: set[int]) -> None:
        if id(node) in lessons:
            self.lessons.append(self._lesson(node))
            return
        if any(id(n) in lessons for n in node.walk()):
            # A container such as "Lesson-by-Lesson Guide": its own prose is kept.
            if node.blocks:
                self.appendices.append(Appendix(node.pos, "other", node.text, tuple(node.blocks)))
            for c in node.children:
                self._top_section(c, lessons)
            return
        kind = names.manual_kind(node.text)
        if kind == "overview":
            self._overview(node)
        elif kind == "objectives":
            self._objectives(node)
        elif kind == "rubric" and self.rubric is None:
            self.rubric = self._rubric(node)
        else:
            appendix_kind = "other" if kind in {"overview", "objectives", "rubric"} else kind
            if appendix_kind == "other":
                self.report(
                    dg.info(
                        f"section {node.text!r} kept as a generic appendix section", node.pos.line
                    )
                )
            self.appendices.append(
                Appendix(node.pos, appendix_kind, node.text, node.flatten())  # type: ignore[arg-type]
            )

    def _overview(self, node: _Node) -> None:
        self.overview.extend(node.blocks)
        for c in node.children:
            if names.manual_kind(c.text) == "objectives":
                self._objectives(c)
            else:
                self.overview.append(Heading(c.pos, c.level, _strip_decoration(c.inlines)))
                self.overview.extend(c.flatten())

    def _objectives(self, node: _Node) -> None:
        for b in node.flatten():
            if isinstance(b, ListBlock):
                for item in b.items:
                    self.objectives.append(_item_inlines(item))
            else:
                self.overview.append(b)

    # ---- lessons

    def _lesson(self, node: _Node) -> Lesson:
        text = node.text
        head = names.lesson_heading(text) or names.unnumbered_heading(text)
        stripped = _strip_decoration(node.inlines)
        title = _slice(stripped, head.title_start, head.title_end)
        title = _drop_trailing(title, ":.-–—")
        line = node.pos.line
        label = f"lesson {head.number_text} {inline_text(title)!r}".replace("  ", " ")
        if head.number is None:
            self.report(dg.info(f"unit {inline_text(title)!r} has no number", line))
        if head.minutes is None:
            self.report(dg.warning(f"{label} has no duration such as '(45 minutes)'", line))

        intro, sections = self._split_bold_sections(list(node.blocks))
        for c in node.children:
            sections.append((c.pos, c.text, list(c.flatten())))
        built = tuple(self._section(pos, name, blocks) for pos, name, blocks in sections)
        kinds = {type(s) for s in built}
        if StudentSummary not in kinds:
            self.report(dg.warning(f"{label} has no Student Summary section", line))
        if TalkingPoints not in kinds:
            self.report(dg.warning(f"{label} has no Teacher Talking Points section", line))
        return Lesson(
            pos=node.pos,
            number=head.number,
            number_text=head.number_text,
            label=head.label,
            title=title,
            minutes=head.minutes,
            minutes_max=head.minutes_max,
            intro=tuple(intro),
            sections=built,
        )

    @staticmethod
    def _split_bold_sections(
        blocks: list[Block],
    ) -> tuple[list[Block], list[tuple[SourcePos, str, list[Block]]]]:
        """Some authors mark sections with a bold line instead of a heading."""
        intro: list[Block] = []
        sections: list[tuple[SourcePos, str, list[Block]]] = []
        for b in blocks:
            if (
                isinstance(b, Paragraph)
                and il.is_all_strong(b.inlines)
                and names.section_kind(inline_text(b.inlines)) != "other"
            ):
                sections.append(
                    (b.pos, names.strip_decoration(inline_text(b.inlines)).strip(":").strip(), [])
                )
            elif sections:
                sections[-1][2].append(b)
            else:
                intro.append(b)
        return intro, sections

    def _section(self, pos: SourcePos, name: str, blocks: list[Block]) -> Section:
        title = names.strip_decoration(name).strip().rstrip(":：").strip()
        kind = names.section_kind(name)
        body = tuple(blocks)
        match kind:
            case "key_concepts":
                return _key_concepts(pos, title, body)
            case "student_summary":
                return StudentSummary(pos, title, body)
            case "talking_points":
                return TalkingPoints(pos, title, _topics(body))
            case "discussion_questions":
                return _questions(pos, title, body)
            case "teaching_tips":
                return TeachingTips(pos, title, body)
            case "common_pitfalls":
                return CommonPitfalls(pos, title, body)
            case "examples":
                return Examples(pos, title, body)
            case "other":
                self.report(
                    dg.info(f"lesson section {title!r} kept as a generic section", pos.line)
                )
                return OtherSection(pos, title, body)

    def _check_numbers(self) -> None:
        seen: dict[tuple[str, int], int] = {}
        by_label: dict[str, list[Lesson]] = {}
        for lesson in self.lessons:
            if lesson.number is None:
                continue
            key = (lesson.label, lesson.number)
            if key in seen:
                self.report(
                    dg.warning(
                        f"duplicate lesson number {lesson.number_text} (also at line {seen[key]})",
                        lesson.pos.line,
                    )
                )
            else:
                seen[key] = lesson.pos.line
            by_label.setdefault(lesson.label, []).append(lesson)
        for group in by_label.values():
            numbers = sorted({les.number for les in group if les.number is not None})
            missing = [n for n in range(numbers[0], numbers[-1] + 1) if n not in set(numbers)]
            if missing:
                shown = ", ".join(str(n) for n in missing[:10]) + (
                    " …" if len(missing) > 10 else ""
                )
                self.report(dg.info(f"lesson numbers skip {shown}", group[0].pos.line))

    # ---- rubric

    def _rubric(self, node: _Node) -> Rubric:
        intro: list[Block] = []
        categories: list[RubricCategory] = []
        loose: list[RubricItem] = []
        for b in node.blocks:
            items = _rubric_items(b)
            if items:
                loose.extend(items)
            else:
                intro.append(b)
        if loose:
            categories.append(RubricCategory(node.pos, node.text, None, None, tuple(loose)))
        for c in node.children:
            categories.append(self._category(c))
        if not any(_count_items(cat) for cat in categories):
            self.report(
                dg.warning(f"the rubric {node.text!r} has no checklist items", node.pos.line)
            )
        return Rubric(node.pos, node.text, tuple(intro), tuple(categories))

    def _category(self, node: _Node) -> RubricCategory:
        name, points, points_max = names.trailing_points(node.text)
        items: list[RubricItem] = []
        blocks: list[Block] = []
        for b in node.blocks:
            found = _rubric_items(b)
            if found:
                items.extend(found)
            else:
                blocks.append(b)
        levels: list[RubricLevel] = []
        for c in node.children:
            lname, lpoints, lmax = names.trailing_points(c.text)
            litems: list[RubricItem] = []
            lblocks: list[Block] = []
            for b in c.flatten():
                found = _rubric_items(b)
                if found:
                    litems.extend(found)
                else:
                    lblocks.append(b)
            levels.append(RubricLevel(c.pos, lname, lpoints, lmax, tuple(litems), tuple(lblocks)))
        return RubricCategory(
            node.pos, name, points, points_max, tuple(items), tuple(levels), tuple(blocks)
        )


# --------------------------------------------------------------------------- section readers


def _drop_trailing(inlines: Inlines, chars: str) -> Inlines:
    text = inline_text(inlines)
    trimmed = text.rstrip().rstrip(chars).rstrip()
    return _slice(inlines, 0, len(trimmed)) if trimmed != text else inlines


def _item_inlines(item: ListItem) -> Inlines:
    """A list item's own text: its paragraphs joined (nested lists are not part of it)."""
    parts: list[Inlines] = [b.inlines for b in item.blocks if isinstance(b, Paragraph)]
    joined: list[Any] = []
    for i, p in enumerate(parts):
        if i:
            joined.append(Run(" "))
        joined.extend(p)
    return il.merge(joined)


def _key_concepts(pos: SourcePos, title: str, blocks: Blocks) -> KeyConcepts:
    concepts: list[Concept] = []
    rest: list[Block] = []
    for b in blocks:
        if isinstance(b, ListBlock):
            for item in b.items:
                first = item.blocks[0] if item.blocks else None
                if isinstance(first, Paragraph):
                    term, expl = _split_term(first.inlines)
                    concepts.append(Concept(item.pos, term, expl, item.blocks[1:]))
                else:
                    rest.extend(item.blocks)
        elif isinstance(b, Table) and len(b.header) >= 2:
            for row in b.rows:
                if row:
                    expl = il.merge(x for cell in row[1:] for x in (*cell, Run(" ")))
                    concepts.append(Concept(b.pos, row[0], il.strip(expl)))
        else:
            rest.append(b)
    return KeyConcepts(pos, title, tuple(concepts), tuple(rest))


_SEPARATOR = re.compile(r"^\s*(?:[:：]|[-–—]\s)\s*")


def _split_term(inlines: Inlines) -> tuple[Inlines, Inlines]:
    """``**Term**: explanation`` / ``**Term:** explanation`` / ``Term - explanation``."""
    n = 0
    while n < len(inlines) and isinstance(inlines[n], Run) and inlines[n].strong:  # type: ignore[union-attr]
        n += 1
    if n:
        term = _drop_trailing(inlines[:n], ":：")
        rest = list(inlines[n:])
        if rest and isinstance(rest[0], Run):
            rest[0] = dataclasses.replace(rest[0], text=_SEPARATOR.sub("", rest[0].text, count=1))
        return term, il.strip(tuple(rest))
    text = inline_text(inlines)
    m = re.search(r"[:：]\s|\s[-–—]\s", text)
    if m and m.start() <= 60:
        return _slice(inlines, 0, m.start()), _slice(inlines, m.end(), len(text))
    return inlines, ()


def _topics(blocks: Blocks) -> tuple[Topic, ...]:
    topics: list[Topic] = []
    title: Inlines = ()
    pos: SourcePos | None = None
    body: list[Block] = []

    def close() -> None:
        if pos is not None and (title or body):
            topics.append(Topic(pos, title, tuple(body)))

    for b in blocks:
        opener: Inlines | None = None
        if (isinstance(b, Paragraph) and il.is_all_strong(b.inlines)) or isinstance(b, Heading):
            opener = b.inlines
        if opener is not None:
            close()
            title, pos, body = _drop_trailing(il.strip(opener), ":："), b.pos, []
            title = tuple(
                dataclasses.replace(r, strong=False) if isinstance(r, Run) else r for r in title
            )
            title = il.merge(title)
        else:
            if pos is None:
                pos = b.pos
            body.append(b)
    close()
    return tuple(topics)


def _questions(pos: SourcePos, title: str, blocks: Blocks) -> DiscussionQuestions:
    questions: list[Question] = []
    rest: list[Block] = []
    lists = [b for b in blocks if isinstance(b, ListBlock)]
    if lists:
        for b in blocks:
            if isinstance(b, ListBlock):
                for item in b.items:
                    first = item.blocks[0] if item.blocks else None
                    if isinstance(first, Paragraph):
                        questions.append(Question(item.pos, first.inlines, item.blocks[1:]))
                    else:
                        rest.extend(item.blocks)
            else:
                rest.append(b)
        return DiscussionQuestions(pos, title, tuple(questions), tuple(rest))
    # No list: paragraphs that ask something are the questions; what follows is guidance.
    current: tuple[SourcePos, Inlines, list[Block]] | None = None
    for b in blocks:
        if isinstance(b, Paragraph) and "?" in inline_text(b.inlines):
            if current:
                questions.append(Question(current[0], current[1], tuple(current[2])))
            current = (b.pos, b.inlines, [])
        elif current:
            current[2].append(b)
        else:
            rest.append(b)
    if current:
        questions.append(Question(current[0], current[1], tuple(current[2])))
    return DiscussionQuestions(pos, title, tuple(questions), tuple(rest))


def _rubric_items(block: Block) -> tuple[RubricItem, ...]:
    if not isinstance(block, ListBlock):
        return ()
    out: list[RubricItem] = []
    for item in block.items:
        children: list[RubricItem] = []
        for b in item.blocks:
            children.extend(_rubric_items(b))
        text = _item_inlines(item)
        extra = [b for b in item.blocks if not isinstance(b, Paragraph | ListBlock)]
        for b in extra:
            if isinstance(b, CodeBlock | Quote | Table):
                text = il.merge((*text, Run(" "), Run(" ".join(_flat_text(b)))))
        out.append(RubricItem(item.pos, text, bool(item.checked), tuple(children)))
    return tuple(out)


def _flat_text(block: Block) -> list[str]:
    from deckbuild.model import block_lines

    return [line.strip() for line in block_lines(block) if line.strip()]


def _count_items(cat: RubricCategory) -> int:
    return len(cat.items) + sum(len(level.items) for level in cat.levels)
