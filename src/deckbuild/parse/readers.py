"""Readers for the parts of a section: key concepts, talking-point topics, questions,
rubric items and pacing tables, each a pure function of the section's blocks."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from deckbuild.diagnostics import SourcePos
from deckbuild.model import (
    Block,
    Blocks,
    CodeBlock,
    Concept,
    DiscussionQuestions,
    Heading,
    Inlines,
    KeyConcepts,
    ListBlock,
    ListItem,
    Paragraph,
    Question,
    Quote,
    RubricCategory,
    RubricItem,
    Run,
    Table,
    Topic,
    block_lines,
    inline_text,
)
from deckbuild.parse import inline, names


def drop_trailing(inlines: Inlines, chars: str) -> Inlines:
    text = inline_text(inlines)
    trimmed = text.rstrip().rstrip(chars).rstrip()
    return inline.slice_inlines(inlines, 0, len(trimmed)) if trimmed != text else inlines


def item_inlines(item: ListItem) -> Inlines:
    """A list item's own text: its paragraphs joined (nested lists are not part of it)."""
    parts: list[Inlines] = [b.inlines for b in item.blocks if isinstance(b, Paragraph)]
    joined: list[Any] = []
    for i, p in enumerate(parts):
        if i:
            joined.append(Run(" "))
        joined.extend(p)
    return inline.merge(joined)


def key_concepts(pos: SourcePos, title: str, blocks: Blocks) -> KeyConcepts:
    concepts: list[Concept] = []
    rest: list[Block] = []
    header: tuple[Inlines, ...] = ()
    for b in blocks:
        if isinstance(b, ListBlock):
            for item in b.items:
                first = item.blocks[0] if item.blocks else None
                if isinstance(first, Paragraph):
                    term, expl = split_term(first.inlines)
                    concepts.append(Concept(item.pos, term, expl, item.blocks[1:]))
                else:
                    rest.extend(item.blocks)
        elif isinstance(b, Table) and len(b.header) >= 2:
            header += b.header
            for row in b.rows:
                if row:
                    expl = inline.merge(x for cell in row[1:] for x in (*cell, Run(" ")))
                    concepts.append(Concept(b.pos, row[0], inline.strip(expl)))
        else:
            rest.append(b)
    return KeyConcepts(pos, title, tuple(concepts), tuple(rest), header)


_SEPARATOR = re.compile(r"^\s*(?:[:：]|[-–—]\s)\s*")


def split_term(inlines: Inlines) -> tuple[Inlines, Inlines]:
    """``**Term**: explanation`` / ``**Term:** explanation`` / ``Term - explanation``."""
    n = 0
    while n < len(inlines) and isinstance(inlines[n], Run) and inlines[n].strong:  # type: ignore[union-attr]
        n += 1
    if n:
        term = drop_trailing(inlines[:n], ":：")
        rest = list(inlines[n:])
        if rest and isinstance(rest[0], Run):
            rest[0] = dataclasses.replace(rest[0], text=_SEPARATOR.sub("", rest[0].text, count=1))
        return term, inline.strip(tuple(rest))
    text = inline_text(inlines)
    m = re.search(r"[:：]\s|\s[-–—]\s", text)
    if m and m.start() <= 60:
        return inline.slice_inlines(inlines, 0, m.start()), inline.slice_inlines(
            inlines, m.end(), len(text)
        )
    return inlines, ()


def topics(blocks: Blocks) -> tuple[Topic, ...]:
    topics: list[Topic] = []
    title: Inlines = ()
    pos: SourcePos | None = None
    body: list[Block] = []

    def close() -> None:
        if pos is not None and (title or body):
            topics.append(Topic(pos, title, tuple(body)))

    for b in blocks:
        opener: Inlines | None = None
        if (isinstance(b, Paragraph) and inline.is_all_strong(b.inlines)) or isinstance(b, Heading):
            opener = b.inlines
        if opener is not None:
            close()
            title, pos, body = drop_trailing(inline.strip(opener), ":："), b.pos, []
            title = tuple(
                dataclasses.replace(r, strong=False) if isinstance(r, Run) else r for r in title
            )
            title = inline.merge(title)
        else:
            if pos is None:
                pos = b.pos
            body.append(b)
    close()
    return tuple(topics)


def questions(pos: SourcePos, title: str, blocks: Blocks) -> DiscussionQuestions:
    questions: list[Question] = []
    rest: list[Block] = []
    lists = [b for b in blocks if isinstance(b, ListBlock)]
    if lists:
        for b in blocks:
            if isinstance(b, ListBlock):
                for item in b.items:
                    first = item.blocks[0] if item.blocks else None
                    if isinstance(first, Paragraph):
                        questions.append(Question(item.pos, first.inlines, item.blocks[1:]))
                    else:
                        rest.extend(item.blocks)
            else:
                rest.append(b)
        return DiscussionQuestions(pos, title, tuple(questions), tuple(rest))
    # No list: paragraphs that ask something are the questions; what follows is guidance.
    current: tuple[SourcePos, Inlines, list[Block]] | None = None
    for b in blocks:
        if isinstance(b, Paragraph) and "?" in inline_text(b.inlines):
            if current:
                questions.append(Question(current[0], current[1], tuple(current[2])))
            current = (b.pos, b.inlines, [])
        elif current:
            current[2].append(b)
        else:
            rest.append(b)
    if current:
        questions.append(Question(current[0], current[1], tuple(current[2])))
    return DiscussionQuestions(pos, title, tuple(questions), tuple(rest))


def rubric_items(block: Block) -> tuple[RubricItem, ...]:
    if not isinstance(block, ListBlock):
        return ()
    out: list[RubricItem] = []
    for item in block.items:
        children: list[RubricItem] = []
        for b in item.blocks:
            children.extend(rubric_items(b))
        text = item_inlines(item)
        extra = [b for b in item.blocks if not isinstance(b, Paragraph | ListBlock)]
        for b in extra:
            if isinstance(b, CodeBlock | Quote | Table):
                text = inline.merge((*text, Run(" "), Run(" ".join(flat_text(b)))))
        out.append(RubricItem(item.pos, text, bool(item.checked), tuple(children)))
    return tuple(out)


def flat_text(block: Block) -> list[str]:
    return [line.strip() for line in block_lines(block) if line.strip()]


def count_items(cat: RubricCategory) -> int:
    return len(cat.items) + sum(len(level.items) for level in cat.levels)


def pacing_minutes(blocks: Blocks) -> int | None:
    """The sum of a pacing table's durations (``| 10 min | Warm-up |``), None without one."""
    total = 0
    found = False
    for b in blocks:
        if not isinstance(b, Table):
            continue
        for row in b.rows:
            for cell in row:
                parsed = names.parse_duration(inline_text(cell).strip())
                if parsed is not None:
                    total += parsed[0]
                    found = True
                    break
    return total if found else None
