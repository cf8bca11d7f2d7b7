"""markdown-it block nodes -> model blocks (a dispatch table, MyST style).

Blocks with an audience of their own become ``Aside`` blocks here: fenced divs
(``::: solution``), ``<details>``, paragraphs and list items that open with a label
(``**Answer**: …``, ``Facilitator notes: …``), the blocks after a label-only paragraph
(``**Expected Student Answers:**`` and its list), and sentences addressed to the teacher
("Have students …"). HTML comments are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from markdown_it.tree import SyntaxTreeNode

from deckbuild import diagnostics, registry
from deckbuild.diagnostics import Diagnostic, SourcePos
from deckbuild.model import (
    Aside,
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
    inline_text,
)
from deckbuild.parse import inline
from deckbuild.registry import SectionKind


@dataclass(slots=True)
class Context:
    """What block conversion needs from the surrounding parse, and where it reports."""

    lines: list[str]
    resolve: inline.ImageResolver
    diags: list[Diagnostic] = field(default_factory=list)
    #: The author's own section names (front matter ``sections:``), normalised.
    names: dict[str, SectionKind] = field(default_factory=dict)
    #: Lists and quotes around the blocks being converted.
    depth: int = 0


#: Lists and quotes nested deeper than this are flattened into this level, with a warning:
#: no slide or page can show more levels of indentation.
MAX_DEPTH = 8


def _nested(n: SyntaxTreeNode, ctx: Context) -> tuple[Block, ...]:
    """The blocks inside a list item or quote, one level deeper."""
    ctx.depth += 1
    try:
        return convert(n.children, ctx)
    finally:
        ctx.depth -= 1


def _too_deep(n: SyntaxTreeNode, ctx: Context) -> bool:
    if ctx.depth < MAX_DEPTH:
        return False
    if ctx.depth == MAX_DEPTH:
        ctx.diags.append(
            diagnostics.warning(
                f"lists or quotes nested deeper than {MAX_DEPTH} levels are flattened here",
                line_of(n),
            )
        )
    return True


def pos_of(node: SyntaxTreeNode) -> SourcePos:
    m = node.map
    return SourcePos(m[0] + 1 if m else 1)


def line_of(node: SyntaxTreeNode) -> int:
    return pos_of(node).line


def inline_child(node: SyntaxTreeNode, ctx: Context) -> Inlines:
    child = next((c for c in node.children if c.type == "inline"), None)
    return inline.strip(inline.inlines(child, ctx.resolve, line_of(node)))


def convert(nodes: list[SyntaxTreeNode], ctx: Context) -> tuple[Block, ...]:
    out: list[Block] = []
    i = 0
    while i < len(nodes):
        n = nodes[i]
        i += 1
        if n.type == "container_div":
            out.extend(_div(n, ctx))
        elif n.type == "html_block" and _DETAILS_OPEN.search(n.content):
            end = _details_end(nodes, i, n.content)
            out.append(_details(n, convert(nodes[i:end], ctx), ctx))
            i = end + 1
        elif n.type == "paragraph":
            for p in paragraphs(n, ctx):
                out.extend(labelled(p, ctx) if isinstance(p, Paragraph) else (p,))
        elif n.type in ("bullet_list", "ordered_list"):
            out.extend(_split_list(_list(n, ctx)))
        elif (rule := _RULES.get(n.type)) is not None:
            if (block := rule(n, ctx)) is not None:
                out.append(block)
        else:
            ctx.diags.append(
                diagnostics.info(
                    f"unsupported Markdown construct {n.type!r} kept as text", line_of(n)
                )
            )
            out.append(Paragraph(pos_of(n), (Run(n.content),)) if n.content else Rule(pos_of(n)))
    return group_labels(out, ctx)


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
    first = inline.strip(inline.merge(inline.walk(head, ctx.resolve, line)))
    rest = inline.strip(inline.merge(inline.walk(kids[brk + 1 :], ctx.resolve, line + 1)))
    out: list[Block] = [Paragraph(SourcePos(line), first)]
    if rest:
        out.append(Paragraph(SourcePos(line + 1), rest))
    return out


def _heading(n: SyntaxTreeNode, ctx: Context) -> Block:
    return Heading(pos_of(n), int(n.tag[1:]) if n.tag[1:].isdigit() else 6, inline_child(n, ctx))


_TASK = re.compile(r"^\[([ xX])\]\s+")


def _list(n: SyntaxTreeNode, ctx: Context) -> ListBlock:
    items: list[ListItem] = []
    for item in n.children:
        blocks = _flat(item, ctx) if _too_deep(item, ctx) else _nested(item, ctx)
        checked: bool | None = None
        first = blocks[0] if blocks else None
        if isinstance(first, Paragraph) and first.inlines and isinstance(first.inlines[0], Run):
            head = first.inlines[0]
            m = _TASK.match(head.text)
            if m:
                checked = m.group(1) != " "
                rest = inline.strip(
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
                diagnostics.warning(
                    f"code fence {marker}{lang} is never closed; it runs to the end of the file",
                    m[0] + 1,
                )
            )
    return CodeBlock(pos_of(n), lang, n.content.rstrip("\n"))


def _quote(n: SyntaxTreeNode, ctx: Context) -> Block:
    if _too_deep(n, ctx):
        return Quote(pos_of(n), _flat(n, ctx))
    return Quote(pos_of(n), _nested(n, ctx))


def _flat(n: SyntaxTreeNode, ctx: Context) -> tuple[Block, ...]:
    """Everything inside a too-deep list item or quote as paragraphs and code, in order."""
    out: list[Block] = []
    for child in n.children:
        if child.type in ("paragraph", "heading"):
            if runs := inline_child(child, ctx):
                out.append(Paragraph(pos_of(child), runs))
        elif child.type in ("fence", "code_block"):
            out.append(_fence(child, ctx))
        elif child.children:
            out.extend(_flat(child, ctx))
        elif child.content.strip():
            out.append(Paragraph(pos_of(child), (Run(child.content.strip()),)))
    return tuple(out)


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
    """Raw HTML: comments are dropped; anything else is kept as its source text."""
    text = _COMMENT.sub("", n.content).strip()
    return Paragraph(pos_of(n), (Run(text),)) if text else None


_RULES: Mapping[str, Callable[[SyntaxTreeNode, Context], Block | None]] = MappingProxyType(
    {
        "paragraph": _paragraph,
        "heading": _heading,
        "fence": _fence,
        "code_block": _fence,
        "blockquote": _quote,
        "table": _table,
        "hr": _rule,
        "html_block": _literal,
    }
)


# --------------------------------------------------------------------------- asides

_DETAILS_OPEN = re.compile(r"<details\b", re.IGNORECASE)
_DETAILS_CLOSE = re.compile(r"</details\s*>", re.IGNORECASE)
_SUMMARY = re.compile(r"<summary\b[^>]*>(.*?)</summary\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)


def _details_end(nodes: list[SyntaxTreeNode], i: int, opening: str) -> int:
    """Index of the html block that closes a ``<details>`` opened just before ``nodes[i]``
    (``i - 1`` when the opening block closes it too)."""
    depth = len(_DETAILS_OPEN.findall(opening)) - len(_DETAILS_CLOSE.findall(opening))
    if depth <= 0:
        return i - 1
    for j in range(i, len(nodes)):
        if nodes[j].type == "html_block":
            c = nodes[j].content
            depth += len(_DETAILS_OPEN.findall(c)) - len(_DETAILS_CLOSE.findall(c))
            if depth <= 0:
                return j
    return len(nodes)


def _details(n: SyntaxTreeNode, inner: tuple[Block, ...], ctx: Context) -> Block:
    """``<details><summary>Solution</summary>…</details>``: the summary names the kind;
    hidden content whose summary names nothing is taken for an answer."""
    m = _SUMMARY.search(n.content)
    summary = " ".join(_TAG.sub(" ", m.group(1)).split()) if m else ""
    kind = registry.lookup(summary, ctx.names) if summary else "answers"
    if kind == "other":
        kind = "answers"
    rest = _COMMENT.sub("", _TAG.sub(" ", _SUMMARY.sub(" ", n.content)))
    own = tuple(
        Paragraph(pos_of(n), (Run(" ".join(p.split())),))
        for p in re.split(r"\n\s*\n", rest)
        if p.strip()
    )
    return Aside(pos_of(n), kind, summary, (*own, *inner))


_DIV_CLASS = re.compile(r"^\{?\s*(?:#[\w:-]+\s+)*\.?(?P<cls>[A-Za-z][\w-]*)")


def _div(n: SyntaxTreeNode, ctx: Context) -> list[Block]:
    """A Pandoc fenced div: its class names the kind; the fence markers never show."""
    inner = convert(n.children, ctx)
    m = _DIV_CLASS.match(n.info.strip())
    cls = m.group("cls") if m else ""
    kind: SectionKind = registry.DIV_CLASSES.get(registry.norm_name(cls)) or registry.lookup(
        cls, ctx.names
    )
    if not cls or kind == "other":
        if cls:
            ctx.diags.append(
                diagnostics.info(
                    f"fenced div class {cls!r} names no section kind; its text is kept",
                    line_of(n),
                )
            )
        return list(inner)
    return [Aside(pos_of(n), kind, cls, inner)]


_SENTENCE_START = re.compile(r"(?<=[.!?…;])[\"”’)*_]*\s+(?=\S)")
_LABEL = re.compile(r"^[\s\"“*_]*(?P<label>[^\W\d][^:：.!?\n]{0,40}?)[\s*_]*[:：]")
_MAX_LABEL_WORDS = 5


def label_kind(text: str, ctx: Context) -> tuple[SectionKind, str] | None:
    """``Answer: …``, ``**Facilitator note**: …``: a label that names a kind whose audience
    is not the students. Only whole registry names count, never words inside a sentence."""
    m = _LABEL.match(text)
    if m is None:
        return None
    label = m.group("label").strip(" *_")
    if len(label.split()) > _MAX_LABEL_WORDS:
        return None
    n = registry.norm_name(label)
    kind = ctx.names.get(n) or registry.NAMES.get(n)
    if kind is None or registry.audience(kind) == "student":
        return None
    return kind, label


def labelled(p: Paragraph, ctx: Context, imperative: bool = False) -> list[Block]:
    """A paragraph, split where a labelled answer or a direction to the teacher starts;
    with ``imperative``, any sentence that opens with a bare verb is a direction."""
    if inline.is_all_strong(p.inlines):
        return [p]
    text = inline_text(p.inlines)
    marks: list[tuple[int, SectionKind | None, str]] = []
    for s in [0, *(m.end() for m in _SENTENCE_START.finditer(text))]:
        found = label_kind(text[s:], ctx)
        if found is not None:
            marks.append((s, *found))
            break  # a label holds the rest of the paragraph
        rest = text[s:]
        direction = registry.is_direction(rest) or (imperative and registry.is_imperative(rest))
        # A clause after a semicolon belongs to the direction before it.
        within = bool(marks) and marks[-1][1] == "tips" and text[:s].rstrip().endswith(";")
        marks.append((s, "tips" if direction or within else None, ""))
    if all(kind is None for _, kind, _ in marks):
        return [p]
    out: list[Block] = []
    k = 0
    while k < len(marks):
        start, kind, label = marks[k]
        j = k + 1
        while j < len(marks) and marks[j][1] == kind and not marks[j][2]:
            j += 1
        end = marks[j][0] if j < len(marks) else len(text)
        cut = text[:end].rstrip()
        # A clause cut off at its semicolon ends without it: "…a capital letter", not "…;".
        stop = len(cut) - 1 if j < len(marks) and cut.endswith(";") else end
        piece = inline.slice_inlines(p.inlines, start, stop)
        if piece:
            para = Paragraph(p.pos, piece)
            out.append(para if kind is None else Aside(p.pos, kind, label, (para,)))
        k = j
    return out


def _label_only(b: Block, ctx: Context) -> tuple[SectionKind, str] | None:
    """``**Expected Student Answers:**`` alone on its line labels what follows it."""
    if not isinstance(b, Paragraph) or not inline.is_all_strong(b.inlines):
        return None
    text = inline_text(b.inlines).strip()
    found = label_kind(text if text.endswith((":", "：")) else text + ":", ctx)
    if found is None or registry.audience(found[0]) not in ("teacher", "answer"):
        return None
    return found


def group_labels(blocks: list[Block] | tuple[Block, ...], ctx: Context) -> tuple[Block, ...]:
    """A label-only paragraph takes the blocks after it, up to the next bold line, heading
    or rule, into an aside of its kind."""
    out: list[Block] = []
    i = 0
    while i < len(blocks):
        b = blocks[i]
        found = _label_only(b, ctx)
        if found is None:
            out.append(b)
            i += 1
            continue
        j = i + 1
        while j < len(blocks) and not _ends_label(blocks[j]):
            j += 1
        out.append(Aside(b.pos, found[0], found[1], tuple(blocks[i:j])))
        i = j
    return tuple(out)


def _ends_label(b: Block) -> bool:
    return isinstance(b, Heading | Rule | Aside) or (
        isinstance(b, Paragraph) and inline.is_all_strong(b.inlines)
    )


def _split_list(block: ListBlock) -> list[Block]:
    """Items whose whole first paragraph is an aside (``- Answer: …``, ``- Have students
    …``) leave the list as asides of their own; the list continues around them."""
    runs: list[tuple[Aside | None, list[ListItem]]] = []
    for item in block.items:
        first = item.blocks[0] if item.blocks else None
        aside = first if isinstance(first, Aside) and first.audience != "student" else None
        if aside is not None:
            item = ListItem(item.pos, (*aside.blocks, *item.blocks[1:]), item.checked)
        key = aside.kind if aside else None
        if runs and (runs[-1][0].kind if runs[-1][0] else None) == key:
            runs[-1][1].append(item)
        else:
            runs.append((aside, [item]))
    if len(runs) == 1 and runs[0][0] is None:
        return [block]
    out: list[Block] = []
    number = block.start
    for aside, items in runs:
        part = ListBlock(items[0].pos, block.ordered, tuple(items), number)
        number += len(items)
        out.append(part if aside is None else Aside(part.pos, aside.kind, aside.label, (part,)))
    return out
