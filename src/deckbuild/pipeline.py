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
from typing import TYPE_CHECKING, Self, cast

from deckbuild import diagnostics
from deckbuild.diagnostics import Diagnostic
from deckbuild.model import Course
from deckbuild.outputs import write_outputs
from deckbuild.parse import parse_course
from deckbuild.source import read_source
from deckbuild.theme import DEFAULT, Theme, load_theme

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from threading import Thread

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
Job = tuple[Course, Theme, Settings]


def load(path: Path) -> tuple[Course | None, tuple[Diagnostic, ...]]:
    """Read and parse one manual; never raises for bad input."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, (diagnostics.error(f"cannot read the manual: {exc.strerror or exc}", 1),)
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
    from deckbuild.services.schedule import check_schedule

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


#: The modules each artefact runs, for a worker to import before its job arrives.
_MODULES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "deck": ("deckbuild.layout.deck", "deckbuild.writers.pptx"),
        "handouts": ("deckbuild.layout.handout", "deckbuild.writers.pdf_handout"),
        "rubric": ("deckbuild.layout.rubric", "deckbuild.writers.pdf_rubric"),
    }
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
    return None, (diagnostics.error(f"theme {name!r} not found in a themes/ folder", 1),)


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
    artefacts: tuple[str, ...] = tuple(ARTEFACTS)
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))


def build(req: BuildRequest) -> Result:
    """Build the requested artefacts; on any error, write nothing and keep old outputs."""
    jobs = 1 if req.environ.get("DECKBUILD_JOBS") == "1" else (os.cpu_count() or 1)
    # Forked first, so that it imports and warms up its libraries while this process reads.
    with _fork(split(req.artefacts, jobs)[1]) as worker:
        job, diags = prepare(req)
        if job is None:
            return Result((), diags)
        files, more = produce(req.artefacts, *job, jobs, worker)
    diags += more
    if diagnostics.has_errors(diags):
        return Result((), diags)
    return Result(write_outputs(req.out_dir, files), diags, True)


def prepare(req: BuildRequest) -> tuple[Job | None, tuple[Diagnostic, ...]]:
    """Read and parse the manual, find its theme and date; None after any error."""
    course, diags = load(req.manual)
    if course is None or diagnostics.has_errors(diags):
        return None, diags
    theme, more = resolve_theme(course, req.manual, req.theme_file)
    diags += more
    if theme is None or diagnostics.has_errors(diags):
        return None, diags
    return (course, theme, Settings(source_date(course, req.environ), req.manual.name)), diags


def split(names: tuple[str, ...], jobs: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(artefacts built here, artefacts built by a forked worker).

    The deck stays here and the PDFs go to the worker: they share reportlab, its fonts and
    the highlighter's print style, and together they take about as long as the deck.
    """
    if jobs < 2 or len(names) < 2 or not hasattr(os, "fork"):
        return names, ()
    import multiprocessing

    if multiprocessing.current_process().daemon:  # which may not start processes
        return names, ()
    return names[:1], names[1:]


def produce(
    names: tuple[str, ...],
    course: Course,
    theme: Theme,
    settings: Settings,
    jobs: int,
    worker: _Worker | None = None,
) -> tuple[Files, tuple[Diagnostic, ...]]:
    """Run the artefacts, some in a forked worker when there is a core to spare.

    Most of a build is importing and driving python-pptx and reportlab; the deck and the
    PDFs share nothing after parsing, so two processes finish in about the time of the
    slower one. Results come back in a fixed order, so output never depends on timing.
    """
    mine, theirs = split(names, jobs)
    if theirs and worker is None:
        with _Worker(theirs) as own:
            return produce(names, course, theme, settings, jobs, own)
    if worker is not None:
        worker.submit(course, theme, settings)
    results = {name: ARTEFACTS[name](course, theme, settings) for name in mine}
    if worker is not None:
        results.update(worker.result())
    files: Files = {}
    diags: list[Diagnostic] = []
    for name in names:
        produced, more = results[name]
        files.update(produced)
        diags.extend(more)
    # Layouts that share a helper (the agenda's schedule checks) report its findings once.
    return files, tuple(dict.fromkeys(diags))


def _warm_up(names: tuple[str, ...]) -> None:
    """What a worker can do before it knows the manual: import its artefacts' modules,
    register the default theme's fonts and compile the highlighter's Elixir lexer. A
    guess that misses (another theme, no Elixir) only costs the idle worker time."""
    import importlib

    from deckbuild.services.highlight import highlight

    for name in names:
        for module in _MODULES[name]:
            importlib.import_module(module)
    if {"handouts", "rubric"} & set(names):
        from deckbuild.writers._pdf import faces

        faces(DEFAULT)
    highlight(
        "defmodule A do\n  def f(x), do: x\nend",
        "elixir",
        DEFAULT.print_code_style,
        DEFAULT.colours.code_background,
    )


def _fork(names: tuple[str, ...]) -> contextlib.AbstractContextManager[_Worker | None]:
    return _Worker(names) if names else contextlib.nullcontext()


class _Worker:
    """A forked process (multiprocessing's "fork") that builds some artefacts.

    It is forked before the manual is parsed and warms up meanwhile. The job then goes down
    a pipe from a thread, as a pipe holds 64 KiB and the worker may still be busy; the
    results come back up a pipe that this process drains when its own part is done.
    Leaving the ``with`` block kills the worker if it still runs. (A multiprocessing Queue
    would send the job the same way, but a worker waiting on one never sees its parent
    die, and its thread prints a traceback when the worker is killed mid-send.)
    """

    def __init__(self, names: tuple[str, ...]) -> None:
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        self.names = names
        job, self._job = ctx.Pipe(duplex=False)
        self._results, results = ctx.Pipe(duplex=False)
        self._sender: Thread | None = None
        self._process = ctx.Process(target=self._serve, args=(job, results), daemon=True)
        self._process.start()
        self._pid = self._process.pid  # for tests
        job.close()  # the worker's ends: closed here, a dead worker reads as a broken pipe
        results.close()

    def _serve(self, job: Connection, results: Connection) -> None:
        import pickle
        import signal
        import traceback

        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's; it kills us
        self._job.close()  # the parent's ends: closed here, a dead parent reads as EOF
        self._results.close()
        with contextlib.suppress(Exception):
            _warm_up(self.names)
        try:
            course, theme, settings = pickle.loads(job.recv_bytes())
        except EOFError:  # the parent died before it had a job to give
            return
        # What the worker inherited outlives it anyway: keeping it out of the cyclic
        # collector spares each full collection a walk over it.
        gc.freeze()
        payload: tuple[str, object]
        try:
            payload = ("ok", {n: ARTEFACTS[n](course, theme, settings) for n in self.names})
        except BaseException as exc:  # noqa: BLE001 - re-raised in the parent
            payload = ("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")
        with contextlib.suppress(OSError):  # the parent is gone
            results.send(payload)

    def submit(self, course: Course, theme: Theme, settings: Settings) -> None:
        import pickle
        import threading

        # Pickled here, not in the thread, so the deck's layout cannot race with it.
        job = pickle.dumps((course, theme, settings), protocol=pickle.HIGHEST_PROTOCOL)
        self._sender = threading.Thread(target=self._send, args=(job,), daemon=True)
        self._sender.start()

    def _send(self, job: bytes) -> None:
        with contextlib.suppress(OSError):  # the worker was killed
            self._job.send_bytes(job)

    def result(self) -> dict[str, tuple[Files, list[Diagnostic]]]:
        try:
            kind, value = self._results.recv()
        except EOFError:
            kind, value = "error", None
        self._process.join()
        if kind != "ok":
            why = value or f"the worker's exit code is {self._process.exitcode}"
            raise RuntimeError(f"building the {' and '.join(self.names)} failed: {why}")
        return cast(dict[str, tuple[Files, list[Diagnostic]]], value)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self._process.kill()  # if it still runs: this process failed
        self._process.join()
        if self._sender is not None:
            self._sender.join()
        self._job.close()
        self._results.close()
