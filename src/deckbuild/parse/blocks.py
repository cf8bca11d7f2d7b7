"""markdown-it block nodes -> model blocks (a dispatch table, MyST style)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from markdown_it.tree import SyntaxTreeNode

from deckbuild import diagnostics as dg
from deckbuild.diagnostics import Diagnostic, SourcePos
from deckbuild.model import (
    Block,
    CodeBlock,
    Heading,
    Inlines,
    ListBlock,
    ListItem,
    Paragraph,
    Quote,
    Rule,
    Run,
    Table,
)
from deckbuild.parse import inline as il


@dataclass(slots=True)
class Context:
    """What block conversion needs from the surrounding parse, and where it reports."""

    lines: list[str]
    resolve: il.ImageResolver
    diags: list[Diagnostic] = field(default_factory=list)


def pos_of(node: SyntaxTreeNode) -> SourcePos:
    m = node.map
    return SourcePos(m[0] + 1 if m else 1)


def line_of(node: SyntaxTreeNode) -> int:
    return pos_of(node).line


def inline_child(node: SyntaxTreeNode, ctx: Context) -> Inlines:
    child = next((c for c in node.children if c.type == "inline"), None)
    return il.strip(il.inlines(child, ctx.resolve, line_of(node)))


def convert(nodes: list[SyntaxTreeNode], ctx: Context) -> tuple[Block, ...]:
    out: list[Block] = []
    for n in nodes:
        rule = _RULES.get(n.type)
        if rule is None:
            ctx.diags.append(
                dg.info(f"unsupported Markdown construct {n.type!r} kept as text", line_of(n))
            )
            out.append(Paragraph(pos_of(n), (Run(n.content),)) if n.content else Rule(pos_of(n)))
            continue
        if n.type == "paragraph":
            out.extend(paragraphs(n, ctx))
            continue
        block = rule(n, ctx)
        if block is not None:
            out.append(block)
    return tuple(out)


def _paragraph(n: SyntaxTreeNode, ctx: Context) -> Block | None:
    runs = inline_child(n, ctx)
    return Paragraph(pos_of(n), runs) if runs else None


def paragraphs(n: SyntaxTreeNode, ctx: Context) -> list[Block]:
    """A paragraph whose first line is only bold text is a heading line plus a paragraph.

    Manuals write a talking-point topic as ``**Topic:**`` with its text on the next line,
    which CommonMark reads as one paragraph.
    """
    child = next((c for c in n.children if c.type == "inline"), None)
    kids = child.children if child is not None else []
    brk = next((i for i, k in enumerate(kids) if k.type in ("softbreak", "hardbreak")), None)
    if child is None or brk is None or brk == 0 or brk == len(kids) - 1:
        block = _paragraph(n, ctx)
        return [block] if block else []
    head = kids[:brk]
    if not all(
        k.type == "strong" or (k.type == "text" and k.content.strip() in {"", ":", "："})
        for k in head
    ) or not any(k.type == "strong" for k in head):
        block = _paragraph(n, ctx)
        return [block] if block else []
    line = line_of(n)
    first = il.strip(il.merge(il.walk(head, ctx.resolve, line)))
    rest = il.strip(il.merge(il.walk(kids[brk + 1 :], ctx.resolve, line + 1)))
    out: list[Block] = [Paragraph(SourcePos(line), first)]
    if rest:
        out.append(Paragraph(SourcePos(line + 1), rest))
    return out


def _heading(n: SyntaxTreeNode, ctx: Context) -> Block:
    return Heading(pos_of(n), int(n.tag[1:]) if n.tag[1:].isdigit() else 6, inline_child(n, ctx))


_TASK = re.compile(r"^\[([ xX])\]\s+")


def _list(n: SyntaxTreeNode, ctx: Context) -> Block:
    items: list[ListItem] = []
    for item in n.children:
        blocks = convert(item.children, ctx)
        checked: bool | None = None
        first = blocks[0] if blocks else None
        if isinstance(first, Paragraph) and first.inlines and isinstance(first.inlines[0], Run):
            head = first.inlines[0]
            m = _TASK.match(head.text)
            if m:
                checked = m.group(1) != " "
                rest = il.strip(
                    (
                        Run(
                            head.text[m.end() :],
                            head.strong,
                            head.emph,
                            head.code,
                            head.strike,
                            head.href,
                        ),
                        *first.inlines[1:],
                    )
                )
                blocks = (Paragraph(first.pos, rest), *blocks[1:])
        items.append(ListItem(pos_of(item), blocks, checked))
    start = int(str(n.attrs.get("start", 1)) or 1) if n.type == "ordered_list" else 1
    return ListBlock(pos_of(n), n.type == "ordered_list", tuple(items), start)


def _fence(n: SyntaxTreeNode, ctx: Context) -> Block:
    lang = n.info.strip().split(maxsplit=1)[0].lower() if n.info.strip() else ""
    m = n.map
    if n.type == "fence" and m is not None:
        marker = n.markup
        last = ctx.lines[m[1] - 1].strip() if m[1] - 1 < len(ctx.lines) else ""
        closed = m[1] - 1 > m[0] and last.startswith(marker) and set(last) <= {marker[0]}
        if not closed:
            ctx.diags.append(
                dg.warning(
                    f"code fence {marker}{lang} is never closed; it runs to the end of the file",
                    m[0] + 1,
                )
            )
    return CodeBlock(pos_of(n), lang, n.content.rstrip("\n"))


def _quote(n: SyntaxTreeNode, ctx: Context) -> Block:
    return Quote(pos_of(n), convert(n.children, ctx))


def _table(n: SyntaxTreeNode, ctx: Context) -> Block:
    header: tuple[Inlines, ...] = ()
    rows: list[tuple[Inlines, ...]] = []
    for part in n.children:
        for tr in part.children:
            cells = tuple(inline_child(cell, ctx) for cell in tr.children)
            if part.type == "thead":
                header = cells
            else:
                rows.append(cells)
    return Table(pos_of(n), header, tuple(rows))


def _rule(n: SyntaxTreeNode, ctx: Context) -> Block:
    return Rule(pos_of(n))


def _literal(n: SyntaxTreeNode, ctx: Context) -> Block | None:
    text = n.content.strip()
    return Paragraph(pos_of(n), (Run(text),)) if text else None


_RULES: Mapping[str, Callable[[SyntaxTreeNode, Context], Block | None]] = MappingProxyType(
    {
        "paragraph": _paragraph,
        "heading": _heading,
        "bullet_list": _list,
        "ordered_list": _list,
        "fence": _fence,
        "code_block": _fence,
        "blockquote": _quote,
        "table": _table,
        "hr": _rule,
        "html_block": _literal,
    }
)
