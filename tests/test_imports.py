"""Each artefact imports only the libraries it needs: a deck without pictures needs neither
python-pptx (its template is shipped) nor reportlab (fonts are read directly)."""

from __future__ import annotations

import subprocess
import sys

from .conftest import FIXTURES

SCRIPT = """
import sys
from pathlib import Path
from deckbuild import pipeline
from deckbuild.layout.deck import layout_deck
from deckbuild.theme import DEFAULT
from deckbuild.writers.pptx import write_pptx

course, _ = pipeline.load(Path(sys.argv[1]))
plan, _ = layout_deck(course, DEFAULT)
assert write_pptx(plan, DEFAULT, pipeline.FIXED_DATE)
print(" ".join(m for m in ("pptx", "reportlab", "lxml", "urllib.request") if m in sys.modules))
"""


def test_the_deck_needs_neither_python_pptx_nor_reportlab() -> None:
    manual = FIXTURES / "day-two.md"
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(manual)], capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == []


CYCLES = """
import gc, sys
from pathlib import Path
from deckbuild import pipeline
from deckbuild.layout.deck import layout_deck
from deckbuild.theme import DEFAULT
from deckbuild.writers.pptx import write_pptx

course, _ = pipeline.load(Path(sys.argv[1]))
gc.collect()
gc.disable()
plan, _ = layout_deck(course, DEFAULT)
data = write_pptx(plan, DEFAULT, pipeline.FIXED_DATE)
del plan, data
print(gc.collect())
"""


def test_the_deck_makes_no_reference_cycles() -> None:
    # The pipeline builds the deck with the cyclic collector off (refcounting frees it all).
    manual = FIXTURES / "day-two.md"
    out = subprocess.run(
        [sys.executable, "-c", CYCLES, str(manual)], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "0"
