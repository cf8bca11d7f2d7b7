"""Hostile themes: whatever is wrong with a theme, or with a file it names, the build ends
with exit 1 and ``path:line:col: error: ...``, never an internal error or a traceback."""

from __future__ import annotations

import shutil
import struct
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deckbuild import cli
from deckbuild.theme import PACKAGE_FONTS, load_theme

from .conftest import FIXTURES

THEMES = Path(__file__).parent.parent / "themes"
PROJECTOR = (THEMES / "projector.yaml").read_text(encoding="utf-8")
#: Bytes that must never appear in a message about a file that contains them.
SECRET = b"SECRET-3f1a9c"


def _theme(folder: Path, old: str, new: str) -> Path:
    """projector.yaml in ``folder`` with ``old`` replaced by ``new``."""
    assert old in PROJECTOR, old
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bad.yaml"
    path.write_text(PROJECTOR.replace(old, new, 1), encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").split("\n")
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def _build_fails(
    theme: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], line: int, message: str
) -> str:
    """Build Day Two with ``theme``: exit 1, an error at ``theme:line:col``, nothing written."""
    out = tmp_path / "out"
    code = cli.run(
        ["build", str(FIXTURES / "day-two.md"), "--theme", str(theme), "--out", str(out)]
    )
    err = capsys.readouterr().err
    assert code == 1, err
    assert "Traceback" not in err and "internal error" not in err, err
    located = [x for x in err.splitlines() if x.startswith(f"{theme}:{line}:")]
    assert located, err
    assert ": error: " in located[0], located
    col = int(located[0].split(":")[2])
    assert col >= 1
    assert message in located[0], located
    assert not out.exists()
    return err


# --------------------------------------------------------------------------- YAML


def test_unquoted_hex_colour_says_to_quote_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    theme = _theme(tmp_path, '  background: "#FFFFFF"', "  background: #FFFFFF")
    err = _build_fails(
        theme, tmp_path, capsys, _line_of(theme, "background"), 'quote the colour: background: "#'
    )
    assert f"{theme}:{_line_of(theme, 'background')}:15: error: colours.background" in err


def test_an_empty_value_is_an_error_at_its_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    theme = _theme(tmp_path, "  notes: 12", "  notes:")
    err = _build_fails(theme, tmp_path, capsys, _line_of(theme, "notes:"), "got nothing")
    assert f"{theme}:{_line_of(theme, 'notes:')}:8: error: sizes.notes: expected a number" in err


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("!!python/name:os.system", "could not determine a constructor"),
        ("!foo bar", "could not determine a constructor for the tag '!foo'"),
        ("!!float abc", "cannot read 'abc' as !!float"),
        ("!!int xyz", "cannot read 'xyz' as !!int"),
        ("!!bool maybe", "cannot read 'maybe' as !!bool"),
        ("!!timestamp nope", "cannot read 'nope' as !!timestamp"),
    ],
)
def test_explicit_tags_are_errors_at_their_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str, message: str
) -> None:
    theme = _theme(tmp_path, "  body: 26", f"  body: {value}")
    _build_fails(theme, tmp_path, capsys, _line_of(theme, value), message)


@pytest.mark.parametrize(
    "nest",
    [
        "[" * 5000 + "]" * 5000,
        "[" * 50_000 + "]" * 50_000,  # once a RecursionError after many seconds
        "{a: " * 5000 + "1" + "}" * 5000,
        "\n  " + "- " * 5000 + "x",
    ],
    ids=["flow-list", "flow-list-50k", "flow-map", "block-list"],
)
def test_deep_nesting_is_refused_quickly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], nest: str
) -> None:
    theme = _theme(tmp_path, "margin_mm: 15", "margin_mm: 15\nextra: " + nest)
    start = time.perf_counter()
    theme_obj, diags = load_theme(theme)
    assert time.perf_counter() - start < 2.0
    assert theme_obj is None and "nested more than" in diags[0].message
    line = _line_of(theme, nest.strip()[:8])
    _build_fails(theme, tmp_path, capsys, line, "nested more than 32 levels deep")


# --------------------------------------------------------------------------- logos


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_header(width: int, height: int) -> bytes:
    """A PNG's signature and IHDR chunk (8-bit RGB): what its size is read from."""
    return b"\x89PNG\r\n\x1a\n" + _chunk(
        b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    )


def _png(width: int, height: int) -> bytes:
    rows = b"".join(
        b"\x00" + bytes((x * 7 + y * 13) % 256 for x in range(width * 3)) for y in range(height)
    )
    return _png_header(width, height) + _chunk(b"IDAT", zlib.compress(rows)) + _chunk(b"IEND", b"")


def _bomb(width: int, height: int) -> bytes:
    return _png_header(width, height) + _chunk(b"IDAT", zlib.compress(b"")) + _chunk(b"IEND", b"")


LOGOS: dict[str, tuple[bytes, str]] = {
    "empty": (b"", "not a readable PNG or JPEG image"),
    "text": (b"this is not an image\n" + SECRET, "not a readable PNG or JPEG image"),
    "truncated-png": (_png(64, 64)[:400], "not a readable PNG or JPEG image"),
    "signature-only-png": (b"\x89PNG\r\n\x1a\n", "not a readable PNG or JPEG image"),
    "header-only-png": (_png_header(64, 64), "not a readable PNG or JPEG image"),
    "bomb-48-megapixels": (_bomb(8000, 6000), "8000×6000 pixels; a logo may have at most 40"),
    "bomb-pillow-warning": (_bomb(12000, 10000), "at most 40 megapixels"),
    "bomb-pillow-error": (_bomb(100_000, 100_000), "at most 40 megapixels"),
}


@pytest.mark.parametrize("kind", sorted(LOGOS))
def test_a_logo_that_is_not_a_readable_image_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    data, message = LOGOS[kind]
    folder = tmp_path / "theme"
    folder.mkdir()
    (folder / "logo.png").write_bytes(data)
    theme = _theme(folder, "margin_mm: 15", "margin_mm: 15\nlogo: logo.png")
    start = time.perf_counter()
    err = _build_fails(theme, tmp_path, capsys, _line_of(theme, "logo:"), message)
    assert time.perf_counter() - start < 20
    assert SECRET.decode() not in err


def test_a_real_logo_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_bytes(_png(40, 20))
    theme = _theme(tmp_path, "margin_mm: 15", "margin_mm: 15\nlogo: logo.png")
    loaded, diags = load_theme(theme)
    assert diags == ()
    assert loaded is not None and loaded.logo == str((tmp_path / "logo.png").resolve())


# --------------------------------------------------------------------------- fonts

REGULAR = PACKAGE_FONTS / "LiberationSans-Regular.ttf"


def _otf() -> bytes:
    return b"OTTO" + bytes(200)


def _truncated_ttf() -> bytes:
    return REGULAR.read_bytes()[:5000]


def _no_latin_ttf() -> bytes:
    return (PACKAGE_FONTS / "NotoEmoji-Regular.ttf").read_bytes()


FONTS: dict[str, tuple[Callable[[], bytes], str]] = {
    "empty": (lambda: b"", "is not a TrueType font file"),
    "text": (lambda: b"not a font at all\n" + SECRET, "is not a TrueType font file"),
    "sfnt-header-then-junk": (
        lambda: b"\x00\x01\x00\x00\x00\x09" + SECRET * 20,
        "is cut short",
    ),
    "truncated": (_truncated_ttf, "is cut short"),
    "postscript-outlines": (_otf, "has PostScript (CFF) outlines"),
    "no-basic-latin": (_no_latin_ttf, "has no glyphs for"),
}


@pytest.mark.parametrize("kind", sorted(FONTS))
def test_a_font_that_is_not_usable_truetype_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    make, message = FONTS[kind]
    folder = tmp_path / "theme"
    folder.mkdir()
    (folder / "bad.ttf").write_bytes(make())
    theme = _theme(folder, "regular: LiberationSans-Regular.ttf", "regular: bad.ttf")
    err = _build_fails(theme, tmp_path, capsys, _line_of(theme, "bad.ttf"), message)
    assert SECRET.decode() not in err


def test_a_fallback_font_need_not_draw_latin_but_must_be_truetype(tmp_path: Path) -> None:
    shutil.copy(PACKAGE_FONTS / "NotoEmoji-Regular.ttf", tmp_path / "emoji.ttf")
    theme = _theme(tmp_path, "fallback: [DejaVuSans.ttf,", "fallback: [emoji.ttf, DejaVuSans.ttf,")
    loaded, diags = load_theme(theme)
    assert diags == () and loaded is not None
    (tmp_path / "emoji.ttf").write_bytes(b"junk")
    loaded, diags = load_theme(theme)
    assert loaded is None and "is not a TrueType font file" in diags[0].message


# --------------------------------------------------------------------------- paths


def _escapes(folder: Path, what: str) -> dict[str, tuple[str, str]]:
    """Per case, the name the theme gives and what the error says; files made in ``folder``."""
    outside = folder.parent / "outside"
    outside.mkdir(exist_ok=True)
    suffix = ".ttf" if what == "font" else ".png"
    secret = outside / f"secret{suffix}"
    secret.write_bytes(SECRET * 50)
    (folder / f"link{suffix}").symlink_to(secret)
    (folder / f"loop-a{suffix}").symlink_to(folder / f"loop-b{suffix}")
    (folder / f"loop-b{suffix}").symlink_to(folder / f"loop-a{suffix}")
    return {
        "absolute": ("/etc/passwd" if what == "font" else "/etc/passwd.png", "must be inside"),
        "dot-dot": (f"../../x{suffix}", "must be inside"),
        "dot-dot-to-a-real-file": (f"../outside/secret{suffix}", "must be inside"),
        "symlink-outside": (f"link{suffix}", "must be inside"),
        "symlink-loop": (f"loop-a{suffix}", "loop of symbolic links"),
        "name-over-255-bytes": ("é" * 200 + suffix, "is not a valid file name"),
    }


CASES = ["absolute", "dot-dot", "dot-dot-to-a-real-file", "symlink-outside", "symlink-loop"]
CASES.append("name-over-255-bytes")


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("what", ["font", "logo"])
def test_files_must_stay_inside_their_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], what: str, case: str
) -> None:
    folder = tmp_path / "theme"
    folder.mkdir()
    name, message = _escapes(folder, what)[case]
    if what == "font":
        theme = _theme(folder, "regular: LiberationSans-Regular.ttf", f"regular: {name}")
    else:
        theme = _theme(folder, "margin_mm: 15", f"margin_mm: 15\nlogo: {name}")
    err = _build_fails(theme, tmp_path, capsys, _line_of(theme, name[:20]), message)
    assert SECRET.decode() not in err
    assert "root:" not in err  # nothing of /etc/passwd


# --------------------------------------------------------------------------- sizes


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("  pdf_body: 11", "  pdf_body: 44", "44 is out of range (6–24): "),
        ("  pdf_code: 9", "  pdf_code: 30", "30 is out of range (6–16): "),
    ],
)
def test_sizes_the_page_cannot_hold_are_errors_that_name_the_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, message: str
) -> None:
    theme = _theme(tmp_path, old, new)
    _build_fails(theme, tmp_path, capsys, _line_of(theme, new.strip()), message)


def test_the_largest_sizes_build_on_the_narrowest_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Letter paper with the widest margins: a 328 pt column, which holds 16 pt type and
    # 40 characters of 13.5 pt code, and nothing larger.
    theme = _theme(tmp_path, "margin_mm: 15", "margin_mm: 50")
    text = theme.read_text(encoding="utf-8")
    for too_big in ("pdf_body: 16.5", "pdf_code: 14"):
        key = too_big.split(":")[0]
        theme.write_text(text.replace(f"{key}: {'11' if key == 'pdf_body' else '9'}", too_big))
        loaded, diags = load_theme(theme)
        assert loaded is None
        assert "(Letter, 50 mm margins)" in diags[0].message
    text = text.replace("pdf_body: 11", "pdf_body: 16").replace("pdf_code: 9", "pdf_code: 13.5")
    theme.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    code = cli.run(
        ["build", str(FIXTURES / "day-two.md"), "--theme", str(theme), "--out", str(out)]
    )
    assert code == 0, capsys.readouterr().err


# --------------------------------------------------------------------------- fuzzing

TAGS = ["!!str", "!!int", "!!float", "!!bool", "!!null", "!!timestamp", "!!binary", "!!set"]
TAGS += ["!!omap", "!!seq", "!!map", "!foo", "!!python/name:os.system", "!!merge"]
VALUES = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "#FFFFFF", '"#FFFFFF"', "[]", "{}", "~", "-1", "1e999", ".nan", "[[["]),
    st.sampled_from(["../x.ttf", "/etc/passwd", "logo.png", "Nope.ttf", "&a 1", "*a", "? x"]),
    st.integers(-(10**6), 10**6).map(str),
    st.floats(allow_nan=True).map(str),
)
KEYS = st.one_of(
    st.sampled_from(["name", "fonts", "sizes", "colours", "colors", "logo", "body", "regular"]),
    st.text(max_size=8),
)
LINES = PROJECTOR.split("\n")


@st.composite
def mutated_projector(draw: st.DrawFn) -> str:
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "value", "tag", "insert"]))
        line = lines[at]
        indent = line[: len(line) - len(line.lstrip())]
        if action == "delete":
            del lines[at]
        elif action == "value" and ":" in line:
            lines[at] = line.split(":", 1)[0] + ": " + draw(VALUES)
        elif action == "tag" and ":" in line:
            key, value = line.split(":", 1)
            lines[at] = f"{key}: {draw(st.sampled_from(TAGS))} {value.strip()}"
        else:
            lines.insert(at, f"{indent}{draw(KEYS)}: {draw(VALUES)}")
        if not lines:
            lines = [""]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "logo.png").write_bytes(_png(8, 8))
    return folder


@given(text=mutated_projector())
def test_mutated_themes_never_make_load_theme_raise(fuzz_dir: Path, text: str) -> None:
    path = fuzz_dir / "fuzz.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    theme, diags = load_theme(path)
    assert (theme is None) == any(d.severity == "error" for d in diags)
    for d in diags:
        assert d.path == str(path) and d.pos.line >= 1 and d.pos.col >= 1
