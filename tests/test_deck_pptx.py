"""The written deck, reopened with python-pptx: the issue's "done when" checks, per manual.

Each check reads the .pptx back (not the plan), so it sees what PowerPoint will see. The
plan is only used to know which slides belong to which lesson.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from deckbuild import pipeline, registry
from deckbuild.layout.deck import layout_deck
from deckbuild.model import (
    ON_SLIDE,
    TalkingPoints,
    code_blocks,
    inline_text,
    section_audience,
    section_blocks,
)
from deckbuild.services import measure
from deckbuild.services.schedule import lesson_label
from deckbuild.theme import DEFAULT, load_theme
from deckbuild.writers.pptx import write_pptx

from .conftest import corpus_manuals
from .deck_helpers import (
    ROOT,
    build,
    coverage,
    missing,
    name_of,
    notes_text,
    prose_lines,
    shape_text,
    slide_text,
    tokens,
)

MANUALS = corpus_manuals()
manual_param = pytest.mark.parametrize("manual", MANUALS, ids=name_of)

BODY_SHAPES = ("Body", "Pull-out", "Subtitle", "Table")


def _lesson_slides(manual: Path, index: int) -> list[Any]:
    built = build(manual)
    slides = list(built.prs.slides)
    return [s for s, p in zip(slides, built.plan.slides, strict=True) if p.lesson == index]


def _runs(shape: Any) -> list[Any]:
    frames = []
    if shape.has_text_frame:
        frames.append(shape.text_frame)
    if getattr(shape, "has_table", False) and shape.has_table:
        frames.extend(c.text_frame for row in shape.table.rows for c in row.cells)
    return [r for f in frames for p in f.paragraphs for r in p.runs]


@manual_param
def test_every_slide_has_a_title_in_its_title_placeholder(manual: Path) -> None:
    prs = build(manual).prs
    for n, slide in enumerate(prs.slides, 1):
        title = slide.shapes.title
        assert title is not None, f"slide {n} has no title placeholder"
        assert title.text_frame.text.strip(), f"slide {n} has an empty title"


@manual_param
def test_no_slide_is_empty_or_a_bare_label_below_its_title(manual: Path) -> None:
    built = build(manual)
    for n, (slide, planned) in enumerate(zip(built.prs.slides, built.plan.slides, strict=True), 1):
        if planned.kind in ("title", "section"):
            continue
        body = [
            sh
            for sh in slide.shapes
            if sh != slide.shapes.title and not sh.name.startswith(("Footer", "Slide Number"))
        ]
        words = " ".join(shape_text(sh) for sh in body).split()
        pictures = any(sh.shape_type == 13 or getattr(sh, "has_table", False) for sh in body)
        assert words or pictures, f"slide {n} is empty below its title"
        label = " ".join(words).rstrip(":").casefold()
        assert registry.NAMES.get(label) not in ("answers", "tips"), f"slide {n}: bare label"


@manual_param
def test_every_lesson_title_is_a_slide_title(manual: Path) -> None:
    built = build(manual)
    titles = [s.shapes.title.text_frame.text for s in built.prs.slides]
    for lesson in built.course.lessons:
        assert lesson_label(lesson) in titles
        assert any(inline_text(lesson.title) in t for t in titles)


@manual_param
def test_all_talking_point_text_is_in_the_notes(manual: Path) -> None:
    built = build(manual)
    for i, lesson in enumerate(built.course.lessons):
        notes = tokens("\n".join(notes_text(s) for s in _lesson_slides(manual, i)))
        for section in lesson.sections:
            if not isinstance(section, TalkingPoints):
                continue
            for topic in section.topics:
                said = tokens("\n".join(prose_lines(topic.blocks)))
                lost = missing(said, notes)
                assert not lost, (
                    f"{lesson_label(lesson)} / {inline_text(topic.title)}: "
                    f"{coverage(said, notes):.1f}% in the notes; missing {dict(lost)}"
                )


@manual_param
def test_every_word_of_every_lesson_is_on_a_slide_or_in_the_notes(manual: Path) -> None:
    built = build(manual)
    for i, lesson in enumerate(built.course.lessons):
        slides = _lesson_slides(manual, i)
        found = tokens("\n".join(slide_text(s) + "\n" + notes_text(s) for s in slides))
        lines = [inline_text(lesson.title), *prose_lines(lesson.intro)]
        for section in lesson.sections:
            lines.extend(prose_lines(section_blocks(section)))
        text = tokens("\n".join(lines))
        lost = missing(text, found)
        assert not lost, f"{lesson_label(lesson)}: missing {dict(lost)}"


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text.replace("↪", ""))


@manual_param
def test_every_code_line_is_on_a_code_slide(manual: Path) -> None:
    built = build(manual)
    slides = list(built.prs.slides)
    shown = _squash(
        "\n".join(shape_text(sh) for s in slides for sh in s.shapes if sh.name.startswith("Code"))
    )
    # Code for the teacher or with an answer is in the notes instead (test_audiences).
    blocks = [
        b
        for les in built.course.lessons
        for s in les.sections
        if section_audience(s) in ON_SLIDE
        for b in code_blocks(section_blocks(s), ON_SLIDE)
    ]
    blocks += [b for les in built.course.lessons for b in code_blocks(les.intro, ON_SLIDE)]
    blocks += [
        b
        for a in built.course.appendices
        if a.audience in ON_SLIDE
        for b in code_blocks(a.blocks, ON_SLIDE)
    ]
    for block in blocks:
        for line in block.text.split("\n"):
            if line.strip():
                assert _squash(line.expandtabs(4)) in shown, f"code line not shown: {line!r}"


@manual_param
def test_code_is_highlighted_monospace_without_proofing(manual: Path) -> None:
    built = build(manual)
    code_font = DEFAULT.fonts.code.name
    mono = measure.metrics(DEFAULT.fonts.code.regular)
    for n, slide in enumerate(built.prs.slides, 1):
        for shape in slide.shapes:
            if not shape.name.startswith("Code"):
                continue
            # Characters the code face lacks are drawn by the fallback that has them.
            for r in _runs(shape):
                assert r.font.name == code_font or not any(map(mono.covers, r.text)), n
            xml = shape._element.xml
            assert 'noProof="1"' in xml
            lang = shape.name[len("Code (") : -1] if "(" in shape.name else ""
            colours = set(re.findall(r'<a:srgbClr val="([0-9A-F]{6})"', xml))
            colours.discard(DEFAULT.colours.code_background.lstrip("#"))
            colours.discard(DEFAULT.colours.rule.lstrip("#"))
            words = len(re.findall(r"\w+", shape_text(shape)))
            if lang in {"elixir", "iex", "heex", "javascript"} and words >= 12:
                assert len(colours) >= 3, f"slide {n}: {sorted(colours)}"


@manual_param
def test_sizes_and_word_limits(manual: Path) -> None:
    built = build(manual)
    for n, slide in enumerate(built.prs.slides, 1):
        words = 0
        bullets = 0
        for shape in slide.shapes:
            runs = _runs(shape)
            if shape.name.startswith("Code"):
                assert all(r.font.size.pt >= DEFAULT.sizes.code_min for r in runs), n
            elif shape.name.startswith(BODY_SHAPES) or shape == slide.shapes.title:
                assert all(r.font.size.pt >= DEFAULT.sizes.body_min for r in runs), n
            if shape.name.startswith(("Body", "Table")):
                words += len(re.findall(r"\w+", shape_text(shape)))
            if shape.name == "Body":
                bullets += sum(
                    1
                    for p in shape.text_frame.paragraphs
                    if p._p.pPr is not None and p._p.pPr.find("{*}buNone") is None and p.level == 0
                )
        assert words <= 80, f"slide {n} has {words} words of body"
        assert bullets <= 6, f"slide {n} has {bullets} bullets"


@manual_param
def test_no_autofit_and_explicit_sizes(manual: Path) -> None:
    data = build(manual).data
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith("ppt/slides/slide"):
                xml = z.read(name).decode()
                assert "normAutofit" not in xml, name
                assert "<a:r><a:rPr" in xml or "<a:r>" not in xml
                assert re.search(r"<a:r><a:rPr(?![^>]*sz=)", xml) is None, name


def test_the_notes_master_is_listed_and_the_size_is_widescreen() -> None:
    data = build(MANUALS[0]).data
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        presentation = z.read("ppt/presentation.xml").decode()
        names = z.namelist()
    assert re.search(r"<p:notesMasterIdLst><p:notesMasterId r:id=\"rId\d+\"/>", presentation)
    assert "ppt/notesMasters/notesMaster1.xml" in names
    assert '<p:sldSz cx="12192000" cy="6858000"/>' in presentation
    assert [n for n in names if n.startswith("ppt/notesSlides/")]


def test_speaker_notes_keep_bold_and_bullets() -> None:
    built = build(ROOT / "tests" / "fixtures" / "day-two.md")
    slides = list(built.prs.slides)
    pillars = next(
        s for s in slides if s.shapes.title.text_frame.text.startswith("01 · The Five Pillars")
    )
    frame = pillars.notes_slide.notes_text_frame
    bold = [r.text for p in frame.paragraphs for r in p.runs if r.font.bold]
    assert "Repo" in "".join(bold)
    numbered = [p for p in frame.paragraphs if p._p.pPr.find("{*}buAutoNum") is not None]
    assert len(numbered) == 5
    body = next(sh for sh in pillars.shapes if sh.name == "Body")
    assert [p.text for p in body.text_frame.paragraphs] == [
        "Repo",
        "Schema",
        "Changeset",
        "Query",
        "Migration",
    ]


def test_section_slide_notes_carry_the_timing_cue() -> None:
    built = build(ROOT / "tests" / "fixtures" / "day-two.md")
    slides = list(built.prs.slides)
    section = next(
        s for s in slides if s.shapes.title.text_frame.text == "03 · Changesets and Validations"
    )
    assert notes_text(section).startswith("Lesson 3 · 1 h")
    assert "1 h" in slide_text(section)


def test_the_same_manual_gives_the_same_bytes() -> None:
    manual = ROOT / "tests" / "fixtures" / "day-two.md"
    course, _ = pipeline.load(manual)
    assert course is not None
    first = write_pptx(layout_deck(course, DEFAULT)[0], DEFAULT, pipeline.FIXED_DATE)
    second = write_pptx(layout_deck(course, DEFAULT)[0], DEFAULT, pipeline.FIXED_DATE)
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert {i.date_time for i in z.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert "2000-01-01T00:00:00Z" in core
    assert "python-pptx" not in core


def test_projector_theme_is_4_3_with_its_own_floors() -> None:
    theme, diags = load_theme(ROOT / "themes" / "projector.yaml")
    assert theme is not None, diags
    built = build(ROOT / "tests" / "fixtures" / "day-two.md", theme)
    prs = built.prs
    assert (prs.slide_width, prs.slide_height) == (9144000, 6858000)
    sizes = Counter(
        r.font.size.pt
        for s in prs.slides
        for sh in s.shapes
        if sh.name == "Body"
        for r in _runs(sh)
    )
    assert min(sizes) >= theme.sizes.body_min
