"""Where things go on a slide, and the title at its top.

``Geometry`` places the margins, the title line, the footer and the bottom of the body
from the theme's slide size. ``Titles`` sets a slide's title (shrunk a little before it
wraps, shortened with an ellipsis beyond MAX_TITLE_LINES lines), the rule under it, and
the body area below it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from deckbuild.layout.deck_inline import bold
from deckbuild.layout.deck_plan import Align, Anchor, Box, RuleShape, TextFrame, TextShape
from deckbuild.layout.deck_text import DESCENT_ALLOWANCE, Spans, Typesetter, pitch, plain
from deckbuild.services.spans import Span, Style
from deckbuild.theme import Theme

#: A longer title is shortened with an ellipsis (and given in full in the notes).
MAX_TITLE_LINES = 3
#: Room, in points, between the edge of a shape and its text.
CODE_INSET = 10.0
TEXT_INSET = 6.0
TITLE_INSET = 4.0
CELL_INSET = 4.5


def size_steps(top: float, floor: float, step: float) -> list[float]:
    """Sizes from ``top`` down to ``floor`` (both included)."""
    out: list[float] = []
    size = top
    while size > floor:
        out.append(size)
        size -= step
    out.append(floor)
    return out


@dataclass(frozen=True, slots=True)
class Geometry:
    """Where things go on a slide, in points, derived from the theme's slide size."""

    width: float
    height: float
    margin: float
    title_top: float
    footer_top: float
    footer_height: float
    body_bottom: float

    @classmethod
    def of(cls, theme: Theme) -> Geometry:
        # Whole points: Keynote rounds odd EMU sizes (959.98 pt) to the wrong width.
        width, height = round(theme.slide_width * 72), round(theme.slide_height * 72)
        footer_h = pitch(theme.sizes.footer) + 4 + DESCENT_ALLOWANCE * theme.sizes.footer
        footer_top = height - 10 - footer_h
        return cls(
            width=width,
            height=height,
            margin=round(width * 0.05),
            title_top=round(height * 0.04),
            footer_top=footer_top,
            footer_height=footer_h,
            body_bottom=footer_top - 8,
        )

    @property
    def inner_width(self) -> float:
        return self.width - 2 * self.margin


class Titles:
    """Slide titles, the accent rule under them and the body area below them."""

    def __init__(self, theme: Theme, ts: Typesetter, geometry: Geometry) -> None:
        self.ts = ts
        self.geometry = geometry
        self.sizes = theme.sizes
        self.colours = theme.colours

    def title_shape(
        self,
        spans: Spans,
        *,
        reserve: str = "",
        box: Box | None = None,
        size: float | None = None,
        align: Align = "l",
        anchor: Anchor = "t",
        colour: str | None = None,
    ) -> TextShape:
        """The title, shrunk a little before it wraps; its box fits its lines exactly.

        ``reserve`` is text the box must also have room for (a later "(2/3)").
        """
        geo = self.geometry
        top = size or self.sizes.title
        floor = min(top, max(self.sizes.body_min + 6, round(top * 0.75)))
        x, y, w = (box.x, box.y, box.w) if box else (geo.margin, geo.title_top, geo.inner_width)
        inner = w - 2 * TITLE_INSET
        styled = bold(spans)
        chosen, lines = self._title_size(styled, reserve, inner, size_steps(top, floor, 2))
        if lines > MAX_TITLE_LINES:
            # A title this long would crowd out the slide; the caller keeps it in the notes.
            styled = self.shorten_title(styled, inner, chosen, reserve)
            lines = MAX_TITLE_LINES
        height = lines * pitch(chosen) + 2 * TITLE_INSET + DESCENT_ALLOWANCE * chosen
        if box is not None:
            y = {"t": box.y, "ctr": box.y + (box.h - height) / 2, "b": box.bottom - height}[anchor]
            y = max(y, geo.title_top)
        para = self.ts.para(
            styled, chosen, colour or self.colours.accent, heading=True, align=align
        )
        # The frame itself is top-anchored: a glyph's descent lies below the last line's
        # pitch, inside the allowance measured for it at the bottom of the box.
        return TextShape("title", Box(x, y, w, height), TextFrame((para,), TITLE_INSET, "t"))

    def _title_size(
        self, styled: Spans, reserve: str, inner: float, sizes: list[float]
    ) -> tuple[float, int]:
        """The largest of ``sizes`` at which the title (and ``reserve``) takes one line,
        else two, else the smallest size; with the number of lines it takes there."""
        measured = (*styled, Span(reserve, Style(bold=True))) if reserve else styled
        for max_lines in (1, 2):
            for size in sizes:
                lines = self.ts.lines(measured, inner, size, heading=True)
                if lines <= max_lines:
                    return size, lines
        return sizes[-1], self.ts.lines(measured, inner, sizes[-1], heading=True)

    def shorten_title(self, spans: Spans, inner: float, size: float, reserve: str) -> Spans:
        """``spans`` cut with an ellipsis to fit MAX_TITLE_LINES lines beside ``reserve``."""
        suffix = (Span(reserve, Style(bold=True)),) if reserve else ()
        style = Style(bold=True)
        text = plain(spans)

        def fits(length: int) -> bool:
            cut = (Span(text[:length].rstrip() + "…", style), *suffix)
            return self.ts.lines(cut, inner, size, heading=True) <= MAX_TITLE_LINES

        if self.ts.lines((*spans, *suffix), inner, size, heading=True) <= MAX_TITLE_LINES:
            return spans
        low, high = 0, len(text)
        while low < high:
            middle = (low + high + 1) // 2
            if fits(middle):
                low = middle
            else:
                high = middle - 1
        return (Span(text[:low].rstrip() + "…", style),)

    def retitle(self, old: TextShape, spans: Spans, suffix: str) -> TextShape:
        """Same box and size (measured with the reserved suffix), the final text."""
        para = old.frame.paras[0]
        inner = old.box.w - 2 * TITLE_INSET
        text = (*self.shorten_title(bold(spans), inner, para.size, suffix), Span(suffix))
        runs = self.ts.runs(bold(text), para.size, self.colours.accent, heading=True)
        return replace(old, frame=replace(old.frame, paras=(replace(para, runs=runs),)))

    def body_top(self, title: TextShape) -> float:
        return title.box.bottom + 14

    def body_area(self, title: TextShape) -> Box:
        """The box below the title's rule and above the footer, margin to margin."""
        geo = self.geometry
        top = self.body_top(title)
        return Box(geo.margin, top, geo.inner_width, geo.body_bottom - top)

    def rule_under(self, title: TextShape) -> RuleShape:
        return RuleShape(
            title.box.x + TITLE_INSET, title.box.bottom + 4, 72, self.colours.accent, 2.5
        )
