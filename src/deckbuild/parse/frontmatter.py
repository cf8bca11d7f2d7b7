"""YAML front matter -> validated Meta. Safe loading only; every problem has a line."""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from typing import Any, get_args

import yaml

from deckbuild import diagnostics, registry
from deckbuild.diagnostics import Diagnostic, SourcePos
from deckbuild.model import Meta, Schedule, ScheduleBreak
from deckbuild.services import yaml_nodes
from deckbuild.services.yaml_nodes import KeyLines
from deckbuild.source import scrub

#: Front matter is a handful of settings; anything this large is a mistake or an attack.
MAX_FRONT_MATTER = 64 * 1024

#: The years a document date may fall in (UTC): four digits, as PDF and OOXML dates have.
DATE_YEARS = (1000, 9999)

#: A BCP 47 language tag, in the simple form documents use: ``en``, ``en-US``, ``zh-Hant-TW``.
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*", re.ASCII)

KNOWN_KEYS = frozenset(
    {
        "title",
        "subtitle",
        "author",
        "date",
        "theme",
        "language",
        "lang",
        "schedule",
        "rubric_links",
        "sections",
        "unit_level",
    }
)


def load(content: str, first_line: int) -> tuple[dict[str, Any], KeyLines, list[Diagnostic]]:
    """Parse front matter text that starts on ``first_line`` (the line after ``---``)."""
    nothing = KeyLines(None, first_line)
    if len(content) > MAX_FRONT_MATTER:
        message = f"front matter is larger than {MAX_FRONT_MATTER // 1024} KiB"
        return {}, nothing, [diagnostics.error(message, first_line)]
    try:
        data, node = yaml_nodes.load(content)
    except yaml.constructor.ConstructorError as exc:
        text, line, _ = yaml_nodes.problem(exc)
        if text.startswith("cannot read "):  # a safe tag on a value it cannot hold
            why = f" ({exc.__cause__})" if exc.__cause__ else ""
            message = f"front matter: {text}{why}; quote it to use it as text"
        else:
            message = f"front matter: refused YAML tag ({text}); only plain data is allowed"
        return {}, nothing, [diagnostics.error(message, line + first_line - 1)]
    except yaml.composer.ComposerError as exc:
        text, line, _ = yaml_nodes.problem(exc)
        return {}, nothing, [diagnostics.error(f"front matter: {text}", line + first_line - 1)]
    except yaml.YAMLError as exc:
        text, line, _ = yaml_nodes.problem(exc)
        message = f"front matter is not valid YAML ({text}); ignored"
        return {}, nothing, [diagnostics.warning(message, line + first_line - 1)]
    except RecursionError:
        return (
            {},
            nothing,
            [diagnostics.warning("front matter nests too deeply; ignored", first_line)],
        )
    except (ValueError, OverflowError) as exc:
        # A scalar YAML resolves to a date or a number that Python cannot hold:
        # ``date: 2026-13-45``, an integer of thousands of digits.
        line, message = _unconstructible(content, exc)
        return {}, nothing, [diagnostics.error(message, line + first_line - 1)]
    if data is None:
        return {}, nothing, []
    if not isinstance(data, dict):
        message = "front matter must be a mapping of keys to values; ignored"
        return {}, nothing, [diagnostics.warning(message, first_line)]
    lines = KeyLines(node, first_line)
    scrubbed: list[tuple[str | int, ...]] = []
    clean = {str(k): _scrub(v, (str(k),), scrubbed) for k, v in data.items()}
    diags = [
        diagnostics.warning(
            "front matter: control character(s) or lone surrogate(s) replaced", lines(*path)
        )
        for path in scrubbed
    ]
    return {_scrub(k, (), []): v for k, v in clean.items()}, lines, diags


def _unconstructible(content: str, exc: Exception) -> tuple[int, str]:
    """The 1-based line and a message for the first scalar that cannot be constructed."""
    loader = yaml.SafeLoader(content)
    try:
        found = _first_unconstructible(loader, loader.get_single_node())
    except yaml.YAMLError:
        found = None
    finally:
        loader.dispose()
    if found is None:
        return 1, f"front matter: cannot read a value ({exc})"
    node, exc = found
    line = node.start_mark.line + 1
    if node.tag.endswith(":timestamp"):
        return line, (
            f"front matter: {node.value} is not a valid date or time ({exc}); quote it to "
            "use it as text"
        )
    return line, f"front matter: cannot read {node.value[:40]!r} ({exc})"


def _first_unconstructible(
    loader: yaml.SafeLoader, root: yaml.Node | None
) -> tuple[yaml.ScalarNode, Exception] | None:
    stack: list[yaml.Node] = [root] if root is not None else []
    while stack:  # depth first, in document order
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            try:
                loader.construct_object(node)
            except (ValueError, OverflowError) as exc:
                return node, exc
        elif isinstance(node, yaml.MappingNode):
            stack.extend(n for pair in reversed(node.value) for n in reversed(pair))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
    return None


def _scrub(value: Any, path: tuple[str | int, ...], found: list[tuple[str | int, ...]]) -> Any:
    """``value`` with every string scrubbed (see ``source.scrub``); notes where it changed."""
    if isinstance(value, str):
        clean = scrub(value)
        if clean != value and path not in found:
            found.append(path)
        return clean
    if isinstance(value, list):
        return [_scrub(v, (*path, i), found) for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {_scrub(k, path, found): _scrub(v, (*path, str(k)), found) for k, v in value.items()}
    return value


def document_date(text: str | None) -> _dt.datetime | None:
    """The moment an ISO date or date-time names, in UTC (a date or a time without a zone
    counts as UTC); None when ``text`` is not one or falls outside ``DATE_YEARS``."""
    parsed = _iso(text)
    if parsed is None:
        return None
    try:
        utc = parsed.astimezone(_dt.UTC) if parsed.tzinfo else parsed.replace(tzinfo=_dt.UTC)
    except (OverflowError, ValueError):
        return None
    return utc if DATE_YEARS[0] <= utc.year <= DATE_YEARS[1] else None


def _iso(text: str | None) -> _dt.datetime | None:
    if not text:
        return None
    try:
        return _dt.datetime.fromisoformat(text)
    except ValueError:
        return None


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, _dt.date | _dt.datetime):
        return value.isoformat()
    if isinstance(value, str | int | float):
        return str(value).strip()
    return None


def meta(data: Mapping[str, Any], lines: KeyLines) -> tuple[Meta, list[Diagnostic]]:
    diags: list[Diagnostic] = []
    for key in data:
        if key not in KNOWN_KEYS:
            diags.append(diagnostics.info(f"front matter: unknown key {key!r} ignored", lines(key)))
    for key in ("title", "subtitle", "author", "date", "theme", "language", "lang"):
        if key in data and _text(data[key]) is None:
            diags.append(diagnostics.warning(f"front matter: {key!r} should be text", lines(key)))
    date = _text(data.get("date"))
    if _iso(date) is not None and document_date(date) is None:
        first, last = DATE_YEARS
        diags.append(
            diagnostics.error(
                f"front matter: 'date' {date} is out of range: a document date must fall in "
                f"the years {first} to {last} (UTC)",
                lines("date"),
            )
        )
    language_key = "language" if "language" in data else "lang"
    language = _text(data.get(language_key)) or None
    if language is not None and not _LANGUAGE.fullmatch(language):
        diags.append(
            diagnostics.warning(
                f"front matter: {language_key!r} {language[:40]!r} is not a language tag like "
                "'en' or 'en-US'; the default is used",
                lines(language_key),
            )
        )
        language = None
    schedule = None
    if "schedule" in data:
        schedule, more = _schedule(data["schedule"], lines)
        diags.extend(more)
    links, more = _rubric_links(data.get("rubric_links"), lines)
    diags.extend(more)
    sections, more = _sections(data.get("sections"), lines)
    diags.extend(more)
    unit_level = data.get("unit_level")
    if unit_level is not None and (
        not isinstance(unit_level, int) or isinstance(unit_level, bool) or not 1 <= unit_level <= 6
    ):
        diags.append(
            diagnostics.warning(
                "front matter: 'unit_level' must be a heading level from 1 to 6; units are inferred",
                lines("unit_level"),
            )
        )
        unit_level = None
    return (
        Meta(
            author=_text(data.get("author")),
            date=date,
            theme=_text(data.get("theme")),
            language=language,
            schedule=schedule,
            rubric_links=links,
            sections=sections,
            unit_level=unit_level,
        ),
        diags,
    )


_CLOCK = re.compile(r"^\s*(\d{1,2})[:.h](\d{2})\s*$")


def _clock(value: object) -> int | None:
    """Minutes after midnight from "09:00"; YAML 1.1 reads an unquoted 09:00 as 540."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and 0 <= value < 24 * 60:
        return value
    if isinstance(value, str):
        m = _CLOCK.match(value)
        if m and int(m.group(1)) < 24 and int(m.group(2)) < 60:
            return int(m.group(1)) * 60 + int(m.group(2))
    return None


def _schedule(value: object, lines: KeyLines) -> tuple[Schedule | None, list[Diagnostic]]:
    diags: list[Diagnostic] = []
    if not isinstance(value, dict):
        return None, [
            diagnostics.warning("front matter: 'schedule' must be a mapping", lines("schedule"))
        ]
    for key in value:
        if key not in {"start", "end", "breaks"}:
            diags.append(
                diagnostics.warning(f"schedule: unknown key {key!r}", lines("schedule", str(key)))
            )
    start = _clock(value.get("start"))
    if start is None:
        diags.append(
            diagnostics.warning(
                "schedule: 'start' must be a time like \"09:00\"; schedule ignored",
                lines("schedule", "start"),
            )
        )
        return None, diags
    end = _clock(value.get("end")) if "end" in value else None
    if "end" in value and end is None:
        diags.append(
            diagnostics.warning(
                "schedule: 'end' must be a time like \"17:00\"", lines("schedule", "end")
            )
        )
    breaks: list[ScheduleBreak] = []
    raw_breaks = value.get("breaks") or []
    if not isinstance(raw_breaks, list):
        diags.append(
            diagnostics.warning("schedule: 'breaks' must be a list", lines("schedule", "breaks"))
        )
        raw_breaks = []
    for i, b in enumerate(raw_breaks):
        line = lines("schedule", "breaks", i)
        after = b.get("after") if isinstance(b, dict) else None
        minutes = b.get("minutes", 15) if isinstance(b, dict) else None
        if (
            not isinstance(after, int)
            or isinstance(after, bool)
            or not isinstance(minutes, int)
            or isinstance(minutes, bool)
            or minutes <= 0
        ):
            diags.append(
                diagnostics.warning(
                    "schedule: a break needs 'after: <lesson number>' and 'minutes: <n>'", line
                )
            )
            continue
        label = _text(b.get("label")) or "Break"
        breaks.append(ScheduleBreak(SourcePos(line), after, minutes, label))
    return Schedule(SourcePos(lines("schedule")), start, end, tuple(breaks)), diags


#: ASCII digits only: ``str.isdigit`` also accepts "²", which ``int`` refuses.
_LESSON_NUMBER = re.compile(r"[0-9]{1,6}")


def _rubric_links(
    value: object, lines: KeyLines
) -> tuple[tuple[tuple[str, tuple[int, ...]], ...], list[Diagnostic]]:
    if value is None:
        return (), []
    if not isinstance(value, dict):
        return (), [
            diagnostics.warning(
                "front matter: 'rubric_links' must be a mapping", lines("rubric_links")
            )
        ]
    out: list[tuple[str, tuple[int, ...]]] = []
    diags: list[Diagnostic] = []
    for key, target in value.items():
        raw = target if isinstance(target, list) else re.split(r"[,\s]+", str(target).strip())
        numbers: list[int] = []
        for t in raw:
            if isinstance(t, int) and not isinstance(t, bool):
                numbers.append(t)
            elif isinstance(t, str) and _LESSON_NUMBER.fullmatch(t.strip()):
                numbers.append(int(t))
            elif t not in ("", None):
                diags.append(
                    diagnostics.warning(
                        f"rubric_links: {t!r} is not a lesson number",
                        lines("rubric_links", str(key)),
                    )
                )
        out.append((str(key), tuple(numbers)))
    return tuple(out), diags


_KINDS = frozenset(get_args(registry.SectionKind))


def _sections(
    value: object, lines: KeyLines
) -> tuple[tuple[tuple[str, registry.SectionKind], ...], list[Diagnostic]]:
    """``sections: {Essence: summary, Playtime: exercise}``: the author's own names."""
    if value is None:
        return (), []
    if not isinstance(value, dict):
        return (), [
            diagnostics.warning("front matter: 'sections' must be a mapping", lines("sections"))
        ]
    out: list[tuple[str, registry.SectionKind]] = []
    diags: list[Diagnostic] = []
    for name, kind in value.items():
        k = str(kind).strip().casefold().replace(" ", "_").replace("-", "_")
        if k not in _KINDS:
            known = ", ".join(sorted(_KINDS))
            diags.append(
                diagnostics.warning(
                    f"sections: {kind!r} is not a section kind (expected one of: {known})",
                    lines("sections", str(name)),
                )
            )
            continue
        out.append((registry.norm_name(str(name)), k))  # type: ignore[arg-type]
    return tuple(out), diags
