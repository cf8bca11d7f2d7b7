"""The section registry: every name an author may give a section, its kind, and its audience.

This is the one table deckbuild reads sections by. A new dialect is new rows in ``NAMES``
(or ``KEYWORDS``); nothing else changes. The kind literals, the ``kind``/``audience`` names
in ``deckbuild inspect`` and the README's table of names all come from here (tests hold
``SectionKind`` and the README to it).

Audiences (SPEC "Audiences"):

- ``student``: on slides and in the handout;
- ``presenter``: the spoken script; its title, lead-ins, a pull-out and code on the slide,
  every word in the speaker notes, never in the handout;
- ``teacher``: directions and tips for the teacher; speaker notes only;
- ``answer``: answers and solutions; speaker notes only, never on a slide or in a handout.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal, TypeAlias

Audience: TypeAlias = Literal["student", "presenter", "teacher", "answer"]

SectionKind: TypeAlias = Literal[
    "overview",
    "objectives",
    "summary",
    "key_concepts",
    "examples",
    "exercise",
    "questions",
    "resources",
    "rubric",
    "talking_points",
    "strategies",
    "challenges",
    "success",
    "pitfalls",
    "tips",
    "agenda",
    "answers",
    "other",
]


@dataclass(frozen=True, slots=True)
class KindInfo:
    audience: Audience
    #: Where the kind is read: inside a unit, at manual level, or both.
    scope: Literal["unit", "manual", "both"]
    #: What the kind is, for the README's table and diagnostics.
    what: str
    #: What a manual-level kind is when its name heads a section inside a unit
    #: ("Teaching Strategies" under a lesson is what the teacher says there).
    in_unit: SectionKind | None = None


KINDS: Mapping[SectionKind, KindInfo] = MappingProxyType(
    {
        "overview": KindInfo("student", "manual", "the manual's introduction", "other"),
        "objectives": KindInfo("student", "both", "what students will be able to do"),
        "summary": KindInfo("student", "unit", "the student summary"),
        "key_concepts": KindInfo("student", "unit", "terms and their explanations"),
        "examples": KindInfo("student", "unit", "worked examples and code for students"),
        "exercise": KindInfo("student", "unit", "exercise prompts"),
        "questions": KindInfo("student", "unit", "questions put to the class"),
        "resources": KindInfo("student", "both", "further reading", "examples"),
        "rubric": KindInfo("student", "manual", "the assessment checklist", "other"),
        "talking_points": KindInfo("presenter", "unit", "what the teacher says"),
        "strategies": KindInfo(
            "presenter", "manual", "teaching strategies for the course", "talking_points"
        ),
        "challenges": KindInfo("presenter", "manual", "challenges and troubleshooting", "pitfalls"),
        "success": KindInfo("presenter", "manual", "signs that the course worked", "other"),
        "pitfalls": KindInfo("presenter", "unit", "mistakes students make"),
        "tips": KindInfo("teacher", "both", "tips and directions for the teacher"),
        "agenda": KindInfo("teacher", "both", "a pacing guide or schedule"),
        "answers": KindInfo("answer", "both", "answers and solutions"),
        "other": KindInfo("presenter", "both", "any name not in this table"),
    }
)

#: Normalised section name -> kind. Names are compared after ``norm_name``.
NAMES: Mapping[str, SectionKind] = MappingProxyType(
    {
        # overview
        "overview": "overview",
        "introduction": "overview",
        "course overview": "overview",
        "day overview": "overview",
        "about this day": "overview",
        "about this course": "overview",
        "about this guide": "overview",
        # objectives
        "objectives": "objectives",
        "learning objectives": "objectives",
        "learning goals": "objectives",
        "learning outcomes": "objectives",
        "lesson objectives": "objectives",
        "aims": "objectives",
        "goals": "objectives",
        "outcomes": "objectives",
        # summary
        "summary": "summary",
        "student summary": "summary",
        "lesson summary": "summary",
        "summary for students": "summary",
        "essence": "summary",
        "takeaways": "summary",
        "takeaway": "summary",
        "key takeaways": "summary",
        "recap": "summary",
        "in a nutshell": "summary",
        # key concepts
        "key concepts": "key_concepts",
        "concepts": "key_concepts",
        "core concepts": "key_concepts",
        "main concepts": "key_concepts",
        "key ideas": "key_concepts",
        "key terms": "key_concepts",
        "key points": "key_concepts",
        "keypoints": "key_concepts",
        "vocabulary": "key_concepts",
        "key vocabulary": "key_concepts",
        "glossary": "key_concepts",
        # examples
        "example": "examples",
        "examples": "examples",
        "additional examples": "examples",
        "more examples": "examples",
        "code examples": "examples",
        "common implementation patterns": "examples",
        "implementation patterns": "examples",
        "explanation": "examples",
        "worked example": "examples",
        "demonstration": "examples",
        # exercise
        "exercise": "exercise",
        "exercises": "exercise",
        "challenge": "exercise",
        "challenges": "exercise",
        "practice": "exercise",
        "guided practice": "exercise",
        "independent practice": "exercise",
        "activity": "exercise",
        "activities": "exercise",
        "playtime": "exercise",
        "interactive exercise": "exercise",
        "lab": "exercise",
        "hands-on": "exercise",
        "try it": "exercise",
        "homework": "exercise",
        # questions
        "discussion questions": "questions",
        "discussion": "questions",
        "questions": "questions",
        "questions for discussion": "questions",
        "follow-up questions": "questions",
        "questions to ask": "questions",
        "check for understanding": "questions",
        "checking for understanding": "questions",
        "review questions": "questions",
        "quiz": "questions",
        # resources
        "resources": "resources",
        "additional resources": "resources",
        "further reading": "resources",
        "references": "resources",
        "reading list": "resources",
        # rubric
        "assessment": "rubric",
        "assessment criteria": "rubric",
        "assessment rubric": "rubric",
        "rubric": "rubric",
        "evaluation": "rubric",
        "grading": "rubric",
        # talking points
        "talking points": "talking_points",
        "teacher talking points": "talking_points",
        "teaching points": "talking_points",
        "key teaching points": "talking_points",
        "teaching strategy": "talking_points",
        "teaching moment": "talking_points",
        "teaching moments": "talking_points",
        "script": "talking_points",
        "say": "talking_points",
        # strategies, challenges, success (manual level)
        "teaching strategies": "strategies",
        "common challenges": "challenges",
        "troubleshooting": "challenges",
        "success indicators": "success",
        "success criteria": "success",
        # pitfalls
        "common pitfalls": "pitfalls",
        "pitfalls": "pitfalls",
        "common mistakes": "pitfalls",
        "common errors": "pitfalls",
        "common issues": "pitfalls",
        "misconceptions": "pitfalls",
        "common misconceptions": "pitfalls",
        # tips (teacher)
        "tips": "tips",
        "teaching tips": "tips",
        "instructor tips": "tips",
        "tips for teachers": "tips",
        "teaching notes": "tips",
        "teacher notes": "tips",
        "teacher's notes": "tips",
        "instructor notes": "tips",
        "instructor's notes": "tips",
        "instructors notes": "tips",
        "facilitator notes": "tips",
        "facilitator's notes": "tips",
        "notes for the instructor": "tips",
        "preparation": "tips",
        "materials": "tips",
        "materials and preparation": "tips",
        "setup": "tips",
        "set-up": "tips",
        "before class": "tips",
        "accommodation": "tips",
        "accommodations": "tips",
        "differentiation": "tips",
        "accommodations and differentiation": "tips",
        "accommodation and differentiation": "tips",
        "instructor": "tips",
        "tip": "tips",
        "instructor tip": "tips",
        "teaching tip": "tips",
        "teacher tip": "tips",
        "facilitator tip": "tips",
        "instructor note": "tips",
        "teacher note": "tips",
        "facilitator note": "tips",
        "note to instructors": "tips",
        "note to the instructor": "tips",
        "note to teachers": "tips",
        "callout": "tips",
        "hint": "tips",
        "hints": "tips",
        # agenda
        "agenda": "agenda",
        "schedule": "agenda",
        "pacing": "agenda",
        "pacing guide": "agenda",
        "timing": "agenda",
        "lesson flow": "agenda",
        # answers
        "answer": "answers",
        "answers": "answers",
        "solution": "answers",
        "solutions": "answers",
        "expected answers": "answers",
        "expected student answers": "answers",
        "expected responses": "answers",
        "sample answers": "answers",
        "answer key": "answers",
        "answer keys": "answers",
        "possible answers": "answers",
        "model answer": "answers",
    }
)

#: When a name is not in ``NAMES``: a name containing one of these words takes its kind
#: ("Teacher Talking Points for Lesson 3", "Phoenix Teaching Tips"). Tried in this order.
KEYWORDS: tuple[tuple[str, SectionKind], ...] = (
    ("common challenge", "challenges"),
    ("answer key", "answers"),
    ("solution", "answers"),
    ("expected answer", "answers"),
    ("talking point", "talking_points"),
    ("student summary", "summary"),
    ("takeaway", "summary"),
    ("teaching tip", "tips"),
    ("instructor note", "tips"),
    ("facilitator note", "tips"),
    ("pitfall", "pitfalls"),
    ("discussion", "questions"),
    ("exercise", "exercise"),
    ("learning objective", "objectives"),
    ("rubric", "rubric"),
    ("strateg", "strategies"),
    ("troubleshooting", "challenges"),
    ("resource", "resources"),
    ("success indicator", "success"),
)

#: Pandoc fenced-div classes and ``<details>`` summaries that are not section names.
DIV_CLASSES: Mapping[str, SectionKind] = MappingProxyType(
    {
        "keypoints": "key_concepts",
        "objectives": "objectives",
        "questions": "questions",
        "prereq": "tips",
        "checklist": "tips",
        "testimonial": "other",
        "discussion": "questions",
        "spoiler": "answers",
        "notes": "talking_points",
    }
)

_DECORATION_CATEGORIES = frozenset({"So", "Sk", "Cn", "Co", "Cs", "Mn", "Me", "Cf"})


def norm_name(text: str) -> str:
    """Case-, emoji-, bold- and colon-insensitive form of a section name."""
    kept = "".join(
        " " if unicodedata.category(c) in _DECORATION_CATEGORIES or c in "*_`#" else c for c in text
    )
    kept = kept.replace("’", "'").strip().rstrip(":：.").strip()
    return " ".join(kept.casefold().split())


def lookup(name: str, mapping: Mapping[str, SectionKind] | None = None) -> SectionKind:
    """The kind of a section name; ``mapping`` holds the author's own names (front matter)."""
    n = norm_name(name)
    if mapping and n in mapping:
        return mapping[n]
    if n in NAMES:
        return NAMES[n]
    for word, kind in KEYWORDS:
        if word in n:
            return kind
    return "other"


def unit_kind(name: str, mapping: Mapping[str, SectionKind] | None = None) -> SectionKind:
    """The kind of a section name inside a unit."""
    kind = lookup(name, mapping)
    return KINDS[kind].in_unit or kind


def audience(kind: SectionKind) -> Audience:
    return KINDS[kind].audience


_PEOPLE = (
    r"(?:students|learners|participants|pupils|trainees|attendees|the\s+class|the\s+group"
    r"|the\s+room|everyone|volunteers?|them|teams?|pairs|groups"
    r"|each\s+(?:student|learner|participant|pair|group|team))\b"
)
#: Sentences addressed to the teacher, wherever they stand ("Have students …",
#: "Ask learners to …", "Walk through …", "… on the projector"): audience ``teacher``.
DIRECTION = re.compile(
    rf"""^[\s"“*_]*(?:(?:then|now|next|first|finally|also|again|afterwards|here),?\s+)?(?:
        (?:have|ask|let|guide|tell|remind|encourage|invite|give|show|pair|put|divide|split
          |instruct|prompt|direct|get|allow|help|challenge|call\s+on|poll|survey|group|seat
          |steer|nudge|coach|walk|take|lead|send|move|stop|quiz|expect|point|go\s+around\s+and\s+have)
        \s+(?:[\w'’-]+\s+){{0,3}}?{_PEOPLE}
      | (?:circulate|walk\s+through|walk\s+around|demo|demonstrate|point\s+out|emphasi[sz]e
         |stress\s+that|point\s+(?:to|at)|pause\s+(?:here|after|for|and)|arrange|live[- ]code|draw\s+attention
         |run\s+through|read\s+(?:the|this)\s+[\w\s]{{0,30}}aloud
         |watch\s+(?:out\s+)?for|look\s+out\s+for|be\s+ready\s+to|be\s+prepared\s+to
         |make\s+sure\s+(?:students|everyone|learners|participants)
         |check\s+(?:that|whether|if)\s+(?:students|everyone|learners|participants))\b
      | [^.!?]{{0,120}}\b(?:on\s+the\s+projector|on\s+a\s+flip\s*chart|on\s+the\s+whiteboard
         |before\s+(?:the\s+workshop|class|the\s+session|anyone\s+arrives|students\s+arrive))\b
    )""",
    re.IGNORECASE | re.VERBOSE,
)


def is_direction(sentence: str) -> bool:
    """A sentence addressed to the teacher, not to the students."""
    return DIRECTION.match(sentence) is not None


#: A sentence that opens with a bare verb tells the teacher what to do, in a text that
#: speaks to the teacher (an overview, a script): never a pull-out, never on a cover.
IMPERATIVE = re.compile(
    r"^[\s\"“*_]*(?:ask|have|let|stop|project|arrange|read|explain|point|stress|emphasi[sz]e"
    r"|show|demo|demonstrate|mention|walk|open|run|draw|write|give|tell|remind|encourage"
    r"|invite|pause|circulate|check|make|keep|start|begin|hand|distribute|display|put|set"
    r"|prepare|note|avoid|try|plan|allow|model|introduce|review|repeat|collect|split|divide"
    r"|pair|assign|call|watch|steer|guide|prompt|go|look|resist|spend|take|use|leave|move"
    r"|skip|return|bring|print|book|reserve|install|test|expect|don'?t|do not|never|always"
    r"|be)\b",
    re.IGNORECASE,
)


def is_imperative(sentence: str) -> bool:
    return IMPERATIVE.match(sentence) is not None


def markdown_table() -> str:
    """The registry as the README shows it: one row per kind, its audience and its names."""
    rows = [
        "| kind | audience | where | names (any case, emoji, bold or colon) |",
        "|---|---|---|---|",
    ]
    for kind, info in KINDS.items():
        names = sorted(n for n, k in NAMES.items() if k == kind)
        words = sorted(w for w, k in KEYWORDS if k == kind)
        shown = ", ".join(names) + ("; or containing: " + ", ".join(words) if words else "")
        if kind == "other":
            shown = "any other name"
        rows.append(f"| `{kind}` | {info.audience} | {info.scope} | {shown} |")
    return "\n".join(rows)
