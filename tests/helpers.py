"""Small shared pieces of the test suite."""

from __future__ import annotations

import os
import random
from pathlib import Path

from deckbuild.model import Course
from deckbuild.parse import parse_course
from deckbuild.source import read_source

GOLDEN = Path(__file__).parent / "golden"


def parse_text(text: str) -> tuple[Course | None, list[str]]:
    """Parse manual text; diagnostics as 'line: severity: message' strings."""
    course, diags = parse_course(text)
    return course, [f"{d.pos.line}: {d.severity}: {d.message}" for d in diags]


def parse_bytes(data: bytes) -> tuple[Course | None, list[str]]:
    source, diags = read_source(data)
    out = [f"{d.pos.line}: {d.severity}: {d.message}" for d in diags]
    if source is None:
        return None, out
    course, more = parse_text(source.text)
    return course, out + more


def check_golden(name: str, actual: str) -> None:
    """Compare with tests/golden/<name>; DECKBUILD_ACCEPT=1 (make accept) rewrites it."""
    path = GOLDEN / name
    if os.environ.get("DECKBUILD_ACCEPT"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    assert path.exists(), f"no golden file {path}; run `make accept` to create it"
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        import difflib

        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                actual.splitlines(keepends=True),
                f"golden/{name}",
                "actual",
                n=2,
            )
        )
        raise AssertionError(
            f"{name} differs from its golden file; if the change is intended, run "
            f"`make accept` and review the diff.\n{diff[:6000]}"
        )


#: A mutation of a manual: (operation, line index, other index, text to insert).
Edit = tuple[str, int, int, str]
OPERATIONS = ("delete", "duplicate", "swap", "insert", "truncate")


def mutate(lines: list[str], edits: list[Edit]) -> str:
    """Apply fuzzing edits to a copy of ``lines``; indices wrap around the current length."""
    lines = list(lines)
    for op, i, j, text in edits:
        if not lines:
            break
        i %= len(lines)
        j %= len(lines)
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[j])
        elif op == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "insert":
            lines.insert(i, text)
        else:
            lines[i] = lines[i][: random.Random(j).randint(0, len(lines[i]))]
    return "\n".join(lines)
