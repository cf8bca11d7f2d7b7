"""Pull-outs: the one sentence a prose-only slide shows, chosen from the presenter's text.

Candidates come best first: the sentences that carry the topic (they name the title's
words, stand alone, and point at nothing the slide does not show), then clauses of longer
ones, then a lead-in or an instruction whole, then ever shorter openings. A direction to
the teacher is never a candidate. The layout takes the first that fits in three lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from deckbuild.layout.deck_inline import QUOTES, spans_of, unquote
from deckbuild.layout.deck_text import plain, split_sentences, word_count
from deckbuild.model import ON_SLIDE, Blocks, Paragraph, walk
from deckbuild.registry import is_direction, is_imperative

_CLAUSE = re.compile(r"\s*[,;:]\s+|\s+[—–-]\s+")

#: No pull-out is longer than three lines hold at the pull-out size, so longer candidates
#: are never tried (and a 50,000-word paragraph costs nothing extra).
_MAX_PULLOUT_WORDS = 40
#: Openings that lead into a topic rather than state it ("This is a game-changer.").
_LEAD_IN = re.compile(
    r"^(?:let'?s|let us|this is|that's|here'?s|here is|now|so|okay|ok|alright|today|next"
    r"|first|remember|imagine|think about|consider|welcome)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_]{3,}")
_STOP = frozenset(
    [
        "the",
        "and",
        "for",
        "with",
        "that",
        "this",
        "from",
        "into",
        "your",
        "you",
        "are",
        "was",
        "were",
        "has",
        "have",
        "how",
        "why",
        "what",
        "when",
        "its",
        "their",
        "our",
        "not",
        "but",
        "can",
        "will",
        "all",
        "one",
        "two",
        "use",
        "using",
        "about",
    ]
)


def _terms(text: str) -> set[str]:
    """Content words, crudely stemmed: enough to see that a sentence names its topic."""
    out = set()
    for w in _WORD.findall(text.casefold()):
        if w not in _STOP:
            out.add(w[:-1] if w.endswith("s") and len(w) > 4 else w)
    return out


def pullouts(blocks: Blocks, title: str = "") -> Iterator[str]:
    """Candidates for a pull-out, best first: the sentences that carry the topic, then
    clauses of longer ones, then a lead-in or an instruction whole, then ever shorter
    openings of the first sentence (marked with an ellipsis where they were cut). The
    layout takes the first that fits. A direction to the teacher is never a candidate."""
    key = _terms(title)
    sentences: list[str] = []
    leads: list[str] = []
    orders: list[str] = []
    ranked: list[tuple[int, int, str]] = []
    for b in (x for x in walk(blocks, ON_SLIDE) if isinstance(x, Paragraph)):
        for sentence in split_sentences(spans_of(b.inlines)):
            text = plain(unquote(sentence)).strip().strip(QUOTES).strip()
            words = word_count(text)
            if words < 3 or is_direction(text):
                continue
            if is_imperative(text):
                orders.append(text)
            elif _LEAD_IN.match(text) or text.endswith((":", "：", "?", "…")):
                leads.append(text)
            else:
                sentences.append(text)
                if words <= _MAX_PULLOUT_WORDS:
                    ranked.append((-_carries(text, key), len(ranked), text))
    yield from (text for _, _, text in sorted(ranked))
    for text in (*sentences, *orders):
        pieces = [p for p in _CLAUSE.split(text.rstrip(":：")) if p]
        for k, piece in enumerate(pieces if len(pieces) > 1 else ()):
            if (k or text in sentences) and 4 <= word_count(piece) <= _MAX_PULLOUT_WORDS:
                lead = "…" if k else ""
                tail = "" if piece.endswith((".", "!", "?")) else "…"
                yield f"{lead}{piece}{tail}"
    everything = (*sentences, *leads, *orders)
    yield from (s for s in everything if word_count(s) <= _MAX_PULLOUT_WORDS)
    for text in everything:
        words_of = text.rstrip(":：.").split()
        longest = min(len(words_of) - 1, _MAX_PULLOUT_WORDS)
        if longest > 4:
            yield from (" ".join(words_of[:n]) + "…" for n in range(longest, 4, -1))
            return


#: Sentences that lean on something the slide does not show.
_POINTS_AWAY = re.compile(
    r"\b(?:the script|this script|the example|this example|the exercise|shown|above|below"
    r"|in the examples?|as follows)\b",
    re.IGNORECASE,
)
_PRONOUN = re.compile(r"^(?:it|this|that|these|those|they|he|she|its|their)\b", re.IGNORECASE)


def _carries(sentence: str, key: set[str]) -> int:
    """How well a sentence stands for its topic: the title's words it names, less for a
    fragment, a pronoun with nothing before it, or a pointer to something not shown."""
    score = 2 * len(key & _terms(sentence))
    score -= 2 if not sentence.endswith((".", "!")) else 0
    score -= 2 if _POINTS_AWAY.search(sentence) else 0
    score -= 1 if _PRONOUN.match(sentence) else 0
    return score
