"""Themes: YAML -> a frozen Theme, validated once, with file:line:col for every problem.

The theme is the only source of fonts, sizes, colours and geometry; writers never hard-code
them. Font files come from the theme's folder or from the fonts shipped in this package,
never from the machine's font folders, so measurements are the same everywhere.

A theme may come from anyone, so everything it names is checked here, once: a font file
must be TrueType with the basic Latin letters and digits, a logo a PNG or JPEG that
decodes, and neither may lead outside its folder. The writers can then trust the theme:
whatever is wrong with it is an error with the theme's file:line:col, never a crash later.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import string
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePath
from typing import Any

import yaml

from deckbuild import diagnostics
from deckbuild.diagnostics import Diagnostic
from deckbuild.services import measure, yaml_nodes
from deckbuild.services.colour import contrast

PACKAGE_FONTS = (Path(__file__).parent / "fonts").resolve()
#: A theme is a page of settings; refuse anything that could only be a mistake.
MAX_THEME = 256 * 1024
#: A logo is a few hundred pixels across; more than this is a mistake or a
#: decompression bomb (a small file that decodes to gigabytes).
MAX_LOGO_PIXELS = 40_000_000
#: The largest font file read (the bundled CJK fallback is 4 MB).
MAX_FONT_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class FontFace:
    """A family as office apps name it, and the TrueType files that draw and measure it."""

    name: str
    regular: str
    bold: str
    italic: str
    bold_italic: str

    def file(self, bold: bool = False, italic: bool = False) -> str:
        if bold and italic:
            return self.bold_italic
        if bold:
            return self.bold
        if italic:
            return self.italic
        return self.regular


@dataclass(frozen=True, slots=True)
class Colours:
    """``#RRGGBB`` strings."""

    background: str = "#FFFFFF"
    text: str = "#1F2328"
    accent: str = "#4B2E83"
    muted: str = "#57606A"
    code_background: str = "#F6F8FA"
    code_text: str = "#1F2328"
    rule: str = "#D0D7DE"


@dataclass(frozen=True, slots=True)
class Sizes:
    """Points."""

    title: float = 36
    subtitle: float = 24
    body: float = 24
    body_min: float = 18
    code: float = 16
    code_min: float = 12
    notes: float = 12
    footer: float = 10
    pdf_body: float = 10.5
    pdf_code: float = 8.5


_DEFAULT_FONT_FILES = {
    "sans": (
        "Arial",
        "LiberationSans-Regular.ttf",
        "LiberationSans-Bold.ttf",
        "LiberationSans-Italic.ttf",
        "LiberationSans-BoldItalic.ttf",
    ),
    "mono": (
        "Courier New",
        "LiberationMono-Regular.ttf",
        "LiberationMono-Bold.ttf",
        "LiberationMono-Italic.ttf",
        "LiberationMono-BoldItalic.ttf",
    ),
}


def _face(kind: str) -> FontFace:
    name, *files = _DEFAULT_FONT_FILES[kind]
    return FontFace(name, *(os.fspath(PACKAGE_FONTS / f) for f in files))


@dataclass(frozen=True, slots=True)
class Fonts:
    heading: FontFace = field(default_factory=lambda: _face("sans"))
    body: FontFace = field(default_factory=lambda: _face("sans"))
    code: FontFace = field(default_factory=lambda: _face("mono"))
    #: Tried in order for characters the main face lacks (symbols, emoji, CJK).
    fallback: tuple[str, ...] = field(
        default_factory=lambda: tuple(
            os.fspath(PACKAGE_FONTS / f)
            for f in ("DejaVuSans.ttf", "NotoEmoji-Regular.ttf", "DroidSansFallbackFull.ttf")
        )
    )


@dataclass(frozen=True, slots=True)
class Theme:
    name: str = "default"
    #: Slide size in inches.
    slide_width: float = 13.333
    slide_height: float = 7.5
    fonts: Fonts = field(default_factory=Fonts)
    sizes: Sizes = field(default_factory=Sizes)
    colours: Colours = field(default_factory=Colours)
    #: Pygments style for the deck, and for the PDFs (which must survive grey printing).
    code_style: str = "default"
    print_code_style: str = "default"
    #: "A4" or "Letter"; margins in millimetres.
    page_size: str = "A4"
    margin_mm: float = 18
    logo: str | None = None


DEFAULT = Theme()

# --------------------------------------------------------------------------- loading

_SLIDE_SIZES = {"16:9": (13.333, 7.5), "4:3": (10.0, 7.5)}


class _Invalid(Exception):
    def __init__(self, message: str, node: yaml.Node | None, col: int | None = None) -> None:
        super().__init__(message)
        self.node = node
        #: A 1-based column on the node's line, when the node's own is not the place.
        self.col = col


def _at(
    node: yaml.Node | None, path: str, message: str, severity: str = "error", col: int | None = None
) -> Diagnostic:
    line = node.start_mark.line + 1 if node is not None else 1
    if col is None:
        col = node.start_mark.column + 1 if node is not None else 1
    make = diagnostics.error if severity == "error" else diagnostics.warning
    return make(message, line, col, path)


def _clip(text: str, limit: int = 60) -> str:
    """``text`` shortened for a message: a key, value or file name may be any length."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _shown(text: str) -> str:
    return repr(_clip(text))


def _mapping(node: yaml.Node) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    if not isinstance(node, yaml.MappingNode):
        raise _Invalid("expected a mapping", node)
    for key, _value in node.value:
        if not isinstance(key, yaml.ScalarNode):
            raise _Invalid("expected a name as the key", key)
    return {str(k.value): (k, v) for k, v in node.value}


def _scalar(node: yaml.Node, kind: str) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        raise _Invalid(f"expected {kind}", node)
    return yaml_nodes.scalar(node)


#: ``#`` and a colour, as YAML reads as a comment when it is not quoted.
_COMMENTED_COLOUR = re.compile(r"#[0-9A-Fa-f]{3,8}\b")


def _commented_colour(node: yaml.Node) -> tuple[str, int] | None:
    """For an empty value, ``background: #FFFFFF`` (a comment to YAML) quoted as it should
    have been written, and the 1-based column of its ``#``; None when that is not it."""
    mark = node.start_mark
    buffer = getattr(mark, "buffer", None)
    if not isinstance(buffer, str):
        return None
    start = buffer.rfind("\n", 0, mark.pointer) + 1
    end = buffer.find("\n", mark.pointer)
    found = _COMMENTED_COLOUR.search(buffer, mark.pointer, len(buffer) if end < 0 else end)
    if found is None:
        return None
    written = buffer[start : found.start()].strip()
    return f'{written} "{found.group()}"', found.start() - start + 1


def _colour(node: yaml.Node) -> str:
    value = _scalar(node, "a colour")
    if value is None:
        commented = _commented_colour(node)
        if commented is not None:
            quoted, col = commented
            raise _Invalid(
                f"no colour: YAML reads an unquoted # as the start of a comment; "
                f"quote the colour: {quoted}",
                node,
                col,
            )
        raise _Invalid("no colour given: expected #RRGGBB", node)
    if not (
        isinstance(value, str)
        and len(value) == 7
        and value[0] == "#"
        and all(c in "0123456789abcdefABCDEF" for c in value[1:])
    ):
        raise _Invalid(f"bad colour {_clip(repr(value))}: expected #RRGGBB", node)
    return value.upper()


def _number(lo: float, hi: float, why: str = "") -> Callable[[yaml.Node], float]:
    """A number from ``lo`` to ``hi``; ``why`` says what the maximum is for."""

    def read(node: yaml.Node) -> float:
        value = _scalar(node, "a number")
        if value is None:
            raise _Invalid("expected a number, got nothing", node)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _Invalid(f"expected a number, got {_clip(repr(value))}", node)
        if not lo <= value <= hi:
            reason = f": {why}" if why and value > hi else ""
            raise _Invalid(f"{value} is out of range ({lo:g}–{hi:g}){reason}", node)
        return float(value)

    return read


def _string(node: yaml.Node) -> str:
    value = _scalar(node, "text")
    if not isinstance(value, str) or not value.strip():
        raise _Invalid("expected text", node)
    return value


def _is_pygments_style(name: str) -> bool:
    from deckbuild.services.highlight import is_style

    return is_style(name)


#: Every key a font face may have; only ``name`` and ``regular`` are required.
_FACE_KEYS = frozenset({"name", "regular", "bold", "italic", "bold_italic"})
#: Page widths in points, as reportlab has them.
_PAGE_WIDTH = {"A4": 595.2756, "Letter": 612.0}
#: The handout's column must hold a line of this many ems of text, and of this many
#: characters of code (a monospaced character is 0.6 em wide); reportlab cannot set a
#: table row, a contents line or a code listing that is wider or taller than its page, so
#: larger type fails the build. The column's width, not its height, is the narrower bound.
_COLUMN_EMS, _CODE_CHARS = 20, 40
#: However wide the page, handout type larger than this is a mistake.
_PDF_BODY_MAX, _PDF_CODE_MAX = 24, 16


def _size_fields(page_size: str, margin_mm: float) -> dict[str, Callable[[yaml.Node], Any]]:
    """Each size's reader. The floors are the spec's readability bars: a theme may raise
    them, never lower them. The handout's sizes are bounded by its page and margins; the
    slides' are not (the deck shrinks, wraps and splits whatever does not fit)."""
    column = _PAGE_WIDTH[page_size] - 2 * margin_mm * 72 / 25.4
    where = f"the handout's text column ({page_size}, {margin_mm:g} mm margins)"
    return {
        **{name: _number(6, 96) for name in Sizes.__dataclass_fields__},
        "body_min": _number(18, 96),
        "code_min": _number(12, 96),
        "pdf_body": _number(
            6,
            _half_points(min(_PDF_BODY_MAX, column / _COLUMN_EMS)),
            f"larger type does not fit {where}",
        ),
        "pdf_code": _number(
            6,
            _half_points(min(_PDF_CODE_MAX, column / (_CODE_CHARS * 0.6))),
            f"a line of {_CODE_CHARS} characters of larger code does not fit {where}",
        ),
    }


def _half_points(size: float) -> float:
    """``size`` rounded down to a half point."""
    return int(size * 2) / 2


_COLOUR_FIELDS: dict[str, Callable[[yaml.Node], Any]] = dict.fromkeys(
    Colours.__dataclass_fields__, _colour
)


def _style(node: yaml.Node) -> str:
    name = _string(node)
    if not _is_pygments_style(name):
        raise _Invalid(f"unknown Pygments style {name!r}", node)
    return name


def _slide_size(node: yaml.Node) -> str:
    value = str(_scalar(node, "a slide size"))
    if value not in _SLIDE_SIZES:
        raise _Invalid(f"slide size must be one of {', '.join(_SLIDE_SIZES)}", node)
    return value


def _page_size(node: yaml.Node) -> str:
    value = _string(node)
    for known in ("A4", "Letter"):
        if value.lower() == known.lower():
            return known
    raise _Invalid("page size must be A4 or Letter", node)


def _read_as_section(node: yaml.Node) -> None:
    """A section's key at the top level: its entries are read by ``_ThemeReader.section``."""


def load_theme(path: Path) -> tuple[Theme | None, tuple[Diagnostic, ...]]:
    """Read and validate a theme file. None (with errors) when it is not usable."""
    shown = os.fspath(path)
    root, unreadable = _parse(path, shown)
    if unreadable is not None:
        return None, (unreadable,)
    if root is None:
        return DEFAULT, ()
    try:
        top = _mapping(root)
    except _Invalid as exc:
        return None, (_at(exc.node, shown, f"theme: {exc}"),)
    reader = _ThemeReader(top, shown, path.parent)
    theme = reader.theme(default_name=path.stem)
    diags = reader.diags
    diags.extend(_readability(theme, top, root, shown))
    if not diagnostics.has_errors(diags):
        diags.extend(_code_contrast(theme, top, shown))
    if diagnostics.has_errors(diags):
        return None, tuple(diags)
    return theme, tuple(diags)


def _parse(path: Path, shown: str) -> tuple[yaml.Node | None, Diagnostic | None]:
    """The theme file's YAML node tree (None for an empty file), or why it has none."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return None, diagnostics.error(f"cannot read theme: {exc}", 1, 1, shown)
    if len(text) > MAX_THEME:
        return None, diagnostics.error(f"theme is larger than {MAX_THEME // 1024} KiB", 1, 1, shown)
    try:
        # Aliases could make validation walk one node exponentially often: refused.
        _, root = yaml_nodes.load(text)
    except RecursionError:  # yaml_nodes refuses deep nesting first; this is a backstop
        return None, diagnostics.error("theme nests too deeply", 1, 1, shown)
    except yaml.YAMLError as exc:
        problem, line, col = yaml_nodes.problem(exc)
        message = f"theme is not valid YAML: {problem}"
        if problem in (yaml_nodes.ALIAS_REFUSED, yaml_nodes.DEPTH_REFUSED):
            message = f"{problem} in themes"
        return None, diagnostics.error(message, line, col, shown)
    return root, None


class _ThemeReader:
    """Reads a theme's top-level mapping into a Theme, noting every problem on the way.

    A bad entry is reported and left at its default, so one run lists all of a theme's
    mistakes: first the top-level keys in file order, then the fonts, sizes and colours
    sections, each in file order.
    """

    def __init__(
        self, top: dict[str, tuple[yaml.Node, yaml.Node]], shown: str, folder: Path
    ) -> None:
        self.top = top
        self.shown = shown
        #: Font files and the logo are looked up relative to the theme's own folder.
        self.folder = folder
        self.diags: list[Diagnostic] = []

    def theme(self, default_name: str) -> Theme:
        settings = self.entries(self.top, self.top_level_fields())
        fonts = self.section(
            "fonts",
            {"heading": self.face, "body": self.face, "code": self.face, "fallback": self.fallback},
        )
        page = settings.get("page_size", DEFAULT.page_size)
        margin = settings.get("margin_mm", DEFAULT.margin_mm)
        sizes = self.section("sizes", _size_fields(page, margin))
        colours = self.section("colours" if "colours" in self.top else "colors", _COLOUR_FIELDS)
        width, height = _SLIDE_SIZES[settings.get("slide_size", "16:9")]
        return Theme(
            name=settings.get("name", default_name),
            slide_width=width,
            slide_height=height,
            fonts=Fonts(**fonts),
            sizes=Sizes(**sizes),
            colours=Colours(**colours),
            code_style=settings.get("code_style", DEFAULT.code_style),
            print_code_style=settings.get("print_code_style", DEFAULT.print_code_style),
            page_size=page,
            margin_mm=margin,
            logo=settings.get("logo"),
        )

    def top_level_fields(self) -> dict[str, Callable[[yaml.Node], Any]]:
        return {
            "name": _string,
            "slide_size": _slide_size,
            "fonts": _read_as_section,
            "sizes": _read_as_section,
            "colours": _read_as_section,
            "colors": _read_as_section,
            "code_style": _style,
            "print_code_style": _style,
            "page_size": _page_size,
            "margin_mm": _number(5, 50),
            "logo": self.logo,
        }

    def section(self, name: str, fields: dict[str, Callable[[yaml.Node], Any]]) -> dict[str, Any]:
        """The valid entries of the top-level section ``name``; empty when it is absent."""
        if name not in self.top:
            return {}
        try:
            entries = _mapping(self.top[name][1])
        except _Invalid as exc:
            self.diags.append(_at(exc.node, self.shown, f"{name}: {exc}", col=exc.col))
            return {}
        return self.entries(entries, fields, section=name)

    def entries(
        self,
        entries: dict[str, tuple[yaml.Node, yaml.Node]],
        fields: dict[str, Callable[[yaml.Node], Any]],
        section: str = "",
    ) -> dict[str, Any]:
        """Each known key's value as its field reads it; a diagnostic for every other key."""
        out: dict[str, Any] = {}
        within = f" in {section!r}" if section else ""
        prefix = f"{section}." if section else ""
        for key, (key_node, value_node) in entries.items():
            if key not in fields:
                expected = ", ".join(sorted(fields))
                message = f"unknown key {_shown(key)}{within} (expected one of: {expected})"
                self.diags.append(_at(key_node, self.shown, message))
                continue
            try:
                out[key] = fields[key](value_node)
            except _Invalid as exc:
                message = f"{prefix}{key}: {exc}"
                self.diags.append(_at(exc.node, self.shown, message, col=exc.col))
        return out

    def font_file(self, node: yaml.Node, latin: bool = True) -> str:
        """A TrueType file in the theme's folder or the bundled fonts. A face's files must
        draw basic Latin; a fallback's need not (it is there for what the face lacks)."""
        name = _string(node)
        where = "the theme's folder or the bundled fonts"
        _refuse_escape(name, "font file", where, node)
        for root in (self.folder, PACKAGE_FONTS):
            found = _locate(name, root, "font file", where, node)
            if found is None:
                continue
            # The bundled fonts are known good: the build tests draw with every one.
            problem = None if root is PACKAGE_FONTS else _font_problem(found, latin)
            if problem is not None:
                raise _Invalid(f"font file {_shown(name)} {problem}", node)
            return found
        raise _Invalid(
            f"font file {_shown(name)} not found in {os.fspath(self.folder)} or the bundled fonts",
            node,
        )

    def face(self, node: yaml.Node) -> FontFace:
        """A font face; a missing style falls back to the regular file (bold italic to bold)."""
        entries = _mapping(node)
        for key, (key_node, _value) in entries.items():
            if key not in _FACE_KEYS:
                raise _Invalid(
                    f"unknown key {key!r} (expected one of: {', '.join(sorted(_FACE_KEYS))})",
                    key_node,
                )
        if "name" not in entries or "regular" not in entries:
            raise _Invalid("a font needs 'name' and 'regular'", node)
        regular = self.font_file(entries["regular"][1])
        files = {
            style: self.font_file(entries[style][1]) if style in entries else regular
            for style in ("bold", "italic", "bold_italic")
        }
        if "bold_italic" not in entries and "bold" in entries:
            files["bold_italic"] = files["bold"]
        return FontFace(
            _string(entries["name"][1]),
            regular,
            files["bold"],
            files["italic"],
            files["bold_italic"],
        )

    def fallback(self, node: yaml.Node) -> tuple[str, ...]:
        if not isinstance(node, yaml.SequenceNode):
            raise _Invalid("expected a list of font files", node)
        return tuple(self.font_file(n, latin=False) for n in node.value)

    def logo(self, node: yaml.Node) -> str:
        name = _string(node)
        _refuse_escape(name, "logo", "the theme's folder", node)
        if PurePath(name).suffix.lower() not in {".png", ".jpg", ".jpeg"}:
            raise _Invalid("logo must be a PNG or JPEG file", node)
        target = _locate(name, self.folder, "logo", "the theme's folder", node)
        if target is None:
            raise _Invalid(f"logo {_shown(name)} not found", node)
        problem = _image_problem(target)
        if problem is not None:
            raise _Invalid(f"logo {_shown(name)} {problem}", node)
        return target


# --------------------------------------------------------------------------- files

#: The longest file name (one path component) that file systems allow, in bytes.
_NAME_MAX = 255


def _refuse_escape(name: str, what: str, where: str, node: yaml.Node) -> None:
    """Refuse a name that could lead outside its folder, before any file is looked at."""
    parts = PurePath(name).parts
    try:
        valid = "\0" not in name and all(len(os.fsencode(part)) <= _NAME_MAX for part in parts)
    except UnicodeError:  # a lone surrogate, which no file name can hold
        valid = False
    if not valid:
        raise _Invalid(f"{what} name {_shown(name)} is not a valid file name", node)
    if PurePath(name).is_absolute() or ".." in parts:
        raise _Invalid(f"{what} {_shown(name)} must be inside {where}", node)


def _locate(name: str, root: Path, what: str, where: str, node: yaml.Node) -> str | None:
    """The real path of the regular file ``root/name``; None when there is none.

    Nothing is opened: a symbolic link that leads outside ``root`` is refused, as is a
    loop of links, and a FIFO or device is not a file.
    """
    base = os.path.realpath(root)
    target = os.path.realpath(root / name)
    if os.path.commonpath([base, target]) != base:
        raise _Invalid(f"{what} {_shown(name)} must be inside {where} (it links outside)", node)
    try:
        info = Path(target).stat()
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return None
        if exc.errno == errno.ELOOP:
            raise _Invalid(f"{what} {_shown(name)} is a loop of symbolic links", node) from None
        raise _Invalid(f"cannot read {what} {_shown(name)}: {exc.strerror}", node) from None
    return target if stat.S_ISREG(info.st_mode) else None


#: A face must draw these: most of any text is made of them.
_BASIC_LATIN = string.ascii_letters + string.digits
#: The tables that measuring (``measure``) and embedding (reportlab's subsetter) read.
_FONT_TABLES = (b"cmap", b"glyf", b"head", b"hhea", b"hmtx", b"loca", b"maxp", b"name", b"post")


def _font_problem(path: str, latin: bool) -> str | None:
    """Why the writers could not use this font file, worded to follow its name; None when
    they can. The file's bytes never appear in the answer."""
    try:
        info = Path(path).stat()
    except OSError as exc:
        return f"cannot be read: {exc.strerror}"
    return _font_problem_of(path, info.st_size, info.st_mtime_ns, latin)


@cache
def _font_problem_of(path: str, size: int, mtime_ns: int, latin: bool) -> str | None:
    if size > MAX_FONT_BYTES:
        return f"is larger than {MAX_FONT_BYTES // (1024 * 1024)} MiB"
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return f"cannot be read: {exc.strerror}"
    if data[:4] == b"OTTO":
        return "has PostScript (CFF) outlines; only TrueType fonts can be embedded in PDFs"
    if data[:4] != b"ttcf":  # a collection's first font is checked by measuring it
        problem = _sfnt_problem(data)
        if problem is not None:
            return problem
    try:
        metrics = measure.metrics(path)
    except Exception:  # noqa: BLE001 - reportlab's parser (measure's fallback) raises many kinds
        return "is not a TrueType font file"
    missing = [ch for ch in _BASIC_LATIN if not metrics.covers(ch)] if latin else []
    if missing:
        return f"has no glyphs for {''.join(missing[:12])}{'…' if len(missing) > 12 else ''}"
    return None


def _sfnt_problem(data: bytes) -> str | None:
    """What is wrong with a TrueType file's header and table directory; None if nothing."""
    if len(data) < 12 or data[:4] not in (b"\x00\x01\x00\x00", b"true"):
        return "is not a TrueType font file"
    count = int.from_bytes(data[4:6], "big")
    tables: dict[bytes, tuple[int, int]] = {}
    for k in range(count):
        record = data[12 + 16 * k : 28 + 16 * k]
        if len(record) < 16:
            return "is cut short (its table directory is incomplete)"
        offset, length = int.from_bytes(record[8:12], "big"), int.from_bytes(record[12:], "big")
        if offset + length > len(data):
            return "is cut short (a table lies past its end)"
        tables[record[:4]] = (offset, length)
    missing = [tag.decode() for tag in _FONT_TABLES if tag not in tables]
    if missing:
        return f"is not a complete TrueType font (no {', '.join(missing)} table)"
    if b"OS/2" in tables and tables[b"OS/2"][1] >= 10 and tables[b"maxp"][1] >= 6:
        # reportlab refuses to embed a font of over 255 glyphs whose licence forbids it.
        os2, maxp = tables[b"OS/2"][0], tables[b"maxp"][0]
        fs_type = int.from_bytes(data[os2 + 8 : os2 + 10], "big")
        glyphs = int.from_bytes(data[maxp + 4 : maxp + 6], "big")
        if (fs_type == 0x0002 or fs_type & 0x0300) and glyphs > 0xFF:
            return "does not allow embedding (its licence flags forbid it)"
    return None


def _image_problem(path: str) -> str | None:
    """Why this file is not a PNG or JPEG logo the writers can use; None when it is one.

    It is decoded in full here, under a pixel limit, so that a truncated or corrupt image
    (or a decompression bomb) is a theme error rather than a crash in the writers.
    """
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=("PNG", "JPEG")) as image:
                width, height = image.size
                if width * height > MAX_LOGO_PIXELS:
                    return _too_many_pixels(f"is {width}×{height} pixels")
                image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return _too_many_pixels("has too many pixels")
    except Exception:  # noqa: BLE001 - Pillow's decoders raise many kinds for a damaged file
        return "is not a readable PNG or JPEG image (empty, damaged or another format)"
    return None


def _too_many_pixels(what: str) -> str:
    return f"{what}; a logo may have at most {MAX_LOGO_PIXELS // 1_000_000} megapixels"


def _readability(
    theme: Theme, top: dict[str, tuple[yaml.Node, yaml.Node]], root: yaml.Node, shown: str
) -> list[Diagnostic]:
    """Errors for colours too alike to read and for sizes below their minimums.

    They point at the section concerned, or at the document when the section is absent.
    """
    out: list[Diagnostic] = []
    colours = theme.colours
    for fg, bg, what in (
        (colours.text, colours.background, "text on background"),
        (colours.code_text, colours.code_background, "code text on code background"),
        (colours.muted, colours.background, "muted text on background"),
    ):
        ratio = contrast(fg, bg)
        if ratio < 4.5:
            node = top.get("colours", top.get("colors", (None, root)))[1]
            message = f"contrast of {what} is {ratio:.2f}:1; at least 4.5:1 is needed"
            out.append(_at(node, shown, message))
    if theme.sizes.body < theme.sizes.body_min or theme.sizes.code < theme.sizes.code_min:
        node = top.get("sizes", (None, root))[1]
        out.append(_at(node, shown, "sizes: body/code must be at least their minimums"))
    return out


def _code_contrast(
    theme: Theme, top: dict[str, tuple[yaml.Node, yaml.Node]], shown: str
) -> list[Diagnostic]:
    """Warn when a Pygments style's colours are too faint on the code background.

    The highlighter darkens such colours itself, so this is a warning: the output stays
    legible, but it will not look exactly like the style.
    """
    from deckbuild.services.highlight import style_colours

    out: list[Diagnostic] = []
    for key, style, background in (
        ("code_style", theme.code_style, theme.colours.code_background),
        ("print_code_style", theme.print_code_style, "#FFFFFF"),
    ):
        faint = sorted(c for c in style_colours(style) if contrast(c, background) < 4.5)
        if faint:
            node = top.get(key, (None, None))[1]
            out.append(
                _at(
                    node,
                    shown,
                    f"{key} {style!r}: {len(faint)} colour(s) below 4.5:1 on "
                    f"{background} ({', '.join(faint[:4])}); they will be darkened",
                    "warning",
                )
            )
    return out
