"""DeckPlan -> slides.pdf: the deck drawn from its own plan, one page per slide.

Every box, font, size and colour is the deck plan's; lines are broken as the presentation
app breaks them (``layout.notes.set_deck``), so a page looks like the slide in
LibreOffice. The PDF is tagged (the first slide's title is the document's H1, every
other slide's title an H2), has a bookmark per lesson with its slides under it, and is
deterministic: ``invariant=1`` fixes reportlab's ids and subset names, the dates come
from ``date``.
"""

from __future__ import annotations

import datetime as _dt
import io
from typing import Any

from deckbuild.layout.deck_plan import DeckPlan, slide_title
from deckbuild.layout.notes import set_deck
from deckbuild.theme import Theme
from deckbuild.writers._pdf import faces, pdf_date
from deckbuild.writers.pdf_slide_draw import Drawing, draw_slide
from deckbuild.writers.pdf_tags import TaggedCanvas


def write_slides(plan: DeckPlan, theme: Theme, date: _dt.datetime) -> bytes:
    """One page per slide, at the deck's size; the same plan, theme and date give the
    same bytes."""
    buf = io.BytesIO()
    title = plan.title or "Slides"
    canv = new_canvas(buf, (plan.width, plan.height), theme, plan, title, date)
    canv.setSubject(f"Slides: {plan.subtitle}" if plan.subtitle else "Slides")
    lessons = lesson_titles(plan)
    current: int | None = None
    for n, (slide, drawn) in enumerate(zip(plan.slides, set_deck(plan, theme), strict=True)):
        key = f"s{n + 1}"
        canv.bookmarkPage(key)
        # A lesson's slides sit under its entry; the others are entries of their own.
        if slide.lesson is not None and slide.lesson != current:
            canv.addOutlineEntry(lessons.get(slide.lesson, drawn.title_text), key, level=0)
        current = slide.lesson
        level = 0 if slide.lesson is None else 1
        canv.addOutlineEntry(f"{n + 1}. {drawn.title_text}", key, level=level, closed=True)
        draw_slide(canv, drawn, Drawing(tagged=True, heading="H1" if n == 0 else "H2"))
        canv.showPage()
    canv.showOutline()
    canv.save()
    return buf.getvalue()


def lesson_titles(plan: DeckPlan) -> dict[int, str]:
    """Each lesson's name: the title of its section slide, else of its first slide."""
    names: dict[int, str] = {}
    for slide in plan.slides:
        if slide.lesson is not None and (slide.kind == "section" or slide.lesson not in names):
            names[slide.lesson] = slide_title(slide)
    return names


def new_canvas(
    buf: io.BytesIO,
    size: tuple[float, float],
    theme: Theme,
    plan: DeckPlan,
    title: str,
    date: _dt.datetime,
) -> Any:
    """A tagged canvas with the document's metadata, fixed ids and fixed dates."""
    _, body, _ = faces(theme)
    stamp = pdf_date(date)
    canv = TaggedCanvas(
        buf,
        pagesize=size,
        invariant=1,
        lang=plan.language or "en",
        # Otherwise the canvas opens with an unembedded Helvetica that draws nothing.
        initialFontName=body.name(),
        initialFontSize=theme.sizes.body,
        title=title,
    )
    canv.setDateFormatter(lambda *_: stamp)
    canv.setTitle(title)
    canv.setAuthor(plan.author)
    canv.setCreator("deckbuild")
    canv.setViewerPreference("DisplayDocTitle", "true")
    return canv
