"""Reading structure from heading text: lesson numbers, durations, points, section names.

Everything here is a pure function of a string, so it is easy to test against the many ways
authors write the same thing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_DECORATION_CATEGORIES = {"So", "Sk", "Cn", "Co", "Cs", "Mn", "Me", "Cf"}


def strip_decoration(text: str) -> str:
    """Drop emoji and symbols at the start of a heading, keeping the words."""
    i = 0
    while i < len(text) and (
        text[i].isspace() or unicodedata.category(text[i]) in _DECORATION_CATEGORIES
    ):
        i += 1
    return text[i:].strip()


# --------------------------------------------------------------------------- lesson headings

_LABELS = (
    r"lesson|phase|module|part|unit|session|chapter|lab|workshop|block|segment|day|week"
    r"|episode|stage|class|period|topic|section|sprint|milestone|level"
)
_ROMAN = r"(?=[IVXLC])M{0,3}(?:C[MD]|D?C{0,3})(?:X[CL]|L?X{0,3})(?:I[XV]|V?I{0,3})"
_DECIMAL = r"\d{1,4}(?:\.\d{1,3})*"
_LESSON_LABELLED = re.compile(
    rf"^(?P<label>{_LABELS})\s+(?P<num>{_DECIMAL}|{_ROMAN})(?![\w.]*\w)\s*[:.)\-–—·|]?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_LESSON_BARE = re.compile(
    rf"^(?P<num>{_DECIMAL})(?:\s*[.:)\-–—·|]\s*|\s+)(?P<rest>\S.*)$"
    rf"|^(?P<roman>{_ROMAN})\s*[.:)]\s+(?P<rrest>\S.*)$"
)
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


def roman_value(text: str) -> int:
    total = 0
    values = [_ROMAN_VALUES[c] for c in text.upper()]
    for i, v in enumerate(values):
        total += -v if i + 1 < len(values) and values[i + 1] > v else v
    return total


@dataclass(frozen=True, slots=True)
class LessonHeading:
    #: The number as an int; None for "7.5" and for unnumbered units.
    number: int | None
    number_text: str
    label: str
    #: Character span of the title within the decorated-stripped heading text.
    title_start: int
    title_end: int
    minutes: int | None
    minutes_max: int | None


def lesson_heading(text: str) -> LessonHeading | None:
    """Recognise ``01. Title (45 min)``, ``Lesson 3: Title``, ``Phase 2: Title (2-3 hours)``,
    ``Session IV — Title``, ``V. Title``, ``1) Title`` and ``7.5 Title``."""
    m = _LESSON_LABELLED.match(text)
    if m is not None:
        label, num, start = m.group("label").capitalize(), m.group("num"), m.start("rest")
    elif (m := _LESSON_BARE.match(text)) is not None:
        roman = m.group("roman")
        label, num = "", roman or m.group("num")
        start = m.start("rrest") if roman else m.start("rest")
    else:
        return None
    if num.isdigit():
        number: int | None = int(num)
    elif re.fullmatch(_ROMAN, num, re.IGNORECASE):
        num = num.upper()
        number = roman_value(num)
    else:
        number = None
    dur = trailing_duration(text)
    end = dur[0] if dur else len(text)
    end = max(start, end)
    minutes, minutes_max = (dur[1], dur[2]) if dur else (None, None)
    if start >= end:  # "Week 3" alone: the label is the title
        start = 0
    return LessonHeading(number, num, label, start, end, minutes, minutes_max)


def unnumbered_heading(text: str) -> LessonHeading:
    """A unit heading without a number (``Wrap-up (15 min)``)."""
    dur = trailing_duration(text)
    end = dur[0] if dur else len(text)
    minutes, minutes_max = (dur[1], dur[2]) if dur else (None, None)
    return LessonHeading(None, "", "", 0, end, minutes, minutes_max)


# --------------------------------------------------------------------------- durations

_UNIT_MINUTES = {
    "h": 60,
    "hr": 60,
    "hrs": 60,
    "hour": 60,
    "hours": 60,
    "m": 1,
    "min": 1,
    "mins": 1,
    "minute": 1,
    "minutes": 1,
}
_NUM = r"\d+(?:[.,]\d+)?"
_UNIT = r"hours?|hrs?|h|minutes?|mins?|m"
_PART = re.compile(
    rf"(?P<a>{_NUM})(?:\s*(?:-|–|—|to)\s*(?P<b>{_NUM}))?\s*(?P<unit>{_UNIT})\.?(?![a-z])",
    re.IGNORECASE,
)
_FILLER = re.compile(
    r"^(?:~|approx\.?|approximately|about|ca\.?|circa|and|\+|,|\s)*$", re.IGNORECASE
)


def parse_duration(text: str) -> tuple[int, int | None] | None:
    """Minutes (and the upper bound of a range) from ``1 hour 15 minutes``, ``2-3 hours``…"""
    total_lo = 0.0
    total_hi = 0.0
    ranged = False
    pos = 0
    found = False
    for m in _PART.finditer(text):
        if not _FILLER.match(text[pos : m.start()]):
            return None
        factor = _UNIT_MINUTES[m.group("unit").lower()]
        a = float(m.group("a").replace(",", "."))
        b = float(m.group("b").replace(",", ".")) if m.group("b") else None
        total_lo += a * factor
        total_hi += (b if b is not None else a) * factor
        ranged = ranged or b is not None
        pos = m.end()
        found = True
    if not found or not _FILLER.match(text[pos:]):
        return None
    lo = round(total_lo)
    return lo, (round(total_hi) if ranged else None)


_TRAILING_PAREN = re.compile(r"\s*[(\[](?P<inner>[^()\[\]]*)[)\]]\s*$")
_TRAILING_DASH = re.compile(r"\s+(?:-|–|—|·|\|)\s+(?P<inner>[^-–—·|]+)$")


def trailing_duration(text: str) -> tuple[int, int, int | None] | None:
    """(start of the duration suffix, minutes, minutes_max) or None."""
    for pattern in (_TRAILING_PAREN, _TRAILING_DASH):
        m = pattern.search(text)
        if m is None:
            continue
        inner = m.group("inner")
        # "(45 minutes, hands-on)": the duration leads, a note may follow.
        head = re.split(r"[,;]", inner, maxsplit=1)[0]
        parsed = parse_duration(head)
        if parsed is not None:
            return m.start(), parsed[0], parsed[1]
    return None


_POINTS = re.compile(
    r"\s*[(\[]\s*(?P<a>\d+)(?:\s*(?:-|–|—|to)\s*(?P<b>\d+))?\s*(?:points?|pts?\.?|marks?)\s*[)\]]\s*$"
    r"|\s+(?:-|–|—|:)\s*(?P<c>\d+)(?:\s*(?:-|–|—|to)\s*(?P<d>\d+))?\s*(?:points?|pts?\.?|marks?)\s*$",
    re.IGNORECASE,
)


def trailing_points(text: str) -> tuple[str, int | None, int | None]:
    """Split ``Technical Implementation (40 points)`` into the name and its points."""
    m = _POINTS.search(text)
    if m is None:
        return text.strip(), None, None
    a = m.group("a") or m.group("c")
    b = m.group("b") or m.group("d")
    return text[: m.start()].strip(), int(a), int(b) if b else None
