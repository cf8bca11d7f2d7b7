"""deckbuild: compile a teacher's manual into an instructor deck, handouts and a rubric."""

from deckbuild.pipeline import build, check, load

__all__ = ["__version__", "build", "check", "load"]
__version__ = "0.1.0"
