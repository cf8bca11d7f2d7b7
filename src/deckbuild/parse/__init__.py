"""Markdown manual -> document model."""

from deckbuild.parse.to_model import parse_course

__all__ = ["parse_course"]
