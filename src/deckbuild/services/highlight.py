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


def _lexer_class(lang: str) -> type[Lexer] | None:
    """Direct imports: Pygments' name lookup scans every plugin and costs ~100 ms."""
    lang = lang.lower()
    if lang in {"elixir", "ex", "exs"}:
        from pygments.lexers.erlang import ElixirLexer

        return ElixirLexer
    if lang == "iex":
        from pygments.lexers.erlang import ElixirConsoleLexer

        return ElixirConsoleLexer
    if lang in {"heex", "eex", "leex", "html", "xml", "svg"}:
        from pygments.lexers.html import HtmlLexer

        return HtmlLexer
    if lang in {"javascript", "js", "jsx", "mjs"}:
        from pygments.lexers.javascript import JavascriptLexer

        return JavascriptLexer
    if lang in {"typescript", "ts", "tsx"}:
        from pygments.lexers.javascript import TypeScriptLexer

        return TypeScriptLexer
    if lang in {"bash", "sh", "shell", "zsh"}:
        from pygments.lexers.shell import BashLexer

        return BashLexer
    if lang in {"console", "shell-session", "terminal"}:
        from pygments.lexers.shell import BashSessionLexer

        return BashSessionLexer
    if lang == "erlang":
        from pygments.lexers.erlang import ErlangLexer

        return ErlangLexer
    if lang == "json":
        from pygments.lexers.data import JsonLexer

        return JsonLexer
    if lang in {"yaml", "yml"}:
        from pygments.lexers.data import YamlLexer

        return YamlLexer
    if lang == "sql":
        from pygments.lexers.sql import SqlLexer

        return SqlLexer
    if lang == "css":
        from pygments.lexers.css import CssLexer

        return CssLexer
    if lang in {"python", "py"}:
        from pygments.lexers.python import PythonLexer

        return PythonLexer
    if lang == "diff":
        from pygments.lexers.diff import DiffLexer

        return DiffLexer
    if lang == "toml":
        from pygments.lexers.configs import TOMLLexer

        return TOMLLexer
    return None


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
