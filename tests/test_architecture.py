"""The package's layers: nothing imports upward, and each library stays in its modules.

From the bottom: the model's vocabulary (diagnostics, the section registry), the model,
shared services (text metrics, spans, highlighting, colours, the schedule) and the
compat package (every private API of a library), the theme,
parsing, the layouts, the writers, and on top the pipeline, watch (rebuilding on changes)
and the command line. A module
may import from its own layer and the layers below, never from a layer above.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).parent.parent / "src" / "deckbuild"

#: Layer of each top-level module or package of deckbuild, bottom first.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"diagnostics", "registry"}),
    frozenset({"model"}),
    frozenset({"services", "compat"}),
    frozenset({"theme"}),
    frozenset({"parse", "source"}),
    frozenset({"layout"}),
    frozenset({"writers"}),
    frozenset({"dump", "outputs"}),
    frozenset({"pipeline"}),
    frozenset({"watch"}),
    frozenset({"cli", "__init__", "__main__"}),
)
LAYER = {name: n for n, names in enumerate(LAYERS) for name in names}

ALLOWED = {
    "pygments": {"services/highlight.py", "theme.py"},
    "pptx": {"writers/pptx.py", "compat/pptx_private.py"},
    "reportlab": {
        "services/measure.py",
        "writers/pdf_handout.py",
        "writers/pdf_handout_flowables.py",
        "writers/pdf_handout_pages.py",
        "writers/pdf_handout_story.py",
        "writers/pdf_rubric.py",
        "writers/pdf_slide_draw.py",
        "writers/pdf_tags.py",
        "writers/_pdf.py",
        "compat/reportlab_private.py",
    },
    "markdown_it": {
        "parse/tokens.py",
        "parse/inline.py",
        "parse/blocks.py",
        "parse/outline.py",
        "parse/to_model.py",
    },
    "mdit_py_plugins": {"parse/tokens.py"},
    "watchfiles": {"watch.py"},
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


def _unit(parts: list[str]) -> str:
    """The top-level module or package that a dotted path inside deckbuild names."""
    if not parts:
        return "__init__"
    return parts[0].removesuffix(".py")


def deckbuild_imports(path: Path, src: Path = SRC) -> set[str]:
    """The deckbuild units a module imports (``from deckbuild import theme`` is ``theme``,
    ``from deckbuild import __version__`` the package's ``__init__``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "deckbuild":
                    found.add(_unit(parts[1:]))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts[0] != "deckbuild":
                continue
            if len(parts) > 1:
                found.add(_unit(parts[1:]))
            else:  # from deckbuild import theme, diagnostics
                for a in node.names:
                    is_module = (src / f"{a.name}.py").exists() or (src / a.name).is_dir()
                    found.add(a.name if is_module else "__init__")
    return found


def layer_of(path: Path, src: Path = SRC) -> str:
    return _unit(list(path.relative_to(src).parts))


def upward_imports(src: Path = SRC) -> list[str]:
    problems = []
    for path in sorted(src.rglob("*.py")):
        own = layer_of(path, src)
        for target in deckbuild_imports(path, src):
            if target == own:
                continue
            assert target in LAYER, f"{path}: {target!r} has no layer in LAYERS"
            if LAYER[target] > LAYER[own]:
                problems.append(f"{path.relative_to(src)} imports {target} (a higher layer)")
    return problems


def test_every_module_has_a_layer() -> None:
    units = {layer_of(p) for p in SRC.rglob("*.py")}
    assert units <= set(LAYER), units - set(LAYER)


def test_no_module_imports_a_higher_layer() -> None:
    assert upward_imports() == []


def test_an_upward_import_is_caught(tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text("from deckbuild.layout import deck\n")
    (tmp_path / "layout").mkdir()
    (tmp_path / "layout" / "deck.py").write_text("from deckbuild import model\n")
    assert upward_imports(tmp_path) == ["model.py imports layout (a higher layer)"]


@pytest.mark.parametrize("library", sorted(ALLOWED))
def test_library_is_confined(library: str) -> None:
    users = {p.relative_to(SRC).as_posix() for p in SRC.rglob("*.py") if library in _imports(p)}
    assert users <= ALLOWED[library], (
        f"{library} imported outside its module: {users - ALLOWED[library]}"
    )
