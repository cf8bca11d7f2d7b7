"""The manual's outline: each heading with the blocks directly under it and its sub-headings.

The structure of a teacher's manual lives in its headings; everything else in the parse
reads this tree. Blocks between two headings are converted together, so that a label-only
paragraph or a ``<details>`` opening can take the blocks after it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field

from markdown_it.tree import SyntaxTreeNode

from deckbuild import registry
from deckbuild.diagnostics import SourcePos
from deckbuild.model import Aside, Block, Blocks, Heading, Inlines, Run, inline_text
from deckbuild.parse import inline, names
from deckbuild.parse.blocks import Context, convert, inline_child, pos_of
from deckbuild.registry import SectionKind


@dataclass(slots=True, eq=False)
class OutlineNode:
    """A heading with the blocks directly under it and its sub-headings. Nodes compare
    and hash by identity: two headings with the same text are two nodes."""

    level: int
    pos: SourcePos
    inlines: Inlines
    blocks: list[Block] = field(default_factory=list)
    children: list[OutlineNode] = field(default_factory=list)

    @property
    def text(self) -> str:
        return names.strip_decoration(inline_text(self.inlines))

    def flatten(self, mapping: dict[str, SectionKind] | None = None) -> Blocks:
        """Its blocks, then each sub-heading as a Heading block followed by its content; a
        sub-heading whose name is for the teacher or an answer ("Solution") holds its
        content in an aside, so that it keeps its audience."""
        out: list[Block] = list(self.blocks)
        for c in self.children:
            inner = (
                Heading(c.pos, c.level, strip_heading_decoration(c.inlines)),
                *c.flatten(mapping),
            )
            kind = registry.lookup(c.text, mapping)
            if registry.audience(kind) in ("teacher", "answer"):
                out.append(Aside(c.pos, kind, c.text, inner))
            else:
                out.extend(inner)
        return tuple(out)

    def walk(self) -> Iterator[OutlineNode]:
        for c in self.children:
            yield c
            yield from c.walk()


def outline(nodes: list[SyntaxTreeNode], ctx: Context) -> OutlineNode:
    top = OutlineNode(0, SourcePos(1), ())
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
        node = OutlineNode(level, pos_of(n), heading_title(inline_child(n, ctx)))
        while stack[-1].level >= level:
            stack.pop()
        stack[-1].children.append(node)
        stack.append(node)
    return top


def heading_title(inlines: Inlines) -> Inlines:
    """A link heading (``## [Setting Up Git](02-setup.md)``) is titled by its link text."""
    return tuple(dataclasses.replace(r, href=None) if isinstance(r, Run) else r for r in inlines)


def strip_heading_decoration(inlines: Inlines) -> Inlines:
    """Drop leading emoji from heading runs (they decorate, they do not name)."""
    text = inline_text(inlines)
    stripped = names.strip_decoration(text)
    cut = text.find(stripped) if stripped else len(text)
    return inline.slice_inlines(inlines, cut, len(text.rstrip()))
