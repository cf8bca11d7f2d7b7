"""Pygments tokens -> coloured spans (Pandoc's formatToken). Nothing else imports pygments."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from pygments.lexer import Lexer
from pygments.style import StyleMeta
from pygments.token import Token, _TokenType, is_token_subtype

from deckbuild.services.colour import readable
from deckbuild.services.spans import CodeLines, Line, Span, Style

TAB_SIZE = 4


#: Fence names that Pygments calls otherwise, or that deckbuild highlights with a more
#: general lexer (HEEx templates as HTML, JSX as JavaScript).
LEXER_ALIASES: dict[str, str] = {
    "heex": "html",
    "eex": "html",
    "leex": "html",
    "xml": "html",
    "svg": "html",
    "jsx": "javascript",
    "tsx": "typescript",
    "terminal": "console",
}


def _lexer_class(lang: str) -> type[Lexer] | None:
    """The lexer Pygments registers for a fence's language, None when it has none.

    Only Pygments' own lexers are looked up: on a miss, ``find_lexer_class_by_name``
    would scan every installed package for plugins (importlib.metadata, 15-100 ms)."""
    from pygments.lexers import LEXERS, find_lexer_class_by_name

    name = LEXER_ALIASES.get(lang.lower(), lang.lower())
    if not name or not any(name in aliases for _, _, aliases, _, _ in LEXERS.values()):
        return None
    return find_lexer_class_by_name(name)


@cache
def _lexer(lang: str) -> Lexer | None:
    cls = _lexer_class(lang)
    # stripnl=False keeps leading blank lines, so line numbers match the manual.
    return cls(stripnl=False, ensurenl=False, tabsize=TAB_SIZE) if cls else None


def style_names() -> list[str]:
    from pygments.styles import get_all_styles

    return sorted(get_all_styles())


def is_style(name: str) -> bool:
    """Whether Pygments has a style called ``name``. Its own styles are known without
    scanning every installed package for plugin styles (importlib.metadata, ~15 ms)."""
    from pygments.styles import STYLE_MAP

    return name in STYLE_MAP or name in style_names()


def style_colours(name: str) -> set[str]:
    """The ``#RRGGBB`` text colours a Pygments style uses."""
    out: set[str] = set()
    for ttype, spec in _style(name):
        colour = spec.get("color")
        # Whitespace is never seen, however faint its colour.
        if isinstance(colour, str) and colour and not _is_whitespace(ttype):
            out.add(f"#{colour.upper()}")
    return out


def _is_whitespace(ttype: _TokenType) -> bool:
    return is_token_subtype(ttype, Token.Text.Whitespace)


@cache
def _style(name: str) -> StyleMeta:
    from pygments.styles import get_style_by_name

    return get_style_by_name(name)


@cache
def _token_style(style_name: str, ttype: _TokenType, background: str, ratio: float) -> Style:
    spec = _style(style_name).style_for_token(ttype)
    raw = spec.get("color")
    colour = f"#{raw.upper()}" if isinstance(raw, str) and raw else None
    if colour is not None:
        colour = readable(colour, background, ratio)
    return Style(
        bold=bool(spec.get("bold")), italic=bool(spec.get("italic")), mono=True, colour=colour
    )


def _tokens(code: str, lang: str) -> Iterator[tuple[_TokenType, str]]:
    lexer = _lexer(lang)
    if lexer is None:
        yield Token.Text, code
        return
    yield from lexer.get_tokens(code)


def highlight(
    code: str, lang: str, style: str, background: str, min_contrast: float = 4.5
) -> CodeLines:
    """Tokenise ``code``; adjacent tokens of one style merge into one span.

    Token colours are darkened (or lightened) until they reach ``min_contrast`` against
    the code background, so highlighting stays legible on a projector and in grey print.
    """
    code = code.expandtabs(TAB_SIZE)
    lines: list[list[Span]] = [[]]
    # Console lexers (iex) emit an output line only at its newline, so a block that ends
    # without one would lose its last line; the extra line is cut below.
    for ttype, value in _tokens(code + "\n", lang):
        st = _token_style(style, ttype, background, min_contrast)
        parts = value.split("\n")
        for i, part in enumerate(parts):
            if i:
                lines.append([])
            if not part:
                continue
            current = lines[-1]
            if current and current[-1].style == st:
                current[-1] = Span(current[-1].text + part, st)
            else:
                current.append(Span(part, st))
    # Pygments may add a final newline we did not ask for; the source's lines rule.
    want = code.count("\n") + 1
    out: list[Line] = [tuple(line) for line in lines[:want]]
    while len(out) < want:
        out.append(())
    return CodeLines(lang, tuple(out))
