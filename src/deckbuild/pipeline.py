"""read -> parse -> layout -> write, for one manual (docutils' Publisher.publish)."""

from __future__ import annotations

import contextlib
import datetime as _dt
import gc
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from deckbuild import diagnostics as dg
from deckbuild.diagnostics import Diagnostic
from deckbuild.model import Course
from deckbuild.outputs import write_outputs
from deckbuild.parse import parse_course
from deckbuild.source import read_source
from deckbuild.theme import DEFAULT, Theme, load_theme

#: Used when neither SOURCE_DATE_EPOCH nor the manual's front matter gives a date, so that
#: two builds of the same input are identical whenever they run.
FIXED_DATE = _dt.datetime(2000, 1, 1, tzinfo=_dt.UTC)


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a build needs beyond the manual and theme, fixed before it starts."""

    #: Stamped into document properties; never the clock.
    date: _dt.datetime = FIXED_DATE
    source_name: str = "manual.md"


@dataclass(frozen=True, slots=True)
class Result:
    written: tuple[Path, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    ok: bool = False


Files = dict[str, bytes]
Artefact = Callable[[Course, Theme, Settings], tuple[Files, list[Diagnostic]]]


def load(path: Path) -> tuple[Course | None, tuple[Diagnostic, ...]]:
    """Read and parse one manual; never raises for bad input."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, (dg.error(f"cannot read the manual: {exc.strerror or exc}", 1),)
    source, diags = read_source(data)
    if source is None:
        return None, diags
    with _no_cycle_collection():  # the parse frees its syntax tree itself
        course, more = parse_course(source.text, name=path.stem, base_dir=path.parent)
    if course is None:
        return None, diags + more
    return course, diags + more + validate(course)


def validate(course: Course) -> tuple[Diagnostic, ...]:
    """Checks that need the whole model (the schedule against the lessons)."""
    from deckbuild.layout.schedule import check_schedule

    return tuple(check_schedule(course))


def check(path: Path) -> tuple[Diagnostic, ...]:
    return load(path)[1]


# --------------------------------------------------------------------------- artefacts
# Each pairs a pure layout with the writer that serialises its plan. The imports are
# local so a build that skips an artefact never pays for its libraries.


def _deck(course: Course, theme: Theme, settings: Settings) -> tuple[Files, list[Diagnostic]]:
    from deckbuild.layout.deck import layout_deck
    from deckbuild.writers.pptx import write_pptx

    with _no_cycle_collection():
        plan, diags = layout_deck(course, theme)
        return {"deck.pptx": write_pptx(plan, theme, settings.date)}, diags


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """For work that makes next to no reference cycles, so refcounting frees what it drops
    (the parse unlinks its syntax tree; the deck makes none, a test checks; reading a
    picture leaves a few hundred objects): the cyclic collector would only walk the growing
    model or plan again and again. At 100x that was 3 of the parse's 7.6 s and a quarter
    of the deck's layout."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _handouts(course: Course, theme: Theme, settings: Settings) -> tuple[Files, list[Diagnostic]]:
    from deckbuild.layout.handout import layout_handouts
    from deckbuild.writers.pdf_handout import write_handouts

    plan, diags = layout_handouts(course, theme)
    return write_handouts(plan, theme, settings.date), diags


def _rubric(course: Course, theme: Theme, settings: Settings) -> tuple[Files, list[Diagnostic]]:
    from deckbuild.layout.rubric import layout_rubric
    from deckbuild.writers.pdf_rubric import write_rubric

    plan, diags = layout_rubric(course, theme)
    return {"rubric.pdf": write_rubric(plan, theme, settings.date)}, diags


ARTEFACTS: Mapping[str, Artefact] = MappingProxyType(
    {"deck": _deck, "handouts": _handouts, "rubric": _rubric}
)


def available_artefacts() -> tuple[str, ...]:
    """Artefacts whose layout and writer modules exist in this checkout."""
    import importlib.util

    needed = {
        "deck": ("deckbuild.layout.deck", "deckbuild.writers.pptx"),
        "handouts": ("deckbuild.layout.handout", "deckbuild.writers.pdf_handout"),
        "rubric": ("deckbuild.layout.rubric", "deckbuild.writers.pdf_rubric"),
    }
    return tuple(
        name
        for name, modules in needed.items()
        if all(importlib.util.find_spec(m) is not None for m in modules)
    )


# --------------------------------------------------------------------------- themes


def resolve_theme(
    course: Course, manual: Path, theme_file: Path | None
) -> tuple[Theme | None, tuple[Diagnostic, ...]]:
    """--theme FILE, else front matter ``theme: name`` looked up in a themes/ folder."""
    if theme_file is not None:
        return load_theme(theme_file)
    name = course.meta.theme or "default"
    candidate = Path(name)
    if candidate.suffix in {".yaml", ".yml"} and (manual.parent / candidate).is_file():
        return load_theme(manual.parent / candidate)
    for folder in (manual.parent / "themes", manual.parent.parent / "themes", Path("themes")):
        path = folder / f"{name}.yaml"
        if path.is_file():
            return load_theme(path)
    if name == "default":
        return DEFAULT, ()
    return None, (dg.error(f"theme {name!r} not found in a themes/ folder", 1),)


def source_date(course: Course, environ: Mapping[str, str]) -> _dt.datetime:
    """SOURCE_DATE_EPOCH, else the manual's ``date``, else a fixed date."""
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), tz=_dt.UTC)
    if course.meta.date:
        try:
            parsed = _dt.datetime.fromisoformat(course.meta.date)
        except ValueError:
            pass
        else:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=_dt.UTC)
    return FIXED_DATE


# --------------------------------------------------------------------------- build


@dataclass(frozen=True, slots=True)
class BuildRequest:
    manual: Path
    out_dir: Path
    theme_file: Path | None = None
    artefacts: tuple[str, ...] = field(default_factory=available_artefacts)
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))


def build(req: BuildRequest) -> Result:
    """Build the requested artefacts; on any error, write nothing and keep old outputs."""
    course, diags = load(req.manual)
    if course is None or dg.has_errors(diags):
        return Result((), diags)
    theme, theme_diags = resolve_theme(course, req.manual, req.theme_file)
    diags += theme_diags
    if theme is None or dg.has_errors(diags):
        return Result((), diags)
    settings = Settings(source_date(course, req.environ), req.manual.name)
    jobs = 1 if req.environ.get("DECKBUILD_JOBS") == "1" else (os.cpu_count() or 1)
    files, more = produce(req.artefacts, course, theme, settings, jobs)
    diags += more
    if dg.has_errors(diags):
        return Result((), diags)
    written = write_outputs(req.out_dir, files)
    return Result(written, diags, True)


def produce(
    names: tuple[str, ...], course: Course, theme: Theme, settings: Settings, jobs: int
) -> tuple[Files, tuple[Diagnostic, ...]]:
    """Run the artefacts, the first in a forked child when there is a core to spare.

    Most of a build is importing and driving python-pptx and reportlab; the deck and the
    PDFs share nothing after parsing, so two processes finish in about the time of the
    slower one. Results come back in a fixed order, so output never depends on timing.
    """
    results: dict[str, tuple[Files, list[Diagnostic]]] = {}
    todo = list(names)
    child = None
    if jobs > 1 and len(todo) > 1 and hasattr(os, "fork"):
        child = _Forked(todo.pop(0), course, theme, settings)
    try:
        for name in todo:
            results[name] = ARTEFACTS[name](course, theme, settings)
    except BaseException:
        if child is not None:
            child.cancel()
        raise
    if child is not None:
        results[child.name] = child.result()
    files: Files = {}
    diags: list[Diagnostic] = []
    for name in names:
        produced, more = results[name]
        files.update(produced)
        diags.extend(more)
    # Layouts that share a helper (the agenda's schedule checks) report its findings once.
    return files, tuple(dict.fromkeys(diags))


class _Forked:
    """One artefact computed in a child process; its result is pickled back over a pipe."""

    def __init__(self, name: str, course: Course, theme: Theme, settings: Settings) -> None:
        import pickle

        self.name = name
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: compute, send, and leave without running atexit hooks
            os.close(read)
            # What the child inherited (modules, the model) outlives it anyway: keeping it
            # out of the cyclic collector spares each full collection a walk over it, and
            # the pages it shares with the parent stay shared.
            gc.freeze()
            try:
                payload: tuple[str, object] = ("ok", ARTEFACTS[name](course, theme, settings))
            except BaseException as exc:  # noqa: BLE001 - re-raised in the parent
                import traceback

                payload = ("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")
            try:
                with os.fdopen(write, "wb") as fh:
                    pickle.dump(payload, fh, protocol=pickle.HIGHEST_PROTOCOL)
            finally:
                os._exit(0)
        os.close(write)
        self._pid = pid
        self._read = read

    def cancel(self) -> None:
        import signal

        with contextlib.suppress(OSError):
            os.kill(self._pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.waitpid(self._pid, 0)
        with contextlib.suppress(OSError):
            os.close(self._read)

    def result(self) -> tuple[Files, list[Diagnostic]]:
        import pickle

        with os.fdopen(self._read, "rb") as fh:
            data = fh.read()
        _, status = os.waitpid(self._pid, 0)
        if not data:
            raise RuntimeError(f"building the {self.name} failed (worker exit status {status})")
        kind, value = pickle.loads(data)
        if kind != "ok":
            raise RuntimeError(f"building the {self.name} failed: {value}")
        return value  # type: ignore[no-any-return]
