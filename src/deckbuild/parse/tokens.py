"""The one place that configures markdown-it: CommonMark, GFM tables, strikethrough, front matter."""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.front_matter import front_matter_plugin


@cache
def _parser() -> MarkdownIt:
    # Raw HTML stays literal text: a manual is not a web page, and nothing downstream
    # could render it anyway.
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(front_matter_plugin)
    return md


def parse_tree(text: str) -> SyntaxTreeNode:
    return SyntaxTreeNode(_parser().parse(text))
