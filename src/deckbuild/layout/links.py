"""Which lessons teach a rubric item: word overlap between the item and each lesson.

A lesson is described by its title and its key concepts (term and explanation). Words are
reduced to stems, so "validates", "validation" and "validations" meet. Each stem an item
shares with a lesson scores by where the lesson says it (title > concept term >
explanation) and by how rare it is across lessons: "test" in five lessons says less than
"presence" in two. Everything is a pure function of the model, so links never change
between builds, and ties go to the lesson that comes first in the manual.

The stemmer is a small suffix stripper written here, not snowballstemmer's English
stemmer: both map the forms that matter to one key ("messages"/"messaging",
"validation"/"validates"), but stemming Day Two's 10,586 words took 17.5 ms here and
180 ms with snowballstemmer 3.1.1 (one run each, in one process, on this 2-core
machine), and the rubric's links are on the build's critical path.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from deckbuild.model import KeyConcepts, Lesson, inline_text

# --------------------------------------------------------------------------- words

#: Function words, and the verbs and adverbs every rubric uses ("Uses X appropriately"),
#: which say how well something is done, not what is done.
_STOP_TEXT = """
    a about above after again against all also an and any are as at be because been before
    being below between both but by can could did do does doing down during each either
    else few for from further had has have having how i if in into is it its itself just
    least less let like may more most much must no nor not of off on once one only or other
    our out over own per same should so some such than that the their them then there these
    they this those through to too under until up upon us very via was we were what when
    where whether which while who whom why will with within without would you your
    instead rather every etc e g eg ie vs versus based using use uses used make makes
    making made understand understands understanding understood show shows showing shown
    demonstrate demonstrates demonstrating apply applies applying applied implement
    implements implementing implemented implementation write writes writing written build
    builds building built create creates creating explain explains explaining describe
    describes able ability appropriate appropriately effective effectively proper properly
    correct correctly clear clearly good well better best new way ways various different
    student students learner learners lesson lessons work works working
    """
STOP_WORDS = frozenset(_STOP_TEXT.split())

_WORD = re.compile(r"[^\W_]+")

#: (suffix, replacement, shortest stem left) tried in order; the first that applies wins.
_INFLECTIONS: tuple[tuple[str, str, int], ...] = (
    ("sses", "ss", 2),
    ("ies", "y", 3),
    ("ss", "ss", 0),
    ("us", "us", 0),
    ("is", "is", 0),
    ("s", "", 3),
)
_PARTICIPLES: tuple[tuple[str, str, int], ...] = (("ing", "", 3), ("ed", "", 3))
_DERIVATIONS: tuple[tuple[str, str, int], ...] = (
    ("ational", "ate", 3),
    ("ization", "ize", 3),
    ("isation", "ize", 3),
    ("ation", "ate", 3),
    ("ability", "", 3),
    ("ibility", "", 3),
    ("ement", "", 4),
    ("ment", "", 4),
    ("ness", "", 3),
    ("ity", "", 4),
    ("ful", "", 3),
    ("ly", "", 4),
    ("able", "", 4),
    ("ible", "", 4),
    ("ive", "", 4),
    ("al", "", 5),
)


def _strip(word: str, rules: Sequence[tuple[str, str, int]]) -> str:
    for suffix, replacement, shortest in rules:
        if word.endswith(suffix):
            stem = word[: len(word) - len(suffix)]
            return stem + replacement if len(stem) >= shortest else word
    return word


def stem(word: str) -> str:
    """A compact suffix stripper (a small Porter): inflection, then derivation, then -e.

    It only has to map the forms of one word to one key, never to produce a real word:
    "messages", "messaging" -> "messag"; "validation", "validates" -> "validat".
    """
    w = _strip(word.lower(), _INFLECTIONS)
    participle = _strip(w, _PARTICIPLES)
    if participle != w:
        w = participle
        # "mapping" -> "mapp" -> "map"; l, s and z stay doubled ("called", "passed").
        if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiouylsz":
            w = w[:-1]
    w = _strip(w, _DERIVATIONS)
    if len(w) > 4 and w.endswith("e"):
        w = w[:-1]
    return w


def stems(text: str) -> list[str]:
    """Stems of the content words of ``text``, in order, repeats kept."""
    return [
        stem(w)
        for w in _WORD.findall(text.casefold())
        if len(w) > 1 and not w.isdigit() and w not in STOP_WORDS
    ]


# --------------------------------------------------------------------------- scoring

#: Where a lesson says a word, and how much that counts.
TITLE_WEIGHT = 4.0
TERM_WEIGHT = 2.0
EXPLANATION_WEIGHT = 1.0
#: Repeats add less and less: a weight w counts as w * (1 + SATURATION) / (w + SATURATION).
SATURATION = 4.0
#: Lessons after the best one are linked only when they score at least this share of it.
SECOND_SHARE = 0.7
MAX_LINKS = 3


@dataclass(frozen=True, slots=True)
class LessonWords:
    """A lesson's stems with their summed weights."""

    weights: dict[str, float]


def lesson_words(lesson: Lesson) -> LessonWords:
    weights: dict[str, float] = {}

    def add(text: str, weight: float) -> None:
        for s in stems(text):
            weights[s] = weights.get(s, 0.0) + weight

    add(inline_text(lesson.title), TITLE_WEIGHT)
    for section in lesson.sections:
        if isinstance(section, KeyConcepts):
            for concept in section.concepts:
                add(inline_text(concept.term), TERM_WEIGHT)
                add(inline_text(concept.explanation), EXPLANATION_WEIGHT)
    return LessonWords(weights)


@dataclass(frozen=True, slots=True)
class Index:
    lessons: tuple[LessonWords, ...]
    #: Inverse document frequency of each stem over the lessons.
    idf: dict[str, float]


def build_index(lessons: Sequence[Lesson]) -> Index:
    words = tuple(lesson_words(lesson) for lesson in lessons)
    df: Counter[str] = Counter()
    for w in words:
        df.update(w.weights.keys())
    n = len(words)
    # BM25's idf, kept positive: a stem in every lesson still counts a little.
    idf = {s: math.log(1 + (n - d + 0.5) / (d + 0.5)) for s, d in df.items()}
    return Index(words, idf)


def score(item_stems: Iterable[str], lesson: LessonWords, idf: dict[str, float]) -> float:
    total = 0.0
    for s in set(item_stems):
        w = lesson.weights.get(s)
        if w:
            total += idf[s] * w * (1 + SATURATION) / (w + SATURATION)
    return total


def link(text: str, index: Index) -> tuple[tuple[int, float], ...]:
    """Indices of the lessons that teach ``text`` with their scores, best first.

    Empty when the text shares no content word with any lesson.
    """
    item = stems(text)
    scored = [(score(item, words, index.idf), i) for i, words in enumerate(index.lessons)]
    # Rounding makes float noise irrelevant, so equal scores fall back to manual order.
    ranked = sorted(((round(s, 6), i) for s, i in scored if s > 0), key=lambda p: (-p[0], p[1]))
    if not ranked:
        return ()
    best = ranked[0][0]
    return tuple((i, s) for s, i in ranked[:MAX_LINKS] if s >= best * SECOND_SHARE)
