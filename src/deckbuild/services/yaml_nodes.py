"""YAML read once, with the position of every node: the one loader that front matter and
themes share.

A single pass composes the node tree (which keeps every key's line and column) and
constructs the plain data from it. Aliases are refused while composing: anchors and
aliases let a few lines expand to gigabytes ("billion laughs"), and neither a theme nor
front matter needs them. Only safe tags are constructed (``SafeConstructor``); any other
tag raises ``yaml.constructor.ConstructorError``.
"""

from __future__ import annotations

from typing import Any

import yaml

ALIAS_REFUSED = "YAML aliases (*name) are not allowed"


class _NoAliasLoader(yaml.SafeLoader):
    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(None, None, ALIAS_REFUSED, event.start_mark)
        return super().compose_node(parent, index)


def load(text: str) -> tuple[Any, yaml.Node | None]:
    """The data and the node tree of one YAML document. Raises ``yaml.YAMLError`` (with a
    ``problem_mark``) for bad YAML, an alias or an unsafe tag."""
    loader = _NoAliasLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return data, node


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
