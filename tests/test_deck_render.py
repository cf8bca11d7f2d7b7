"""Render every fixture deck with LibreOffice and check where the characters landed.

LibreOffice converts each deck to PDF; poppler's ``pdftotext -bbox`` gives every word's
box. Each word must lie inside the box of a shape that holds it (text is matched to
shapes by content) and on the page: what PowerPoint users would see as text spilling out
of its box is caught here. Skipped, with the reason, when either tool is missing;
``.ci/run`` installs both.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from deckbuild.theme import Theme, load_theme

from .conftest import corpus_manuals
from .deck_helpers import build, name_of, shape_text

pytestmark = pytest.mark.render

FONTS = Path(__file__).parent.parent / "src" / "deckbuild" / "fonts"
#: Every fixture with the default theme, and Day Two with every other shipped theme.
THEMES_DIR = Path(__file__).parent.parent / "themes"
CASES: list[tuple[Path, str]] = [(m, "default") for m in corpus_manuals()] + [
    (Path(__file__).parent / "fixtures" / "day-two.md", t.stem)
    for t in sorted(THEMES_DIR.glob("*.yaml"))
    if t.stem != "default"
]
EMU_PER_PT = 12700
#: pdftotext reports boxes to a few thousandths; allow half a point for rounding.
TOLERANCE = 0.5

_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    box: tuple[float, float, float, float]


@dataclass(frozen=True)
class ShapeBox:
    name: str
    text: str
    box: tuple[float, float, float, float]


def _tools() -> str | None:
    for tool in ("soffice", "pdftotext"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (LibreOffice / poppler-utils); .ci/run installs it"
    return None


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every fixture deck converted in one LibreOffice run, with a private profile so a
    LibreOffice already running on the machine cannot take the job (or the lock)."""
    reason = _tools()
    if reason:
        pytest.skip(reason)
    work = tmp_path_factory.mktemp("render")
    decks = []
    for manual, theme in CASES:
        path = work / f"{_case_id((manual, theme))}.pptx"
        path.write_bytes(build(manual, _theme(theme)).data)
        decks.append(path)
    profile = (work / "profile").as_uri()
    cmd = [
        "soffice",
        f"-env:UserInstallation={profile}",
        "--headless",
        "--convert-to",
        "pdf",
        "--outdir",
        str(work),
        *map(str, decks),
    ]
    # The deck names the fonts it was measured with, fallbacks included (DejaVu Sans for
    # arrows, Noto Emoji, Droid Sans Fallback for CJK); a presenter's machine has its own
    # fallbacks, and this one gets the bundled files, so that no glyph renders as a box.
    fonts = work / ".fonts"
    fonts.mkdir()
    for ttf in FONTS.glob("*.ttf"):
        shutil.copy(ttf, fonts / ttf.name)
    env = {**os.environ, "HOME": str(work)}
    subprocess.run(cmd, check=True, capture_output=True, timeout=900, env=env)
    pdfs = {d.stem: d.with_suffix(".pdf") for d in decks}
    missing = [name for name, pdf in pdfs.items() if not pdf.exists()]
    assert not missing, f"LibreOffice did not convert {missing}"
    return pdfs


def _words(pdf: Path) -> Iterator[Word]:
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    for page, chunk in enumerate(out.split("<page ")[1:]):
        for m in _WORD.finditer(chunk):
            x0, y0, x1, y1 = map(float, m.groups()[:4])
            yield Word(page, html.unescape(m.group(5)), (x0, y0, x1, y1))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _shape_boxes(slide: Any) -> list[ShapeBox]:
    out = []
    for shape in slide.shapes:
        text = _squash(shape_text(shape))
        if text:
            x, y = shape.left / EMU_PER_PT, shape.top / EMU_PER_PT
            w, h = shape.width / EMU_PER_PT, shape.height / EMU_PER_PT
            out.append(ShapeBox(shape.name, text, (x, y, x + w, y + h)))
    return out


def _outside(word: tuple[float, float, float, float], box: tuple[float, ...]) -> float:
    """How far (points) the word reaches outside the box; 0 when inside."""
    return max(box[0] - word[0], box[1] - word[1], word[2] - box[2], word[3] - box[3], 0.0)


def _theme(name: str) -> Theme:
    theme, diags = load_theme(THEMES_DIR / f"{name}.yaml")
    assert theme is not None, diags
    return theme


def _case_id(case: tuple[Path, str]) -> str:
    manual, theme = case
    return name_of(manual) if theme == "default" else f"{name_of(manual)}@{theme}"


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_every_character_lies_inside_its_shape_and_on_the_page(
    case: tuple[Path, str], rendered: dict[str, Path]
) -> None:
    manual, theme = case
    built = build(manual, _theme(theme))
    prs = built.prs
    width, height = prs.slide_width / EMU_PER_PT, prs.slide_height / EMU_PER_PT
    slides = [_shape_boxes(s) for s in prs.slides]
    words = list(_words(rendered[_case_id(case)]))
    assert {w.page for w in words} <= set(range(len(slides)))
    problems: list[str] = []
    for word in words:
        shapes = slides[word.page]
        # Bullets and numbers are drawn by the renderer, not text of any shape.
        holders = [s for s in shapes if _squash(word.text) in s.text] or shapes
        distance = min((_outside(word.box, s.box) for s in holders), default=float("inf"))
        x0, y0, x1, y1 = word.box
        off_page = x0 < 0 or y0 < 0 or x1 > width or y1 > height
        if distance > TOLERANCE or off_page:
            near = min(holders, key=lambda s: _outside(word.box, s.box)) if holders else None
            problems.append(
                f"slide {word.page + 1}: {word.text!r} at {[round(v, 1) for v in word.box]} "
                f"is {distance:.1f} pt outside {near.name if near else 'any shape'}"
            )
    assert not problems, f"{len(problems)} words outside their boxes:\n" + "\n".join(problems[:20])
    assert len({w.page for w in words}) <= len(slides)
