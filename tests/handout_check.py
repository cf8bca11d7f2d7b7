"""Reading a built handout back: its text, fonts, outline and links.

What the tests expect is derived from the document model, never typed in: what a student
must find (summaries, key-concept terms, questions) and what must not be there
(talking-point prose, discussion guidance, teaching tips, common pitfalls).
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from reportlab.pdfbase.ttfonts import TTFontFile

from deckbuild import pipeline
from deckbuild.diagnostics import Diagnostic
from deckbuild.layout.handout import HandoutPlan, layout_handouts
from deckbuild.model import (
    Blocks,
    CodeBlock,
    CommonPitfalls,
    Course,
    DiscussionQuestions,
    Examples,
    KeyConcepts,
    ListBlock,
    Quote,
    StudentSummary,
    TalkingPoints,
    TeachingTips,
    block_lines,
    blocks_lines,
    code_blocks,
    inline_text,
)
from deckbuild.services import measure
from deckbuild.theme import DEFAULT, Theme
from deckbuild.writers.pdf_handout import write_handouts

# --------------------------------------------------------------------------- building


@dataclass(frozen=True)
class Built:
    course: Course
    plan: HandoutPlan
    diagnostics: tuple[Diagnostic, ...]
    files: dict[str, bytes]
    seconds: float

    @property
    def pdf(self) -> bytes:
        return self.files["handouts.pdf"]


@cache
def build(manual: Path, theme: Theme = DEFAULT) -> Built:
    course, diags = pipeline.load(manual)
    assert course is not None, diags
    start = time.perf_counter()
    plan, more = layout_handouts(course, theme)
    files = write_handouts(plan, theme, pipeline.FIXED_DATE)
    return Built(course, plan, (*diags, *more), files, time.perf_counter() - start)


# --------------------------------------------------------------------------- text

#: Characters that draw nothing, and quote marks the handout may drop around a question.
_IGNORED = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufe0e\ufe0f\"'“”‘’«»「」]+")


def squash(text: str) -> str:
    """Text with whitespace and quotes removed, so line breaks cannot hide a match."""
    return _IGNORED.sub("", text)


@cache
def page_texts(data: bytes) -> tuple[str, ...]:
    reader = PdfReader(io.BytesIO(data))
    return tuple(page.extract_text() for page in reader.pages)


def text_of(data: bytes) -> str:
    return squash("".join(page_texts(data)))


# --------------------------------------------------------------------------- expectations


def student_items(course: Course) -> dict[str, list[str]]:
    """What a student must find: every summary, key-concept term and question."""
    out: dict[str, list[str]] = {"summaries": [], "terms": [], "questions": []}
    for lesson in course.lessons:
        for section in lesson.sections:
            if isinstance(section, StudentSummary):
                out["summaries"].extend(line for line in blocks_lines(section.blocks) if line)
            elif isinstance(section, KeyConcepts):
                out["terms"].extend(inline_text(c.term) for c in section.concepts)
            elif isinstance(section, DiscussionQuestions):
                out["questions"].extend(inline_text(q.text) for q in section.questions)
    return out


def lesson_items(course: Course, index: int) -> list[str]:
    one = Course(
        course.pos,
        course.title,
        course.subtitle,
        course.meta,
        (),
        (),
        (course.lessons[index],),
        None,
    )
    return [t for items in student_items(one).values() for t in items]


def _prose(blocks: Blocks) -> Iterator[str]:
    """Lines of text outside code: code is student material wherever it appears."""
    for block in blocks:
        if isinstance(block, CodeBlock):
            continue
        if isinstance(block, ListBlock):
            for item in block.items:
                yield from _prose(item.blocks)
        elif isinstance(block, Quote):
            yield from _prose(block.blocks)
        else:
            yield from block_lines(block)


def _student_corpus(course: Course) -> str:
    """All text the handout may legitimately show, to tell a leak from a coincidence."""
    parts: list[str] = [course.title, course.subtitle, *blocks_lines(course.overview)]
    parts.extend(inline_text(o) for o in course.objectives)
    for a in course.appendices:
        if a.kind == "resources":
            parts.extend(blocks_lines(a.blocks))
    for lesson in course.lessons:
        parts.append(inline_text(lesson.title))
        for s in lesson.sections:
            match s:
                case StudentSummary(blocks=b) | Examples(blocks=b):
                    parts.extend(blocks_lines(b))
                case KeyConcepts(concepts=cs):
                    for c in cs:
                        parts.extend([inline_text(c.term), inline_text(c.explanation)])
                        parts.extend(blocks_lines(c.details))
                case DiscussionQuestions(questions=qs):
                    parts.extend(inline_text(q.text) for q in qs)
                case TalkingPoints(topics=topics):
                    for t in topics:
                        parts.append(inline_text(t.title))
                        parts.extend(b.text for b in code_blocks(t.blocks))
                case _:
                    pass
    return squash("\n".join(parts))


_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")


def teacher_sentences(course: Course, min_words: int = 5) -> list[str]:
    """Sentences only the teacher may read: talking-point prose, guidance, tips, pitfalls.

    Sentences shorter than ``min_words`` or also present in student material are left out,
    so that a match is always a leak.
    """
    lines: list[str] = []
    for lesson in course.lessons:
        for s in lesson.sections:
            match s:
                case TalkingPoints(topics=topics):
                    for t in topics:
                        lines.extend(_prose(t.blocks))
                case DiscussionQuestions(questions=qs):
                    for q in qs:
                        lines.extend(_prose(q.guidance))
                case TeachingTips(blocks=b) | CommonPitfalls(blocks=b):
                    lines.extend(_prose(b))
                case _:
                    pass
    allowed = _student_corpus(course)
    out: list[str] = []
    for line in lines:
        for sentence in _SENTENCE_END.split(line):
            words = re.findall(r"\w+", sentence)
            if len(words) >= min_words and squash(sentence) not in allowed:
                out.append(sentence)
    return sorted(set(out))


# --------------------------------------------------------------------------- fonts


@cache
def _font_files(theme: Theme) -> dict[str, str]:
    """PostScript name -> TrueType file, for every font the theme may embed."""
    paths = {theme.fonts.fallback[i] for i in range(len(theme.fonts.fallback))}
    for face in (theme.fonts.heading, theme.fonts.body, theme.fonts.code):
        paths.update((face.regular, face.bold, face.italic, face.bold_italic))
    return {TTFontFile(p, validate=0).name.decode(): p for p in sorted(paths)}


def _base(name: str) -> str:
    return name.lstrip("/").split("+", 1)[-1]


@dataclass(frozen=True)
class GlyphReport:
    drawn: int
    #: (character, font) pairs the font has no glyph for: drawn as .notdef (glyph 0).
    notdef: list[tuple[str, str]]
    #: Fonts that are not embedded TrueType files from the theme.
    foreign: list[str]


def glyphs(data: bytes, theme: Theme = DEFAULT) -> GlyphReport:
    """Check every drawn character against the cmap of the font that draws it."""
    files = _font_files(theme)
    reader = PdfReader(io.BytesIO(data))
    drawn = 0
    notdef: set[tuple[str, str]] = set()
    foreign: set[str] = set()
    for page in reader.pages:
        fonts = page["/Resources"].get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            desc = font.get("/FontDescriptor")
            embedded = desc is not None and "/FontFile2" in desc.get_object()
            if not embedded or _base(font["/BaseFont"]) not in files:
                foreign.add(str(font["/BaseFont"]))
        seen: list[tuple[str, Any]] = []

        def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
            if font is not None and text:
                seen.append((text, font.get("/BaseFont")))  # noqa: B023 - used at once

        page.extract_text(visitor_text=visit)
        for text, base in seen:
            path = files.get(_base(str(base)))
            for ch in text:
                if ch.isspace():
                    continue
                drawn += 1
                if path is None or not measure.metrics(path).covers(ch):
                    notdef.add((ch, _base(str(base))))
    return GlyphReport(drawn, sorted(notdef), sorted(foreign))


# --------------------------------------------------------------------------- navigation


def outline(data: bytes) -> list[tuple[str, int]]:
    """Top-level bookmarks as (title, 1-based page)."""
    reader = PdfReader(io.BytesIO(data))
    out = []
    for item in reader.outline:
        assert not isinstance(item, list), "bookmarks are not nested"
        out.append((str(item["/Title"]), reader.get_destination_page_number(item) + 1))
    return out


def links(data: bytes, page: int = 1) -> list[int]:
    """Target pages (1-based) of the internal links on a page."""
    reader = PdfReader(io.BytesIO(data))
    pages = {p.indirect_reference.idnum: n for n, p in enumerate(reader.pages, 1)}
    out = []
    for ref in reader.pages[page - 1].get("/Annots") or []:
        annot = ref.get_object()
        dest = annot.get("/Dest")
        if annot.get("/Subtype") == "/Link" and dest is not None:
            out.append(pages[dest[0].idnum])
    return out


def catalog(data: bytes) -> Any:
    return PdfReader(io.BytesIO(data)).trailer["/Root"]


def info(data: bytes) -> Any:
    return PdfReader(io.BytesIO(data)).metadata
