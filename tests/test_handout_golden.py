"""Golden text dumps of the handout plan (`make accept` rewrites them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from deckbuild import pipeline
from deckbuild.layout.handout import layout_handouts
from deckbuild.theme import DEFAULT

from .conftest import FIXTURES
from .helpers import check_golden
from .plan_dumps import dump_handout
from .test_handout import MANUALS


def _name(path: Path) -> str:
    return path.relative_to(FIXTURES).with_suffix("").as_posix().replace("/", "__")


@pytest.mark.parametrize("manual", MANUALS, ids=_name)
def test_handout_plan_golden(manual: Path) -> None:
    course, _ = pipeline.load(manual)
    assert course is not None
    plan, diags = layout_handouts(course, DEFAULT)
    dump = dump_handout(plan) + "".join(d.format(manual.name) + "\n" for d in diags)
    check_golden(f"handout__{_name(manual)}.txt", dump)
