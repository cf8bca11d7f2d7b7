"""HandoutPlan -> handouts.pdf and handouts/<lesson>.pdf, with reportlab platypus.

The plan fixes content and order; the handout writer only sets it in type and lets platypus
break pages. TextFlow is broken into lines by the layout's line breaker and drawn directly
(``_pdf.Lines``), so nothing is reflowed. Two things need a second look at the finished
pages, and both are done without reflowing anything: the contents' page numbers
(``multiBuild`` runs until they are stable) and "page N of M" (the canvas keeps every page
until it knows M, then draws the header and footer on each).

This module sets each lesson alone, then the whole handout. The flowables are made from the
plan in ``pdf_handout_story``, from the handout's own flowables (``pdf_handout_flowables``)
and text styles (``pdf_handout_typography``); ``pdf_handout_pages`` sets them on pages.
"""

from __future__ import annotations

import datetime as _dt

from reportlab.platypus import Flowable, PageBreak
from reportlab.platypus.doctemplate import NextPageTemplate

from deckbuild.layout.handout import HandoutPlan
from deckbuild.theme import Theme
from deckbuild.writers.pdf_handout_pages import page_count, render
from deckbuild.writers.pdf_handout_story import (
    cover_flowables,
    lesson_flowables,
    resources_flowables,
)
from deckbuild.writers.pdf_handout_typography import Typography


def write_handouts(plan: HandoutPlan, theme: Theme, date: _dt.datetime) -> dict[str, bytes]:
    """``handouts.pdf`` and one ``handouts/<key>.pdf`` per lesson.

    Each lesson's flowables are made once and set twice: alone, then in the whole handout.
    They keep their line breaks between the two, so the second setting costs only the
    drawing. Both use the same frame and every lesson starts a page, so a lesson takes as
    many pages in the handout as in its own file; those counts predict the contents' page
    numbers and the handout is usually right in one pass (``multiBuild`` still checks, and
    corrects). A cover whose contents may not fit one page is set alone first to count its
    pages: a second pass over a handout of thousands of lessons costs more than a fifth of
    writing it.
    """
    typography = Typography.make(theme)
    files: dict[str, bytes] = {}
    stories: list[list[Flowable]] = []
    predicted: dict[str, int] = {}
    page = 2  # after a one-page cover
    for lesson in plan.lessons:
        story = lesson_flowables(lesson, typography)
        title = f"{plan.meta.title}: {lesson.heading}"
        data, pages = render(story, typography, plan.meta, title, plan.header, date, cover=False)
        files[f"handouts/{lesson.key}.pdf"] = data
        stories.append(story)
        predicted[lesson.key] = page
        page += pages
    if plan.resources is not None:
        predicted[plan.resources.key] = page
    if len(plan.cover.contents) > ONE_PAGE_CONTENTS:
        story = [NextPageTemplate("body"), *cover_flowables(plan.cover, predicted, typography)]
        extra = page_count(story, typography, plan.meta, plan.header, date, cover=True) - 1
        predicted = {key: n + extra for key, n in predicted.items()}
    files["handouts.pdf"] = _build_full(plan, stories, predicted, typography, date)
    return files


#: Contents of up to this many rows are taken to leave the cover one page long.
ONE_PAGE_CONTENTS = 40


def _build_full(
    plan: HandoutPlan,
    lessons: list[list[Flowable]],
    predicted: dict[str, int],
    typography: Typography,
    date: _dt.datetime,
) -> bytes:
    story: list[Flowable] = [
        NextPageTemplate("body"),
        *cover_flowables(plan.cover, predicted, typography),
    ]
    for flowables in lessons:
        story.append(PageBreak())
        story.extend(flowables)
    if plan.resources is not None:
        story.append(PageBreak())
        story.extend(resources_flowables(plan.resources, typography))
    meta = plan.meta
    return render(story, typography, meta, meta.title, plan.header, date, cover=True)[0]
