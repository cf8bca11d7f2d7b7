"""Reading structure from heading text: lesson numbers, durations, points, section names.

Everything here is a pure function of a string, so it is easy to test against the many ways
authors write the same thing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal, TypeAlias

SectionKind: TypeAlias = Literal[
    "key_concepts",
    "student_summary",
    "talking_points",
    "discussion_questions",
    "teaching_tips",
    "common_pitfalls",
    "examples",
    "other",
]

ManualKind: TypeAlias = Literal[
    "overview",
    "objectives",
    "rubric",
    "strategies",
    "challenges",
    "resources",
    "success",
    "other",
]

_DECORATION_CATEGORIES = {"So", "Sk", "Cn", "Co", "Cs", "Mn", "Me", "Cf"}


def strip_decoration(text: str) -> str:
    """Drop emoji and symbols at the start of a heading, keeping the words."""
    i = 0
    while i < len(text) and (
        text[i].isspace() or unicodedata.category(text[i]) in _DECORATION_CATEGORIES
    ):
        i += 1
    return text[i:].strip()


def norm_name(text: str) -> str:
    """Case-, emoji-, bold- and colon-insensitive form of a section name."""
    kept = "".join(
        " " if unicodedata.category(c) in _DECORATION_CATEGORIES or c in "*_`#" else c for c in text
    )
    kept = kept.strip().rstrip(":：.").strip()
    return " ".join(kept.casefold().split())


def section_kind(name: str) -> SectionKind:
    n = norm_name(name)
    if "talking point" in n or n in {"teacher notes", "instructor notes", "teaching points"}:
        return "talking_points"
    if n in {
        "key concepts",
        "concepts",
        "key ideas",
        "core concepts",
        "key terms",
        "main concepts",
    }:
        return "key_concepts"
    if "student summary" in n or n in {"summary", "lesson summary", "summary for students"}:
        return "student_summary"
    if n.startswith("discussion") or n in {"questions", "questions for discussion"}:
        return "discussion_questions"
    if "teaching tip" in n or n in {"tips", "instructor tips", "tips for teachers"}:
        return "teaching_tips"
    if "pitfall" in n or n in {"common mistakes", "common errors"}:
        return "common_pitfalls"
    if n in {
        "additional examples",
        "examples",
        "code examples",
        "more examples",
        "common implementation patterns",
        "implementation patterns",
    }:
        return "examples"
    return "other"


def manual_kind(name: str) -> ManualKind:
    n = norm_name(name)
    if n in {"overview", "introduction", "course overview", "day overview", "about this day"}:
        return "overview"
    if n in {"learning objectives", "objectives", "learning goals", "learning outcomes"}:
        return "objectives"
    if "rubric" in n or n in {"assessment", "assessment criteria", "evaluation", "grading"}:
        return "rubric"
    if "strateg" in n:
        return "strategies"
    if "challenge" in n or "troubleshooting" in n:
        return "challenges"
    if "resource" in n or n in {"further reading", "references", "reading list"}:
        return "resources"
    if "success indicator" in n or "success criteria" in n:
        return "success"
    return "other"


# --------------------------------------------------------------------------- lesson headings

_LABELS = r"lesson|phase|module|part|unit|session|chapter|lab|workshop|block|segment"
_LESSON_LABELLED = re.compile(
    rf"^(?P<label>{_LABELS})\s+(?P<num>\d{{1,4}})\b\s*[:.)\-–—·|]?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_LESSON_BARE = re.compile(r"^(?P<num>\d{1,4})(?:\s*[.:)\-–—·|]\s*|\s+)(?P<rest>\S.*)$")


@dataclass(frozen=True, slots=True)
class LessonHeading:
    number: int | None
    number_text: str
    label: str
    #: Character span of the title within the decorated-stripped heading text.
    title_start: int
    title_end: int
    minutes: int | None
    minutes_max: int | None


def lesson_heading(text: str) -> LessonHeading | None:
    """Recognise ``01. Title (45 min)``, ``Lesson 3: Title``, ``Phase 2: Title (2-3 hours)``."""
    m = _LESSON_LABELLED.match(text) or _LESSON_BARE.match(text)
    if m is None:
        return None
    label = (m.groupdict().get("label") or "").capitalize()
    start = m.start("rest")
    dur = trailing_duration(text)
    end = dur[0] if dur else len(text)
    end = max(start, end)
    minutes, minutes_max = (dur[1], dur[2]) if dur else (None, None)
    return LessonHeading(
        int(m.group("num")), m.group("num"), label, start, end, minutes, minutes_max
    )


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
