"""Plan primitives shared by every layout: styled spans and highlighted code lines.

A plan is what a writer serialises, fully decided: text is already split into slides or
pages, code is already tokenised and coloured. Writers add no content and make no choices.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias


@dataclass(frozen=True, slots=True)
class Style:
    bold: bool = False
    italic: bool = False
    #: Set in the theme's code font.
    mono: bool = False
    strike: bool = False
    #: ``#RRGGBB``; None means the writer's default text colour.
    colour: str | None = None
    href: str | None = None


PLAIN = Style()


@dataclass(frozen=True, slots=True)
class Span:
    text: str
    style: Style = PLAIN


Line: TypeAlias = tuple[Span, ...]


def line_text(line: Line) -> str:
    return "".join(s.text for s in line)


@dataclass(frozen=True, slots=True)
class CodeLines:
    """Highlighted code: one tuple of spans per source line, tabs expanded."""

    lang: str
    lines: tuple[Line, ...]

    @property
    def text(self) -> str:
        return "\n".join(line_text(line) for line in self.lines)
