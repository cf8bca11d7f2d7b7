"""Size limits: how much of a code block, a table or a word a slide or a page shows.

Every layout and writer is linear in the size of the manual; these limits are where a size
stops making sense on a slide or a page, not where the work would get slow. Whatever is cut
is reported as a warning at the manual line where it starts, and the output itself says how
much is left out and from which line of the manual the rest can be read.

- A code block shows its first 400 lines in the deck (``DECK_CODE_LINES``, on slides and
  in notes) and its first 1,000 in the handouts and the rubric (``PRINT_CODE_LINES``); it
  then ends with a line ``… 199,600 more lines, from line 413 of the manual``.
- A table, or a table of key concepts, shows its first 100 rows in the deck
  (``DECK_TABLE_ROWS``) and its first 1,000 in the handouts (``PRINT_TABLE_ROWS``); a last
  row (and in the deck a last line of the notes) says the same of its rows.
- On a slide, a word (a run without spaces: a URL, base64) of more than 500 characters
  (``DECK_WORD_CHARS``) and a line of code of more than 2,000 (``DECK_CODE_LINE_CHARS``)
  are cut there with "…"; the notes keep them whole. The PDFs keep every character,
  breaking a long word wherever a line ends (``services.measure.wrap``) and wrapping a long
  line of code; the rubric splits a criterion or heading taller than a page between pages
  (``writers.pdf_rubric``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import cache

from deckbuild import diagnostics
from deckbuild.diagnostics import Diagnostic
from deckbuild.model import (
    Blocks,
    CodeBlock,
    Concept,
    Course,
    Heading,
    Paragraph,
    Table,
    inline_text,
    section_blocks,
    walk,
)
from deckbuild.services.highlight import TAB_SIZE
from deckbuild.services.spans import Span

#: Lines of one code block shown on slides, and in the handouts and the rubric.
DECK_CODE_LINES = 400
PRINT_CODE_LINES = 1000
#: Rows of one table (or of one table of key concepts) on slides and in the handouts.
DECK_TABLE_ROWS = 100
PRINT_TABLE_ROWS = 1000
#: Characters of one word (a run without spaces), and of one line of code, on a slide.
DECK_WORD_CHARS = 500
DECK_CODE_LINE_CHARS = 2000

#: Ends a cut word or line, and starts the line that says where the rest is.
ELLIPSIS = MORE = "…"


@cache
def _long_word(limit: int) -> re.Pattern[str]:
    return re.compile(rf"\S{{{limit + 1},}}")


# --------------------------------------------------------------------------- code


def cut_code(text: str, limit: int) -> tuple[str, int]:
    """The first ``limit`` lines of ``text``, and how many lines are left out."""
    parts = text.split("\n", limit)
    if len(parts) <= limit:
        return text, 0
    return "\n".join(parts[:limit]), parts[limit].count("\n") + 1


def code_first_line(block: CodeBlock) -> int:
    """The manual line of a code block's first line (the fence is ``block.pos.line``)."""
    return block.pos.line + 1


def more_lines(hidden: int, line: int) -> str:
    """What a cut code block's last line says."""
    noun = "line" if hidden == 1 else "lines"
    return f"{MORE} {hidden:,} more {noun}, from line {line:,} of the manual"


def code_warning(block: CodeBlock, hidden: int, limit: int, where: str) -> Diagnostic:
    total = limit + hidden
    first = code_first_line(block) + limit
    return diagnostics.warning(
        f"code block of {total:,} lines: only its first {limit:,} are in {where} (the limit "
        f"for a code block); the rest is in the manual from line {first:,}",
        block.pos.line,
    )


# --------------------------------------------------------------------------- tables


def table_first_row_line(table: Table) -> int:
    """The manual line of a table's first body row (after its header and delimiter row)."""
    return table.pos.line + 2


def more_rows(hidden: int, line: int, what: str = "row") -> str:
    """What the row after a cut table's last shown row says."""
    noun = what if hidden == 1 else f"{what}s"
    return f"{MORE} {hidden:,} more {noun}, from line {line:,} of the manual"


def table_warning(
    line: int, total: int, limit: int, first_hidden: int, where: str, what: str = "table"
) -> Diagnostic:
    return diagnostics.warning(
        f"{what} with {total:,} rows: only its first {limit:,} are in {where} (the limit for "
        f"a table); the rest is in the manual from line {first_hidden:,}",
        line,
    )


def cut_concepts(
    concepts: Sequence[Concept], limit: int, where: str
) -> tuple[list[Concept | str], tuple[Diagnostic, ...]]:
    """The concepts, each table of them cut after ``limit`` rows, with a line (a str)
    saying where the rest is; and the warnings. A table's rows are the consecutive
    concepts that share its position (a list's items each have their own)."""
    if len(concepts) <= limit:
        return list(concepts), ()
    out: list[Concept | str] = []
    cuts: list[Diagnostic] = []
    k = 0
    while k < len(concepts):
        end = k + 1
        while end < len(concepts) and concepts[end].pos == concepts[k].pos:
            end += 1
        out.extend(concepts[k : min(end, k + limit)])
        if end - k > limit:
            line = concepts[k].pos.line
            first = line + 2 + limit
            out.append(more_rows(end - k - limit, first))
            cuts.append(table_warning(line, end - k, limit, first, where, "key-concepts table"))
        k = end
    return out, tuple(cuts)


# --------------------------------------------------------------------------- words


def cut_text(text: str, limit: int = DECK_WORD_CHARS) -> str:
    """``text`` with every run of more than ``limit`` non-space characters cut to ``limit``
    characters and an ellipsis."""
    if len(text) <= limit:
        return text
    return _long_word(limit).sub(lambda m: m.group(0)[:limit] + ELLIPSIS, text)


def cut_spans(spans: Sequence[Span], limit: int = DECK_WORD_CHARS) -> tuple[Span, ...] | None:
    """``spans`` with their over-long words cut (``cut_text``, span by span); None when
    nothing is cut, so that callers keep the very objects they had."""
    if all(len(s.text) <= limit for s in spans):
        return None
    out = tuple(Span(cut_text(s.text, limit), s.style) for s in spans)
    return None if all(a.text == b.text for a, b in zip(out, spans, strict=True)) else out


def cut_line(spans: Sequence[Span], limit: int = DECK_CODE_LINE_CHARS) -> tuple[Span, ...] | None:
    """A line of code cut to ``limit`` characters and an ellipsis, and its words to
    ``DECK_WORD_CHARS``; None when nothing is cut."""
    if sum(len(s.text) for s in spans) <= limit:
        return cut_spans(spans)
    out: list[Span] = []
    room = limit
    for s in spans:
        if room <= 0:
            break
        out.append(Span(s.text[:room], s.style))
        room -= len(s.text)
    last = out[-1]
    out[-1] = Span(last.text + ELLIPSIS, last.style)
    return cut_spans(out) or tuple(out)


def long_code(course: Course) -> list[Diagnostic]:
    """A warning at each code block the deck cuts after ``DECK_CODE_LINES`` lines, on a
    slide or in the notes."""
    out: list[Diagnostic] = []
    for blocks in _deck_blocks(course):
        for b in walk(blocks):
            if isinstance(b, CodeBlock):
                _, hidden = cut_code(b.text, DECK_CODE_LINES)
                if hidden:
                    out.append(code_warning(b, hidden, DECK_CODE_LINES, "the deck"))
    return out


def _deck_blocks(course: Course) -> Iterator[Blocks]:
    """The blocks of the manual that the deck shows, in manual order."""
    yield course.overview
    for lesson in course.lessons:
        yield lesson.intro
        for section in lesson.sections:
            yield section_blocks(section)
    if course.rubric is not None:
        yield course.rubric.intro
    for appendix in course.appendices:
        yield appendix.blocks


def long_words(course: Course) -> list[Diagnostic]:
    """A warning at each line whose text has a word, or which is a line of code, longer than
    a slide shows: the deck cuts it; the notes and the PDFs keep it whole."""
    out: list[Diagnostic] = []
    seen: set[int] = set()
    for line, length, code in sorted(_texts(course)):
        if line in seen:
            continue
        seen.add(line)
        if code:
            what, limit, pdf = "line of code", DECK_CODE_LINE_CHARS, "wrap it"
        else:
            what, limit, pdf = "word", DECK_WORD_CHARS, "break it between characters"
        out.append(
            diagnostics.warning(
                f"a {what} of {length:,} characters: slides show its first {limit:,} (the "
                f"limit) and an ellipsis; the notes keep it whole, and the PDFs {pdf}",
                line,
            )
        )
    return out


def _longest(text: str) -> int:
    if len(text) <= DECK_WORD_CHARS:
        return 0
    return max((len(m.group(0)) for m in _long_word(DECK_WORD_CHARS).finditer(text)), default=0)


def _texts(course: Course) -> Iterator[tuple[int, int, bool]]:
    """(line, length, is code) of every over-long word or code line, in manual order."""
    for text in (course.title, course.subtitle):
        if n := _longest(text):
            yield course.pos.line, n, False
    for objective in course.objectives:
        if n := _longest(inline_text(objective)):
            yield course.pos.line, n, False
    for lesson in course.lessons:
        if n := _longest(inline_text(lesson.title)):
            yield lesson.pos.line, n, False
        for section in lesson.sections:
            if n := _longest(section.title):
                yield section.pos.line, n, False
    if course.rubric is not None:
        for category in course.rubric.categories:
            if n := _longest(category.name):
                yield category.pos.line, n, False
    for appendix in course.appendices:
        if n := _longest(appendix.title):
            yield appendix.pos.line, n, False
    for blocks in _deck_blocks(course):
        yield from _in_blocks(blocks)


def _in_blocks(blocks: Blocks) -> Iterator[tuple[int, int, bool]]:
    for b in walk(blocks):
        match b:
            case Paragraph(inlines=inlines) | Heading(inlines=inlines):
                if n := _longest(inline_text(inlines)):
                    yield b.pos.line, n, False
            case Table(header=header, rows=rows):
                for r, row in enumerate((header, *rows[:DECK_TABLE_ROWS])):
                    longest = max((_longest(inline_text(cell)) for cell in row), default=0)
                    if longest:
                        yield b.pos.line + (r + 1 if r else 0), longest, False
            case CodeBlock(text=text):
                first = code_first_line(b)
                shown, _ = cut_code(text, DECK_CODE_LINES)
                for k, code_line in enumerate(shown.split("\n")):
                    if len(code_line) <= DECK_WORD_CHARS and "\t" not in code_line:
                        continue
                    expanded = code_line.expandtabs(TAB_SIZE)  # as the slide shows it
                    if len(expanded) > DECK_CODE_LINE_CHARS:
                        yield first + k, len(expanded), True
                    elif n := _longest(expanded):
                        yield first + k, n, False
            case _:
                pass
