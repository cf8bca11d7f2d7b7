"""The student handout, read back from the PDF: complete, nothing leaked, every glyph drawn,
navigable, one file per lesson, and the same bytes on every build."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from deckbuild import pipeline
from deckbuild.layout.handout import (
    CodeFlow,
    CodeSection,
    Concepts,
    ItemFlow,
    Questions,
    Summary,
    TextFlow,
    layout_handouts,
    student_title,
)
from deckbuild.parse import parse_course
from deckbuild.services.spans import Span
from deckbuild.theme import DEFAULT
from deckbuild.writers.pdf_handout import write_handouts

from . import handout_check as hc
from .conftest import FIXTURES

#: Day Two and the manuals written without the team seeing them.
MANUALS = [FIXTURES / "day-two.md", *sorted((FIXTURES / "unseen").glob("*.md"))]


def _id(path: Path) -> str:
    return path.stem


@pytest.fixture(params=MANUALS, ids=_id)
def built(request: pytest.FixtureRequest) -> hc.Built:
    return hc.build(request.param)


# --------------------------------------------------------------------------- complete


def test_every_summary_term_and_question_is_in_the_pdf(built: hc.Built) -> None:
    text = hc.text_of(built.pdf)
    items = hc.student_items(built.course)
    assert all(items.values()), "the manual has summaries, key concepts and questions"
    missing = {
        kind: [t for t in texts if hc.squash(t) not in text] for kind, texts in items.items()
    }
    assert missing == {"summaries": [], "terms": [], "questions": []}


def test_no_teacher_only_sentence_is_in_the_pdf(built: hc.Built) -> None:
    sentences = hc.teacher_sentences(built.course)
    assert len(sentences) > 20, "the check would be vacuous"
    text = hc.text_of(built.pdf)
    leaked = [s for s in sentences if hc.squash(s) in text]
    assert leaked == []
    for name, data in built.files.items():
        lesson_text = hc.text_of(data)
        assert [s for s in sentences if hc.squash(s) in lesson_text] == [], name


def test_code_from_talking_points_and_examples_is_in_the_pdf(built: hc.Built) -> None:
    text = hc.text_of(built.pdf)
    listings = [
        f.code
        for lesson in built.plan.lessons
        for part in lesson.parts
        if isinstance(part, CodeSection)
        for f in part.flow
        if hasattr(f, "code")
    ]
    lines = [ln for code in listings for ln in code.text.split("\n") if len(ln.strip()) > 3]
    # Long lines are wrapped with a continuation marker, so compare line by line.
    missing = [ln for ln in lines if hc.squash(ln) not in text.replace("↪", "")]
    assert missing == []


# --------------------------------------------------------------------------- glyphs


def test_every_character_is_drawn_by_an_embedded_font_that_has_it(built: hc.Built) -> None:
    for name, data in built.files.items():
        report = hc.glyphs(data)
        assert report.drawn > 500, name
        assert report.foreign == [], f"{name}: fonts not embedded from the theme"
        assert report.notdef == [], f"{name}: characters drawn as .notdef"


def test_emoji_cjk_and_symbols_are_drawn_by_the_fallback_fonts() -> None:
    built = hc.build(FIXTURES / "unseen" / "utf16-workshop.md")
    text = "".join(hc.page_texts(built.pdf))
    for ch in "🚀日本語中文→⚠":
        assert ch in text
    fonts = {f for p in PdfReader(io.BytesIO(built.pdf)).pages for f in _font_names(p)}
    assert {"NotoEmoji-Regular", "DroidSansFallback", "DejaVuSans"} <= fonts


def _font_names(page: object) -> set[str]:
    fonts = page["/Resources"]["/Font"]  # type: ignore[index]
    return {str(f.get_object()["/BaseFont"]).split("+", 1)[-1] for f in fonts.values()}


def test_a_character_no_font_has_is_reported_and_drawn_as_a_replacement() -> None:
    manual = MINIMAL.replace("Ecto is a toolkit.", "Ecto is a toolkit \ue000.")
    course, _ = parse_course(manual)
    assert course is not None
    plan, diags = layout_handouts(course, DEFAULT)
    assert any("U+E000" in d.message and d.pos.line > 1 for d in diags)
    files = write_handouts(plan, DEFAULT, pipeline.FIXED_DATE)
    assert hc.glyphs(files["handouts.pdf"]).notdef == []
    assert "\ufffd" in "".join(hc.page_texts(files["handouts.pdf"]))


# --------------------------------------------------------------------------- navigation


def test_one_bookmark_per_lesson_on_its_first_page(built: hc.Built) -> None:
    marks = hc.outline(built.pdf)
    lessons = built.plan.lessons
    assert [t for t, _ in marks[: len(lessons)]] == [les.heading for les in lessons]
    extra = [t for t, _ in marks[len(lessons) :]]
    assert extra == ([built.plan.resources.title] if built.plan.resources else [])
    pages = hc.page_texts(built.pdf)
    for title, page in marks:
        body = hc.squash(pages[page - 1])
        assert hc.squash(title) in body, (title, page)
    assert [p for _, p in marks] == sorted(p for _, p in marks)


def test_contents_links_to_every_lesson_and_shows_its_page(built: hc.Built) -> None:
    marks = dict(hc.outline(built.pdf))
    targets = hc.links(built.pdf, page=1) + hc.links(built.pdf, page=2)
    for title, page in marks.items():
        assert page in targets, title
    # Each row shows its page number: the cell after the title (and the duration), which
    # text extraction puts on the row's line or, cell by cell, on the lines after it.
    cover = [ln.strip() for p in hc.page_texts(built.pdf)[:2] for ln in p.split("\n")]
    for title, page in marks.items():
        row = next(i for i, ln in enumerate(cover) if title in ln)
        cells = [cover[row].split()[-1], *cover[row + 1 : row + 3]]
        assert str(page) in cells, title


def test_page_numbers_labels_and_running_header(built: hc.Built) -> None:
    pages = hc.page_texts(built.pdf)
    total = len(pages)
    for n, text in enumerate(pages, 1):
        assert f"Page {n} of {total}" in text
        if n > 1:
            assert built.plan.header[:20] in text
    labels = hc.catalog(built.pdf)["/PageLabels"]
    assert labels["/Nums"][1]["/S"] == "/D"
    assert PdfReader(io.BytesIO(built.pdf)).page_labels == [str(n) for n in range(1, total + 1)]


def test_document_metadata(built: hc.Built) -> None:
    info = hc.info(built.pdf)
    assert info.title == built.plan.meta.title
    assert "Teacher" not in info.title
    assert info.subject == built.plan.meta.subject
    assert (info.author or "") == (built.course.meta.author or "")
    assert hc.catalog(built.pdf)["/Lang"] == built.plan.meta.language
    assert info["/CreationDate"].startswith("D:20000101")


def test_no_heading_or_caption_ends_a_page(built: hc.Built) -> None:
    # ("Notes" ends the page by design: its ruled lines carry no text.)
    headings = {"Key concepts", "CodeFlow", "Discussion questions", "Summary"}
    for lesson in built.plan.lessons:
        for part in lesson.parts:
            if isinstance(part, CodeSection):
                headings.add(part.title)
                headings.update(
                    "".join(s.text for s in f.caption).strip()
                    for f in part.flow
                    if isinstance(f, CodeFlow) and f.caption
                )
    pages = hc.page_texts(built.pdf)
    for n, text in enumerate(pages, 1):
        lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
        # The running header and the footer are drawn last, after the page's content.
        body = lines[:-3] if n > 1 else lines[:-1]
        assert body[-1] not in headings, f"page {n} ends with the heading {body[-1]!r}"


def test_short_inline_code_is_never_broken_across_lines(built: hc.Built) -> None:
    spans = [
        s.text
        for lesson in built.plan.lessons
        for part in lesson.parts
        for line in _lines_of(part)
        for s in line
        if s.style.mono and " " in s.text.strip() and len(s.text) <= 40
    ]
    assert spans, "the manual has inline code with spaces"
    lines = [
        " ".join(ln.replace("\u00a0", " ").split())
        for text in hc.page_texts(built.pdf)
        for ln in text.split("\n")
    ]
    broken = [t for t in spans if not any(" ".join(t.split()) in ln for ln in lines)]
    assert broken == []


def _lines_of(part: object) -> list[tuple[Span, ...]]:
    match part:
        case Concepts(concepts=concepts):
            return [line for c in concepts for line in (c.term, c.explanation)]
        case Questions(questions=questions):
            return [q.text for q in questions]
        case Summary(flow=flow) | CodeSection(flow=flow):
            return [f.spans for f in flow if isinstance(f, TextFlow | ItemFlow)]
        case _:
            return []


def test_a_long_listing_never_leaves_one_line_alone_on_a_page() -> None:
    from deckbuild.services.highlight import highlight
    from deckbuild.writers import _pdf

    code = highlight("\n".join(f"line {i}" for i in range(20)), "", "default", "#F6F8FA")
    listing = _pdf.code_box(code, DEFAULT, 400)
    listing.wrap(400, 10_000)
    row = listing.ts.leading
    for room in (row * k + 2 * listing.PAD for k in range(1, 20)):
        parts = listing.split(400, room)
        sizes = [len(p.lines_at(400)) for p in parts]
        assert parts == [] or (len(parts) == 2 and min(sizes) >= 3), (room, sizes)
        assert parts == [] or sum(sizes) == 20


# --------------------------------------------------------------------------- per lesson


def test_one_file_per_lesson_with_that_lessons_content(built: hc.Built) -> None:
    lessons = built.plan.lessons
    assert sorted(built.files) == sorted(
        ["handouts.pdf", *(f"handouts/{les.key}.pdf" for les in lessons)]
    )
    for i, lesson in enumerate(lessons):
        data = built.files[f"handouts/{lesson.key}.pdf"]
        text = hc.text_of(data)
        mine = hc.lesson_items(built.course, i)
        assert [t for t in mine if hc.squash(t) not in text] == []
        others = [
            t
            for j in range(len(lessons))
            if j != i
            for t in hc.lesson_items(built.course, j)
            if len(t) > 60
        ]
        assert [t for t in others if hc.squash(t) in text] == []
        assert [title for title, _ in hc.outline(data)] == [lesson.heading]
        pages = hc.page_texts(data)
        assert f"Page 1 of {len(pages)}" in pages[0]


def test_lesson_files_are_the_lessons_pages_of_the_whole_handout(built: hc.Built) -> None:
    """Each lesson file is its lesson's pages of handouts.pdf, page for page, with its own
    page numbers and its fonts only: the pages are drawn once and copied."""
    whole = hc.page_texts(built.pdf)
    marks = [page for _, page in hc.outline(built.pdf)] + [len(whole) + 1]
    for i, lesson in enumerate(built.plan.lessons):
        data = built.files[f"handouts/{lesson.key}.pdf"]
        mine = whole[marks[i] - 1 : marks[i + 1] - 1]
        pages = hc.page_texts(data)
        assert len(pages) == len(mine), lesson.key
        for n, (page, there) in enumerate(zip(pages, mine, strict=True), 1):
            assert f"Page {n} of {len(pages)}" in page
            assert _without_page_number(page) == _without_page_number(there), (lesson.key, n)
        shown = {f for p in PdfReader(io.BytesIO(data)).pages for f in p["/Resources"]["/Font"]}
        assert all(f"{f} " in _content(data) for f in shown), "every embedded font is shown"


def _without_page_number(text: str) -> str:
    return re.sub(r"Page [0-9]+ of [0-9]+", "", text)


def _content(data: bytes) -> str:
    return " ".join(
        p.get_contents().get_data().decode("latin-1") for p in PdfReader(io.BytesIO(data)).pages
    )


def test_lesson_files_have_stable_distinct_names() -> None:
    built = hc.build(FIXTURES / "unseen" / "other-author-crlf.md")
    keys = [les.key for les in built.plan.lessons]
    # Two lessons are numbered 3 in that manual: the second is told apart by its title.
    assert keys == [
        "lesson-01",
        "lesson-02",
        "lesson-03",
        "lesson-03-protocols",
        "lesson-04",
        "lesson-05",
    ]


# --------------------------------------------------------------------------- deterministic


def test_two_builds_give_identical_bytes() -> None:
    manual = FIXTURES / "unseen" / "day-one.md"
    course, _ = pipeline.load(manual)
    assert course is not None
    first = write_handouts(layout_handouts(course, DEFAULT)[0], DEFAULT, pipeline.FIXED_DATE)
    again = write_handouts(layout_handouts(course, DEFAULT)[0], DEFAULT, pipeline.FIXED_DATE)
    assert first.keys() == again.keys()
    assert [k for k in first if first[k] != again[k]] == []


# --------------------------------------------------------------------------- layout rules

MINIMAL = """\
# Mini Teacher's Manual
*A short course*

## Overview
### Learning Objectives
- Learn Ecto

## Lesson-by-Lesson Guide
### 01. Ecto (45 minutes)
#### Key Concepts
- **Repo**: the gateway
#### Student Summary
*"Ecto is a toolkit."*
#### Teacher Talking Points
**Why Ecto:**
"Say this only to the class, it is the teacher's line."
```elixir
Repo.all(User)
```
#### Discussion Questions
1. **"Why a Repo?"**
   - *Guide them to explicitness.*
#### Teaching Tips
- **Pace**: keep the first demo under five minutes
#### Lab Notes
Walk the room after ten minutes.
"""


def test_layout_keeps_student_material_in_order_and_drops_teacher_text() -> None:
    course, _ = parse_course(MINIMAL)
    assert course is not None
    plan, diags = layout_handouts(course, DEFAULT)
    (lesson,) = plan.lessons
    kinds = [type(p).__name__ for p in lesson.parts]
    assert kinds == ["Summary", "Concepts", "CodeSection", "Questions", "Notes"]
    code = lesson.parts[2]
    assert isinstance(code, CodeSection)
    questions = lesson.parts[3]
    assert isinstance(questions, Questions)
    assert "".join(s.text for s in questions.questions[0].text) == "Why a Repo?"
    dump = repr(plan)
    for teacher in ("teacher's line", "explicitness", "first demo", "Walk the room"):
        assert teacher not in dump
    assert any("Lab Notes" in d.message for d in diags), "an unknown section is reported"
    assert plan.cover.title == "Mini"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Day Two Teacher's Manual", "Day Two"),
        ("Elixir Foundations – Instructor Notes", "Elixir Foundations"),
        ("Teacher's Manual — Gettext, locales", "Gettext, locales"),
        ("Teacher's Manual for the Capstone", "Teacher's Manual for the Capstone"),
        ("Teacher's Manual", "Teacher's Manual"),
        (
            "Day Three: Building a LiveView Application",
            "Day Three: Building a LiveView Application",
        ),
    ],
)
def test_student_title_drops_the_teacher_label(title: str, expected: str) -> None:
    assert student_title(title) == expected


_LONG = " ".join(f"word{i}" for i in range(1400))


def test_odd_manuals_build_without_error() -> None:
    for text in (
        # TextFlow longer than a page in boxes that cannot break across pages.
        (
            f"# T\n### Lesson 1: L\n#### Key Concepts\n- **Term**: {_LONG}\n"
            f"#### Student Summary\n*{_LONG}*\n"
            f"#### Examples\n| a | b |\n|---|---|\n| {_LONG} | x |\n"
            f"#### Discussion Questions\n1. **{_LONG}?**\n"
        ),
        f"# T\n### Lesson 1: {_LONG}\n#### Student Summary\nShort.\n",
        "# T\n## Lesson-by-Lesson Guide\n### 01. Empty (5 min)\n",
        "# T\n## Guide\n### Lesson 1: Pictures\n#### Student Summary\n![a chart](y.png)\n",
        (
            "# T\n### Lesson 1: L\n#### Examples\n```\n" + "x" * 400 + "\n```\n"
            "## Additional Resources\n- https://example.com/" + "very-long-path/" * 20 + "\n"
        ),
        "# T\n### Lesson 1: A\n### Lesson 1: A\n### Part: Unnumbered\n| a | b |\n|---|---|\n| 1 |\n",
    ):
        course, _ = parse_course(text)
        assert course is not None
        plan, _ = layout_handouts(course, DEFAULT)
        files = write_handouts(plan, DEFAULT, pipeline.FIXED_DATE)
        assert files["handouts.pdf"].startswith(b"%PDF")


def test_all_corpus_revisions_build() -> None:
    for manual in sorted(FIXTURES.glob("day-two-v*.md")):
        built = hc.build(manual)
        assert built.pdf.startswith(b"%PDF"), manual
        assert hc.glyphs(built.pdf).notdef == [], manual
