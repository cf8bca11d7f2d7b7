"""Golden dumps of the model for every fixture manual (`make accept` rewrites them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from deckbuild import pipeline
from deckbuild.dump import pformat

from .conftest import FIXTURES, corpus_manuals
from .helpers import check_golden


def _name(path: Path) -> str:
    return path.relative_to(FIXTURES).with_suffix("").as_posix().replace("/", "__")


@pytest.mark.parametrize("manual", corpus_manuals(), ids=_name)
def test_model_golden(manual: Path) -> None:
    course, diags = pipeline.load(manual)
    dump = pformat(course) + "".join(d.format(manual.name) + "\n" for d in diags)
    check_golden(f"{_name(manual)}.model.txt", dump)
