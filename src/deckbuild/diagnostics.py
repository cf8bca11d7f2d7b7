"""Diagnostics are data: every stage returns them beside its value instead of raising."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True, order=True)
class SourcePos:
    """A 1-based line and column in the manual as decoded (after BOM removal)."""

    line: int
    col: int = 1


@dataclass(frozen=True, slots=True)
class Diagnostic:
    severity: Severity
    message: str
    pos: SourcePos
    #: The file the position refers to; empty means "the manual being processed".
    path: str = ""

    def format(self, default_path: str) -> str:
        path = self.path or default_path
        return f"{path}:{self.pos.line}:{self.pos.col}: {self.severity}: {self.message}"


def error(message: str, line: int, col: int = 1, path: str = "") -> Diagnostic:
    return Diagnostic(Severity.ERROR, message, SourcePos(line, col), path)


def warning(message: str, line: int, col: int = 1, path: str = "") -> Diagnostic:
    return Diagnostic(Severity.WARNING, message, SourcePos(line, col), path)


def info(message: str, line: int, col: int = 1, path: str = "") -> Diagnostic:
    return Diagnostic(Severity.INFO, message, SourcePos(line, col), path)


def has_errors(diagnostics: tuple[Diagnostic, ...] | list[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)


def sort_key(d: Diagnostic) -> tuple[str, int, int]:
    return (d.path, d.pos.line, d.pos.col)
