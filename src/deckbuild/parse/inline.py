"""markdown-it inline nodes -> runs."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable

from markdown_it.tree import SyntaxTreeNode

from deckbuild.model import Image, Inline, Inlines, Run

#: Resolves an image's src to (usable path or None); owned by the caller, which knows the
#: manual's folder and reports problems.
ImageResolver = Callable[[str, str, int], str | None]


@dataclasses.dataclass(frozen=True, slots=True)
class _Style:
    strong: bool = False
    emph: bool = False
    code: bool = False
    strike: bool = False
    href: str | None = None


def inlines(node: SyntaxTreeNode | None, resolve: ImageResolver, line: int) -> Inlines:
    """The runs of an ``inline`` node, adjacent runs of one style merged."""
    if node is None:
        return ()
    return merge(_walk(node.children, _Style(), resolve, line))


def walk(nodes: list[SyntaxTreeNode], resolve: ImageResolver, line: int) -> Iterable[Inline]:
    """Runs of a slice of an inline node's children."""
    return _walk(nodes, _Style(), resolve, line)


def _walk(
    nodes: Iterable[SyntaxTreeNode], style: _Style, resolve: ImageResolver, line: int
) -> Iterable[Inline]:
    for n in nodes:
        t = n.type
        if t == "text":
            yield _run(ATTRIBUTES.sub("", n.content), style)
        elif t == "code_inline":
            yield _run(n.content, dataclasses.replace(style, code=True))
        elif t == "softbreak":
            yield _run(" ", style)
        elif t == "hardbreak":
            yield _run("\n", style)
        elif t == "strong":
            yield from _walk(n.children, dataclasses.replace(style, strong=True), resolve, line)
        elif t == "em":
            yield from _walk(n.children, dataclasses.replace(style, emph=True), resolve, line)
        elif t == "s":
            yield from _walk(n.children, dataclasses.replace(style, strike=True), resolve, line)
        elif t == "link":
            href = str(n.attrs.get("href", ""))
            yield from _walk(n.children, dataclasses.replace(style, href=href), resolve, line)
        elif t == "image":
            src = str(n.attrs.get("src", ""))
            alt = "".join(c.content for c in n.children) or n.content
            yield Image(src, alt, resolve(src, alt, line))
        elif t == "html_inline" and n.content.startswith("<!--"):
            continue  # an author's comment reaches no output
        else:
            # Other inline HTML and anything a future plugin adds: keep the source text.
            yield _run(n.content, style)


_ATTR = r"""(?:[#.][\w:-]+|[\w-]+=(?:"[^"]*"|'[^']*'|[^\s}]+))"""
#: Pandoc attributes: ``{#id .class key=value}`` after a heading, link, image or span.
ATTRIBUTES = re.compile(rf"\s*\{{\s*{_ATTR}(?:\s+{_ATTR})*\s*\}}")


def _run(text: str, s: _Style) -> Run:
    return Run(text, s.strong, s.emph, s.code, s.strike, s.href)


def _style_key(r: Run) -> tuple[bool, bool, bool, bool, str | None]:
    return (r.strong, r.emph, r.code, r.strike, r.href)


def merge(items: Iterable[Inline]) -> Inlines:
    out: list[Inline] = []
    for item in items:
        if isinstance(item, Run):
            if not item.text:
                continue
            prev = out[-1] if out else None
            if isinstance(prev, Run) and _style_key(prev) == _style_key(item):
                out[-1] = Run(prev.text + item.text, *_style_key(prev))
                continue
        out.append(item)
    return tuple(out)


def strip(items: Inlines) -> Inlines:
    """Trim whitespace at both ends of a run sequence."""
    runs = list(items)
    while runs and isinstance(runs[0], Run) and not runs[0].text.strip():
        runs.pop(0)
    while runs and isinstance(runs[-1], Run) and not runs[-1].text.strip():
        runs.pop()
    if runs and isinstance(runs[0], Run) and runs[0].text[:1].isspace():
        runs[0] = Run(runs[0].text.lstrip(), *_style_key(runs[0]))
    if runs and isinstance(runs[-1], Run) and runs[-1].text[-1:].isspace():
        runs[-1] = Run(runs[-1].text.rstrip(), *_style_key(runs[-1]))
    return tuple(runs)


def is_all_strong(items: Inlines) -> bool:
    """A paragraph that is only bold text (a trailing colon outside the bold is allowed)."""
    body = strip(items)
    if (
        body
        and isinstance(body[-1], Run)
        and not body[-1].strong
        and body[-1].text.strip()
        in {
            ":",
            "：",
        }
    ):
        body = strip(body[:-1])
    return bool(body) and all(isinstance(r, Run) and r.strong for r in body)


def is_all_emph(items: Inlines) -> bool:
    body = strip(items)
    return bool(body) and all(isinstance(r, Run) and (r.emph or not r.text.strip()) for r in body)


def slice_inlines(inlines: Inlines, start: int, end: int) -> Inlines:
    """The runs covering characters [start, end) of their joined text."""
    out: list[Inline] = []
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
    return strip(merge(out))
