"""rubric.pdf opened with pypdf: form fields, text, snippet colours, glyphs, determinism."""

from __future__ import annotations

import datetime as _dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader
from pypdf.generic import ContentStream

from deckbuild import pipeline
from deckbuild.layout.rubric import RubricPlan, layout_rubric
from deckbuild.model import Course
from deckbuild.services import measure
from deckbuild.theme import DEFAULT, load_theme
from deckbuild.writers.pdf_rubric import write_rubric

from .conftest import FIXTURES, corpus_manuals
from .helpers import parse_text

DATE = _dt.datetime(2026, 3, 2, 9, 30, tzinfo=_dt.UTC)


def _name(path: Path) -> str:
    return path.relative_to(FIXTURES).with_suffix("").as_posix().replace("/", "__")


@dataclass(frozen=True)
class Built:
    course: Course
    plan: RubricPlan
    pdf: bytes


@cache
def _build(manual: Path) -> Built:
    course, _ = pipeline.load(manual)
    assert course is not None
    plan, _ = layout_rubric(course, DEFAULT)
    return Built(course, plan, write_rubric(plan, DEFAULT, DATE))


def _fields(pdf: bytes) -> dict[str, dict[str, Any]]:
    fields = PdfReader(io.BytesIO(pdf)).get_fields() or {}
    return {name: dict(f) for name, f in fields.items()}


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --------------------------------------------------------------------------- content streams


@dataclass(frozen=True)
class Shown:
    """A string drawn on a page: the font's base name, fill colour and raw bytes."""

    font: str
    colour: tuple[float, ...]
    data: bytes


def _shown(pdf: bytes) -> Iterator[Shown]:
    reader = PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        fonts = {
            name: str(ref.get_object().get("/BaseFont", ""))
            for name, ref in page["/Resources"].get("/Font", {}).items()
        }
        content = ContentStream(page.get_contents(), reader)
        font, colour = "", (0.0,)
        stack: list[tuple[str, tuple[float, ...]]] = []
        for operands, op in content.operations:
            if op == b"q":
                stack.append((font, colour))
            elif op == b"Q" and stack:
                font, colour = stack.pop()
            elif op == b"Tf":
                font = fonts.get(str(operands[0]), str(operands[0]))
            elif op in (b"rg", b"g", b"k"):
                colour = tuple(round(float(x), 3) for x in operands)
            elif op in (b"Tj", b"'", b'"'):
                yield Shown(font, colour, _raw(operands[-1]))
            elif op == b"TJ":
                for part in operands[0]:
                    if not isinstance(part, (int, float)) and not hasattr(part, "as_numeric"):
                        yield Shown(font, colour, _raw(part))


def _raw(obj: Any) -> bytes:
    if isinstance(obj, bytes):
        return obj
    getter = getattr(obj, "get_original_bytes", None)
    return bytes(getter()) if getter else str(obj).encode("latin-1", "replace")


def glyph_zero(pdf: bytes) -> int:
    """Characters drawn with glyph 0: reportlab writes code 0 for a character its
    embedded TrueType subset lacks, and the viewer draws .notdef (a box) for it."""
    return sum(s.data.count(0) for s in _shown(pdf) if "+" in s.font)


# --------------------------------------------------------------------------- fields


@pytest.mark.parametrize("manual", corpus_manuals(), ids=_name)
def test_one_fillable_checkbox_per_item_with_unique_stable_names(manual: Path) -> None:
    built = _build(manual)
    fields = _fields(built.pdf)
    boxes = {n: f for n, f in fields.items() if f.get("/FT") == "/Btn"}
    items = list(built.plan.items())
    rubric = built.course.rubric
    has_items = rubric is not None and any(c.items or c.levels for c in rubric.categories)
    assert bool(items) == has_items
    assert sorted(boxes) == sorted(it.field for it in items)
    for it in items:
        box = boxes[it.field]
        assert int(box.get("/Ff", 0)) & 2 == 0, "a checkbox must not be required"
        assert box.get("/V") == ("/Yes" if it.checked else "/Off")


@pytest.mark.parametrize("manual", corpus_manuals(), ids=_name)
def test_header_and_score_text_fields_are_present(manual: Path) -> None:
    built = _build(manual)
    texts = {n for n, f in _fields(built.pdf).items() if f.get("/FT") == "/Tx"}
    assert {"student", "assessor", "date"} <= texts
    assert ("total_score" in texts) == bool(built.plan.categories)
    assert {c.score.field for c in built.plan.categories} <= texts


def test_checked_items_start_checked() -> None:
    built = _build(FIXTURES / "unseen" / "day-one.md")
    checked = [n for n, f in _fields(built.pdf).items() if f.get("/V") == "/Yes"]
    assert checked == ["c01_i04"]


# --------------------------------------------------------------------------- text


@pytest.mark.parametrize("manual", corpus_manuals(), ids=_name)
def test_every_item_and_its_lesson_link_is_real_text(manual: Path) -> None:
    built = _build(manual)
    reader = PdfReader(io.BytesIO(built.pdf))
    text = _squash("".join(page.extract_text() for page in reader.pages))
    missing = [
        it.field
        for it in built.plan.items()
        if _squash("".join(s.text for s in it.text)) not in text
        or _squash(it.link_text) not in text
    ]
    assert missing == []
    assert _squash(built.plan.title) in text
    for cat in built.plan.categories:
        assert _squash(cat.name) in text
        assert (_squash(cat.score.out_of) or "Score") in text


@pytest.mark.parametrize("manual", corpus_manuals(), ids=_name)
def test_every_glyph_is_drawn(manual: Path) -> None:
    built = _build(manual)
    assert glyph_zero(built.pdf) == 0
    reader = PdfReader(io.BytesIO(built.pdf))
    assert "\ufffd" not in "".join(page.extract_text() for page in reader.pages)


def test_the_glyph_check_catches_a_missing_glyph() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    mono = DEFAULT.fonts.code.regular
    pdfmetrics.registerFont(TTFont("probe-mono", mono))
    buf = io.BytesIO()
    canvas = Canvas(buf, invariant=1)
    canvas.setFont("probe-mono", 10)
    canvas.drawString(10, 10, "ok ✅")
    canvas.save()
    assert measure.missing_glyphs("✅", (mono,)) == {"✅"}
    assert glyph_zero(buf.getvalue()) == 1


def test_the_code_review_check_marks_are_drawn_from_an_embedded_font() -> None:
    built = _build(FIXTURES / "unseen" / "day-three-phases.md")
    fonts = {s.font.split("+")[-1] for s in _shown(built.pdf)}
    assert any("Emoji" in f or "DejaVu" in f for f in fonts)
    assert glyph_zero(built.pdf) == 0


# --------------------------------------------------------------------------- snippets


@pytest.mark.parametrize(
    "manual",
    [FIXTURES / "day-two.md", *sorted((FIXTURES / "unseen").glob("*.md"))],
    ids=_name,
)
def test_snippets_use_three_or_more_colours_in_a_monospace_font(manual: Path) -> None:
    built = _build(manual)
    assert any(it.snippet for it in built.plan.items())
    mono = {s.colour for s in _shown(built.pdf) if "Mono" in s.font and s.data.strip()}
    assert len(mono) >= 3, mono
    # The plan agrees: the snippets themselves carry the colours.
    plan_colours = {
        span.style.colour
        for it in built.plan.items()
        if it.snippet
        for line in it.snippet.code.lines
        for span in line
        if span.style.colour and span.text.strip()
    }
    assert len(plan_colours) >= 3


# --------------------------------------------------------------------------- determinism


def test_two_builds_give_identical_bytes() -> None:
    manual = FIXTURES / "unseen" / "day-three-phases.md"
    course, _ = pipeline.load(manual)
    assert course is not None
    plan, _ = layout_rubric(course, DEFAULT)
    first = write_rubric(plan, DEFAULT, DATE)
    second = write_rubric(layout_rubric(course, DEFAULT)[0], DEFAULT, DATE)
    assert first == second
    assert b"D:20260302093000+00'00'" in first
    assert write_rubric(plan, DEFAULT, DATE + _dt.timedelta(days=1)) != first


def test_two_processes_give_identical_files(tmp_path: Path) -> None:
    import subprocess
    import sys

    manual = FIXTURES / "day-two.md"
    outs = []
    for run in ("a", "b"):
        out = tmp_path / run
        argv = [sys.executable, "-m", "deckbuild", "-q", "build", str(manual)]
        subprocess.run(
            [*argv, "--out", str(out), "--only", "rubric"],
            check=True,
            env={"SOURCE_DATE_EPOCH": "1772443800", "PATH": "/usr/bin:/bin"},
        )
        outs.append((out / "rubric.pdf").read_bytes())
    assert outs[0] == outs[1]


def test_page_size_and_margins_come_from_the_theme(tmp_path: Path) -> None:
    theme_file = tmp_path / "letter.yaml"
    theme_file.write_text("page_size: Letter\nmargin_mm: 25\n", encoding="utf-8")
    theme, diags = load_theme(theme_file)
    assert theme is not None, diags
    built = _build(FIXTURES / "day-two.md")
    pdf = write_rubric(built.plan, theme, DATE)
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)
    default_box = PdfReader(io.BytesIO(built.pdf)).pages[0].mediabox
    assert (round(float(default_box.width)), round(float(default_box.height))) == (595, 842)


# --------------------------------------------------------------------------- bad input


def test_a_manual_without_a_rubric_gets_a_valid_rubric_pdf(tmp_path: Path) -> None:
    manual = tmp_path / "plain.md"
    manual.write_text(
        "# Plain Course\n\n## Lesson-by-Lesson Guide\n\n### 01. Intro (10 minutes)\n\nHello.\n",
        encoding="utf-8",
    )
    result = pipeline.build(
        pipeline.BuildRequest(manual, tmp_path / "out", artefacts=("rubric",), environ={})
    )
    assert result.ok
    about = [d for d in result.diagnostics if "no assessment rubric" in d.message]
    assert [d.severity.value for d in about] == ["info"]
    reader = PdfReader(tmp_path / "out" / "rubric.pdf")
    text = "".join(p.extract_text() for p in reader.pages)
    assert "This manual has no assessment rubric." in text
    fields = reader.get_fields() or {}
    assert not [n for n, f in fields.items() if f.get("/FT") == "/Btn"]


_WORDS = st.sampled_from(
    [
        "Uses",
        "pattern",
        "matching",
        "GenServer",
        "✅",
        "漢字",
        "`Repo`",
        "**bold**",
        "é",
        "—",
        "&",
        "<b>",
    ]
)
_TEXT = st.lists(_WORDS, min_size=1, max_size=8).map(" ".join)


@st.composite
def _rubric_manual(draw: st.DrawFn) -> str:
    lines = [
        "# Fuzzed Course",
        "",
        "## Lesson-by-Lesson Guide",
        "",
        "### 01. Pattern Matching (10 minutes)",
        "",
        "```elixir",
        "def go(x) do",
        "  {:ok, x}",
        "end",
        "```",
        "",
        "## Assessment Rubric",
        "",
    ]
    for c in range(draw(st.integers(0, 3))):
        points = draw(st.sampled_from(["", " (10 points)", " (8-10 points)"]))
        lines.append(f"### {draw(_TEXT)} {c}{points}")
        for _ in range(draw(st.integers(0, 3))):
            box = draw(st.sampled_from(["- [ ]", "- [x]", "-"]))
            lines.append(f"{box} {draw(_TEXT)}")
            if draw(st.booleans()):
                lines.append(f"  - [ ] {draw(_TEXT)}")
        if draw(st.booleans()):
            lines += ["", "#### Excellent (9-10 points)", f"- {draw(_TEXT)}"]
        if draw(st.booleans()):
            lines += ["", "```elixir", f"# ✅ {draw(_TEXT)}", "```"]
        lines.append("")
    return "\n".join(lines)


@given(_rubric_manual())
def test_any_rubric_lays_out_and_writes_without_error(text: str) -> None:
    course, diags = parse_text(text)
    assert course is not None, diags
    plan, _ = layout_rubric(course, DEFAULT)
    pdf = write_rubric(plan, DEFAULT, DATE)
    boxes = [n for n, f in _fields(pdf).items() if f.get("/FT") == "/Btn"]
    assert sorted(boxes) == sorted(it.field for it in plan.items())
    assert glyph_zero(pdf) == 0
