"""Which headings are the manual's units (lessons, sessions, phases, episodes…).

Units sit at one heading level. The numbered or labelled headings ("03. Title", "Session
2", "Phase 6: …", "V. …", "7.5 …") win, at the level whose headings hold sections; without
any, the repeated headings of the body that are not section names; failing that, the whole
file is one unit. The front matter's ``unit_level`` overrides the inference.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from deckbuild import registry
from deckbuild.diagnostics import SourcePos
from deckbuild.model import Paragraph, inline_text
from deckbuild.parse import inline, names
from deckbuild.parse.outline import OutlineNode
from deckbuild.registry import SectionKind

#: Manual-level kinds whose sections hold no units ("Assessment Rubric", "Resources").
_MANUAL_CONTAINERS = frozenset(
    k for k, info in registry.KINDS.items() if info.scope != "unit" and k != "other"
)


@dataclass(frozen=True, slots=True)
class Units:
    """The outline nodes that are units, and how they were found (for ``check``)."""

    nodes: frozenset[OutlineNode]
    how: str
    #: The whole file is one unit: its title heading.
    single: OutlineNode | None = None


class UnitFinder:
    """Finds the units of one manual's outline."""

    def __init__(self, mapping: dict[str, SectionKind], unit_level: int | None) -> None:
        self.names = mapping
        self.unit_level = unit_level

    def kind(self, node: OutlineNode) -> SectionKind:
        return registry.lookup(node.text, self.names)

    def find(self, sections: list[OutlineNode], title: OutlineNode | None) -> Units:
        """Units sit at one heading level: the numbered or labelled headings at the level
        whose headings hold sections (patterns beat names); failing that, the repeated
        headings of the body that are not section names; failing that, the whole file."""
        body = [n for s in sections for n in (s, *self._walk_body(s))]
        numbered = [n for n in body if names.lesson_heading(n.text) is not None]
        plain = [
            n for n in body if names.lesson_heading(n.text) is None and self.kind(n) == "other"
        ]
        forced = self.unit_level
        if forced is not None:
            chosen = [n for n in (*numbered, *plain) if n.level == forced]
            how = f"the {len(chosen)} headings at level {forced} (front matter 'unit_level')"
            if chosen:
                return Units(frozenset(chosen), how)
        if numbered:
            level = self._best_level(numbered, labelled=True)
            chosen = [n for n in numbered if n.level == level]
            found = self._between(sections, set(chosen), level)
            sample = chosen[0].text
            return Units(
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
            return self.single(title)
        if plain:
            level = self._best_level(plain, labelled=False)
            chosen = [n for n in plain if n.level == level]
            if len(chosen) >= 2 or self._holds_sections(chosen, minimum=1) or title is None:
                return Units(
                    frozenset(chosen),
                    f"{len(chosen)} headings at level {level} ({'#' * level}) without "
                    "numbers, leaving out section names and manual-level sections",
                )
        if title is not None and title.children:
            return self.single(title)
        return Units(frozenset(), "none")

    def single(self, title: OutlineNode) -> Units:
        return Units(
            frozenset(),
            f"the whole file is one unit, {title.text!r}: its headings are section names",
            title,
        )

    def _walk_body(self, node: OutlineNode) -> Iterator[OutlineNode]:
        """Sub-headings, leaving out those inside manual-level sections (rubric, resources)
        unless the section's own heading is numbered (patterns beat names)."""
        if self._container(node):
            return
        for c in node.children:
            yield c
            yield from self._walk_body(c)

    def _container(self, node: OutlineNode) -> bool:
        return (
            names.lesson_heading(node.text) is None
            and self.kind(node) in _MANUAL_CONTAINERS
            and node.level <= 2
        )

    def _holds_sections(self, nodes: list[OutlineNode], minimum: int) -> bool:
        return sum(1 for n in nodes if self._sections_in(n)) >= minimum

    def _sections_in(self, node: OutlineNode) -> int:
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

    def _best_level(self, nodes: list[OutlineNode], *, labelled: bool) -> int:
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

    def _between(
        self, sections: list[OutlineNode], found: set[OutlineNode], level: int
    ) -> set[OutlineNode]:
        """A heading between units at their level, under the same parent, is a unit
        without a number (a wrap-up, a lab), unless its name is a section's."""
        out = set(found)
        for parent in [OutlineNode(0, SourcePos(1), (), children=sections), *sections]:
            for p in (parent, *parent.walk()):
                kids = p.children
                idx = [i for i, c in enumerate(kids) if c in found]
                if len(idx) < 2:
                    continue
                for c in kids[idx[0] : idx[-1] + 1]:
                    if c.level == level and self.kind(c) == "other":
                        out.add(c)
        return out
