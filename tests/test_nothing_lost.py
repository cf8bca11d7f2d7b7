"""Property: every word of a manual reaches the model or a diagnostic, never neither.

Manuals are generated from the constructs authors use (headings at any level, numbered or
not, paragraphs, nested lists and quotes past any sensible depth, code, tables, front
matter), each word a unique token, so a token missing from both the model's dump and the
diagnostics is content dropped in silence.
"""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from deckbuild.dump import pformat
from deckbuild.parse import parse_course
from deckbuild.parse.frontmatter import KNOWN_KEYS

_COUNTER = itertools.count()


def _token() -> str:
    return f"tok{next(_COUNTER)}x"


@st.composite
def _block(draw: st.DrawFn) -> str:
    kind = draw(
        st.sampled_from(["para", "list", "deep_list", "quote", "deep_quote", "code", "table"])
    )
    if kind == "para":
        return " ".join(_token() for _ in range(draw(st.integers(1, 6)))) + "\n"
    if kind == "list":
        return "".join(f"- {_token()} {_token()}\n" for _ in range(draw(st.integers(1, 4))))
    if kind == "deep_list":
        depth = draw(st.integers(5, 40))
        return "".join("  " * i + f"- {_token()}\n" for i in range(depth))
    if kind == "quote":
        return f"> {_token()} {_token()}\n"
    if kind == "deep_quote":
        return ">" * draw(st.integers(5, 80)) + f" {_token()}\n"
    if kind == "code":
        return f"```elixir\n{_token()} = {_token()}\n```\n"
    rows = draw(st.integers(1, 4))
    body = "".join(f"| {_token()} | {_token()} |\n" for _ in range(rows))
    return f"| {_token()} | {_token()} |\n|---|---|\n{body}"


HEADINGS = st.sampled_from(
    [
        "## {t}",
        "### 01. {t} (45 min)",
        "### Lesson 2: {t}",
        "#### Key Concepts",
        "#### Student Summary",
        "#### Talking Points",
        "#### Discussion Questions",
        "#### {t}",
        "## Assessment Rubric",
        "### {t} (10 points)",
        "## Session 3: {t}",
        "##### {t}",
    ]
)


@st.composite
def manuals(draw: st.DrawFn) -> str:
    parts = []
    if draw(st.booleans()):
        parts.append(f"---\nauthor: {_token()}\nsubtitle: {_token()}\n---\n")
    parts.append(f"# {_token()}\n\n")
    for _ in range(draw(st.integers(1, 8))):
        parts.append(draw(HEADINGS).format(t=_token()) + "\n\n")
        for _ in range(draw(st.integers(0, 3))):
            parts.append(draw(_block()) + "\n")
    return "".join(parts)


@settings(deadline=None)
@given(manuals())
def test_every_word_reaches_the_model_or_a_diagnostic(text: str) -> None:
    course, diags = parse_course(text)
    seen = pformat(course) + "\n".join(d.message for d in diags)
    lost = [w for w in text.split() if w.startswith("tok") and w.rstrip("|") not in seen]
    assert lost == [], lost


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.dates(),
    st.datetimes(),
)
_NESTED = st.lists(_SCALARS, max_size=4) | st.dictionaries(st.text(max_size=8), _SCALARS)
_VALUES = (
    _SCALARS
    | _NESTED
    | st.lists(_NESTED, max_size=3)
    | st.dictionaries(st.text(max_size=8), _NESTED, max_size=3)
)
_KEYS = st.sampled_from(sorted(KNOWN_KEYS | {"other"}))


@settings(deadline=None)
@given(st.dictionaries(_KEYS, _VALUES, max_size=6))
def test_any_front_matter_gives_a_course_or_diagnostics(front: dict[str, object]) -> None:
    import yaml

    text = "---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\n# T\n\n## A\n\nx\n"
    course, diags = parse_course(text)
    assert course is not None or any(d.severity == "error" for d in diags)
