"""Themes: YAML -> a frozen Theme, validated once, with file:line:col for every problem.

The theme is the only source of fonts, sizes, colours and geometry; writers never hard-code
them. Font files come from the theme's folder or from the fonts shipped in this package,
never from the machine's font folders, so measurements are the same everywhere.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from deckbuild import diagnostics
from deckbuild.diagnostics import Diagnostic
from deckbuild.services import yaml_nodes
from deckbuild.services.colour import contrast

PACKAGE_FONTS = (Path(__file__).parent / "fonts").resolve()
#: A theme is a page of settings; refuse anything that could only be a mistake.
MAX_THEME = 256 * 1024


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
    def __init__(self, message: str, node: yaml.Node | None) -> None:
        super().__init__(message)
        self.node = node


def _at(node: yaml.Node | None, path: str, message: str, severity: str = "error") -> Diagnostic:
    line = node.start_mark.line + 1 if node is not None else 1
    col = node.start_mark.column + 1 if node is not None else 1
    make = diagnostics.error if severity == "error" else diagnostics.warning
    return make(message, line, col, path)


def _mapping(node: yaml.Node) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    if not isinstance(node, yaml.MappingNode):
        raise _Invalid("expected a mapping", node)
    return {str(k.value): (k, v) for k, v in node.value}


def _scalar(node: yaml.Node, kind: str) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        raise _Invalid(f"expected {kind}", node)
    return yaml.safe_load(yaml.serialize(node))


def _colour(node: yaml.Node) -> str:
    value = _scalar(node, "a colour")
    if not (
        isinstance(value, str)
        and len(value) == 7
        and value[0] == "#"
        and all(c in "0123456789abcdefABCDEF" for c in value[1:])
    ):
        raise _Invalid(f"bad colour {value!r}: expected #RRGGBB", node)
    return value.upper()


def _number(lo: float, hi: float) -> Callable[[yaml.Node], float]:
    def read(node: yaml.Node) -> float:
        value = _scalar(node, "a number")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _Invalid(f"expected a number, got {value!r}", node)
        if not lo <= value <= hi:
            raise _Invalid(f"{value} is out of range ({lo}–{hi})", node)
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
# The floors are the spec's readability bars: a theme may raise them, never lower them.
_SIZE_FIELDS: dict[str, Callable[[yaml.Node], Any]] = {
    **{name: _number(6, 96) for name in Sizes.__dataclass_fields__},
    "body_min": _number(18, 96),
    "code_min": _number(12, 96),
}
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
    except yaml.YAMLError as exc:
        problem, line, col = yaml_nodes.problem(exc)
        message = f"theme is not valid YAML: {problem}"
        if problem == yaml_nodes.ALIAS_REFUSED:
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
        sizes = self.section("sizes", _SIZE_FIELDS)
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
            page_size=settings.get("page_size", DEFAULT.page_size),
            margin_mm=settings.get("margin_mm", DEFAULT.margin_mm),
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
            self.diags.append(_at(exc.node, self.shown, f"{name}: {exc}"))
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
                message = f"unknown key {key!r}{within} (expected one of: {expected})"
                self.diags.append(_at(key_node, self.shown, message))
                continue
            try:
                out[key] = fields[key](value_node)
            except _Invalid as exc:
                self.diags.append(_at(exc.node, self.shown, f"{prefix}{key}: {exc}"))
        return out

    def font_file(self, node: yaml.Node) -> str:
        name = _string(node)
        for candidate in (self.folder / name, PACKAGE_FONTS / name):
            if candidate.is_file():
                return os.fspath(candidate.resolve())
        raise _Invalid(
            f"font file {name!r} not found in {os.fspath(self.folder)} or the bundled fonts", node
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
        return tuple(self.font_file(n) for n in node.value)

    def logo(self, node: yaml.Node) -> str:
        name = _string(node)
        target = (self.folder / name).resolve()
        if self.folder.resolve() not in target.parents:
            raise _Invalid(f"logo {name!r} must be inside the theme's folder", node)
        if target.suffix.lower() not in {".png", ".jpg", ".jpeg"}:
            raise _Invalid("logo must be a PNG or JPEG file", node)
        if not target.is_file():
            raise _Invalid(f"logo {name!r} not found", node)
        return os.fspath(target)


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
