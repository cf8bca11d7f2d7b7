from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = Path(__file__).parent / "golden"

settings.register_profile(
    "ci", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "fuzz", max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def corpus_manuals() -> list[Path]:
    """Every fixture manual: the corpus revisions and the hand-written unseen ones."""
    return sorted(FIXTURES.rglob("*.md"))


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES
