"""Span edits for the student handout: how the manual's wording is reshaped for students.

Pure functions of a line of spans. Each keeps the spans' styles, and only removes
characters or bold; none adds text. ``handout.py`` decides where each one applies.
"""

from __future__ import annotations

import re
from dataclasses import replace

from deckbuild.services.spans import Line, Span

#: Opening quote -> the closing quote that pairs with it.
_QUOTES = {'"': '"', "“": "”", "„": "“", "«": "»", "'": "'", "‘": "’", "「": "」"}


def is_lead_in(spans: Line) -> bool:
    """A paragraph that introduces what follows: all bold, or a short line ending in ":"."""
    text = "".join(s.text for s in spans).strip()
    if not text:
        return False
    all_bold = all(s.style.bold or not s.text.strip() for s in spans)
    return all_bold or (text.endswith(":") and len(text) <= 160)


def unquote(spans: Line) -> Line:
    """Drop one pair of quotes around the whole text: the manual quotes what the teacher
    reads aloud; the handout is addressed to the student directly."""
    text = "".join(s.text for s in spans)
    stripped = text.strip()
    if len(stripped) < 2 or _QUOTES.get(stripped[0]) != stripped[-1]:
        return spans
    lead = len(text) - len(text.lstrip()) + 1
    trail = len(text) - len(text.rstrip()) + 1
    return trim(spans, lead, trail)


def drop_whole_bold(spans: Line) -> Line:
    """Drop bold that covers the whole text: the manual bolds every question, and on the
    handout the layout already marks it as one."""
    if not all(s.style.bold for s in spans if s.text.strip()):
        return spans
    out: list[Span] = []
    for s in spans:
        style = replace(s.style, bold=False)
        if out and out[-1].style == style:
            out[-1] = Span(out[-1].text + s.text, style)
        else:
            out.append(Span(s.text, style))
    return tuple(out)


def trim(spans: Line, lead: int, trail: int) -> Line:
    """Remove ``lead`` characters from the start and ``trail`` from the end of the spans."""
    out = list(spans)
    while lead and out:
        s = out[0]
        cut = min(lead, len(s.text))
        lead -= cut
        out[0] = Span(s.text[cut:], s.style)
        if not out[0].text:
            out.pop(0)
    while trail and out:
        s = out[-1]
        cut = min(trail, len(s.text))
        trail -= cut
        out[-1] = Span(s.text[: len(s.text) - cut], s.style)
        if not out[-1].text:
            out.pop()
    return tuple(out)


def strip_colon(spans: Line) -> Line:
    """Drop a trailing ":" and any space after it: a caption needs none."""
    text = "".join(s.text for s in spans).rstrip()
    if not text.endswith(":"):
        return spans
    return trim(spans, 0, len("".join(s.text for s in spans)) - len(text) + 1)


def strip_lead(spans: Line) -> Line:
    """An explanation's leading ": " or "— " (left by "**Term**: text") reads as noise."""
    text = "".join(s.text for s in spans)
    m = re.match(r"^\s*[:–—-]?\s*", text)
    return trim(spans, m.end() if m else 0, 0)
