"""Pathological sizes build, say what they cut at the right line, and keep what they promise.

Modest versions of the manuals ``make bench`` times at full size (a 3,000-character rubric
heading, a 20,000-character word, a 2,000-row table, a 20,000-line code block): each used
to hang, crash or cost its size squared. No timing is asserted here; ``make bench`` prints
the times. The limits themselves are documented in ``deckbuild.layout.limits``.
"""

from __future__ import annotations

import dataclasses
import html
import io
import re
import xml.dom.minidom
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from deckbuild import cli, pipeline
from deckbuild.layout import limits
from deckbuild.layout.deck import layout_deck
from deckbuild.services import measure
from deckbuild.services.spans import Span, Style
from deckbuild.theme import DEFAULT
from deckbuild.writers.pptx import write_pptx

HEAD = "# Day X Teacher's Manual\n\n## Lesson-by-Lesson Guide\n\n"


@dataclasses.dataclass(frozen=True)
class Built:
    out: Path
    #: Warnings as (line, message).
    warnings: list[tuple[int, str]]

    def pdf_text(self, name: str) -> str:
        """The PDF's text, runs of white space as one space."""
        reader = PdfReader(self.out / name)
        return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))

    def deck_text(self, prefix: str) -> str:
        """The text of every deck part whose name starts with ``prefix``, in slide order:
        runs joined, one paragraph per line."""
        with zipfile.ZipFile(self.out / "deck.pptx") as z:
            names = [n for n in z.namelist() if n.startswith(prefix) and n.endswith(".xml")]
            names.sort(key=lambda n: int(re.sub(r"\D", "", n) or 0))
            paras: list[str] = []
            for name in names:
                part = z.read(name).decode("utf-8")
                for para in re.findall(r"<a:p>.*?</a:p>", part):
                    runs = re.findall(r"<a:t>([^<]*)</a:t>", para)
                    paras.append(html.unescape("".join(runs)))
            return "\n".join(paras)

    def slides(self) -> str:
        return self.deck_text("ppt/slides/slide")

    def notes(self) -> str:
        return self.deck_text("ppt/notesSlides/notesSlide")

    def warned(self, line: int, fragment: str) -> bool:
        return any(at == line and fragment in msg for at, msg in self.warnings)


def build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> Built:
    monkeypatch.setenv("DECKBUILD_JOBS", "1")
    manual = tmp_path / "manual.md"
    manual.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    err = io.StringIO()
    code = cli.run(["build", str(manual), "--out", str(out)], io.StringIO(), err)
    assert code == 0, err.getvalue()[-3000:]
    warnings = [
        (int(m.group(1)), m.group(2))
        for m in re.finditer(
            r"^\S*manual\.md:(\d+):\d+: warning: (.*)$", err.getvalue(), re.MULTILINE
        )
    ]
    return Built(out, warnings)


def line_of(text: str, fragment: str) -> int:
    """The 1-based line of the first line of ``text`` that contains ``fragment``."""
    return next(n for n, line in enumerate(text.split("\n"), 1) if fragment in line)


def has(text: str, phrase: str) -> bool:
    """Whether ``phrase`` occurs in ``text`` as whole words ("term 99", not "term 990")."""
    return re.search(rf"(?<![\w,]){re.escape(phrase)}(?![\w,])", text) is not None


def lesson(body: str, title: str = "Lesson One") -> str:
    return f"### 01. {title} (45 minutes)\n\n#### Student Summary\nA summary.\n\n{body}\n"


# --------------------------------------------------------------------------- rubric


def test_a_rubric_heading_of_3000_characters_is_printed_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = " ".join(f"criterion{n:04d}" for n in range(273))[:3000]
    text = HEAD + lesson("") + f"## Assessment Rubric\n\n### {name}\n- [ ] Writes tests\n"
    built = build(tmp_path, monkeypatch, text)
    printed = built.pdf_text("rubric.pdf")
    words = name.split()
    assert words[0] in printed and words[-1] in printed
    assert "Writes tests" in printed


def test_a_rubric_level_heading_of_3000_characters_is_printed_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = ("Excellent work " * 200)[:3000].strip()
    text = HEAD + lesson("") + f"## Assessment Rubric\n\n### Testing\n#### {name}\n- [ ] Tests\n"
    built = build(tmp_path, monkeypatch, text)
    assert built.pdf_text("rubric.pdf").count("Excellent") == name.count("Excellent")


def test_a_rubric_item_longer_than_a_page_is_split_between_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    word = "q" * 20_000  # a letter no other text of this rubric has
    text = HEAD + lesson("") + f"## Assessment Rubric\n\n### Testing\n- [ ] {word}\n- [ ] Next\n"
    built = build(tmp_path, monkeypatch, text)
    printed = built.pdf_text("rubric.pdf")
    assert printed.count("q") == len(word)  # every character, over several pages
    assert len(PdfReader(built.out / "rubric.pdf").pages) > 3
    assert "No lesson matched this criterion." in printed
    assert "Next" in printed
    # One checkbox per criterion, however many pages the first one takes.
    fields = PdfReader(built.out / "rubric.pdf").get_fields() or {}
    assert {"c01_i01", "c01_i02"} <= set(fields)


# --------------------------------------------------------------------------- words


def test_a_word_of_20000_characters_in_a_lesson_title(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    word = "q" * 20_000
    text = HEAD + lesson("#### Key Concepts\n- **Term**: meaning\n", title=word)
    built = build(tmp_path, monkeypatch, text)
    line = line_of(text, word)
    assert built.warned(line, "a word of 20,000 characters")
    slides = built.slides()
    assert "q" * limits.DECK_WORD_CHARS + "…" in slides
    assert "q" * (limits.DECK_WORD_CHARS + 1) not in slides
    assert word in built.notes()  # the notes keep it whole
    # The handout's heading has every character (its running header repeats a few).
    assert built.pdf_text("handouts/lesson-01.pdf").count("q") >= len(word)


def test_a_word_of_20000_characters_in_a_paragraph(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    word = "z" * 20_000
    body = f"#### Common Pitfalls\n- Watch out: {word} and more\n"
    text = HEAD + lesson(body)
    built = build(tmp_path, monkeypatch, text)
    assert built.warned(line_of(text, word), "a word of 20,000 characters")
    slides = built.slides()
    assert "z" * limits.DECK_WORD_CHARS + "…" in slides
    assert "and more" in slides


def test_the_line_breaker_keeps_every_character_of_a_long_word() -> None:
    fonts = DEFAULT.fonts

    def chain_of(style: Style) -> measure.Chain:
        return (fonts.body.file(style.bold, style.italic), *fonts.fallback)

    word = "w" * 50_000
    lines = measure.wrap([Span(f"a {word} b")], 300.0, 10.0, chain_of)
    # The space before the word ends a line, so it hangs in the margin and is not drawn.
    assert "".join(s.text for line in lines for s in line) == f"a{word} b"
    widths = [sum(measure.width(s.text, chain_of(s.style), 10.0) for s in ln) for ln in lines]
    assert max(widths[1:-1]) <= 300.0
    assert len(lines) > 50_000 * measure.width("w", chain_of(Style()), 10.0) // 300.0


# --------------------------------------------------------------------------- tables


def table(rows: int) -> str:
    return "| Term | Meaning | Example |\n|---|---|---|\n" + "".join(
        f"| term {n} | meaning {n} | example {n} |\n" for n in range(rows)
    )


def test_a_table_of_2000_rows_is_cut_with_a_warning_at_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = "#### Teacher Talking Points\n\n**Terms**\n\n" + table(2000)
    body += "\n#### Examples\n\n" + table(2000)
    text = HEAD + lesson(body)
    built = build(tmp_path, monkeypatch, text)
    first, second = (n for n, line in enumerate(text.split("\n"), 1) if line.startswith("| Term"))
    # The deck: the first 100 rows of each, then a row saying where the rest is.
    deck_rows = limits.DECK_TABLE_ROWS
    for at in (first, second):
        hidden_from = at + 2 + deck_rows
        assert built.warned(at, "table with 2,000 rows: only its first 100 are in the deck")
        assert f"… 1,900 more rows, from line {hidden_from:,} of the manual" in built.slides()
    slides = built.slides()
    assert has(slides, f"term {deck_rows - 1}") and not has(slides, f"term {deck_rows}")
    # The talking points' table is in the notes as far as it is on the slides.
    notes = built.notes()
    assert has(notes, f"term {deck_rows - 1}") and not has(notes, f"term {deck_rows}")
    # The handout prints the examples' table to 1,000 rows.
    print_rows = limits.PRINT_TABLE_ROWS
    assert built.warned(second, "table with 2,000 rows: only its first 1,000 are in the handouts")
    handout = built.pdf_text("handouts/lesson-01.pdf")
    assert has(handout, f"term {print_rows - 1}") and not has(handout, f"term {print_rows}")
    assert f"1,000 more rows, from line {second + 2 + print_rows:,} of the manual" in handout


def test_a_table_of_2000_key_concepts_is_cut_with_a_warning_at_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = HEAD + lesson("#### Key Concepts\n\n" + table(2000))
    built = build(tmp_path, monkeypatch, text)
    at = line_of(text, "| Term")
    assert built.warned(at, "key-concepts table with 2,000 rows: only its first 100 are in")
    assert built.warned(at, "key-concepts table with 2,000 rows: only its first 1,000 are in")
    assert f"1,900 more rows, from line {at + 102:,} of the manual" in built.slides()
    handout = built.pdf_text("handouts/lesson-01.pdf")
    assert has(handout, "meaning 999") and not has(handout, "meaning 1000")
    assert f"1,000 more rows, from line {at + 1002:,} of the manual" in handout


# --------------------------------------------------------------------------- code


def test_a_code_block_of_20000_lines_is_cut_with_a_warning_at_its_fence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = "".join(f'IO.puts("line {n}")\n' for n in range(20_000))
    body = f"#### Teacher Talking Points\n\n**Printing**\n\n```elixir\n{code}```\n"
    text = HEAD + lesson(body)
    built = build(tmp_path, monkeypatch, text)
    fence = line_of(text, "```elixir")
    deck, printed = limits.DECK_CODE_LINES, limits.PRINT_CODE_LINES
    assert built.warned(fence, "code block of 20,000 lines: only its first 400 are in the deck")
    assert built.warned(fence, "code block of 20,000 lines: only its first 1,000 are in the hand")
    slides = built.slides()
    assert has(slides, f"line {deck - 1}") and not has(slides, f"line {deck}")
    assert f"… 19,600 more lines, from line {fence + 1 + deck:,} of the manual" in slides
    handout = built.pdf_text("handouts/lesson-01.pdf")
    assert has(handout, f"line {printed - 1}") and not has(handout, f"line {printed}")
    assert f"19,000 more lines, from line {fence + 1 + printed:,} of the manual" in handout


def test_code_in_the_notes_is_cut_like_code_on_a_slide(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = "".join(f"x_{n} = {n}\n" for n in range(2_000))
    text = HEAD + lesson(f"#### Teaching Tips\n\n```elixir\n{code}```\n")
    built = build(tmp_path, monkeypatch, text)
    fence = line_of(text, "```elixir")
    assert built.warned(fence, "code block of 2,000 lines: only its first 400 are in the deck")
    notes = built.notes()
    assert has(notes, "x_399 = 399") and not has(notes, "x_400 = 400")
    assert f"… 1,600 more lines, from line {fence + 401:,} of the manual" in notes


def test_a_line_of_code_of_3000_characters_is_cut_on_the_slide_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    line = " |> ".join(f"step_{n:03d}(x)" for n in range(220))[:3000]
    body = f"#### Teacher Talking Points\n\n**Pipeline**\n\n```elixir\n{line}\n```\n"
    text = HEAD + lesson(body)
    built = build(tmp_path, monkeypatch, text)
    assert built.warned(line_of(text, line), "a line of code of 3,000 characters")
    slides = built.slides().replace("↪ ", "").replace("\n", " ")
    shown = line[: limits.DECK_CODE_LINE_CHARS]
    assert re.sub(r"\s+", "", shown) + "…" in re.sub(r"\s+", "", slides)
    handout = re.sub(r"\s+|↪", "", built.pdf_text("handouts/lesson-01.pdf"))
    assert re.sub(r"\s+", "", line) in handout


# --------------------------------------------------------------------------- many lessons


def test_a_contents_over_several_pages_gives_each_lesson_its_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Contents over several pages give each lesson the page it starts on: the numbers
    are drawn when every page is known, so how long the cover is does not matter."""
    from deckbuild.layout.handout import layout_handouts
    from deckbuild.writers import pdf_handout

    lessons = "".join(
        f"### {n:02d}. Lesson {n} (5 min)\n\n#### Student Summary\nSummary {n}.\n\n"
        for n in range(1, 121)
    )
    manual = tmp_path / "many.md"
    manual.write_text(HEAD + lessons, encoding="utf-8")
    course, _ = pipeline.load(manual)
    assert course is not None
    plan, _ = layout_handouts(course, DEFAULT)
    one = pdf_handout.write_handouts(plan, DEFAULT, pipeline.FIXED_DATE)["handouts.pdf"]
    reader = PdfReader(io.BytesIO(one))
    cover = "\n".join(p.extract_text(extraction_mode="layout") for p in reader.pages[:4])
    listed = dict(re.findall(r"^(\d+ · Lesson \d+)\s+5 min\s+(\d+)$", cover, re.MULTILINE))
    pages = [p.extract_text() for p in reader.pages]
    assert len(listed) == 120
    for heading, page in listed.items():
        assert f"\n{heading}\n" in pages[int(page) - 1], heading
    assert int(listed["01 · Lesson 1"]) > 2  # the contents took several pages


# --------------------------------------------------------------------------- pptx XML


def test_every_attribute_and_text_of_the_deck_is_well_formed_xml(tmp_path: Path) -> None:
    """The front matter's language reaches every run's ``lang``; quotes, markup and control
    characters in it (or in any text) must not break a part."""
    manual = tmp_path / "m.md"
    manual.write_text(HEAD + lesson("#### Key Concepts\n- **A**: b\n"), encoding="utf-8")
    course, _ = pipeline.load(manual)
    assert course is not None
    nasty = "en\" x='1' <&>\x01\x0b\x7f\x85\ud800\ufffe"
    course = dataclasses.replace(
        course,
        title=f"T{nasty}itle",
        meta=dataclasses.replace(course.meta, language=nasty, author=nasty),
    )
    plan, _ = layout_deck(course, DEFAULT)
    data = write_pptx(plan, DEFAULT, pipeline.FIXED_DATE)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = [n for n in z.namelist() if n.endswith((".xml", ".rels"))]
        for name in parts:
            xml.dom.minidom.parseString(z.read(name))  # raises on a malformed part
        slide = z.read("ppt/slides/slide2.xml").decode("utf-8")
    assert "lang=\"en&quot; x='1' &lt;&amp;&gt;" in slide
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", slide)
