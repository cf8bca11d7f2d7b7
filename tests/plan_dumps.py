"""TextFlow views of the handout and rubric plans, for golden files and for reading a plan.

They show every printed word, field and link, so a golden diff points at what changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import assert_never

from deckbuild.layout.handout import (
    CodeFlow,
    CodeSection,
    Concepts,
    Flow,
    GridFlow,
    HandoutPlan,
    HeadingFlow,
    ItemFlow,
    Notes,
    Questions,
    Summary,
    TextFlow,
)
from deckbuild.layout.rubric import Extra, ItemPlan, Note, Review, RubricPlan
from deckbuild.services.spans import CodeLines, Line, line_text

# --------------------------------------------------------------------------- handout


def _marked(spans: Line) -> str:
    out: list[str] = []
    for s in spans:
        t = s.text
        if s.style.mono:
            t = f"`{t}`"
        if s.style.bold:
            t = f"**{t}**"
        if s.style.italic:
            t = f"*{t}*"
        if s.style.strike:
            t = f"~~{t}~~"
        if s.style.href:
            t = f"[{t}]({s.style.href})"
        out.append(t)
    return "".join(out)


def _dump_flow(flow: tuple[Flow, ...], pad: str, out: Callable[[str], None]) -> None:
    for f in flow:
        match f:
            case TextFlow(spans=spans, depth=depth, quote=quote):
                out(f"{pad}{'  ' * depth}{'> ' if quote else ''}{_marked(spans)}")
            case ItemFlow(spans=spans, marker=marker, depth=depth):
                out(f"{pad}{'  ' * depth}{marker} {_marked(spans)}")
            case HeadingFlow(spans=spans):
                out(f"{pad}## {_marked(spans)}")
            case CodeFlow(code=code, caption=caption, depth=depth):
                p = pad + "  " * depth
                out(f"{p}[code {code.lang or 'plain'}, {len(code.lines)} lines] {_marked(caption)}")
                for line in code.lines:
                    out(f"{p}  | {''.join(s.text for s in line)}".rstrip())
            case GridFlow(header=header, rows=rows):
                for row in (header, *rows):
                    out(f"{pad}| " + " | ".join(_marked(c) for c in row) + " |")
            case _:
                assert_never(f)


def dump_handout(plan: HandoutPlan) -> str:
    """A stable text view of the plan, for golden tests and for reading."""
    lines: list[str] = []
    out = lines.append
    m = plan.meta
    out(f"HANDOUT title={m.title!r} author={m.author!r} language={m.language!r}")
    out(f"  subject={m.subject!r} header={plan.header!r}")
    c = plan.cover
    out(f"COVER title={c.title!r} subtitle={c.subtitle!r} byline={c.byline!r}")
    _dump_flow(c.overview, "  overview: ", out)
    if c.objectives_intro:
        out(f"  objectives intro: {_marked(c.objectives_intro)}")
    for o in c.objectives:
        out(f"  objective: {_marked(o)}")
    for r in c.contents:
        out(f"  contents: {r.kind} {r.slot or '-'} | {r.label} | {r.duration or '-'} | #{r.key}")
    if c.total:
        out(f"  {c.total}")
    for les in plan.lessons:
        out(f"LESSON #{les.key} {les.heading!r} {les.duration or '-'} {les.slot or '-'}")
        for part in les.parts:
            match part:
                case Summary(flow=flow):
                    out("  SUMMARY")
                    _dump_flow(flow, "    ", out)
                case Concepts(title=title, concepts=concepts, rest=rest):
                    out(f"  CONCEPTS {title!r}")
                    for k in concepts:
                        out(f"    {_marked(k.term)} := {_marked(k.explanation)}")
                        _dump_flow(k.details, "      ", out)
                    _dump_flow(rest, "    ", out)
                case CodeSection(title=title, flow=flow):
                    out(f"  CODE {title!r}")
                    _dump_flow(flow, "    ", out)
                case Questions(title=title, questions=qs):
                    out(f"  QUESTIONS {title!r}")
                    for q in qs:
                        out(f"    {q.number}. {_marked(q.text)} [{q.lines} lines]")
                case Notes(title=title, min_lines=lo, max_lines=hi):
                    out(f"  NOTES {title!r} {lo}..{hi} lines")
                case _:
                    assert_never(part)
    if plan.resources is not None:
        res = plan.resources
        out(f"RESOURCES #{res.key} {res.title!r}")
        _dump_flow(res.flow, "  ", out)
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- rubric


def dump_rubric(plan: RubricPlan) -> str:
    """The plan as text for golden files: every printed word, field and link."""
    out: list[str] = [f"RUBRIC {plan.heading!r} for {plan.title!r}"]
    if plan.subtitle:
        out.append(f"  subtitle {plan.subtitle!r}")
    out.append("  fields " + ", ".join(f"{f.field}={f.label!r}" for f in plan.fields))
    if plan.notice:
        out.append(f"  NOTICE {plan.notice!r}")

    def code(lines: CodeLines, pad: str) -> None:
        colours = sorted({s.style.colour or "-" for ln in lines.lines for s in ln})
        out.append(f"{pad}  [{lines.lang or 'plain'}; colours {' '.join(colours)}]")
        out.extend(f"{pad}  | {line_text(ln)}".rstrip() for ln in lines.lines)

    def items(its: tuple[ItemPlan, ...], pad: str) -> None:
        for it in its:
            box = "[x]" if it.checked else "[ ]"
            ind = pad + "    " * it.depth
            out.append(f"{ind}{box} {it.field} {line_text(it.text)!r} (line {it.line})")
            out.append(f"{ind}    -> {it.link_text} [{it.source}]")
            if it.snippet:
                sn = it.snippet
                out.append(f"{ind}    snippet {sn.caption!r} (line {sn.line})")
                code(sn.code, ind + "    ")

    def extras(ex: tuple[Extra, ...], pad: str) -> None:
        for e in ex:
            match e:
                case Note(text=text):
                    out.append(f"{pad}note {line_text(text)!r}")
                case Review(code=c, line=line):
                    out.append(f"{pad}review (line {line})")
                    code(c, pad)
                case _:
                    assert_never(e)

    for cat in plan.categories:
        pts = f" ({cat.points})" if cat.points else ""
        out.append(f"CATEGORY {cat.number} {cat.name!r}{pts}")
        items(cat.items, "  ")
        for level in cat.levels:
            pts = f" ({level.points})" if level.points else ""
            out.append(f"  LEVEL {level.name!r}{pts}")
            items(level.items, "    ")
            extras(level.extras, "    ")
        extras(cat.extras, "  ")
        out.append(f"  {cat.score.label} {cat.score.text} [{cat.score.field}]")
    out.append(f"{plan.total.label} {plan.total.text} [{plan.total.field}]")
    return "\n".join(out) + "\n"
