"""NotesPlan -> notes.pdf: the instructor's printed script.

The plan places everything (``layout.notes.layout_notes``); this module draws it. Each
slide's block is its heading (H2, "Slide 12 · Title"), its thumbnail (a Figure whose
alternative text is the slide's title: the slide drawn from the deck plan at a small
scale, with the same code as slides.pdf), its lesson and times, then its notes as
paragraphs and list items. A continuation's heading "Slide 12 (continued)" and the page
footer are page artifacts. Bookmarks go to each lesson's first block. Deterministic as the
other PDFs: ``invariant=1`` and the dates from ``date``.

Each thumbnail is drawn where it stands, not as a shared form: every slide appears once in
the script, so a form would be written once and used once.
"""

from __future__ import annotations

import datetime as _dt
import io
from typing import Any

from deckbuild.layout.deck_plan import DeckPlan
from deckbuild.layout.notes import NotesBlock, NotesPlan, SetPara
from deckbuild.theme import Theme
from deckbuild.writers import pdf_tags
from deckbuild.writers._pdf import colour
from deckbuild.writers.pdf_slide_draw import Drawing, draw_para, draw_slide, placed
from deckbuild.writers.pdf_slides import new_canvas

#: The thumbnail's frame, in points.
_BORDER = 0.6


def write_notes(plan: NotesPlan, deck: DeckPlan, theme: Theme, date: _dt.datetime) -> bytes:
    """The script as PDF bytes; the same plans, theme and date give the same bytes."""
    buf = io.BytesIO()
    canv = new_canvas(buf, (plan.width, plan.height), theme, deck, plan.title, date)
    canv.setSubject("Speaker notes")
    tagged = Drawing(tagged=True)
    thumb = Drawing(tagged=False)
    h = plan.height
    marks = {(b.page, b.top): b.title for b in plan.bookmarks}
    for n, page in enumerate(plan.pages):
        if n == 0:
            draw_para(canv, plan.heading, h, tagged, role="H1")
        for block in page.blocks:
            title = marks.get((n, block.top))
            if title is not None:
                key = f"p{n}y{block.top:.2f}"
                canv.bookmarkHorizontal(key, 0, h - block.top + 12)
                canv.addOutlineEntry(title, key, level=0)
            _block(canv, block, deck, theme, plan, tagged, thumb)
        draw_para(canv, SetPara((page.footer,)), h, tagged, role=pdf_tags.ARTIFACT)
        canv.showPage()
    canv.showOutline()
    canv.save()
    return buf.getvalue()


def _block(
    canv: Any,
    block: NotesBlock,
    deck: DeckPlan,
    theme: Theme,
    plan: NotesPlan,
    tagged: Drawing,
    thumb: Drawing,
) -> None:
    h = plan.height
    if block.continued:
        draw_para(canv, block.heading, h, tagged, role=pdf_tags.ARTIFACT)
    else:
        draw_para(canv, block.heading, h, tagged, role="H2")
    if block.thumb is not None:
        box = block.thumb
        drawn = plan.slides[block.slide]
        alt = drawn.title_text or f"Slide {block.slide + 1}"
        with (
            pdf_tags.leaf(canv, "Figure", alt),
            placed(canv, box.x, h - box.y - box.h, plan.thumb_scale),
        ):
            draw_slide(canv, drawn, thumb)
        canv.setStrokeColor(colour(theme.colours.rule))
        canv.setLineWidth(_BORDER)
        canv.rect(box.x, h - box.y - box.h, box.w, box.h, stroke=1, fill=0)
    for fact in block.facts:
        draw_para(canv, fact, h, tagged)
    for para in block.notes:
        draw_para(canv, para, h, tagged)
