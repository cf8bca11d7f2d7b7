"""Decoded manual text -> Course: the parse's entry point.

The manual's structure lives in its headings: ``outline`` builds the heading tree,
``units`` finds the teaching units in it wherever they sit, and this module reads every
other part by its name through the section registry (``readers`` reads each section's
parts). Nothing is dropped: what has no special meaning is kept as a presenter section
and reported at info level.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, assert_never

from deckbuild import diagnostics, registry
from deckbuild.diagnostics import Diagnostic, SourcePos
from deckbuild.model import (
    Answers,
    Appendix,
    Aside,
    Block,
    CommonPitfalls,
    Course,
    Examples,
    Exercise,
    Heading,
    Inlines,
    Lesson,
    ListBlock,
    Meta,
    Objectives,
    OtherSection,
    Pacing,
    Paragraph,
    Rubric,
    RubricCategory,
    RubricItem,
    RubricLevel,
    Run,
    Section,
    StudentSummary,
    TalkingPoints,
    TeachingTips,
    inline_text,
)
from deckbuild.parse import frontmatter, inline, names, readers
from deckbuild.parse.blocks import Context, labelled
from deckbuild.parse.outline import OutlineNode, outline, strip_heading_decoration
from deckbuild.parse.tokens import limit_depth, outside_code, parse_tree
from deckbuild.parse.units import UnitFinder
from deckbuild.registry import SectionKind

# --------------------------------------------------------------------------- entry point

#: GitBook/Jekyll/Liquid tags: ``{% embed url="…" %}``, ``{% hint style="info" %}``.
_TEMPLATE_TAG = re.compile(r"\{%-?.*?-?%\}")


def strip_template_tags(text: str) -> tuple[str, list[Diagnostic]]:
    """Remove template tags outside code fences, each with an info diagnostic; the line
    stays (empty if the tag was all of it), so every line number holds."""
    if "{%" not in text:
        return text, []
    lines = text.split("\n")
    diags: list[Diagnostic] = []
    for i in outside_code(lines):
        line = lines[i]
        if "{%" not in line:
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
    text, deep = limit_depth(text)
    if deep:
        message = f"{len(deep)} line(s) quoted or indented deeper than a manual can nest, from here; flattened"
        tag_diags.append(diagnostics.warning(message, deep[0]))
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
    top = outline(nodes, ctx)
    course = _Reader(ctx, meta).course(top, data, name)
    # Each node points back at its parent: unlinked, the tree (most of what a parse
    # allocates) is freed right here instead of waiting for the cyclic collector.
    for node in root.walk():
        node.parent = None
    diags = sorted(ctx.diags, key=diagnostics.sort_key)
    return course, tuple(diags)


def _image_resolver(base_dir: Path | None, diags: list[Diagnostic]) -> inline.ImageResolver:
    def resolve(src: str, alt: str, line: int) -> str | None:
        """The image's file, None for a URL or a file that cannot be used; warns at
        ``line`` about each, and about an image without alt text (what a screen reader
        says, and what the handout prints when the picture cannot be shown)."""
        if not alt.strip():
            diags.append(
                diagnostics.warning(
                    f"image {src!r} has no alt text: describe it between the brackets, "
                    "![like this](...)",
                    line,
                )
            )
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

    def kind(self, node: OutlineNode) -> SectionKind:
        return registry.lookup(node.text, self.names)

    # ---- course

    def course(self, top: OutlineNode, data: dict[str, Any], name: str) -> Course | None:
        title_node, subtitle, sections = self._title(top)
        how = self._read_body(top, title_node, sections, name)
        title = title_node.text if title_node else ""
        if isinstance(data.get("title"), str | int | float) and str(data["title"]).strip():
            title = str(data["title"]).strip()
        if isinstance(data.get("subtitle"), str | int | float):
            subtitle = str(data["subtitle"]).strip()
        if not title:
            title = name
            self.report(
                diagnostics.warning("the manual has no '# Title' heading; using the file name", 1)
            )
        if not self.lessons:
            self.report(
                diagnostics.error(
                    "no units found: a manual needs headings below its title, such as "
                    "'## 01. Title (45 minutes)', '## Session 1: Title' or '## Any Topic'",
                    1,
                )
            )
            return None
        self.report(diagnostics.info(f"units: {how}", self.lessons[0].pos.line))
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

    def _title(self, top: OutlineNode) -> tuple[OutlineNode | None, str, list[OutlineNode]]:
        """The ``#`` heading, the italic subtitle line under it, and the sections below it
        in file order (further ``#`` headings are read like sections)."""
        h1s = [c for c in top.children if c.level == 1]
        title_node = h1s[0] if h1s else None
        subtitle = ""
        sections: list[OutlineNode] = [c for c in top.children if c.level > 1]
        if title_node is not None:
            body = list(title_node.blocks)
            if body and isinstance(body[0], Paragraph) and inline.is_all_emph(body[0].inlines):
                subtitle = inline_text(body[0].inlines).strip().strip("\"'“”")
                body = body[1:]
            title_node.blocks = body
            sections += title_node.children
            sections.extend(h1s[1:])
        sections.sort(key=lambda n: n.pos.line)
        return title_node, subtitle, sections

    def _read_body(
        self,
        top: OutlineNode,
        title_node: OutlineNode | None,
        sections: list[OutlineNode],
        name: str,
    ) -> str:
        """Units, overview, objectives, rubric and appendices; says how units were found."""
        finder = UnitFinder(self.names, self.meta.unit_level)
        units = finder.find(sections, title_node)
        if not units.nodes and units.single is None and sections:
            # Section names only and no title: the file is one unit named after itself.
            whole = OutlineNode(1, SourcePos(1), (Run(name),), list(top.blocks), sections)
            units = finder.single(whole)
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
        # The overview speaks to the teacher; what it tells them to do is not for the cover.
        self.overview = [
            x
            for b in self.overview
            for x in (labelled(b, self.ctx, imperative=True) if isinstance(b, Paragraph) else (b,))
        ]
        return units.how

    # ---- top-level sections

    def _top_section(self, node: OutlineNode, units: frozenset[OutlineNode]) -> None:
        if node in units:
            self.lessons.append(self._lesson(node))
            return
        if any(n in units for n in node.walk()):
            # A container such as "Lesson-by-Lesson Guide": its own prose is kept.
            if node.blocks:
                self.appendices.append(Appendix(node.pos, "other", node.text, tuple(node.blocks)))
            else:
                message = f"heading {node.text!r} only groups units; it makes no slide or page"
                self.report(diagnostics.info(message, node.pos.line))
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

    def _overview(self, node: OutlineNode) -> None:
        self.overview.extend(node.blocks)
        for c in node.children:
            if self.kind(c) == "objectives":
                self._objectives(c)
            else:
                self.overview.append(Heading(c.pos, c.level, strip_heading_decoration(c.inlines)))
                self.overview.extend(c.flatten(self.names))

    def _objectives(self, node: OutlineNode) -> None:
        for b in node.flatten(self.names):
            if isinstance(b, ListBlock):
                for item in b.items:
                    self.objectives.append(readers.item_inlines(item))
            else:
                self.overview.append(b)

    # ---- lessons

    def _lesson(self, node: OutlineNode) -> Lesson:
        text = node.text
        head = names.lesson_heading(text) or names.unnumbered_heading(text)
        stripped = strip_heading_decoration(node.inlines)
        title = inline.slice_inlines(stripped, head.title_start, head.title_end)
        title = readers.drop_trailing(title, ":.-–—")
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
                name = b.heading or b.kind.capitalize()
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
                return readers.key_concepts(pos, title, body)
            case "summary":
                return StudentSummary(pos, title, body)
            case "talking_points":
                return TalkingPoints(pos, title, readers.topics(body))
            case "questions":
                return readers.questions(pos, title, body)
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
                return Pacing(pos, title, body, readers.pacing_minutes(body))
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
            present = set(numbers)
            missing = [n for n in range(numbers[0], numbers[-1] + 1) if n not in present]
            if missing:
                shown = ", ".join(str(n) for n in missing[:10]) + (
                    " …" if len(missing) > 10 else ""
                )
                self.report(diagnostics.info(f"lesson numbers skip {shown}", group[0].pos.line))

    # ---- rubric

    def _rubric(self, node: OutlineNode) -> Rubric:
        intro: list[Block] = []
        categories: list[RubricCategory] = []
        loose: list[RubricItem] = []
        for b in node.blocks:
            items = readers.rubric_items(b)
            if items:
                loose.extend(items)
            else:
                intro.append(b)
        if loose:
            categories.append(RubricCategory(node.pos, node.text, None, None, tuple(loose)))
        for c in node.children:
            categories.append(self._category(c))
        if not any(readers.count_items(cat) for cat in categories):
            self.report(
                diagnostics.warning(
                    f"the rubric {node.text!r} has no checklist items", node.pos.line
                )
            )
        return Rubric(node.pos, node.text, tuple(intro), tuple(categories))

    def _category(self, node: OutlineNode) -> RubricCategory:
        name, points, points_max = names.trailing_points(node.text)
        items: list[RubricItem] = []
        blocks: list[Block] = []
        for b in node.blocks:
            found = readers.rubric_items(b)
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
                found = readers.rubric_items(b)
                if found:
                    litems.extend(found)
                else:
                    lblocks.append(b)
            levels.append(RubricLevel(c.pos, lname, lpoints, lmax, tuple(litems), tuple(lblocks)))
        return RubricCategory(
            node.pos, name, points, points_max, tuple(items), tuple(levels), tuple(blocks)
        )
