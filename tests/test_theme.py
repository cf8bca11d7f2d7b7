"""Themes: the shipped ones load clean; every kind of mistake is an error with file:line:col."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from deckbuild import cli
from deckbuild.theme import DEFAULT, load_theme

THEMES = Path(__file__).parent.parent / "themes"


def test_default_yaml_is_the_built_in_default() -> None:
    theme, diags = load_theme(THEMES / "default.yaml")
    assert diags == ()
    assert theme == DEFAULT


def test_projector_theme_is_4_3_and_clean() -> None:
    theme, diags = load_theme(THEMES / "projector.yaml")
    assert diags == ()
    assert theme is not None
    assert (theme.slide_width, theme.slide_height) == (10.0, 7.5)
    assert theme.page_size == "Letter"


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    text = (THEMES / "default.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "x.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().split("\n"), 1) if needle in line)


@pytest.mark.parametrize(
    ("old", "new", "needle", "message"),
    [
        ("margin_mm: 18", "margin_mm: 18\ncolour: red", "colour: red", "unknown key 'colour'"),
        ('  accent: "#4B2E83"', '  acent: "#4B2E83"', "acent", "unknown key 'acent' in 'colours'"),
        ('  text: "#1F2328"', "  text: blue", "text: blue", "bad colour 'blue'"),
        ("  body: 24", "  body: big", "body: big", "expected a number"),
        ("code_style: default", "code_style: nosuch", "code_style", "unknown Pygments style"),
        (
            "regular: LiberationMono-Regular.ttf",
            "regular: Nope.ttf",
            "Nope.ttf",
            "font file 'Nope.ttf' not found",
        ),
        ("page_size: A4", "page_size: A5", "page_size", "page size must be A4 or Letter"),
        ('slide_size: "16:9"', 'slide_size: "21:9"', "slide_size", "slide size must be one of"),
        ("  body_min: 18", "  body_min: 12", "body_min", "12 is out of range (18–96)"),
        (
            "margin_mm: 18",
            "margin_mm: 18\nlogo: ../../etc/passwd.png",
            "logo",
            "must be inside the theme's folder",
        ),
    ],
)
def test_mistakes_are_located_errors(
    tmp_path: Path, old: str, new: str, needle: str, message: str
) -> None:
    path = _variant(tmp_path, old, new)
    theme, diags = load_theme(path)
    assert theme is None
    errors = [d for d in diags if d.severity == "error"]
    assert errors, diags
    d = errors[0]
    assert message in d.message
    assert d.path == str(path)
    assert d.pos.line == _line_of(path, needle)
    assert d.pos.col >= 1


def test_low_contrast_is_an_error(tmp_path: Path) -> None:
    path = _variant(tmp_path, '  text: "#1F2328"', '  text: "#DDDDDD"')
    theme, diags = load_theme(path)
    assert theme is None
    assert any("contrast of text on background is 1.3" in d.message for d in diags)


def test_faint_code_style_is_a_warning(tmp_path: Path) -> None:
    path = _variant(tmp_path, "code_style: default", "code_style: monokai")
    theme, diags = load_theme(path)
    assert theme is not None
    assert [d.severity for d in diags] == ["warning"]
    assert "they will be darkened" in diags[0].message


def test_logo_inside_the_theme_folder(tmp_path: Path) -> None:
    from PIL import Image as PILImage

    png = tmp_path / "logo.png"
    PILImage.new("RGB", (2, 2)).save(png)
    path = _variant(tmp_path, "margin_mm: 18", "margin_mm: 18\nlogo: logo.png")
    theme, diags = load_theme(path)
    assert diags == ()
    assert theme is not None and theme.logo == str(png.resolve())


def test_build_with_a_broken_theme_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    manual = tmp_path / "m.md"
    shutil.copy(Path(__file__).parent / "fixtures" / "day-two-v1.md", manual)
    theme = _variant(tmp_path, "margin_mm: 18", "margin_mm: 18\ncolour: red")
    err = io.StringIO()
    code = cli.run(
        ["build", str(manual), "--theme", str(theme), "--out", str(tmp_path / "out")],
        io.StringIO(),
        err,
    )
    assert code == 1
    assert (
        f"{theme}:{_line_of(theme, 'colour: red')}:1: error: unknown key 'colour'" in err.getvalue()
    )
    assert "Traceback" not in err.getvalue()
    assert not (tmp_path / "out").exists()


def test_front_matter_names_a_theme_in_themes_folder(tmp_path: Path) -> None:
    from deckbuild import pipeline

    (tmp_path / "themes").mkdir()
    shutil.copy(THEMES / "projector.yaml", tmp_path / "themes" / "projector.yaml")
    manual = tmp_path / "m.md"
    manual.write_text(
        "---\ntheme: projector\n---\n"
        + (Path(__file__).parent / "fixtures" / "day-two-v1.md").read_text()
    )
    course, _ = pipeline.load(manual)
    assert course is not None
    theme, diags = pipeline.resolve_theme(course, manual, None)
    assert diags == ()
    assert theme is not None and theme.name == "projector"
    manual.write_text(
        "---\ntheme: nosuch\n---\n"
        + (Path(__file__).parent / "fixtures" / "day-two-v1.md").read_text()
    )
    course, _ = pipeline.load(manual)
    assert course is not None
    theme, diags = pipeline.resolve_theme(course, manual, None)
    assert theme is None
    assert "theme 'nosuch' not found" in diags[0].message


def test_theme_aliases_and_huge_files_are_refused(tmp_path: Path) -> None:
    path = _variant(tmp_path, "margin_mm: 18", "margin_mm: &m 18\nname: *m")
    theme, diags = load_theme(path)
    assert theme is None
    assert "YAML aliases (*name) are not allowed in themes" in diags[0].message
    big = tmp_path / "big.yaml"
    big.write_text("name: x\n" + "# padding\n" * 30_000)
    theme, diags = load_theme(big)
    assert theme is None
    assert "theme is larger than 256 KiB" in diags[0].message
