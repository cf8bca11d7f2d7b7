"""Each third-party library stays in its module (one library per module)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).parent.parent / "src" / "deckbuild"

ALLOWED = {
    "pygments": {"layout/highlight.py"},
    "pptx": {"writers/pptx.py"},
    "reportlab": {
        "layout/measure.py",
        "writers/pdf_handout.py",
        "writers/pdf_rubric.py",
        "writers/_pdf.py",
    },
    "markdown_it": {"parse/tokens.py", "parse/inline.py", "parse/blocks.py", "parse/to_model.py"},
    "mdit_py_plugins": {"parse/tokens.py"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("library", sorted(ALLOWED))
def test_library_is_confined(library: str) -> None:
    users = {p.relative_to(SRC).as_posix() for p in SRC.rglob("*.py") if library in _imports(p)}
    assert users <= ALLOWED[library], (
        f"{library} imported outside its module: {users - ALLOWED[library]}"
    )
