"""Every shipped theme builds all three artefacts of Day Two and meets their bars."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pptx import Presentation
from pypdf import PdfReader

from deckbuild import pipeline
from deckbuild.model import RubricItem
from deckbuild.theme import Theme, load_theme

from . import handout_check as hc
from .conftest import FIXTURES

THEMES = sorted((Path(__file__).parent.parent / "themes").glob("*.yaml"))


def _count(items: tuple[RubricItem, ...]) -> int:
    return sum(1 + _count(i.children) for i in items)


@pytest.fixture(scope="module", params=THEMES, ids=lambda p: p.stem)
def built(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Theme, Path]:
    path: Path = request.param
    theme, diags = load_theme(path)
    assert theme is not None and diags == (), diags
    out = tmp_path_factory.mktemp(path.stem)
    result = pipeline.build(pipeline.BuildRequest(FIXTURES / "day-two.md", out, path))
    assert result.ok, result.diagnostics
    return theme, out


def test_the_deck_has_titles_and_respects_the_theme_floors(built: tuple[Theme, Path]) -> None:
    theme, out = built
    prs = Presentation(str(out / "deck.pptx"))
    assert round(prs.slide_width / 914400 * 1000) == round(theme.slide_width * 1000)
    mono = theme.fonts.code.name
    for n, slide in enumerate(prs.slides, 1):
        assert slide.shapes.title is not None and slide.shapes.title.text_frame.text.strip(), n
        for shape in slide.shapes:
            if not shape.has_text_frame or shape == slide.shapes.title:
                continue
            runs = [r for p in shape.text_frame.paragraphs for r in p.runs]
            # A code box may draw a symbol (the ↪ of a wrapped line) in a fallback font.
            is_code = any(r.font.name == mono for r in runs)
            floor = theme.sizes.code_min if is_code else theme.sizes.body_min
            for para in shape.text_frame.paragraphs:
                for run in para.runs:
                    if run.font.size is None or not run.text.strip():
                        continue
                    # Footers and slide numbers are furniture, not body text.
                    if run.font.size.pt <= theme.sizes.footer:
                        continue
                    assert run.font.size.pt >= floor, (n, run.text, run.font.size.pt)


def test_the_handout_is_complete_private_and_every_glyph_drawn(built: tuple[Theme, Path]) -> None:
    theme, out = built
    course, _ = pipeline.load(FIXTURES / "day-two.md")
    assert course is not None
    data = (out / "handouts.pdf").read_bytes()
    text = hc.squash(hc.text_of(data))
    wanted = [t for items in hc.student_items(course).values() for t in items]
    assert [t for t in wanted if hc.squash(t) not in text] == []
    assert [s for s in hc.teacher_sentences(course) if hc.squash(s) in text] == []
    report = hc.glyphs(data, theme)
    assert report.notdef == [] and report.foreign == []
    assert len(PdfReader(io.BytesIO(data)).outline) >= len(course.lessons)


def test_the_rubric_has_a_checkbox_per_item(built: tuple[Theme, Path]) -> None:
    _, out = built
    course, _ = pipeline.load(FIXTURES / "day-two.md")
    assert course is not None and course.rubric is not None
    items = sum(
        _count(c.items) + sum(_count(lv.items) for lv in c.levels) for c in course.rubric.categories
    )
    fields = PdfReader(out / "rubric.pdf").get_fields() or {}
    boxes = [f for f in fields.values() if f.get("/FT") == "/Btn"]
    assert len(boxes) == items


def test_a_theme_logo_is_on_the_title_slide_and_the_handout_cover(tmp_path: Path) -> None:
    from PIL import Image as PILImage

    PILImage.new("RGB", (240, 80), (75, 46, 131)).save(tmp_path / "logo.png")
    theme_file = tmp_path / "branded.yaml"
    default = (Path(__file__).parent.parent / "themes" / "default.yaml").read_text()
    theme_file.write_text(default + "logo: logo.png\n", encoding="utf-8")
    out = tmp_path / "out"
    result = pipeline.build(pipeline.BuildRequest(FIXTURES / "day-two-v1.md", out, theme_file))
    assert result.ok, result.diagnostics
    prs = Presentation(str(out / "deck.pptx"))
    pictures = [s for s in prs.slides[0].shapes if s.shape_type == 13]  # MSO_SHAPE_TYPE.PICTURE
    assert len(pictures) == 1
    assert "logo" in pictures[0]._element.xpath("./p:nvPicPr/p:cNvPr/@descr")[0]
    cover = PdfReader(out / "handouts.pdf").pages[0]
    images = [
        o
        for o in cover["/Resources"].get("/XObject", {}).values()
        if o.get_object().get("/Subtype") == "/Image"
    ]
    assert len(images) == 1
    second = PdfReader(out / "handouts.pdf").pages[1]
    assert not second["/Resources"].get("/XObject")
