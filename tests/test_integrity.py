"""The whole pipeline on hostile input, and the integrity of what it writes.

Hypothesis mutates the corpus (lines deleted, duplicated, swapped, truncated; fences,
headings, tables and junk inserted) and runs parse -> layout -> all three writers. Each case
ends in diagnostics with exit 1, or in outputs that reopen. `make fuzz` runs the long profile.
"""

from __future__ import annotations

import io
import os
import random
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from deckbuild import cli, pipeline

from .conftest import FIXTURES
from .helpers import OPERATIONS, Edit, mutate

ARTEFACTS = ("deck.pptx", "handouts.pdf", "rubric.pdf")
CORPUS_LINES = (FIXTURES / "day-two-v2.md").read_text(encoding="utf-8").split("\n")
JUNK = st.sampled_from(
    [
        "```",
        "```elixir",
        "### 99. Inserted (5 min)",
        "#### Key Concepts",
        "| a | b |",
        "|---|---|",
        "- [ ] item",
        "**Bold:**",
        "\x0b\x0c",
        "\ufeff",
        "🎯" * 50,
        "   ",
        "#" * 7,
        "> " * 30,
        "1. " * 20,
        "x" * 5000,
        "<div>",
        "![img](../../x.png)",
        "日本語",
    ]
)


def test_all_five_artefacts_are_built() -> None:
    assert tuple(pipeline.ARTEFACTS) == ("deck", "handouts", "rubric", "slides", "notes")


def _reopens(out: Path) -> None:
    from pptx import Presentation
    from pypdf import PdfReader

    Presentation(str(out / "deck.pptx"))
    for name in ("handouts.pdf", "rubric.pdf", "slides.pdf", "notes.pdf"):
        data = (out / name).read_bytes()
        assert data.rstrip().endswith(b"%%EOF")
        PdfReader(io.BytesIO(data))


def _build(manual: Path, out: Path) -> tuple[int, str]:
    err = io.StringIO()
    code = cli.run(["build", str(manual), "--out", str(out)], io.StringIO(), err)
    return code, err.getvalue()


# Each example is a whole build; the CI profile keeps this to a few seconds and
# `make fuzz` runs hundreds.
@settings(max_examples=400 if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz" else 12)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(OPERATIONS),
            st.integers(0, 10_000),
            st.integers(0, 10_000),
            JUNK,
        ),
        min_size=1,
        max_size=30,
    )
)
# Found by this test: a lesson set alone and then in the whole handout carried
# reportlab's "postponed" mark from one document to the next ("too large" LayoutError).
@example(
    edits=[("delete", 0, 0, ""), ("delete", 0, 0, ""), ("swap", 530, 2202, "")],
)
def test_mutated_manuals_build_or_fail_cleanly(
    tmp_path_factory: pytest.TempPathFactory, edits: list[Edit]
) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    manual = folder / "m.md"
    manual.write_text(mutate(CORPUS_LINES, edits), encoding="utf-8")
    code, err = _build(manual, folder / "out")
    assert "Traceback" not in err and "internal error" not in err, err
    assert code in (0, 1), err
    if code == 0:
        _reopens(folder / "out")
    else:
        assert ": error: " in err


BROKEN = {
    "empty": b"",
    "binary": bytes(random.Random(7).randbytes(4096)),
    "no lessons": b"# Title\n\nJust prose, no units.\n",
    "nul bytes": b"# T\n\x00\x00### 01. A (5 min)\n",
    "truncated utf8": "# T\n### 01. Ä (5 min)\n🎯".encode()[:-2],
    "unclosed fence": b"# T\n### 01. A (5 min)\n#### Talking Points\n```elixir\ndef x\n",
    "headings only": b"# T\n### 01. A (5 min)\n#### Key Concepts\n#### Student Summary\n",
    "huge line": b"# T\n### 01. A (5 min)\n#### Talking Points\n" + b"word " * 50_000,
    "deep nesting": b"# T\n### 01. A (5 min)\n"
    + b"".join(b"  " * i + b"- x\n" for i in range(300)),
    "many duplicates": b"# T\n" + b"### 01. A (5 min)\n#### Student Summary\nx\n" * 300,
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_inputs_never_crash(tmp_path: Path, name: str) -> None:
    manual = tmp_path / "m.md"
    manual.write_bytes(BROKEN[name])
    code, err = _build(manual, tmp_path / "out")
    assert "Traceback" not in err and "internal error" not in err, err
    assert code in (0, 1)
    if name in {"empty", "binary", "no lessons"}:
        assert code == 1
        assert f"{manual}:1:1: error:" in err
    if code == 0:
        _reopens(tmp_path / "out")


def test_builds_are_byte_identical(tmp_path: Path) -> None:
    manual = FIXTURES / "day-two.md"
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    first = pipeline.build(pipeline.BuildRequest(manual, tmp_path / "a", environ=env))
    time.sleep(1.1)
    second = pipeline.build(pipeline.BuildRequest(manual, tmp_path / "b", environ=env))
    assert first.ok and second.ok
    names = sorted(
        p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file()
    )
    assert {str(n) for n in names} >= set(ARTEFACTS)
    for rel in names:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel


def test_source_date_epoch_is_honoured(tmp_path: Path) -> None:
    manual = FIXTURES / "day-two.md"
    env = {"SOURCE_DATE_EPOCH": "1700000000"}
    assert pipeline.build(pipeline.BuildRequest(manual, tmp_path, environ=env)).ok
    with zipfile.ZipFile(tmp_path / "deck.pptx") as z:
        core = z.read("docProps/core.xml").decode()
        assert "2023-11-14T22:13:20Z" in core
        # Zip stores local times in 2-second steps; every entry carries the source date.
        assert {info.date_time for info in z.infolist()} == {(2023, 11, 14, 22, 13, 20)}
    assert b"20231114221320" in (tmp_path / "handouts.pdf").read_bytes()


def test_failing_build_keeps_previous_outputs(tmp_path: Path) -> None:
    good = FIXTURES / "day-two.md"
    assert _build(good, tmp_path)[0] == 0
    before = {n: (tmp_path / n).read_bytes() for n in ARTEFACTS}
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"# Title\n\nno lessons\n")
    assert _build(bad, tmp_path)[0] == 1
    assert {n: (tmp_path / n).read_bytes() for n in ARTEFACTS} == before


def test_killed_build_leaves_no_torn_file(tmp_path: Path) -> None:
    # A big manual so the build is still running when it is killed.
    text = (FIXTURES / "day-two-v5.md").read_text(encoding="utf-8")
    head, _, rest = text.partition("### 01.")
    guide, sep, tail = rest.partition("## 🎯 Teaching Strategies")
    manual = tmp_path / "big.md"
    manual.write_text(head + ("### 01." + guide) * 8 + sep + tail, encoding="utf-8")
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "deckbuild", "-qq", "build", str(manual), "--out", str(out)],
        stderr=subprocess.DEVNULL,
    )
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    for name in ARTEFACTS:
        assert not (out / name).exists() or _complete(out / name), name
    # The next build removes the dead build's temporary files.
    assert _build(manual, out)[0] == 0
    assert not list(out.rglob(".deckbuild-tmp-*"))
    _reopens(out)


def _complete(path: Path) -> bool:
    data = path.read_bytes()
    if path.suffix == ".pdf":
        return data.rstrip().endswith(b"%%EOF")
    return zipfile.is_zipfile(path)


# --------------------------------------------------------------------------- valid packages


@pytest.fixture(scope="module")
def day_two_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("valid")
    assert _build(FIXTURES / "day-two.md", out)[0] == 0
    return out


def test_pptx_relationships_and_content_types_are_complete(day_two_build: Path) -> None:
    import posixpath
    import xml.etree.ElementTree as ET

    ns_rel = "{http://schemas.openxmlformats.org/package/2006/relationships}"
    ns_ct = "{http://schemas.openxmlformats.org/package/2006/content-types}"
    with zipfile.ZipFile(day_two_build / "deck.pptx") as z:
        names = set(z.namelist())
        types = ET.fromstring(z.read("[Content_Types].xml"))
        defaults = {d.get("Extension", "").lower() for d in types.iter(f"{ns_ct}Default")}
        overrides = {o.get("PartName", "").lstrip("/") for o in types.iter(f"{ns_ct}Override")}
        for name in names - {"[Content_Types].xml"}:
            ext = name.rsplit(".", 1)[-1].lower()
            assert name in overrides or ext in defaults, f"no content type for {name}"
        for name in (n for n in names if n.endswith(".rels")):
            folder = posixpath.dirname(posixpath.dirname(name))
            for rel in ET.fromstring(z.read(name)).iter(f"{ns_rel}Relationship"):
                if rel.get("TargetMode") == "External":
                    continue
                target = posixpath.normpath(posixpath.join(folder, rel.get("Target", "")))
                assert target.lstrip("/") in names, f"{name}: {rel.get('Target')} is missing"
        presentation = z.read("ppt/presentation.xml").decode()
        assert "<p:notesMasterIdLst>" in presentation


def test_pdfs_parse_and_their_form_fields_are_well_formed(day_two_build: Path) -> None:
    from pypdf import PdfReader

    for name in ("handouts.pdf", "rubric.pdf", "slides.pdf", "notes.pdf"):
        reader = PdfReader(day_two_build / name, strict=True)
        assert len(reader.pages) >= 1
        assert reader.metadata is not None and reader.metadata.title
    reader = PdfReader(day_two_build / "rubric.pdf", strict=True)
    names: list[str] = []
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            field = annot.get_object()
            if field.get("/Subtype") != "/Widget":
                continue
            assert field.get("/FT") in ("/Btn", "/Tx"), field
            assert len(field["/Rect"]) == 4
            names.append(str(field["/T"]))
            if field["/FT"] == "/Btn":
                states = set(field["/AP"]["/N"].keys())
                assert "/Off" in states and len(states) == 2, states
                assert field.get("/V", "/Off") in states
    assert len(names) == len(set(names)) >= 16 + 3
