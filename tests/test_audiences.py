"""Property: no text under an ``answer`` (or ``teacher``) kind ever reaches a slide (of the
deck, or of slides.pdf and the thumbnails of notes.pdf) or a handout, however the author
marks it, and every answer is in the speaker notes."""

from __future__ import annotations

import dataclasses
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from deckbuild.layout.deck import layout_deck
from deckbuild.layout.handout import layout_handouts
from deckbuild.layout.notes import set_deck
from deckbuild.parse import parse_course
from deckbuild.theme import DEFAULT

from .plan_dumps import dump_handout

SECRET = "zqxsecret"

#: Ways authors mark an answer or a direction; ``{s}`` is the secret text.
HIDDEN = [
    "#### Answers\n\n- {s} one\n- {s} two\n",
    "#### Solution\n\n```python\nprint('{s}')\n```\n",
    "**Answer**: {s} is the answer.\n",
    "Answer: {s} it is.\n",
    "**Expected Student Answers:**\n\n- {s} first\n- {s} second\n",
    "::: solution\n{s} inside a div.\n\n```bash\necho {s}\n```\n:::\n",
    ":::: challenge\nTry this.\n\n::: solution\n{s} nested.\n:::\n::::\n",
    "<details><summary>Solution</summary>\n\n{s} hidden.\n\n</details>\n",
    "<details>\n<summary>Show answer</summary>\n{s} all in one block.\n</details>\n",
    "- What is it?\n- Answer: {s} in a list.\n",
    "Have students discuss {s} in pairs.\n",
    "Some prose. Ask students to guess {s} before you reveal it.\n",
    "#### Teaching Tips\n\n{s} for the teacher.\n",
    "#### Instructor's Notes\n\n- {s} a note.\n",
    "<!-- {s} a comment -->\n",
    '{{% embed url="https://example.com/{s}" %}}\n',
]
OPEN = [
    "#### Key Concepts\n\n- **Term**: an explanation\n",
    "#### Student Summary\n\nA summary for students.\n",
    "#### Talking Points\n\n**A topic**\n\nWhat the teacher says about the topic.\n",
    "#### Exercise\n\nWrite a loop that counts to ten.\n",
    "#### Discussion Questions\n\n1. **Why?**\n   - *guidance*\n",
    "#### Something Else\n\nProse of an unknown section.\n",
    "Plain prose in the middle.\n",
    "```elixir\nIO.puts(1)\n```\n",
]
HEADINGS = ["### 01. First (45 min)", "### Lesson 2: Second", "## Topic", "### III. Third"]


def _texts(obj: Any, out: list[str]) -> list[str]:
    """Every string named ``text`` inside a plan object (the words it draws); the set
    slides' lines are named tuples."""
    named = getattr(obj, "_fields", None) if isinstance(obj, tuple) else None
    fields = (
        [f.name for f in dataclasses.fields(obj)]
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type)
        else named
    )
    if fields is not None:
        for name in fields:
            v = getattr(obj, name)
            if name == "text" and isinstance(v, str):
                out.append(v)
            else:
                _texts(v, out)
    elif isinstance(obj, tuple | list):
        for v in obj:
            _texts(v, out)
    return out


@st.composite
def manuals(draw: st.DrawFn) -> str:
    parts = ["# A Course\n"]
    for n in range(draw(st.integers(1, 3))):
        heading = draw(st.sampled_from(HEADINGS))
        parts.append(f"\n{heading.replace('01', f'0{n + 1}')}\n")
        for _ in range(draw(st.integers(1, 5))):
            if draw(st.booleans()):
                parts.append("\n" + draw(st.sampled_from(HIDDEN)).format(s=SECRET))
            else:
                parts.append("\n" + draw(st.sampled_from(OPEN)))
    return "".join(parts)


@settings(deadline=None)
@given(manuals())
def test_no_answer_or_direction_on_a_slide_or_in_a_handout(text: str) -> None:
    course, _ = parse_course(text)
    if course is None:
        return
    deck, _ = layout_deck(course, DEFAULT)
    for slide in deck.slides:
        shown = " ".join(_texts((slide.title, slide.shapes), []))
        assert SECRET not in shown, (slide.kind, shown)
    for printed in set_deck(deck, DEFAULT):  # as slides.pdf and the thumbnails draw them
        assert SECRET not in " ".join(_texts((printed.title, printed.shapes), []))
    handout, _ = layout_handouts(course, DEFAULT)
    assert SECRET not in dump_handout(handout)
    visible = SECRET in text.replace(f"<!-- {SECRET}", "").replace(f"com/{SECRET}", "")
    notes = " ".join(t for s in deck.slides for t in _texts(s.notes, []))
    assert (SECRET in notes) == visible


HEADING_NAMES = st.sampled_from(
    [
        "Overview",
        "Learning Objectives",
        "Assessment Rubric",
        "Resources",
        "Key Points",
        "Solution",
        "Answers",
        "Exercise",
        "Teaching Notes",
        "Agenda",
        "Mean and Median",
        "[Linked Topic](x.md)",
        "Topic {#id .cls}",
        "Wrap-up (15 min)",
        "Session 2: Listening",
        "1) Technique",
        "7.5 Decimal",
        "IV. Roman",
    ]
)


@settings(deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 4), HEADING_NAMES), min_size=2, max_size=8),
    st.booleans(),
)
def test_every_manual_with_two_headings_builds(heads: list[tuple[int, str]], titled: bool) -> None:
    lines = ["# A Title", ""] if titled else []
    for level, name in heads:
        lines += [f"{'#' * (level + 1)} {name}", "", f"Text under {name}.", ""]
    course, diags = parse_course("\n".join(lines))
    assert course is not None, [d.message for d in diags]
    assert course.lessons
