"""The deck layout on small hand-written manuals: splitting, shrinking, code cuts, notes."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import replace
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from deckbuild.layout.deck import layout_deck
from deckbuild.layout.deck_content import lead_in
from deckbuild.layout.deck_paginate import ABOUT_WORDS, HARD_WORDS, MAX_BULLETS
from deckbuild.layout.deck_plan import (
    DeckPlan,
    PictureShape,
    Slide,
    TableShape,
    TextShape,
    frame_text,
    shape_text,
    slide_title,
)
from deckbuild.model import Course, Run
from deckbuild.parse import parse_course
from deckbuild.theme import DEFAULT
from deckbuild.writers.pptx import write_pptx

from .deck_helpers import tokens
from .helpers import parse_text

DATE = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
HEAD = "# Course\n\n## Lesson-by-Lesson Guide\n\n### 01. First Lesson (45 minutes)\n\n"
#: What every slide of the lesson in HEAD starts its title with.
LESSON_TAG = "01 · "


def deck(body: str, head: str = HEAD) -> tuple[Course, DeckPlan]:
    course, diags = parse_text(head + body)
    assert course is not None, diags
    plan, _ = layout_deck(course, DEFAULT)
    return course, plan


def shapes(slide: Slide, role: str) -> list[TextShape]:
    return [s for s in slide.shapes if isinstance(s, TextShape) and s.role == role]


def titled(plan: DeckPlan, prefix: str) -> list[Slide]:
    """The slides whose title, after the lesson's tag ("01 · "), starts with ``prefix``."""
    return [s for s in plan.slides if in_lesson(slide_title(s)).startswith(prefix)]


def in_lesson(title: str) -> str:
    return title.removeprefix(LESSON_TAG)


def notes(slide: Slide) -> str:
    return "\n".join("".join(r.text for r in p.runs) for p in slide.notes)


def talking(*topics: str) -> str:
    return "#### Teacher Talking Points\n\n" + "\n\n".join(topics) + "\n"


# --------------------------------------------------------------------------- talking points


def test_a_topic_shows_lead_ins_and_says_everything_in_the_notes() -> None:
    _, plan = deck(
        talking(
            '**The Pillars:**\n"Intro sentence here."\n'
            '1. **Repo**: "The gateway to the database."\n'
            '2. **Schema**: "The blueprint of your data."\n'
        )
    )
    (slide,) = titled(plan, "The Pillars")
    body = shapes(slide, "body")
    assert [frame_text(b.frame) for b in body] == ["Repo\nSchema"]
    said = notes(slide)
    for phrase in ("Intro sentence here.", "The gateway to the database.", "Schema"):
        assert phrase in said
    assert "gateway" not in frame_text(body[0].frame)


def test_a_prose_only_topic_gets_a_one_line_pull_out() -> None:
    prose = (
        '"Ecto embraces the database. It gives you explicit control and safety, preventing '
        "common pitfalls that other libraries hide behind a wall of magic and configuration "
        'that nobody reads."'
    )
    _, plan = deck(talking(f"**Ecto's Place:**\n{prose}"))
    (slide,) = titled(plan, "Ecto's Place")
    (pull,) = shapes(slide, "pullout")
    assert len(pull.frame.paras) == 1
    assert pull.box.h < 60  # one line
    assert "Ecto embraces the database." in frame_text(pull.frame)
    assert tokens(prose) <= tokens(notes(slide))
    assert not shapes(slide, "body")


def test_each_code_block_gets_a_code_slide_with_the_prose_around_it() -> None:
    _, plan = deck(
        talking(
            "**Broadcasting:**\n"
            '"Before the code."\n'
            "```elixir\ndef hello(name), do: IO.puts(name)\n```\n"
            '"After the code."\n'
        )
    )
    (slide,) = titled(plan, "Broadcasting")
    assert slide.kind == "code"
    (code,) = shapes(slide, "code")
    assert "def hello(name)" in frame_text(code.frame)
    assert "Before the code." in notes(slide) and "After the code." in notes(slide)
    colours = {r.colour for p in code.frame.paras for r in p.runs}
    assert len(colours) >= 3


def test_more_than_six_lead_ins_continue_on_a_numbered_slide() -> None:
    items = "\n".join(f'- **Point {n}**: "Explained."' for n in range(1, 9))
    _, plan = deck(talking(f"**Many Points:**\n{items}\n"))
    slides = titled(plan, "Many Points")
    assert [slide_title(s) for s in slides] == [
        f"{LESSON_TAG}Many Points (1/2)",
        f"{LESSON_TAG}Many Points (2/2)",
    ]
    counts = [len(shapes(s, "body")[0].frame.paras) for s in slides]
    assert counts == [4, 4]  # balanced, no orphan
    assert all(c <= MAX_BULLETS for c in counts)


def test_body_shrinks_before_it_splits() -> None:
    concepts = "\n".join(
        f"- **Concept {n}**: uses `extraordinarily_long_identifier_{n}` with "
        f"`another_rather_long_identifier_{n}` and `yet_another_identifier_{n}` inside"
        for n in range(1, 6)
    )
    _, plan = deck(f"#### Key Concepts\n{concepts}\n")
    (slide,) = titled(plan, "Key Concepts")
    sizes = {r.size for p in shapes(slide, "body")[0].frame.paras for r in p.runs}
    assert len(sizes) == 1
    assert DEFAULT.sizes.body_min <= sizes.pop() < DEFAULT.sizes.body


def test_a_long_paragraph_is_split_at_sentences_and_nothing_is_lost() -> None:
    sentence = "Every word of this pitfall has to reach a slide because pitfalls are shown. "
    text = sentence * 14
    _, plan = deck(f"#### Common Pitfalls\n{text}\n")
    slides = titled(plan, "Common Pitfalls")
    assert len(slides) > 1
    shown = "\n".join(shape_text(s) for sl in slides for s in sl.shapes)
    assert tokens(text) <= tokens(shown)
    for s in slides:
        words = sum(len(re.findall(r"\w+", frame_text(b.frame))) for b in shapes(s, "body"))
        assert words <= ABOUT_WORDS <= HARD_WORDS


def test_discussion_questions_show_questions_and_keep_guidance_in_notes() -> None:
    _, plan = deck(
        '#### Discussion Questions\n1. **"Why pin?"**\n   - *Injection safety.*\n'
        '2. **"Why compose?"**\n   - *Reuse.*\n'
    )
    (slide,) = titled(plan, "Discussion Questions")
    body = frame_text(shapes(slide, "body")[0].frame)
    assert body == "Why pin?\nWhy compose?"
    assert "Injection safety." in notes(slide) and "Reuse." in notes(slide)
    assert "Injection" not in body


def test_teaching_tips_go_to_the_pitfalls_slide_notes() -> None:
    _, plan = deck(
        "#### Teaching Tips\n- **Start Simple**: begin with function plugs\n\n"
        "#### Common Pitfalls\n1. **Forgetting Conn**: plugs must return it\n"
    )
    assert not titled(plan, "Teaching Tips")
    (slide,) = titled(plan, "Common Pitfalls")
    assert "Forgetting Conn" in frame_text(shapes(slide, "body")[0].frame)
    assert "begin with function plugs" in notes(slide)


def test_section_slide_has_label_duration_and_timing_cue() -> None:
    head = (
        "---\nschedule: {start: '09:00'}\n---\n# Course\n\n## Lesson-by-Lesson Guide\n\n"
        "### Lesson 3: Changesets (60 minutes)\n\n"
    )
    _, plan = deck('#### Student Summary\n*"Changesets guard data."*\n', head)
    (section,) = [s for s in plan.slides if s.kind == "section"]
    assert slide_title(section) == "Lesson 3 · Changesets"
    assert "1 h · 09:00–10:00" in "".join(shape_text(s) for s in section.shapes)
    assert notes(section).startswith("Lesson 3 · 1 h · 09:00–10:00")


def test_lead_in_extraction() -> None:
    assert lead_in((Run("Repo", strong=True), Run(': "The gateway"'))) is not None
    assert lead_in((Run('"'), Run("Mock", strong=True), Run(": verifies"))) is not None
    assert lead_in((Run("Ecto runs "), Run("two", strong=True), Run(" queries"))) is None
    code = lead_in((Run("{:ok, r}", code=True), Run(": on success")))
    assert code is not None and code[0].style.mono


# --------------------------------------------------------------------------- code


def _module(functions: int, body_lines: int) -> str:
    out = ["defmodule Big do"]
    for f in range(functions):
        out.append(f"  def f{f}(x) do")
        out.extend(f"    x = x + {k}" for k in range(body_lines))
        out.append("    x")
        out.append("  end")
        out.append("")
    out.append("end")
    return "\n".join(out)


def test_long_code_is_cut_between_functions_never_inside_a_line() -> None:
    code = _module(12, 4)
    _, plan = deck(talking(f"**Big Module:**\n```elixir\n{code}\n```\n"))
    slides = titled(plan, "Big Module")
    assert len(slides) > 1
    assert all(re.search(r" \(\d+/\d+\)$", slide_title(s)) for s in slides)
    shown: list[str] = []
    for s in slides:
        (box,) = shapes(s, "code")
        lines = frame_text(box.frame).split("\n")
        first = lines[0]
        assert first.startswith(("defmodule", "  def ")), first
        assert len(lines) >= 3
        shown.extend(lines)
        sizes = {r.size for p in box.frame.paras for r in p.runs}
        assert min(sizes) >= DEFAULT.sizes.code_min
    source = [line for line in code.split("\n") if line.strip()]
    assert [line for line in shown if line.strip()] == source


def test_code_shrinks_before_it_splits() -> None:
    code = _module(3, 4)
    _, plan = deck(talking(f"**Medium:**\n```elixir\n{code}\n```\n"))
    (slide,) = titled(plan, "Medium")
    (box,) = shapes(slide, "code")
    assert len(box.frame.paras) == len(code.split("\n"))
    (size,) = {r.size for p in box.frame.paras for r in p.runs}
    assert DEFAULT.sizes.code_min <= size < DEFAULT.sizes.code


def test_a_very_long_code_line_wraps_behind_a_marker() -> None:
    line = "value = " + " |> ".join(f"step_number_{n}(arg)" for n in range(30))
    _, plan = deck(talking(f"**Long Line:**\n```elixir\n{line}\n```\n"))
    (slide,) = titled(plan, "Long Line")
    (box,) = shapes(slide, "code")
    texts = [("".join(r.text for r in p.runs)) for p in box.frame.paras]
    assert len(texts) > 1
    assert all(t.startswith("↪ ") for t in texts[1:])
    joined = texts[0] + "".join(" " + t.removeprefix("↪ ") for t in texts[1:])
    assert joined == line


# --------------------------------------------------------------------------- robustness


def test_tables_images_links_and_long_titles_do_not_break_the_deck(tmp_path: Path) -> None:
    picture = tmp_path / "pic.png"
    picture.write_bytes(PNG_1X1)
    long_title = "An Extremely Long Topic Title " * 6
    body = talking(
        f"**{long_title}:**\n| a | b |\n|---|---|\n| one | two |\n\n"
        f'![A diagram of the flow]({picture.name}) and a [link](https://example.org) "x"\n',
    )
    course, _ = parse_course(HEAD + body, base_dir=tmp_path)
    assert course is not None
    plan, _ = layout_deck(course, DEFAULT)
    assert any(isinstance(s, TableShape) for sl in plan.slides for s in sl.shapes)
    pictures = [s for sl in plan.slides for s in sl.shapes if isinstance(s, PictureShape)]
    assert [p.alt for p in pictures] == ["A diagram of the flow"]
    prs = Presentation(io.BytesIO(write_pptx(plan, DEFAULT, DATE)))
    described = [
        sh._element.nvPicPr.cNvPr.get("descr")
        for s in prs.slides
        for sh in s.shapes
        if sh.shape_type == MSO_SHAPE_TYPE.PICTURE
    ]
    assert described == ["A diagram of the flow"]
    links = [
        r.hyperlink.address
        for s in prs.slides
        for sh in s.shapes
        if sh.has_text_frame
        for p in sh.text_frame.paragraphs
        for r in p.runs
        if r.hyperlink.address
    ]
    notes_links = [
        r.hyperlink.address
        for s in prs.slides
        if s.has_notes_slide
        for p in s.notes_slide.notes_text_frame.paragraphs
        for r in p.runs
        if r.hyperlink.address
    ]
    assert "https://example.org" in links + notes_links


def test_an_unreadable_image_leaves_its_alt_text(tmp_path: Path) -> None:
    (tmp_path / "broken.png").write_bytes(b"not a png")
    body = talking('**Pictures:**\n![Flow chart](broken.png) "x"\n')
    course, _ = parse_course(HEAD + body, base_dir=tmp_path)
    assert course is not None
    plan, _ = layout_deck(course, DEFAULT)
    prs = Presentation(io.BytesIO(write_pptx(plan, DEFAULT, DATE)))
    texts = [sh.text_frame.text for s in prs.slides for sh in s.shapes if sh.has_text_frame]
    assert "Flow chart" in texts


WORDS = st.text(
    alphabet=st.characters(categories=["L", "N"], max_codepoint=0x2FFF), min_size=1, max_size=12
)
PROSE = st.lists(WORDS, min_size=1, max_size=40).map(" ".join)


@settings(deadline=None)
@given(
    st.lists(
        st.one_of(
            PROSE.map(lambda p: f'"{p}."'),
            st.lists(PROSE, min_size=1, max_size=9).map(
                lambda items: "\n".join(f"- **{i.split()[0]}**: {i}" for i in items)
            ),
            st.lists(PROSE, min_size=1, max_size=30).map(
                lambda lines: "```elixir\n" + "\n".join(lines) + "\n```"
            ),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_every_word_of_a_topic_reaches_the_deck(blocks: list[str]) -> None:
    body = "\n\n".join(blocks)
    _, plan = deck(talking(f"**Random Topic:**\n{body}"))
    text = "\n".join(shape_text(s) + "\n" + notes(sl) for sl in plan.slides for s in sl.shapes)
    expected = tokens(re.sub(r"[*`\"]", " ", body.replace("```elixir", "")))
    assert expected <= tokens(text.replace("↪", " "))
    for sl in plan.slides:
        words = sum(len(re.findall(r"\w+", frame_text(b.frame))) for b in shapes(sl, "body"))
        assert words <= HARD_WORDS
    write_pptx(plan, DEFAULT, DATE)


BITS = st.sampled_from(
    [
        "\n",
        "\n\n",
        " ",
        "### 01. Lesson (45 minutes)\n",
        "#### Teacher Talking Points\n",
        "#### Key Concepts\n",
        "#### Discussion Questions\n",
        "#### Common Pitfalls\n",
        "#### Whatever Else\n",
        "**Bold topic:**\n",
        "- **Lead**: text\n",
        '1. **"Question?"**\n   - *guidance*\n',
        "```elixir\n",
        "```\n",
        "def x do\n  :ok\nend\n",
        "| a | b |\n|---|---|\n| 1 | 2 |\n",
        "> quoted\n",
        "![alt](missing.png)\n",
        "🎯 ✅ 日本語 ",
        "\t",
        "x" * 300,
    ]
)


@settings(deadline=None)
@given(st.lists(st.one_of(BITS, st.text(max_size=30)), max_size=50).map("".join))
def test_any_manual_gives_a_deck_or_diagnostics_never_a_traceback(text: str) -> None:
    course, _ = parse_course(HEAD + text)
    if course is None:
        return
    plan, diags = layout_deck(course, DEFAULT)
    assert all(d.pos.line >= 1 for d in diags)
    for slide in plan.slides:
        assert slide_title(slide).strip()
    write_pptx(plan, DEFAULT, DATE)


def test_a_theme_logo_sits_on_the_title_slide(tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG_1X1)
    course, _ = parse_text(HEAD + talking('**T:**\n"Words here."'))
    assert course is not None
    theme = replace(DEFAULT, logo=str(logo))
    plan, _ = layout_deck(course, theme)
    first = plan.slides[0]
    assert [s.path for s in first.shapes if isinstance(s, PictureShape)] == [str(logo)]
    prs = Presentation(io.BytesIO(write_pptx(plan, theme, DATE)))
    assert any(sh.shape_type == MSO_SHAPE_TYPE.PICTURE for sh in prs.slides[0].shapes)


def test_an_absurdly_long_title_is_shortened_and_kept_whole_in_the_notes() -> None:
    words = " ".join(f"word{n}" for n in range(120))
    head = f"# Course\n\n## Lesson-by-Lesson Guide\n\n### 01. {words} (45 minutes)\n\n"
    _, plan = deck(talking(f'**Topic {words}:**\n"Prose that carries the whole topic."'), head)
    for kind in ("section", "topic"):
        (slide,) = [s for s in plan.slides if s.kind == kind]
        assert slide_title(slide).endswith("…")
        assert slide.title.box.h < 3 * 36 * 1.5
        assert "word119" in notes(slide)
