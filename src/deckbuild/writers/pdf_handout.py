"""HandoutPlan -> handouts.pdf and handouts/<lesson>.pdf, with reportlab platypus.

The plan fixes content and order; the handout writer only sets it in type and lets platypus
break pages. TextFlow is broken into lines by the layout's line breaker and drawn directly
(``_pdf.Lines``), so nothing is reflowed. Two things need a look at the finished pages, and
both are drawn then, in one pass: the contents' page numbers and "page N of M" (the canvas
keeps every page until it knows M and where each lesson landed).

This module sets the whole handout; the lesson files are made of its pages, so each page
is laid out and drawn once (``pdf_handout_pages.Part``). The flowables are made from the
plan in ``pdf_handout_story``, from the handout's own flowables (``pdf_handout_flowables``)
and text styles (``pdf_handout_typography``); ``pdf_handout_pages`` sets them on pages.
"""

from __future__ import annotations

import datetime as _dt

from reportlab.platypus import Flowable, PageBreak
from reportlab.platypus.doctemplate import NextPageTemplate

from deckbuild.layout.handout import HandoutPlan
from deckbuild.theme import Theme
from deckbuild.writers.pdf_handout_pages import Part, render
from deckbuild.writers.pdf_handout_story import (
    cover_flowables,
    lesson_flowables,
    resources_flowables,
)
from deckbuild.writers.pdf_handout_typography import Typography


def write_handouts(plan: HandoutPlan, theme: Theme, date: _dt.datetime) -> dict[str, bytes]:
    """``handouts.pdf`` and one ``handouts/<key>.pdf`` per lesson, made of its pages."""
    return HandoutWriter(plan, theme, date).files()


WHOLE = "handouts.pdf"


class HandoutWriter:
    """Sets the whole handout once; each lesson file is made of the lesson's pages of it
    (their drawing operators reused), with its own running footer, bookmark and tags."""

    def __init__(self, plan: HandoutPlan, theme: Theme, date: _dt.datetime) -> None:
        self.plan = plan
        self.date = date
        self.typography = Typography.make(theme)

    def files(self) -> dict[str, bytes]:
        """``handouts.pdf`` first, then the lesson files in lesson order, by path."""
        plan, typography = self.plan, self.typography
        story: list[Flowable] = [NextPageTemplate("body"), *cover_flowables(plan.cover, typography)]
        for lesson in plan.lessons:
            story.append(PageBreak())
            story.extend(lesson_flowables(lesson, typography))
        if plan.resources is not None:
            story.append(PageBreak())
            story.extend(resources_flowables(plan.resources, typography))
        meta = plan.meta
        parts = [
            Part(lesson.key, f"handouts/{lesson.key}.pdf", f"{meta.title}: {lesson.heading}")
            for lesson in plan.lessons
        ]
        whole, lessons = render(
            story, typography, meta, meta.title, plan.header, self.date, True, parts
        )
        return {WHOLE: whole, **lessons}
