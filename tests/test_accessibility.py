"""Accessible outputs: tagged PDFs (PDF/UA-1) and a deck a screen reader can navigate.

Every fixture manual is built with the CLI; each PDF is read back with pikepdf:
- no text operator lies outside marked content;
- the structure tree's leaves, in tree order, hold the page content's text in stream
  order (artifacts aside), and each leaf's text is on its page in pdftotext's extraction;
- the roles a reader needs are there (H1, P, L, LI, Table, Code; Form in the rubric);
- ``pdfua check`` reports 0 errors and 0 warnings.
The deck has one title per slide, unique in the deck, first in the shape tree.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from pptx import Presentation

from deckbuild import cli

from .conftest import FIXTURES, corpus_manuals

MANUALS = [
    *corpus_manuals(),
    *sorted((FIXTURES / "guides").rglob("*.md")),
    FIXTURES / "day-two.md",
]
_TEXT_OPS = {"Tj", "TJ", "'", '"'}


def _id(p: Path) -> str:
    return p.relative_to(FIXTURES).as_posix()


@cache
def _built(manual: Path, root: Path) -> Path:
    out = root / _id(manual).replace("/", "_")
    assert cli.run(["-qq", "build", str(manual), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("a11y")


def _pdfs(out: Path) -> list[Path]:
    return sorted(out.rglob("*.pdf"))


# --------------------------------------------------------------------------- reading PDFs


def _cmap(font: pikepdf.Object) -> dict[int, str]:
    """A simple font's codes -> text, from its ToUnicode map (reportlab writes bfchar)."""
    data = font.ToUnicode.read_bytes().decode("latin-1")
    out: dict[int, str] = {}
    for code, uni in re.findall(r"<([0-9A-Fa-f]{2})>\s*<([0-9A-Fa-f]+)>", data):
        raw = bytes.fromhex(uni)
        out[int(code, 16)] = raw.decode("utf-16-be", "replace")
    return out


def _decode(data: bytes, cmap: dict[int, str]) -> str:
    return "".join(cmap.get(b, "") for b in data)


def _marked_text(pdf: pikepdf.Pdf) -> Iterator[tuple[int, int | None, str, bool]]:
    """(page, MCID or None, text, inside marked content) for every text operator."""
    for n, page in enumerate(pdf.pages):
        fonts = page.Resources.get("/Font", {})
        cmaps = {str(k): _cmap(v) for k, v in fonts.items()}
        stack: list[int | None] = []
        cmap: dict[int, str] = {}
        for operands, op in pikepdf.parse_content_stream(page):
            name = str(op)
            if name == "BDC":
                props = operands[1]
                mcid = props.get("/MCID") if isinstance(props, pikepdf.Dictionary) else None
                stack.append(int(mcid) if mcid is not None else None)
            elif name == "BMC":
                stack.append(None)
            elif name == "EMC":
                stack.pop()
            elif name == "Tf":
                cmap = cmaps.get(str(operands[0]), {})
            elif name in _TEXT_OPS:
                strings = operands[-1] if name != "TJ" else operands[0]
                items = [strings] if name != "TJ" else list(strings)
                text = "".join(
                    _decode(bytes(s), cmap) for s in items if isinstance(s, pikepdf.String)
                )
                yield n, (stack[-1] if stack else None), text, bool(stack)


def _tree_leaves(pdf: pikepdf.Pdf) -> Iterator[tuple[str, int, int]]:
    """(role, page, MCID) of every marked-content kid, in the tree's order."""
    pages = {p.objgen: i for i, p in enumerate(pdf.pages)}

    def walk(node: pikepdf.Object, page: int | None) -> Iterator[tuple[str, int, int]]:
        if isinstance(node, pikepdf.Array):
            for kid in node:
                yield from walk(kid, page)
            return
        if not isinstance(node, pikepdf.Dictionary):
            if page is not None:
                yield "", page, int(node)
            return
        if node.get("/Type") == "/OBJR":
            return
        if node.get("/Type") == "/MCR":
            yield "", pages[node.Pg.objgen], int(node.MCID)
            return
        here = pages[node.Pg.objgen] if "/Pg" in node else page
        role = str(node.get("/S", ""))
        for r, p, m in walk(node.get("/K", pikepdf.Array()), here):
            yield (r or role), p, m

    yield from walk(pdf.Root.StructTreeRoot.K, None)


def _elements(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Dictionary]:
    """The structure elements of ``pdf``, in document order."""
    stack: list[Any] = [pdf.Root.StructTreeRoot.K]
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack.extend(reversed(list(node)))
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            yield node
            stack.append(node.get("/K", pikepdf.Array()))


def _roles(pdf: pikepdf.Pdf) -> Counter[str]:
    return Counter(str(node.S)[1:] for node in _elements(pdf))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --------------------------------------------------------------------------- the PDFs


@pytest.mark.parametrize("manual", MANUALS, ids=_id)
def test_every_text_operator_is_in_marked_content(manual: Path, root: Path) -> None:
    for path in _pdfs(_built(manual, root)):
        with pikepdf.open(path) as pdf:
            loose = [(n, t) for n, _, t, inside in _marked_text(pdf) if not inside]
        assert loose == [], path.name


@pytest.mark.parametrize("manual", MANUALS, ids=_id)
def test_the_tree_reads_in_the_order_of_the_text(manual: Path, root: Path) -> None:
    for path in _pdfs(_built(manual, root)):
        with pikepdf.open(path) as pdf:
            texts: dict[tuple[int, int], str] = {}
            stream: list[str] = []
            for page, mcid, text, _ in _marked_text(pdf):
                if mcid is not None:
                    texts[(page, mcid)] = texts.get((page, mcid), "") + text
                    stream.append(text)
            leaves = [(p, m) for _, p, m in _tree_leaves(pdf)]
            assert len(leaves) == len(set(leaves)), f"{path.name}: content tagged twice"
            assert set(texts) <= set(leaves), f"{path.name}: marked content not in the tree"
            tree = "".join(texts.get(leaf, "") for leaf in leaves)
            assert _squash(tree) == _squash("".join(stream)), path.name
            assert pdf.Root.MarkInfo.Marked is True
            assert str(pdf.Root.Lang)
            assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
            xmp = pdf.Root.Metadata.read_bytes()
            assert b"<pdfuaid:part>1</pdfuaid:part>" in xmp


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler's pdftotext is absent")
def test_each_leaf_is_on_its_page_as_pdftotext_reads_it(root: Path) -> None:
    path = _built(FIXTURES / "day-two.md", root) / "handouts.pdf"
    with pikepdf.open(path) as pdf:
        texts: dict[tuple[int, int], str] = {}
        for page, mcid, text, _ in _marked_text(pdf):
            if mcid is not None:
                texts[(page, mcid)] = texts.get((page, mcid), "") + text
        pages = len(pdf.pages)
    extracted = [
        _squash(
            subprocess.run(
                ["pdftotext", "-raw", "-f", str(n), "-l", str(n), str(path), "-"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        for n in range(1, pages + 1)
    ]
    for (page, _), text in texts.items():
        assert _squash(text) in extracted[page], (page, text)


def test_the_handout_and_rubric_have_the_roles_a_reader_needs(root: Path) -> None:
    out = _built(FIXTURES / "day-two.md", root)
    with pikepdf.open(out / "handouts.pdf") as pdf:
        roles = _roles(pdf)
    assert {"Document", "H1", "H2", "P", "L", "LI", "LBody", "Table", "TR", "TH", "TD"} <= set(
        roles
    )
    assert "Code" in roles
    with pikepdf.open(out / "rubric.pdf") as pdf:
        roles = _roles(pdf)
        assert {"H1", "H2", "L", "LI", "Form"} <= set(roles)
        fields = [a for p in pdf.pages for a in p.get("/Annots", []) if a.Subtype == "/Widget"]
        assert fields and all(str(f.get("/TU", "")) for f in fields)
        assert all("/StructParent" in f for f in fields)


def test_links_are_described_and_tagged(root: Path) -> None:
    out = _built(FIXTURES / "day-two.md", root)
    with pikepdf.open(out / "handouts.pdf") as pdf:
        links = [a for p in pdf.pages for a in p.get("/Annots", []) if a.Subtype == "/Link"]
        assert links
        assert all(str(a.Contents).strip() for a in links)
        assert all("/StructParent" in a for a in links)
        assert _roles(pdf)["Link"] == len(links)


@pytest.mark.skipif(
    shutil.which("pdfua", path=str(Path(sys.executable).parent)) is None,
    reason="pdfua is not installed (the test extra has it)",
)
@pytest.mark.parametrize("manual", MANUALS, ids=_id)
def test_pdfua_finds_nothing(manual: Path, root: Path) -> None:
    pdfua = str(Path(sys.executable).parent / "pdfua")
    for path in _pdfs(_built(manual, root)):
        done = subprocess.run(
            [pdfua, "check", str(path)], check=False, capture_output=True, text=True
        )
        assert done.returncode == 0, f"{path.name}:\n{done.stdout[-3000:]}"
        assert "errors=0 warnings=0" in done.stdout, done.stdout[-3000:]


# --------------------------------------------------------------------------- the deck


@pytest.mark.parametrize("manual", MANUALS, ids=_id)
def test_every_slide_has_a_unique_title_first_in_its_shape_tree(manual: Path, root: Path) -> None:
    prs = Presentation(str(_built(manual, root) / "deck.pptx"))
    titles = []
    for n, slide in enumerate(prs.slides, 1):
        title = slide.shapes.title
        assert title is not None and title.text.strip(), f"slide {n} has no title"
        assert slide.shapes[0].shape_id == title.shape_id, f"slide {n}"
        titles.append(title.text)
    repeated = [t for t, k in Counter(titles).items() if k > 1]
    assert repeated == []


def test_an_image_without_alt_text_is_a_warning_at_its_line(tmp_path: Path) -> None:
    from deckbuild import pipeline

    manual = tmp_path / "m.md"
    manual.write_text(
        "# Course\n\n## 1. One\n\n### Student Summary\n\nText.\n\n![](pic.png)\n",
        encoding="utf-8",
    )
    diags = pipeline.check(manual)
    found = [d for d in diags if "no alt text" in d.message]
    assert [d.pos.line for d in found] == [9]
    assert found[0].severity == "warning"
