"""The manual's inline runs as the deck's styled spans, and small span edits.

``spans_of`` is the one place model runs become deck spans; the rest trim and restyle.
"""

from __future__ import annotations

from functools import cache

from deckbuild.layout.deck_text import Spans, bolded, italic, plain, strip_spans, unbolded
from deckbuild.model import Image, Inlines, Run
from deckbuild.services.spans import PLAIN, Span, Style

BOLD = Style(bold=True)


def spans_of(inlines: Inlines, base: Style = PLAIN) -> Spans:
    out: list[Span] = []
    for i in inlines:
        if isinstance(i, Run):
            st = _style(
                base.bold or i.strong, base.italic or i.emph, i.code, i.strike, base.colour, i.href
            )
            text = i.text.replace("\t", "    ")
        else:
            st, text = italic(base), i.alt or i.src
        if out and out[-1].style == st:
            out[-1] = Span(out[-1].text + text, st)
        elif text:
            out.append(Span(text, st))
    return tuple(out)


# Styles are few and made for every run: one shared object per distinct style.
@cache
def _style(
    bold: bool, italic: bool, mono: bool, strike: bool, colour: str | None, href: str | None
) -> Style:
    return Style(bold=bold, italic=italic, mono=mono, strike=strike, colour=colour, href=href)


def unbold(spans: Spans) -> Spans:
    return tuple(Span(s.text, unbolded(s.style)) for s in spans)


def bold(spans: Spans) -> Spans:
    return tuple(Span(s.text, bolded(s.style)) for s in spans)


def drop_trailing_colon(spans: Spans) -> Spans:
    out = list(strip_spans(spans))
    while out and out[-1].text.rstrip().endswith((":", "：")):
        text = out[-1].text.rstrip()[:-1].rstrip()
        if text:
            out[-1] = Span(text, out[-1].style)
        else:
            out.pop()
    return strip_spans(out)


QUOTES = "\"'“”‘’«»„"


def unquote(spans: Spans) -> Spans:
    """Drop the quotation marks that wrap a whole question or sentence."""
    s = list(strip_spans(spans))
    if not s:
        return ()
    first, last = s[0].text, s[-1].text
    if first[:1] in QUOTES and last.rstrip()[-1:] in QUOTES and len(plain(s)) > 2:
        s[0] = Span(first[1:], s[0].style)
        s[-1] = Span(s[-1].text.rstrip()[:-1], s[-1].style)
    return strip_spans(s)


def images_in(inlines: Inlines) -> list[Image]:
    return [i for i in inlines if isinstance(i, Image) and i.path]
