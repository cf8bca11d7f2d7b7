"""The one place that configures markdown-it: CommonMark, GFM tables, strikethrough, front
matter, and Pandoc fenced divs (``::: solution``) as ``container_div`` nodes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

#: Token nesting markdown-it may reach: a list level takes two (list and item). Deeper
#: lines are brought up to it by ``limit_depth`` before parsing.
MAX_NESTING = 200
#: Quote markers and indentation that stay within MAX_NESTING.
_MAX_QUOTES = 60
_MAX_INDENT = 160
_DEEP = re.compile(rf"^(?P<lead>(?:[ \t]*>){{{_MAX_QUOTES + 1},}}|[ \t]{{{_MAX_INDENT + 1},}})")


_CODE_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")


def outside_code(lines: list[str]) -> Iterator[int]:
    """Indices of the lines that are not inside a fenced code block, nor its fences: the
    source-level passes (template tags, div fences, depth) leave code alone."""
    fence = ""
    for i, line in enumerate(lines):
        code = _CODE_FENCE.match(line)
        if code and (not fence or code.group(1).startswith(fence)):
            fence = "" if fence else code.group(1)[0] * 3
        elif not fence:
            yield i


def limit_depth(text: str) -> tuple[str, list[int]]:
    """Lines quoted or indented past what markdown-it can nest, brought up to the limit
    (their words kept), and the lines that were; code fences are left alone."""
    if len(text) < _MAX_INDENT:
        return text, []
    lines = text.split("\n")
    changed: list[int] = []
    for i in outside_code(lines):
        line = lines[i]
        m = _DEEP.match(line)
        if m is not None:
            lead = m.group("lead")
            keep = ">" * _MAX_QUOTES if ">" in lead else " " * _MAX_INDENT
            lines[i] = keep + " " + line[m.end() :].lstrip(" \t>")
            changed.append(i + 1)
    return "\n".join(lines), changed


def _any_div(params: str, markup: str) -> bool:
    # A bare fence only ever closes (Pandoc); ``balance_divs`` has paired them already.
    return bool(params.strip())


_DIV_FENCE = re.compile(r"^(?P<indent>\s{0,3})(?P<colons>:{3,})(?P<rest>.*)$")


def balance_divs(text: str) -> str:
    """Re-mark Pandoc fenced divs so that markdown-it nests them as Pandoc does.

    Pandoc opens a div at every fence with a class and closes the innermost at a bare
    fence, whatever the number of colons; markdown-it's container closes at the first bare
    fence at least as long as the opener. Giving each div as many colons as it has levels
    of divs inside it (plus three), and its closer the same, makes the two agree. A bare
    fence that closes nothing is blanked. Lines are never added or removed.
    """
    if ":::" not in text:
        return text
    lines = text.split("\n")
    stack: list[tuple[int, int]] = []  # (opening line, height of the divs inside)
    pairs: list[tuple[int, int | None, int]] = []
    for i in outside_code(lines):
        m = _DIV_FENCE.match(lines[i])
        if m is None:
            continue
        if m.group("rest").strip(" :"):
            stack.append((i, 0))
        elif stack:
            opened, height = stack.pop()
            pairs.append((opened, i, height))
            if stack:
                stack[-1] = (stack[-1][0], max(stack[-1][1], height + 1))
        else:
            lines[i] = ""
    pairs.extend((opened, None, height) for opened, height in stack)
    for opened, closed, height in pairs:
        colons = ":" * (3 + height)
        m = _DIV_FENCE.match(lines[opened])
        if m is not None:
            lines[opened] = f"{m.group('indent')}{colons} {m.group('rest').strip(' :')}"
        if closed is not None:
            lines[closed] = colons
    return "\n".join(lines)


@cache
def _parser() -> MarkdownIt:
    # HTML is recognised so that comments and <details> can be told apart; the parse keeps
    # any other HTML as literal text, since nothing downstream could render it.
    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    # markdown-it stops reading the file at its nesting limit (20 by default), silently;
    # the parse flattens what is deeper than the model keeps (blocks.MAX_DEPTH) itself.
    md.options["maxNesting"] = MAX_NESTING
    md.use(front_matter_plugin)
    # Every fenced div, whatever its class: the parse decides what the class means.
    md.use(container_plugin, name="div", validate=_any_div)
    return md


def parse_tree(text: str) -> SyntaxTreeNode:
    return SyntaxTreeNode(_parser().parse(balance_divs(text)))
