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
from typing import Any, assert_never

from markdown_it.tree import SyntaxTreeNode

from deckbuild import diagnostics, registry
from deckbuild.diagnostics import Diagnostic, SourcePos
from deckbuild.model import (
    Answers,
    Appendix,
    Aside,
    Block,
    Blocks,
    CodeBlock,
    CommonPitfalls,
    Concept,
    Course,
    DiscussionQuestions,
    Examples,
    Exercise,
    Heading,
    Inlines,
    KeyConcepts,
    Lesson,
    ListBlock,
    ListItem,
    Meta,
    Objectives,
    OtherSection,
    Pacing,
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
from deckbuild.parse import frontmatter, inline, names
from deckbuild.parse.blocks import Context, convert, inline_child, labelled, pos_of
from deckbuild.parse.tokens import parse_tree
from deckbuild.registry import SectionKind

# --------------------------------------------------------------------------- outline


@dataclass(slots=True, eq=False)
class _Node:
    """A heading with the blocks directly under it and its sub-headings. Nodes compare
    and hash by identity: two headings with the same text are two nodes."""

    level: int
    pos: SourcePos
    inlines: Inlines
    blocks: list[Block] = field(default_factory=list)
    children: list[_Node] = field(default_factory=list)

    @property
    def text(self) -> str:
        return names.strip_decoration(inline_text(self.inlines))

    def flatten(self, mapping: dict[str, SectionKind] | None = None) -> Blocks:
        """Its blocks, then each sub-heading as a Heading block followed by its content; a
        sub-heading whose name is for the teacher or an answer ("Solution") holds its
        content in an aside, so that it keeps its audience."""
        out: list[Block] = list(self.blocks)
        for c in self.children:
            inner = (Heading(c.pos, c.level, _strip_decoration(c.inlines)), *c.flatten(mapping))
            kind = registry.lookup(c.text, mapping)
            if registry.audience(kind) in ("teacher", "answer"):
                out.append(Aside(c.pos, kind, c.text, inner))
            else:
                out.extend(inner)
        return tuple(out)

    def walk(self) -> Iterator[_Node]:
        for c in self.children:
            yield c
            yield from c.walk()


def _outline(nodes: list[SyntaxTreeNode], ctx: Context) -> _Node:
    top = _Node(0, SourcePos(1), ())
    stack = [top]
    # The blocks between two headings are converted together: a label-only paragraph or a
    # ``<details>`` opening takes the blocks after it.
    pending: list[SyntaxTreeNode] = []
    for n in [*nodes, None]:
        if n is not None and n.type != "heading":
            pending.append(n)
            continue
        if pending:
            stack[-1].blocks.extend(convert(pending, ctx))
            pending = []
        if n is None:
            break
        level = int(n.tag[1:])
        node = _Node(level, pos_of(n), _heading_title(inline_child(n, ctx)))
        while stack[-1].level >= level:
            stack.pop()
        stack[-1].children.append(node)
        stack.append(node)
    return top


def _heading_title(inlines: Inlines) -> Inlines:
    """A link heading (``## [Setting Up Git](02-setup.md)``) is titled by its link text."""
    return tuple(dataclasses.replace(r, href=None) if isinstance(r, Run) else r for r in inlines)


def _strip_decoration(inlines: Inlines) -> Inlines:
    """Drop leading emoji from heading runs (they decorate, they do not name)."""
    text = inline_text(inlines)
    stripped = names.strip_decoration(text)
    cut = text.find(stripped) if stripped else len(text)
    return inline.slice_inlines(inlines, cut, len(text.rstrip()))


# --------------------------------------------------------------------------- entry point

#: GitBook/Jekyll/Liquid tags: ``{% embed url="…" %}``, ``{% hint style="info" %}``.
_TEMPLATE_TAG = re.compile(r"\{%-?.*?-?%\}")
_FENCE_LINE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")


def strip_template_tags(text: str) -> tuple[str, list[Diagnostic]]:
    """Remove template tags outside code fences, each with an info diagnostic; the line
    stays (empty if the tag was all of it), so every line number holds."""
    if "{%" not in text:
        return text, []
    lines = text.split("\n")
    diags: list[Diagnostic] = []
    fence = ""
    for i, line in enumerate(lines):
        m = _FENCE_LINE.match(line)
        if m and (not fence or m.group(1).startswith(fence)):
            fence = "" if fence else m.group(1)[0] * 3
            continue
        if fence or "{%" not in line:
            continue
        tags = _TEMPLATE_TAG.findall(line)
        if tags:
            lines[i] = _TEMPLATE_TAG.sub("", line)
            shown = tags[0] if len(tags[0]) <= 40 else tags[0][:39] + "…"
            diags.append(
                diagnostics.info(f"template tag {shown} removed; deckbuild does not run it", i + 1)
            )
    return "\n".join(lines), diags


def parse_course(
    text: str, *, name: str = "manual", base_dir: Path | None = None
) -> tuple[Course | None, tuple[Diagnostic, ...]]:
    """Parse decoded manual text. Returns None (with an error) when it has no units."""
    text, tag_diags = strip_template_tags(text)
    lines = text.split("\n")
    ctx = Context(lines, _image_resolver(base_dir, []), list(tag_diags))
    ctx.resolve = _image_resolver(base_dir, ctx.diags)
    try:
        root = parse_tree(text)
    except RecursionError:
        return None, (diagnostics.error("the Markdown nests too deeply to read", 1),)
    nodes = list(root.children)
    data: dict[str, Any] = {}
    meta = Meta()
    if nodes and nodes[0].type == "front_matter":
        front = nodes.pop(0)
        first = (front.map[0] + 2) if front.map else 2
        data, marks, diags = frontmatter.load(front.content, first)
        ctx.diags.extend(diags)
        meta, diags = frontmatter.meta(data, marks)
        ctx.diags.extend(diags)
        ctx.names = dict(meta.sections)
    top = _outline(nodes, ctx)
    course = _Reader(ctx, meta).course(top, data, name)
    # Each node points back at its parent: unlinked, the tree (most of what a parse
    # allocates) is freed right here instead of waiting for the cyclic collector.
    for node in root.walk():
        node.parent = None
    diags = sorted(ctx.diags, key=diagnostics.sort_key)
    return course, tuple(diags)


def _image_resolver(base_dir: Path | None, diags: list[Diagnostic]) -> inline.ImageResolver:
    def resolve(src: str, line: int) -> str | None:
        if re.match(r"^[a-z][a-z0-9+.-]*:", src, re.IGNORECASE):
            return None  # a URL: kept as a reference, never fetched
        if base_dir is None:
            return None
        base = base_dir.resolve()
        target = (base / src).resolve()
        if base != target and base not in target.parents:
            diags.append(
                diagnostics.warning(f"image {src!r} is outside the manual's folder; not used", line)
            )
            return None
        if not target.is_file():
            diags.append(
                diagnostics.warning(f"image {src!r} not found; its alt text is kept", line)
            )
            return None
        return os.fspath(target)

    return resolve


# --------------------------------------------------------------------------- units

#: Manual-level kinds whose sections hold no units ("Assessment Rubric", "Resources").
_MANUAL_CONTAINERS = frozenset(
    k for k, info in registry.KINDS.items() if info.scope != "unit" and k != "other"
)


@dataclass(frozen=True, slots=True)
class _Units:
    """The outline nodes that are units, and how they were found (for ``check``)."""

    nodes: frozenset[_Node]
    how: str
    #: The whole file is one unit: its title heading.
    single: _Node | None = None


class _Reader:
    def __init__(self, ctx: Context, meta: Meta) -> None:
        self.ctx = ctx
        self.meta = meta
        self.names = ctx.names
        self.lessons: list[Lesson] = []
        self.overview: list[Block] = []
        self.objectives: list[Inlines] = []
        self.appendices: list[Appendix] = []
        self.rubric: Rubric | None = None

    def report(self, d: Diagnostic) -> None:
        self.ctx.diags.append(d)

    def kind(self, node: _Node) -> SectionKind:
        return registry.lookup(node.text, self.names)

    # ---- course

    def course(self, top: _Node, data: dict[str, Any], name: str) -> Course | None:
        h1s = [c for c in top.children if c.level == 1]
        title_node = h1s[0] if h1s else None
        title = title_node.text if title_node else ""
        subtitle = ""
        sections: list[_Node] = [c for c in top.children if c.level > 1]
        if title_node is not None:
            body = list(title_node.blocks)
            if body and isinstance(body[0], Paragraph) and inline.is_all_emph(body[0].inlines):
                subtitle = inline_text(body[0].inlines).strip().strip("\"'“”")
                body = body[1:]
            title_node.blocks = body
            sections += title_node.children
            # Further H1s are read like top-level sections.
            sections.extend(h1s[1:])
        sections.sort(key=lambda n: n.pos.line)

        units = self._find_units(sections, title_node)
        if not units.nodes and units.single is None and sections:
            # Section names only and no title: the file is one unit named after itself.
            whole = _Node(1, SourcePos(1), (Run(name),), list(top.blocks), sections)
            units = self._single(whole)
        if units.single is not None:
            if units.single is title_node:
                self.overview[:0] = top.blocks
            self.lessons.append(self._lesson(units.single))
        else:
            self.overview.extend(top.blocks)
            if title_node is not None:
                self.overview.extend(title_node.blocks)
            for node in sections:
                self._top_section(node, units.nodes)

        if isinstance(data.get("title"), str | int | float) and str(data["title"]).strip():
            title = str(data["title"]).strip()
        if isinstance(data.get("subtitle"), str | int | float):
            subtitle = str(data["subtitle"]).strip()
        if not title:
            title = name
            self.report(
                diagnostics.warning("the manual has no '# Title' heading; using the file name", 1)
            )

        # The overview speaks to the teacher; what it tells them to do is not for the cover.
        self.overview = [
            x
            for b in self.overview
            for x in (labelled(b, self.ctx, imperative=True) if isinstance(b, Paragraph) else (b,))
        ]
        if not self.lessons:
            self.report(
                diagnostics.error(
                    "no units found: a manual needs headings below its title, such as "
                    "'## 01. Title (45 minutes)', '## Session 1: Title' or '## Any Topic'",
                    1,
                )
            )
            return None
        self.report(diagnostics.info(f"units: {units.how}", self.lessons[0].pos.line))
        self._check_durations()
        self._check_numbers()
        return Course(
            pos=title_node.pos if title_node else SourcePos(1),
            title=title,
            subtitle=subtitle,
            meta=self.meta,
            overview=tuple(self.overview),
            objectives=tuple(self.objectives),
            lessons=tuple(self.lessons),
            rubric=self.rubric,
            appendices=tuple(self.appendices),
        )

    # ---- finding units

    def _find_units(self, sections: list[_Node], title: _Node | None) -> _Units:
        """Units sit at one heading level: the numbered or labelled headings at the level
        whose headings hold sections (patterns beat names); failing that, the repeated
        headings of the body that are not section names; failing that, the whole file."""
        body = [n for s in sections for n in (s, *self._walk_body(s))]
        numbered = [n for n in body if names.lesson_heading(n.text) is not None]
        plain = [
            n for n in body if names.lesson_heading(n.text) is None and self.kind(n) == "other"
        ]
        forced = self.meta.unit_level
        if forced is not None:
            chosen = [n for n in (*numbered, *plain) if n.level == forced]
            how = f"the {len(chosen)} headings at level {forced} (front matter 'unit_level')"
            if chosen:
                return _Units(frozenset(chosen), how)
        if numbered:
            level = self._best_level(numbered, labelled=True)
            chosen = [n for n in numbered if n.level == level]
            found = self._between(sections, set(chosen), level)
            sample = chosen[0].text
            return _Units(
                frozenset(found),
                f"{len(found)} headings at level {level} ({'#' * level}), numbered like "
                f"{sample!r}; numbered headings at other levels are sub-sections",
            )
        # A lesson plan: the title's own headings are sections, no other heading holds any.
        if (
            plain
            and title is not None
            and self._holds_sections([title], minimum=1)
            and not self._holds_sections(plain, minimum=1)
        ):
            return self._single(title)
        if plain:
            level = self._best_level(plain, labelled=False)
            chosen = [n for n in plain if n.level == level]
            if len(chosen) >= 2 or self._holds_sections(chosen, minimum=1) or title is None:
                return _Units(
                    frozenset(chosen),
                    f"{len(chosen)} headings at level {level} ({'#' * level}) without "
                    "numbers, leaving out section names and manual-level sections",
                )
        if title is not None and title.children:
            return self._single(title)
        return _Units(frozenset(), "none")

    def _single(self, title: _Node) -> _Units:
        return _Units(
            frozenset(),
            f"the whole file is one unit, {title.text!r}: its headings are section names",
            title,
        )

    def _walk_body(self, node: _Node) -> Iterator[_Node]:
        """Sub-headings, leaving out those inside manual-level sections (rubric, resources)
        unless the section's own heading is numbered (patterns beat names)."""
        if self._container(node):
            return
        for c in node.children:
            yield c
            yield from self._walk_body(c)

    def _container(self, node: _Node) -> bool:
        return (
            names.lesson_heading(node.text) is None
            and self.kind(node) in _MANUAL_CONTAINERS
            and node.level <= 2
        )

    def _holds_sections(self, nodes: list[_Node], minimum: int) -> bool:
        return sum(1 for n in nodes if self._sections_in(n)) >= minimum

    def _sections_in(self, node: _Node) -> int:
        heads = sum(
            1
            for c in node.children
            if registry.KINDS[self.kind(c)].scope != "manual" and self.kind(c) != "other"
        )
        bold = sum(
            1
            for b in node.blocks
            if isinstance(b, Paragraph)
            and inline.is_all_strong(b.inlines)
            and registry.unit_kind(inline_text(b.inlines), self.names) != "other"
        )
        return heads + bold

    def _best_level(self, nodes: list[_Node], *, labelled: bool) -> int:
        """The level whose headings hold the most sections, then the most labelled
        ("Session 2"), then the most headings, then the shallowest."""
        levels = sorted({n.level for n in nodes})

        def score(level: int) -> tuple[int, int, int, int]:
            at = [n for n in nodes if n.level == level]
            with_sections = sum(1 for n in at if self._sections_in(n))
            named = 0
            if labelled:
                named = sum(1 for n in at if (h := names.lesson_heading(n.text)) and h.label)
            return (with_sections, named, len(at), -level)

        return max(levels, key=score)

    def _between(self, sections: list[_Node], found: set[_Node], level: int) -> set[_Node]:
        """A heading between units at their level, under the same parent, is a unit
        without a number (a wrap-up, a lab), unless its name is a section's."""
        out = set(found)
        for parent in [_Node(0, SourcePos(1), (), children=sections), *sections]:
            for p in (parent, *parent.walk()):
                kids = p.children
                idx = [i for i, c in enumerate(kids) if c in found]
                if len(idx) < 2:
                    continue
                for c in kids[idx[0] : idx[-1] + 1]:
                    if c.level == level and self.kind(c) == "other":
                        out.add(c)
        return out

    # ---- top-level sections

    def _top_section(self, node: _Node, units: frozenset[_Node]) -> None:
        if node in units:
            self.lessons.append(self._lesson(node))
            return
        if any(n in units for n in node.walk()):
            # A container such as "Lesson-by-Lesson Guide": its own prose is kept.
            if node.blocks:
                self.appendices.append(Appendix(node.pos, "other", node.text, tuple(node.blocks)))
            for c in node.children:
                self._top_section(c, units)
            return
        kind = self.kind(node)
        if kind == "overview":
            self._overview(node)
        elif kind == "objectives":
            self._objectives(node)
        elif kind == "rubric" and self.rubric is None:
            self.rubric = self._rubric(node)
        else:
            if kind in ("rubric", "overview", "objectives"):
                kind = "other"
            if kind == "other":
                self.report(
                    diagnostics.info(
                        f"section {node.text!r} is not a known name: kept for the presenter "
                        "(slides show its lead-ins, the notes its text); map it with the front "
                        "matter 'sections:' if it is for students",
                        node.pos.line,
                    )
                )
            self.appendices.append(Appendix(node.pos, kind, node.text, node.flatten(self.names)))

    def _overview(self, node: _Node) -> None:
        self.overview.extend(node.blocks)
        for c in node.children:
            if self.kind(c) == "objectives":
                self._objectives(c)
            else:
                self.overview.append(Heading(c.pos, c.level, _strip_decoration(c.inlines)))
                self.overview.extend(c.flatten(self.names))

    def _objectives(self, node: _Node) -> None:
        for b in node.flatten(self.names):
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
        title = inline.slice_inlines(stripped, head.title_start, head.title_end)
        title = _drop_trailing(title, ":.-–—")
        line = node.pos.line
        label = f"lesson {head.number_text} {inline_text(title)!r}".replace("  ", " ")
        if not head.number_text:
            self.report(diagnostics.info(f"unit {inline_text(title)!r} has no number", line))

        intro, sections = self._split_bold_sections(list(node.blocks))
        for c in node.children:
            sections.append((c.pos, c.text, list(c.flatten(self.names))))
        built = [self._section(pos, name, blocks) for pos, name, blocks in sections]
        # Asides at the top of the intro (a challenge div, an instructor note) are sections.
        kept: list[Block] = []
        lifted: list[Section] = []
        for b in intro:
            if isinstance(b, Aside) and b.kind != "other":
                # A div's own first heading ("### Check Your Settings") titles it.
                inner = list(b.blocks)
                name = b.label[:1].upper() + b.label[1:] if b.label else b.kind.capitalize()
                if inner and isinstance(first := inner[0], Heading):
                    name = inline_text(first.inlines)
                    inner.pop(0)
                lifted.append(self._section(b.pos, name, inner, b.kind))
            else:
                kept.append(b)
        built = sorted([*lifted, *built], key=lambda s: s.pos.line)
        minutes, minutes_max = head.minutes, head.minutes_max
        if minutes is None:
            paced = next((s.minutes for s in built if isinstance(s, Pacing) and s.minutes), None)
            minutes = paced
        kinds = {type(s) for s in built}
        if StudentSummary not in kinds and TalkingPoints not in kinds:
            self.report(
                diagnostics.info(f"{label} has no student summary and no talking points", line)
            )
        return Lesson(
            pos=node.pos,
            number=head.number,
            number_text=head.number_text,
            label=head.label,
            title=title,
            minutes=minutes,
            minutes_max=minutes_max,
            intro=tuple(kept),
            sections=tuple(built),
        )

    def _split_bold_sections(
        self, blocks: list[Block]
    ) -> tuple[list[Block], list[tuple[SourcePos, str, list[Block]]]]:
        """Some authors mark sections with a bold line instead of a heading."""
        intro: list[Block] = []
        sections: list[tuple[SourcePos, str, list[Block]]] = []
        for b in blocks:
            if (
                isinstance(b, Paragraph)
                and inline.is_all_strong(b.inlines)
                and registry.unit_kind(inline_text(b.inlines), self.names) != "other"
            ):
                sections.append(
                    (b.pos, names.strip_decoration(inline_text(b.inlines)).strip(":").strip(), [])
                )
            elif sections:
                sections[-1][2].append(b)
            else:
                intro.append(b)
        return intro, sections

    def _section(
        self, pos: SourcePos, name: str, blocks: list[Block], kind: SectionKind | None = None
    ) -> Section:
        title = names.strip_decoration(name).strip().rstrip(":：").strip()
        kind = kind or registry.unit_kind(name, self.names)
        body = tuple(blocks)
        match kind:
            case "key_concepts":
                return _key_concepts(pos, title, body)
            case "summary":
                return StudentSummary(pos, title, body)
            case "talking_points":
                return TalkingPoints(pos, title, _topics(body))
            case "questions":
                return _questions(pos, title, body)
            case "tips":
                return TeachingTips(pos, title, body)
            case "pitfalls":
                return CommonPitfalls(pos, title, body)
            case "examples" | "resources":
                return Examples(pos, title, body)
            case "objectives":
                return Objectives(pos, title, body)
            case "exercise":
                return Exercise(pos, title, body)
            case "answers":
                return Answers(pos, title, body)
            case "agenda":
                return Pacing(pos, title, body, pacing_minutes(body))
            case "other" | "overview" | "rubric" | "strategies" | "challenges" | "success":
                self.report(
                    diagnostics.info(
                        f"lesson section {title!r} is not a known name: kept for the presenter "
                        "(slides show its lead-ins, the notes its text); map it with the front "
                        "matter 'sections:' if it is for students",
                        pos.line,
                    )
                )
                return OtherSection(pos, title, body)
            case _:
                assert_never(kind)

    def _check_durations(self) -> None:
        """A unit without a duration is a slip when others have one; when none has, the
        manual simply does not time its units, and one line says so."""
        if not any(les.minutes is not None for les in self.lessons):
            self.report(
                diagnostics.info(
                    "no unit gives a duration, so the agenda shows none", self.lessons[0].pos.line
                )
            )
            return
        for les in self.lessons:
            if les.minutes is None:
                title = inline_text(les.title)
                self.report(
                    diagnostics.warning(
                        f"lesson {les.number_text} {title!r} has no duration such as '(45 minutes)'".replace(
                            "  ", " "
                        ),
                        les.pos.line,
                    )
                )

    def _check_numbers(self) -> None:
        seen: dict[tuple[str, int], int] = {}
        by_label: dict[str, list[Lesson]] = {}
        for lesson in self.lessons:
            if lesson.number is None:
                continue
            key = (lesson.label, lesson.number)
            if key in seen:
                self.report(
                    diagnostics.warning(
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
                self.report(diagnostics.info(f"lesson numbers skip {shown}", group[0].pos.line))

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
                diagnostics.warning(
                    f"the rubric {node.text!r} has no checklist items", node.pos.line
                )
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
            for b in c.flatten(self.names):
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
    return inline.slice_inlines(inlines, 0, len(trimmed)) if trimmed != text else inlines


def _item_inlines(item: ListItem) -> Inlines:
    """A list item's own text: its paragraphs joined (nested lists are not part of it)."""
    parts: list[Inlines] = [b.inlines for b in item.blocks if isinstance(b, Paragraph)]
    joined: list[Any] = []
    for i, p in enumerate(parts):
        if i:
            joined.append(Run(" "))
        joined.extend(p)
    return inline.merge(joined)


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
                    expl = inline.merge(x for cell in row[1:] for x in (*cell, Run(" ")))
                    concepts.append(Concept(b.pos, row[0], inline.strip(expl)))
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
        return term, inline.strip(tuple(rest))
    text = inline_text(inlines)
    m = re.search(r"[:：]\s|\s[-–—]\s", text)
    if m and m.start() <= 60:
        return inline.slice_inlines(inlines, 0, m.start()), inline.slice_inlines(
            inlines, m.end(), len(text)
        )
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
        if (isinstance(b, Paragraph) and inline.is_all_strong(b.inlines)) or isinstance(b, Heading):
            opener = b.inlines
        if opener is not None:
            close()
            title, pos, body = _drop_trailing(inline.strip(opener), ":："), b.pos, []
            title = tuple(
                dataclasses.replace(r, strong=False) if isinstance(r, Run) else r for r in title
            )
            title = inline.merge(title)
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
                text = inline.merge((*text, Run(" "), Run(" ".join(_flat_text(b)))))
        out.append(RubricItem(item.pos, text, bool(item.checked), tuple(children)))
    return tuple(out)


def _flat_text(block: Block) -> list[str]:
    from deckbuild.model import block_lines

    return [line.strip() for line in block_lines(block) if line.strip()]


def _count_items(cat: RubricCategory) -> int:
    return len(cat.items) + sum(len(level.items) for level in cat.levels)


def pacing_minutes(blocks: Blocks) -> int | None:
    """The sum of a pacing table's durations (``| 10 min | Warm-up |``), None without one."""
    total = 0
    found = False
    for b in blocks:
        if not isinstance(b, Table):
            continue
        for row in b.rows:
            for cell in row:
                parsed = names.parse_duration(inline_text(cell).strip())
                if parsed is not None:
                    total += parsed[0]
                    found = True
                    break
    return total if found else None
