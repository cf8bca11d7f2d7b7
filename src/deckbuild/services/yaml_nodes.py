"""YAML read once, with the position of every node: the one loader that front matter and
themes share.

A single pass composes the node tree (which keeps every key's line and column) and
constructs the plain data from it. Aliases are refused while composing: anchors and
aliases let a few lines expand to gigabytes ("billion laughs"), and neither a theme nor
front matter needs them. Only safe tags are constructed (``SafeConstructor``); any other
tag, or a safe tag on a value it cannot read (``!!int xyz``), raises
``yaml.constructor.ConstructorError`` at the value. Nesting deeper than ``MAX_DEPTH`` is
refused while scanning, before composing recurses (RecursionError near 1,000 levels) and
before the scanner, which rechecks every open ``[`` on a line for each token, slows down.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml

ALIAS_REFUSED = "YAML aliases (*name) are not allowed"
#: Settings are a few levels deep; anything deeper is a mistake or an attack.
MAX_DEPTH = 32
DEPTH_REFUSED = f"YAML nested more than {MAX_DEPTH} levels deep is not allowed"
#: What a value that cannot be read is shown as, at most.
_SHOWN_VALUE = 40

#: What ``SafeConstructor`` raises for a safe tag on a value it cannot read:
#: ``!!int xyz`` (ValueError), ``!!bool maybe`` (KeyError), ``!!timestamp nope``
#: (AttributeError), ``!!int ""`` (IndexError).
_UNREADABLE = (ValueError, LookupError, AttributeError, TypeError, ArithmeticError)


class _NoAliasLoader(yaml.SafeLoader):
    def fetch_flow_collection_start(self, TokenClass: Any) -> None:
        self._check_depth(1)
        super().fetch_flow_collection_start(TokenClass)

    def add_indent(self, column: int) -> bool:
        self._check_depth(1 if self.indent < column else 0)
        return super().add_indent(column)

    def _check_depth(self, more: int) -> None:
        if self.flow_level + len(self.indents) + more > MAX_DEPTH:
            raise yaml.scanner.ScannerError(None, None, DEPTH_REFUSED, self.get_mark())

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(None, None, ALIAS_REFUSED, event.start_mark)
        node = super().compose_node(parent, index)
        if isinstance(index, yaml.Node) and node is not None and _is_empty(node):
            # A key with no value (``body:``, or ``background: #FFF``, whose colour YAML
            # reads as a comment): PyYAML places the empty value at the next token, often
            # the next line; it belongs where its key ends.
            node.start_mark = node.end_mark = index.end_mark
        return node

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        return _constructed(super().construct_object, node, deep)


def _is_empty(node: yaml.Node) -> bool:
    """What ``key:`` with no value (not even a tag) composes to: a plain scalar with
    nothing in it, that starts where it ends."""
    return (
        isinstance(node, yaml.ScalarNode)
        and node.value == ""
        and node.style is None
        and node.start_mark.index == node.end_mark.index
    )


def _constructed(construct: Callable[[yaml.Node, bool], Any], node: yaml.Node, deep: bool) -> Any:
    try:
        return construct(node, deep)
    except yaml.YAMLError:
        raise
    except _UNREADABLE as exc:
        raise yaml.constructor.ConstructorError(
            None, None, f"cannot read {_shown(node)} as {_tag(node.tag)}", node.start_mark
        ) from exc


def _shown(node: yaml.Node) -> str:
    if not isinstance(node, yaml.ScalarNode):
        return "this value"
    value = str(node.value)
    if len(value) > _SHOWN_VALUE:
        value = value[: _SHOWN_VALUE - 1] + "…"
    return repr(value)


def _tag(tag: str) -> str:
    """``tag:yaml.org,2002:int`` as it is written, ``!!int``."""
    standard = "tag:yaml.org,2002:"
    return "!!" + tag.removeprefix(standard) if tag.startswith(standard) else tag


def load(text: str) -> tuple[Any, yaml.Node | None]:
    """The data and the node tree of one YAML document. Raises ``yaml.YAMLError`` (with a
    ``problem_mark``) for bad YAML, an alias, an unsafe or unreadable tag, or nesting
    deeper than ``MAX_DEPTH``."""
    loader = _NoAliasLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return data, node


def scalar(node: yaml.ScalarNode) -> Any:
    """The plain value of one scalar node of a tree that ``load`` returned."""
    constructor = yaml.constructor.SafeConstructor()
    return _constructed(constructor.construct_object, node, True)


def problem(exc: yaml.YAMLError) -> tuple[str, int, int]:
    """What went wrong, and its 1-based line and column (1, 1 when YAML gives none)."""
    mark = getattr(exc, "problem_mark", None)
    text = getattr(exc, "problem", None) or str(exc).split("\n", 1)[0]
    return str(text), (mark.line + 1 if mark else 1), (mark.column + 1 if mark else 1)


class KeyLines:
    """Maps a key path in a mapping document (``("schedule", "breaks", 0)``) to the line
    of that key, counting from ``first_line`` for the document's first line."""

    def __init__(self, node: yaml.Node | None, first_line: int) -> None:
        self._lines: dict[tuple[str | int, ...], int] = {}
        self._first = first_line
        if node is not None:
            self._walk(node, ())

    def _walk(self, node: yaml.Node, path: tuple[str | int, ...]) -> None:
        self._lines[path] = node.start_mark.line + self._first
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                key = str(k.value)
                self._walk(v, (*path, key))
                self._lines[(*path, key)] = k.start_mark.line + self._first
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                self._walk(v, (*path, i))

    def __call__(self, *path: str | int) -> int:
        while path and path not in self._lines:
            path = path[:-1]
        return self._lines.get(path, self._first)
