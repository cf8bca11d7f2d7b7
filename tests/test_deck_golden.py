"""Golden dumps of the deck plan for every fixture manual (`make accept` rewrites them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from deckbuild.layout.deck_plan import describe

from .conftest import corpus_manuals
from .deck_helpers import build, name_of
from .helpers import check_golden


@pytest.mark.parametrize("manual", corpus_manuals(), ids=name_of)
def test_deck_plan_golden(manual: Path) -> None:
    built = build(manual)
    diags = "".join(d.format(manual.name) + "\n" for d in built.diagnostics)
    check_golden(f"deck__{name_of(manual)}.txt", describe(built.plan) + diags)
