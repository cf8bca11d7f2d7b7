"""The deck plan: every slide fully decided, geometry in points, text in styled runs.

Pandoc's ``Presentation``: the layout builds it, ``writers/pptx.py`` only serialises it.
Everything the writer needs is here (fonts, sizes, colours, boxes, insets, line pitch),
so the writer makes no choices and a golden dump of the plan describes the deck.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

from deckbuild.diagnostics import SourcePos

SlideKind: TypeAlias = Literal[
    "title",
    "objectives",
    "agenda",
    "section",
    "concepts",
    "topic",
    "code",
    "image",
    "summary",
    "discussion",
    "pitfalls",
    "exercise",
    "examples",
    "other",
    "rubric",
    "appendix",
]
Align: TypeAlias = Literal["l", "ctr", "r"]
Anchor: TypeAlias = Literal["t", "ctr", "b"]
#: What a text shape is for; the writer names shapes after it and tests find them by it.
Role: TypeAlias = Literal["title", "body", "code", "subtitle", "pullout", "footer", "number"]


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle in points from the slide's top-left corner."""

    x: float
    y: float
    w: float
    h: float

    @property
    def bottom(self) -> float:
        return self.y + self.h


@dataclass(frozen=True, slots=True)
class TextRun:
    text: str
    #: Family name as office apps know it (the theme's face, or the fallback that has the
    #: glyphs of this run).
    font: str
    size: float
    colour: str
    bold: bool = False
    italic: bool = False
    strike: bool = False
    #: Code: the writer turns proofing off, so no red squiggles.
    code: bool = False
    href: str | None = None
    #: A field the viewer keeps up to date; ``text`` is its current value.
    field: Literal["slidenum"] | None = None


@dataclass(frozen=True, slots=True)
class Bullet:
    """A hanging bullet: ``text`` sits ``hanging`` points left of the paragraph's text."""

    text: str
    font: str
    colour: str
    hanging: float
    #: Numbered items keep their number when the list is edited.
    number: int | None = None


@dataclass(frozen=True, slots=True)
class Para:
    runs: tuple[TextRun, ...]
    #: Exact line pitch in points, so every renderer stacks lines as measured; None leaves
    #: the viewer's default (speaker notes, which are never measured).
    pitch: float | None
    #: Size of an empty paragraph (its end mark), which still takes a line.
    size: float
    align: Align = "l"
    space_before: float = 0.0
    #: Left edge of the text, from the frame's inner edge.
    indent: float = 0.0
    bullet: Bullet | None = None
    #: Nesting depth (lists inside lists), for outline levels and dumps.
    level: int = 0


@dataclass(frozen=True, slots=True)
class TextFrame:
    paras: tuple[Para, ...]
    inset: float
    anchor: Anchor = "t"


@dataclass(frozen=True, slots=True)
class TextShape:
    role: Role
    box: Box
    frame: TextFrame
    fill: str | None = None
    outline: str | None = None
    #: Source language of a code shape (shown in its name, for outline views).
    lang: str = ""


@dataclass(frozen=True, slots=True)
class Cell:
    paras: tuple[Para, ...]
    fill: str


@dataclass(frozen=True, slots=True)
class TableShape:
    box: Box
    columns: tuple[float, ...]
    #: Measured heights; the table's frame is exactly their sum.
    heights: tuple[float, ...]
    rows: tuple[tuple[Cell, ...], ...]
    inset: float
    header: bool


@dataclass(frozen=True, slots=True)
class PictureShape:
    """An image fitted inside ``box`` keeping its aspect ratio; ``alt`` is its description."""

    box: Box
    path: str
    alt: str


@dataclass(frozen=True, slots=True)
class RuleShape:
    """A horizontal accent line."""

    x: float
    y: float
    w: float
    colour: str
    weight: float


Shape: TypeAlias = TextShape | TableShape | PictureShape | RuleShape


@dataclass(frozen=True, slots=True)
class Slide:
    kind: SlideKind
    #: Goes into the layout's title placeholder (outline view, screen readers).
    title: TextShape
    shapes: tuple[Shape, ...]
    notes: tuple[Para, ...]
    background: str
    #: Index into ``course.lessons`` for slides that belong to a lesson.
    lesson: int | None = None
    pos: SourcePos | None = None


@dataclass(frozen=True, slots=True)
class DeckPlan:
    width: float
    height: float
    title: str
    subtitle: str
    author: str
    language: str | None
    slides: tuple[Slide, ...]


# --------------------------------------------------------------------------- text views


def runs_text(runs: tuple[TextRun, ...]) -> str:
    return "".join(r.text for r in runs)


def para_text(para: Para) -> str:
    return runs_text(para.runs)


def frame_text(frame: TextFrame) -> str:
    return "\n".join(para_text(p) for p in frame.paras)


def shape_text(shape: Shape) -> str:
    match shape:
        case TextShape(frame=frame):
            return frame_text(frame)
        case TableShape(rows=rows):
            return "\n".join(
                " | ".join("\n".join(para_text(p) for p in c.paras) for c in row) for row in rows
            )
        case PictureShape(alt=alt):
            return alt
        case RuleShape():
            return ""


def slide_title(slide: Slide) -> str:
    return " ".join(para_text(p) for p in slide.title.frame.paras)


def _marked(para: Para) -> str:
    """Paragraph text with **bold** and `code` marks, for dumps."""
    out: list[str] = []
    for r in para.runs:
        text = r.text
        if r.code and text.strip():
            text = f"`{text}`"
        if r.bold and text.strip():
            text = f"**{text}**"
        out.append(text)
    lead = ""
    if para.bullet is not None:
        lead = f"{para.bullet.number}. " if para.bullet.number is not None else "- "
    return lead + "".join(out)


def describe(plan: DeckPlan) -> str:
    """A compact, stable text dump of the plan for golden tests and reviews.

    One block per slide: kind, title, body sizes, each shape's text, then the notes.
    """
    lines = [f"deck {plan.width:.0f}x{plan.height:.0f}pt  {len(plan.slides)} slides"]
    for n, slide in enumerate(plan.slides, 1):
        where = f" L{slide.lesson + 1}" if slide.lesson is not None else ""
        line = f"  @{slide.pos.line}" if slide.pos else ""
        lines.append(f"\n[{n}] {slide.kind}{where}{line}: {slide_title(slide)}")
        for shape in slide.shapes:
            match shape:
                case TextShape(role=role, frame=frame) if role not in ("footer", "number"):
                    sizes = sorted({r.size for p in frame.paras for r in p.runs})
                    size = "/".join(f"{s:g}" for s in sizes)
                    tag = f" {shape.lang}" if shape.lang else ""
                    lines.append(f"  {role}{tag} {size}pt")
                    lines.extend(f"    {'  ' * p.level}{_marked(p)}" for p in frame.paras)
                case TableShape(rows=rows):
                    lines.append(f"  table {len(rows)}x{len(shape.columns)}")
                    lines.extend(
                        "    | "
                        + " | ".join(" ".join(para_text(p) for p in c.paras) for c in row)
                        + " |"
                        for row in rows
                    )
                case PictureShape(path=path, alt=alt):
                    lines.append(f"  picture {path.rsplit('/', 1)[-1]} alt={alt!r}")
                case _:
                    pass
        if slide.notes:
            lines.append("  notes")
            lines.extend(f"    {'  ' * p.level}{_marked(p)}" for p in slide.notes)
    return "\n".join(lines) + "\n"
