"""The handout's typography: faces, text styles and measures derived from the theme, and
plan text made ready to set (``printable``). Shared by the story, the handout's flowables
and the page furniture.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from deckbuild.services import measure
from deckbuild.services.spans import Line, Span, Style
from deckbuild.theme import Theme
from deckbuild.writers import _pdf
from deckbuild.writers._pdf import Lines, TextStyle

#: Inline code up to this length never breaks at its spaces (a call like ``Repo.get(User, id)``
#: reads as one token); longer snippets may break between their words, never inside one.
_NOBREAK_CODE = 40


@dataclass(frozen=True, slots=True)
class Typography:
    """Theme-derived faces, text styles and measures, made once per build."""

    theme: Theme
    heading: _pdf.Face
    body: _pdf.Face
    code: _pdf.Face
    page: tuple[float, float]
    margin: float
    width: float
    frame_height: float
    styles: dict[str, TextStyle]

    @staticmethod
    def make(theme: Theme) -> Typography:
        heading, body, code = _pdf.faces(theme)
        page = _pdf.page_size(theme)
        margin = _pdf.margin(theme)
        c = theme.colours
        size = theme.sizes.pdf_body
        base = TextStyle(body, code, size, size * 1.4, c.text, space_after=size * 0.5)

        def derive(scale: float, leading: float, **kw: Any) -> TextStyle:
            return base.derive(size=size * scale, leading=size * leading, **kw)

        def head(scale: float, leading: float, **kw: Any) -> TextStyle:
            return derive(scale, leading, face=heading, **kw)

        cell = derive(0.9, 1.25, space_after=0.0)
        running = derive(0.8, 1.0, colour=c.muted, space_after=0.0, role="Artifact")
        styles = {
            "body": base,
            "kicker": head(1.0, 1.3, colour=c.muted),
            "title": head(2.6, 3.0, colour=c.accent, space_after=size * 0.4, role="H1"),
            "subtitle": head(1.35, 1.7, space_after=size * 0.6),
            "byline": base.derive(colour=c.muted, space_after=size * 1.2),
            "h1": head(1.9, 2.3, colour=c.accent, space_after=size * 0.2, role="H1"),
            "lessonmeta": base.derive(colour=c.muted, space_after=size * 1.0),
            "h2": head(
                1.25,
                1.6,
                colour=c.accent,
                space_before=size * 1.1,
                space_after=size * 0.45,
                role="H2",
            ),
            "h3": head(1.05, 1.4, space_before=size * 0.6, space_after=size * 0.3, role="H3"),
            "caption": derive(0.9, 1.25, space_before=size * 0.5, space_after=size * 0.3),
            "summary": derive(1.1, 1.5, space_after=0.0),
            "label": head(0.85, 1.2, colour=c.accent, space_after=size * 0.3),
            "term": base.derive(space_after=0.0),
            "explanation": base.derive(space_after=0.0),
            "question": base.derive(indent=size * 1.8, space_after=0.0),
            "cell": cell,
            "cellright": cell.derive(align_right=True),
            "cellmuted": cell.derive(colour=c.muted),
            "running": running,
            "runningright": running.derive(align_right=True),
        }
        width = page[0] - 2 * margin
        return Typography(
            theme, heading, body, code, page, margin, width, page[1] - 2 * margin, styles
        )

    @property
    def size(self) -> float:
        return self.theme.sizes.pdf_body

    @property
    def line_gap(self) -> float:
        """Spacing of ruled writing lines: about 7 mm, a comfortable handwriting height."""
        return self.size * 1.95

    def para(self, spans: Line, style: str, **changes: Any) -> Lines:
        ts = self.styles[style]
        return Lines(printable(spans), ts.derive(**changes) if changes else ts)

    def text(self, text: str, style: str, **changes: Any) -> Lines:
        return self.para((Span(text),), style, **changes)

    def heading_text(self, text: str, style: str, **changes: Any) -> Lines:
        return self.para((Span(text, Style(bold=True)),), style, **changes)

    def one_line(self, text: str, width: float, style: str) -> str:
        """``text``, cut at a word and ended with "…" if it is wider than ``width``; a first
        word wider than that is cut between characters.

        Called for the running header of every page, so each answer is kept; and found by
        bisection (a longer cut is never narrower), so a title of n words costs O(n log n)
        rather than n²."""
        size = self.styles[style].size
        chain = self.body.chain(False, False)
        key = (text, width, size, chain)
        found = _ONE_LINE.get(key)
        if found is None:
            found = _ONE_LINE[key] = _one_line(text, width, size, chain)
        return found


_ONE_LINE: dict[tuple[str, float, float, measure.Chain], str] = {}


def _one_line(text: str, width: float, size: float, chain: measure.Chain) -> str:
    if measure.width(text, chain, size) <= width:
        return text
    words = text.split(" ")

    def cut(k: int) -> str:
        return " ".join(words[:k]).rstrip(" ·:–—,") + "…"

    # The most words that fit, as dropping the last word until it fits would find them.
    lo, hi = 0, len(words) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if measure.width(cut(mid), chain, size) <= width:
            lo = mid
        else:
            hi = mid - 1
    if lo:
        return cut(lo)
    # Not even the first word fits: as many of its characters as do.
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if measure.width(text[:mid] + "…", chain, size) <= width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo] + "…"


def printable(spans: Line) -> Line:
    """Plan text as the PDF sets it: short inline code kept on one line, and no links to
    "#name" (they point at headings of the manual, which the handout does not have)."""
    return tuple(
        Span(
            s.text.replace(" ", "\u00a0")
            if s.style.mono and len(s.text) <= _NOBREAK_CODE
            else s.text,
            _pdf.without_internal_link(s.style),
        )
        for s in spans
    )
