"""HandoutPlan -> handouts.pdf and handouts/<lesson>.pdf, with reportlab platypus.

The plan fixes content and order; the handout writer only sets it in type and lets platypus
break pages. TextFlow is broken into lines by the layout's line breaker and drawn directly
(``_pdf.Lines``), so nothing is reflowed. Two things need a look at the finished pages, and
both are drawn then, in one pass: the contents' page numbers and "page N of M" (the canvas
keeps every page until it knows M and where each lesson landed).

This module sets the whole handout, and each lesson alone. The flowables are made from the
plan in ``pdf_handout_story``, from the handout's own flowables (``pdf_handout_flowables``)
and text styles (``pdf_handout_typography``); ``pdf_handout_pages`` sets them on pages.
"""

from __future__ import annotations

import datetime as _dt

from reportlab.platypus import Flowable, PageBreak
from reportlab.platypus.doctemplate import NextPageTemplate

from deckbuild.layout.handout import HandoutPlan
from deckbuild.theme import Theme
from deckbuild.writers.pdf_handout_pages import render
from deckbuild.writers.pdf_handout_story import (
    cover_flowables,
    lesson_flowables,
    resources_flowables,
)
from deckbuild.writers.pdf_handout_typography import Typography


def write_handouts(plan: HandoutPlan, theme: Theme, date: _dt.datetime) -> dict[str, bytes]:
    """``handouts.pdf`` and one ``handouts/<key>.pdf`` per lesson."""
    writer = HandoutWriter(plan, theme, date)
    files = {WHOLE: writer.whole()}
    files.update(writer.lesson(i) for i in range(len(plan.lessons)))
    return files


WHOLE = "handouts.pdf"


class HandoutWriter:
    """Writes the whole handout and the lesson files, in any order and any subset: each
    file depends only on the plan, so two processes can share the lesson files.

    A lesson's flowables are made once and kept, so a process that writes both the whole
    handout and a lesson file breaks the lesson's lines only once.
    """

    def __init__(self, plan: HandoutPlan, theme: Theme, date: _dt.datetime) -> None:
        self.plan = plan
        self.date = date
        self.typography = Typography.make(theme)
        self._stories: dict[int, list[Flowable]] = {}

    def _story(self, index: int) -> list[Flowable]:
        if index not in self._stories:
            self._stories[index] = lesson_flowables(self.plan.lessons[index], self.typography)
        return self._stories[index]

    def lesson(self, index: int) -> tuple[str, bytes]:
        """The lesson file of ``plan.lessons[index]``: its path and bytes."""
        plan, lesson = self.plan, self.plan.lessons[index]
        title = f"{plan.meta.title}: {lesson.heading}"
        story = self._story(index)
        data = render(story, self.typography, plan.meta, title, plan.header, self.date, False)
        return f"handouts/{lesson.key}.pdf", data

    def whole(self) -> bytes:
        """The cover, every lesson and the resources, each lesson from a new page."""
        plan, typography = self.plan, self.typography
        story: list[Flowable] = [NextPageTemplate("body"), *cover_flowables(plan.cover, typography)]
        for index in range(len(plan.lessons)):
            story.append(PageBreak())
            story.extend(self._story(index))
        if plan.resources is not None:
            story.append(PageBreak())
            story.extend(resources_flowables(plan.resources, typography))
        meta = plan.meta
        return render(story, typography, meta, meta.title, plan.header, self.date, True)
