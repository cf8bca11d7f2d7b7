"""Short Elixir snippets taken from a lesson: whole short blocks and complete do…end forms.

A snippet is always text the manual already has, cut at boundaries that keep it valid
Elixir (a whole block, a whole ``def … end``, a blank-line paragraph whose brackets and
do/end balance). Nothing here invents or edits code; it only chooses where to cut.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeAlias

from deckbuild.layout.links import stems
from deckbuild.model import (
    CodeBlock,
    Lesson,
    code_blocks,
    section_blocks,
)

#: Languages whose blocks count as Elixir; anything else is never shown as a snippet.
ELIXIR = frozenset({"elixir", "ex", "exs", "iex"})
MAX_LINES = 12
#: Snippets with fewer lines of real code (not comments, not a lone ``end``) show too
#: little to say what good looks like; they are used only as a last resort.
MIN_SUBSTANCE = 2


@dataclass(frozen=True, slots=True)
class Candidate:
    lesson: int
    block_line: int
    #: 0-based line range inside the block, end exclusive.
    start: int
    end: int
    lang: str
    text: str
    words: frozenset[str]

    @property
    def line(self) -> int:
        """The manual line of the snippet's first line (the fence is ``block_line``)."""
        return self.block_line + 1 + self.start

    @property
    def size(self) -> int:
        return self.end - self.start

    def overlaps(self, other: Candidate) -> bool:
        return (
            self.lesson == other.lesson
            and self.block_line == other.block_line
            and self.start < other.end
            and other.start < self.end
        )


def lesson_code(lesson: Lesson) -> list[CodeBlock]:
    out = list(code_blocks(lesson.intro))
    for section in lesson.sections:
        out.extend(code_blocks(section_blocks(section)))
    return sorted(out, key=lambda b: b.pos)


# --------------------------------------------------------------------------- balance

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')
_COMMENT = re.compile(r"#.*$")
_OPEN = re.compile(r"\b(?:do|fn)\b(?!:)")
_CLOSE = re.compile(r"\bend\b")
_ATTACHED = re.compile(r"^\s*(?:@|#)")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NO_SUBSTANCE = re.compile(r"^\s*(?:#.*|(?:end|[)\]}]+)[)\]},]*)?\s*$")
#: Forms worth showing on their own; an inner ``case … end`` is a fragment of its def.
_DEFINITION = re.compile(
    r"^\s*(?:def|defp|defmacro|defmacrop|defmodule|defimpl|defprotocol|test|describe|"
    r"property|setup|schema|embedded_schema|pipeline|scope|live_session)\b"
)


def code_words(text: str) -> frozenset[str]:
    """Stems of code and its comments; module names split (PaymentMock -> payment, mock)."""
    return frozenset(stems(_CAMEL.sub(" ", text)))


def substance(text: str) -> int:
    """Lines that say something: not blank, not only a comment, not only ``end``."""
    return sum(1 for x in text.split("\n") if not _NO_SUBSTANCE.match(x))


def _depth_change(line: str) -> int:
    """How much a line opens (do, fn, brackets) minus how much it closes."""
    code = _COMMENT.sub("", _STRING.sub('""', line))
    opened = len(_OPEN.findall(code)) + sum(code.count(c) for c in "([{")
    closed = len(_CLOSE.findall(code)) + sum(code.count(c) for c in ")]}")
    return opened - closed


def _balanced(lines: list[str]) -> bool:
    depth = 0
    for line in lines:
        depth += _depth_change(line)
        if depth < 0:
            return False
    return depth == 0


def _form_end(lines: list[str], start: int) -> int | None:
    """The end (exclusive) of the form opened on ``start``, or None if it does not close
    within MAX_LINES lines: a longer form is never a snippet, and looking further for its
    end would make a long block of unclosed forms cost its length squared."""
    depth = 0
    for i in range(start, min(len(lines), start + MAX_LINES)):
        depth += _depth_change(lines[i])
        if depth < 0:
            return None
        if depth == 0:
            return i + 1 if i > start else None
    return None


def _trim(lines: list[str], start: int, end: int) -> tuple[int, int]:
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return start, end


def _ranges(lines: list[str]) -> set[tuple[int, int]]:
    """Line ranges of complete forms no longer than MAX_LINES."""
    found: set[tuple[int, int]] = set()
    whole = _trim(lines, 0, len(lines))
    if 0 < whole[1] - whole[0] <= MAX_LINES:
        found.add(whole)
        return found
    for i, line in enumerate(lines):
        if not _DEFINITION.match(line) or _depth_change(line) <= 0:
            continue
        end = _form_end(lines, i)
        if end is None:
            continue
        start = i
        indent = len(line) - len(line.lstrip())
        # Attributes and comments directly above a form belong to it (@impl true, # Why).
        while (
            start > 0
            and _ATTACHED.match(lines[start - 1])
            and len(lines[start - 1]) - len(lines[start - 1].lstrip()) == indent
        ):
            start -= 1
        if end - start <= MAX_LINES:
            found.add((start, end))
    # Blank-line paragraphs that balance: top-level calls and their comments.
    start = 0
    for i in range(len(lines) + 1):
        if i == len(lines) or not lines[i].strip():
            s, e = _trim(lines, start, i)
            if 0 < e - s <= MAX_LINES and _balanced(lines[s:e]):
                found.add((s, e))
            start = i + 1
    return found


def _dedent(lines: list[str]) -> str:
    indents = [len(x) - len(x.lstrip()) for x in lines if x.strip()]
    cut = min(indents, default=0)
    return "\n".join(x[cut:].rstrip() for x in lines)


def candidates(lesson_index: int, lesson: Lesson) -> list[Candidate]:
    """Every snippet a lesson can offer, in manual order."""
    out: list[Candidate] = []
    for block in lesson_code(lesson):
        if block.lang not in ELIXIR or not block.text.strip():
            continue
        lines = block.text.expandtabs(4).split("\n")
        for start, end in sorted(_ranges(lines)):
            text = _dedent(lines[start:end])
            out.append(
                Candidate(
                    lesson_index,
                    block.pos.line,
                    start,
                    end,
                    block.lang,
                    text,
                    code_words(text),
                )
            )
    return out


@dataclass(frozen=True, slots=True)
class Request:
    """An item that wants a snippet: its words and its linked lessons, best first."""

    words: frozenset[str]
    lessons: tuple[int, ...]


Key: TypeAlias = tuple[int, bool, int, int, int, int]


def _key(request: Request, rank: int, c: Candidate) -> Key:
    """Most words shared with the item, then enough code to say something (MIN_SUBSTANCE),
    then the better-linked lesson, then shortest, then manual order."""
    return (
        -len(request.words & c.words),
        substance(c.text) < MIN_SUBSTANCE,
        rank,
        c.size,
        c.block_line,
        c.start,
    )


def assign(
    requests: Sequence[Request], offered: Callable[[int], list[Candidate]]
) -> list[Candidate | None]:
    """A snippet for each request, no code shown twice.

    Greedy over the whole rubric rather than in reading order: the item that matches some
    snippet best takes it first, so an earlier, vaguer item cannot take the one snippet a
    later item is about. Ties go to the earlier item, so the result is deterministic.
    """
    used: dict[tuple[int, int], list[Candidate]] = {}

    def free(c: Candidate) -> bool:
        return not any(c.overlaps(u) for u in used.get((c.lesson, c.block_line), ()))

    def best(i: int) -> tuple[Key, Candidate] | None:
        found: tuple[Key, Candidate] | None = None
        for rank, lesson in enumerate(requests[i].lessons):
            for c in offered(lesson):
                if free(c):
                    key = _key(requests[i], rank, c)
                    if found is None or key < found[0]:
                        found = (key, c)
        return found

    result: list[Candidate | None] = [None] * len(requests)
    current: dict[int, Candidate] = {}
    heap: list[tuple[Key, int]] = []
    for i in range(len(requests)):
        if (b := best(i)) is not None:
            current[i] = b[1]
            heapq.heappush(heap, (b[0], i))
    while heap:
        _, i = heapq.heappop(heap)
        c = current[i]
        if not free(c):
            # Taken by a better match since this item looked; look again.
            if (b := best(i)) is not None:
                current[i] = b[1]
                heapq.heappush(heap, (b[0], i))
            continue
        result[i] = c
        used.setdefault((c.lesson, c.block_line), []).append(c)
    return result
