"""Building decks for the deck tests, once per manual, and reading them back."""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pptx import Presentation

from deckbuild import pipeline
from deckbuild.diagnostics import Diagnostic
from deckbuild.layout.deck import layout_deck
from deckbuild.layout.deck_plan import DeckPlan
from deckbuild.model import Block, CodeBlock, Course, ListBlock, Quote, block_lines
from deckbuild.theme import DEFAULT, Theme
from deckbuild.writers.pptx import write_pptx

from .conftest import FIXTURES

ROOT = Path(__file__).parent.parent


def name_of(path: Path) -> str:
    return path.relative_to(FIXTURES).with_suffix("").as_posix().replace("/", "__")


@dataclass(frozen=True)
class Built:
    course: Course
    #: From the deck layout only (the parser's are in the model goldens).
    diagnostics: tuple[Diagnostic, ...]
    plan: DeckPlan
    data: bytes

    @property
    def prs(self) -> Any:
        return _reopen(self.data)


@cache
def _reopen(data: bytes) -> Any:
    return Presentation(io.BytesIO(data))


@cache
def build(manual: Path, theme: Theme = DEFAULT) -> Built:
    course, diags = pipeline.load(manual)
    assert course is not None, diags
    plan, more = layout_deck(course, theme)
    data = write_pptx(plan, theme, pipeline.FIXED_DATE)
    return Built(course, tuple(more), plan, data)


# --------------------------------------------------------------------------- reading back

_TOKEN = re.compile(r"\w+", re.UNICODE)


def tokens(text: str) -> Counter[str]:
    return Counter(t.lower() for t in _TOKEN.findall(text))


def shape_text(shape: Any) -> str:
    parts: list[str] = []
    if shape.has_text_frame:
        parts.append(shape.text_frame.text)
    if getattr(shape, "has_table", False) and shape.has_table:
        parts.extend(c.text_frame.text for row in shape.table.rows for c in row.cells)
    return "\n".join(parts)


def notes_text(slide: Any) -> str:
    if not slide.has_notes_slide:
        return ""
    frame = slide.notes_slide.notes_text_frame
    return frame.text if frame is not None else ""


def slide_text(slide: Any) -> str:
    return "\n".join(shape_text(s) for s in slide.shapes)


def prose_lines(blocks: tuple[Block, ...]) -> list[str]:
    """Text of blocks without their code (code is checked line by line on code slides)."""
    out: list[str] = []
    for b in blocks:
        if isinstance(b, CodeBlock):
            continue
        if isinstance(b, ListBlock):
            for item in b.items:
                out.extend(prose_lines(item.blocks))
        elif isinstance(b, Quote):
            out.extend(prose_lines(b.blocks))
        else:
            out.extend(block_lines(b))
    return out


def missing(expected: Counter[str], found: Counter[str]) -> Counter[str]:
    return expected - found


def coverage(expected: Counter[str], found: Counter[str]) -> float:
    total = sum(expected.values())
    if not total:
        return 100.0
    return 100.0 * (total - sum(missing(expected, found).values())) / total
