"""Markdown -> model: structure and one test per diagnostic."""

from __future__ import annotations

import textwrap
from pathlib import Path

from deckbuild.model import (
    CodeBlock,
    DiscussionQuestions,
    KeyConcepts,
    ListBlock,
    OtherSection,
    Paragraph,
    Run,
    StudentSummary,
    Table,
    TalkingPoints,
    blocks_lines,
    inline_text,
    section_blocks,
)
from deckbuild.parse import parse_course

from .helpers import parse_text


def manual(body: str, head: str = "# Course\n*Sub*\n\n## Lesson-by-Lesson Guide\n\n") -> str:
    return head + textwrap.dedent(body)


LESSON = """\
### 01. Intro (45 minutes)

#### 🎯 **Key Concepts**
- **Repo**: the gateway
- **Schema:** the blueprint
- **Changeset** - the validator
- Query: composable

#### 📝 **Student Summary**
*"Ecto is a toolkit."*

#### 🎤 **Teacher Talking Points**

Opening words before any topic.

**First Topic:**
"Quoted prose."

- **Lead-in**: "more"

**Second Topic**
```elixir
# not a heading
defmodule A do
end
```

#### 💬 **Discussion Questions**
1. **"Why?"**
   - *Because.*
2. **"How?"**
"""


def test_lesson_sections_are_read_by_name() -> None:
    course, diags = parse_text(manual(LESSON))
    assert course is not None, diags
    (lesson,) = course.lessons
    assert (lesson.number, lesson.number_text, inline_text(lesson.title)) == (1, "01", "Intro")
    assert lesson.minutes == 45
    kc, summary, tp, dq = lesson.sections
    assert isinstance(kc, KeyConcepts)
    assert [(inline_text(c.term), inline_text(c.explanation)) for c in kc.concepts] == [
        ("Repo", "the gateway"),
        ("Schema", "the blueprint"),
        ("Changeset", "the validator"),
        ("Query", "composable"),
    ]
    assert isinstance(summary, StudentSummary)
    assert isinstance(tp, TalkingPoints)
    assert [inline_text(t.title) for t in tp.topics] == ["", "First Topic", "Second Topic"]
    code = tp.topics[2].blocks[0]
    assert isinstance(code, CodeBlock)
    assert code.lang == "elixir"
    assert code.text.startswith("# not a heading\n")
    assert isinstance(dq, DiscussionQuestions)
    assert [inline_text(q.text) for q in dq.questions] == ['"Why?"', '"How?"']
    assert isinstance(dq.questions[0].guidance[0], ListBlock)
    assert dq.questions[1].guidance == ()


def test_course_header_overview_objectives() -> None:
    text = (
        textwrap.dedent("""\
        # Day X Manual
        *A guide*

        ## 📚 Overview

        Prose here.

        ### Learning Objectives
        By the end:
        - First **objective**
        - Second

        ## Lessons
        """)
        + LESSON
    )
    course, _ = parse_text(text)
    assert course is not None
    assert (course.title, course.subtitle) == ("Day X Manual", "A guide")
    assert [inline_text(o) for o in course.objectives] == ["First objective", "Second"]
    assert [inline_text(b.inlines) for b in course.overview if isinstance(b, Paragraph)] == [
        "Prose here.",
        "By the end:",
    ]


def test_file_order_is_teaching_order_and_numbers_vary() -> None:
    body = "\n".join(
        f"### {n}. Lesson {n} ({m})\n#### Student Summary\nx\n#### Talking Points\ny\n"
        for n, m in (("01", "45 minutes"), ("07", "40 min"), ("6", "1 hour 15 minutes"))
    )
    course, diags = parse_text(manual(body))
    assert course is not None
    assert [(les.number, les.minutes) for les in course.lessons] == [(1, 45), (7, 40), (6, 75)]
    assert any("info: lesson numbers skip 2, 3, 4, 5" in d for d in diags)


def test_units_with_labels_and_ranges() -> None:
    body = """\
    ### Phase 1: Setup (2-3 hours)
    #### Student Summary
    x
    #### Talking Points
    y
    ### Phase 2: Build (90 min)
    #### Student Summary
    x
    #### Talking Points
    y
    """
    course, _ = parse_text(manual(body, head="# C\n\n## 🏗️ Project Phases\n\n"))
    assert course is not None
    assert [(les.label, les.number, les.minutes, les.minutes_max) for les in course.lessons] == [
        ("Phase", 1, 120, 180),
        ("Phase", 2, 90, None),
    ]


def test_title_keeps_inline_code() -> None:
    course, _ = parse_text(manual("### 05. The `with` Clause (30 min)\n#### Student Summary\nx\n"))
    assert course is not None
    title = course.lessons[0].title
    assert inline_text(title) == "The with Clause"
    assert Run("with", code=True) in title


def test_unknown_section_is_kept_with_info() -> None:
    text = manual(LESSON + "\n#### 🧪 **Live Coding Approach**\nType it live.\n")
    course, diags = parse_text(text)
    assert course is not None
    other = course.lessons[0].sections[-1]
    assert isinstance(other, OtherSection)
    assert other.title == "Live Coding Approach"
    assert any(
        "info: lesson section 'Live Coding Approach' is not a known name: kept for the presenter"
        in d
        for d in diags
    )


def test_rubric_categories_points_nested_and_checked() -> None:
    text = manual(LESSON) + textwrap.dedent("""\

        ## 📊 Assessment Rubric

        ### Database Proficiency (10 points)
        - [ ] Designs schemas
          - [ ] with indexes
        - [x] Writes queries

        ### Technical Implementation (40 points)
        #### Excellent (36-40 points)
        - Clean code
        ```elixir
        # ✅ Uses pattern matching
        ```
        #### Good (28-35 points)
        - Mostly clean
        """)
    course, _ = parse_text(text)
    assert course is not None and course.rubric is not None
    db, tech = course.rubric.categories
    assert (db.name, db.points) == ("Database Proficiency", 10)
    assert [(inline_text(i.text), i.checked) for i in db.items] == [
        ("Designs schemas", False),
        ("Writes queries", True),
    ]
    assert [inline_text(c.text) for c in db.items[0].children] == ["with indexes"]
    assert (tech.name, tech.points) == ("Technical Implementation", 40)
    assert [(lv.name, lv.points, lv.points_max) for lv in tech.levels] == [
        ("Excellent", 36, 40),
        ("Good", 28, 35),
    ]
    assert [inline_text(i.text) for i in tech.levels[0].items] == ["Clean code"]
    assert isinstance(tech.levels[0].blocks[0], CodeBlock)


def test_tables_and_quotes_are_blocks() -> None:
    body = LESSON.replace(
        '"Quoted prose."', "| a | b |\n|---|---|\n| `1` | 2 |\n\n> quoted\n> block"
    )
    course, _ = parse_text(manual(body))
    assert course is not None
    tp = course.lessons[0].sections[2]
    assert isinstance(tp, TalkingPoints)
    table = tp.topics[1].blocks[0]
    assert isinstance(table, Table)
    assert [inline_text(c) for c in table.rows[0]] == ["1", "2"]


# --------------------------------------------------------------------------- diagnostics


def test_no_lessons_is_an_error() -> None:
    course, diags = parse_text("# Title\n\nJust prose.\n")
    assert course is None
    assert any(d.startswith("1: error: no units found") for d in diags)


def test_unclosed_fence_warns_at_its_opening_line() -> None:
    text = manual(LESSON + "\n#### Additional Examples\n```elixir\nIO.puts 1\n")
    _, diags = parse_text(text)
    line = text.split("\n").index("```elixir", 30) + 1
    assert (
        f"{line}: warning: code fence ```elixir is never closed; it runs to the end of the file"
        in diags
    )


def test_duplicate_numbers_name_both_lines() -> None:
    body = LESSON + "\n" + LESSON.replace("Intro", "Again")
    text = manual(body)
    _, diags = parse_text(text)
    first = text.split("\n").index("### 01. Intro (45 minutes)") + 1
    second = text.split("\n").index("### 01. Again (45 minutes)") + 1
    assert f"{second}: warning: duplicate lesson number 01 (also at line {first})" in diags


def test_missing_duration_summary_and_talking_points_warn() -> None:
    text = manual("### 01. Bare\n\n#### Key Concepts\n- **A**: b\n### 02. Timed (5 min)\n")
    _, diags = parse_text(text)
    assert "6: warning: lesson 01 'Bare' has no duration such as '(45 minutes)'" in diags
    assert "6: info: lesson 01 'Bare' has no student summary and no talking points" in diags


def test_bad_front_matter_warns_and_is_ignored() -> None:
    text = "---\ntitle: [unclosed\n---\n" + manual(LESSON)
    course, diags = parse_text(text)
    assert course is not None
    assert course.title == "Course"
    assert any("warning: front matter is not valid YAML" in d for d in diags)


def test_unsafe_yaml_tag_is_refused_and_does_not_run(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = f"---\nx: !!python/object/apply:os.system ['touch {marker}']\n---\n" + manual(LESSON)
    _, diags = parse_text(text)
    assert not marker.exists()
    assert any(d.startswith("2: error: front matter: refused YAML tag") for d in diags)


def test_front_matter_overrides_and_schedule() -> None:
    fm = (
        "---\ntitle: Other\nauthor: Ann\ndate: 2026-03-02\nschedule:\n  start: 09:00\n"
        "  breaks:\n    - after: 1\n      minutes: 15\n      label: Coffee\n"
        "rubric_links:\n  Designs schemas: [2, 3]\nmystery: 1\n---\n"
    )
    course, diags = parse_text(fm + manual(LESSON))
    assert course is not None
    assert (course.title, course.meta.author, course.meta.date) == ("Other", "Ann", "2026-03-02")
    assert course.meta.schedule is not None
    assert course.meta.schedule.start == 9 * 60
    assert [(b.after, b.minutes, b.label) for b in course.meta.schedule.breaks] == [
        (1, 15, "Coffee")
    ]
    assert course.meta.rubric_links == (("Designs schemas", (2, 3)),)
    assert "13: info: front matter: unknown key 'mystery' ignored" in diags


def test_images_resolve_inside_the_manual_folder_only(tmp_path: Path) -> None:
    (tmp_path / "ok.png").write_bytes(b"\x89PNG")
    body = LESSON.replace(
        '"Quoted prose."', "![fine](ok.png) ![gone](missing.png) ![out](../../etc/passwd)"
    )
    course, diags = parse_course(manual(body), base_dir=tmp_path)
    assert course is not None
    messages = [d.message for d in diags]
    assert "image 'missing.png' not found; its alt text is kept" in messages
    assert "image '../../etc/passwd' is outside the manual's folder; not used" in messages


def test_billion_laughs_front_matter_fails_fast_with_an_error() -> None:
    bomb = (
        "---\na: &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
            for i in range(20)
        )
        + "---\n"
    )
    _, diags = parse_text(bomb + manual(LESSON))
    assert any("3: error: front matter: YAML aliases (*name) are not allowed" in d for d in diags)


def test_oversized_front_matter_is_an_error() -> None:
    _, diags = parse_text("---\nx: '" + "y" * 70_000 + "'\n---\n" + manual(LESSON))
    assert any("error: front matter is larger than 64 KiB" in d for d in diags)


def test_absolute_and_symlinked_images_outside_are_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.png").write_bytes(b"\x89PNG")
    book = tmp_path / "book"
    book.mkdir()
    (book / "link.png").symlink_to(outside / "secret.png")
    body = LESSON.replace(
        '"Quoted prose."',
        f"![abs]({outside / 'secret.png'}) ![sym](link.png) ![web](https://x.org/a.png)",
    )
    course, diags = parse_course(manual(body), base_dir=book)
    assert course is not None
    messages = [d.message for d in diags]
    assert f"image '{outside / 'secret.png'}' is outside the manual's folder; not used" in messages
    assert "image 'link.png' is outside the manual's folder; not used" in messages
    assert not any("x.org" in m for m in messages)  # URLs are kept as references, never fetched


def test_structure_past_the_nesting_limit_is_flattened_not_lost() -> None:
    deep_list = "".join("  " * i + f"- level{i}\n" for i in range(12))
    deep_quote = ">" * 25 + " quoted\n"
    very_deep = "".join(" " * (2 * i) + f"- deep{i}\n" for i in range(150))
    text = manual(LESSON + "\n#### Key Concepts\n\n" + deep_list + "\n" + deep_quote)
    text += "\n" + very_deep + "\n### 02. After (5 min)\n\nStill here.\n"
    course, diags = parse_text(text)
    assert course is not None
    assert [inline_text(les.title) for les in course.lessons][-1] == "After"
    words = " ".join(blocks_lines(section_blocks(course.lessons[0].sections[-1])))
    assert all(f"level{i}" in words for i in range(12))
    assert "quoted" in words and "deep149" in words
    assert any("nested deeper than 8 levels are flattened here" in d for d in diags)
    assert any("deeper than a manual can nest" in d for d in diags)
