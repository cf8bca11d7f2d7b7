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

from deckbuild import diagnostics
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
    _, theirs = split(req.artefacts, jobs)
    # Started before parsing, so that it imports and warms up its libraries while this
    # process reads the manual.
    worker = _Worker(theirs) if theirs else None
    try:
        course, diags = load(req.manual)
        if course is None or diagnostics.has_errors(diags):
            return Result((), diags)
        theme, theme_diags = resolve_theme(course, req.manual, req.theme_file)
        diags += theme_diags
        if theme is None or diagnostics.has_errors(diags):
            return Result((), diags)
        settings = Settings(source_date(course, req.environ), req.manual.name)
        files, more = produce(req.artefacts, course, theme, settings, jobs, worker)
        worker = None  # produce() has collected it
    finally:
        if worker is not None:
            worker.cancel()
    diags += more
    if diagnostics.has_errors(diags):
        return Result((), diags)
    written = write_outputs(req.out_dir, files)
    return Result(written, diags, True)


def split(names: tuple[str, ...], jobs: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(artefacts built here, artefacts built by a forked worker).

    The deck stays here and the PDFs go to the worker: they share reportlab, its fonts and
    the highlighter's print style, and together they take about as long as the deck.
    """
    if jobs < 2 or len(names) < 2 or not hasattr(os, "fork"):
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
        worker = _Worker(theirs)
    results: dict[str, tuple[Files, list[Diagnostic]]] = {}
    try:
        if worker is not None:
            worker.submit(course, theme, settings)
        for name in mine:
            results[name] = ARTEFACTS[name](course, theme, settings)
        if worker is not None:
            results.update(worker.result())
            worker = None
    finally:
        if worker is not None:
            worker.cancel()
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


class _Worker:
    """A forked process that builds some artefacts; the job and its results are pickled.

    It is forked before the manual is parsed and warms up meanwhile; the job then comes
    through a temporary file (a pipe would block the parent until the worker reads it),
    and the results go back through a pipe that the parent drains when its own part is
    done.
    """

    def __init__(self, names: tuple[str, ...]) -> None:
        import tempfile

        self.names = names
        self._job = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the worker
        go_read, go_write = os.pipe()
        res_read, res_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker; it leaves through os._exit, never back into the caller
            os.close(go_write)
            os.close(res_read)
            self._serve(go_read, res_write)
        os.close(go_read)
        os.close(res_write)
        self._pid = pid
        self._go = go_write
        self._results = res_read

    def _serve(self, go: int, out: int) -> None:
        import pickle

        status = 0
        try:
            with contextlib.suppress(Exception):
                _warm_up(self.names)
            if not os.read(go, 1):  # the parent cancelled: no manual to build
                os._exit(0)
            self._job.seek(0)
            course, theme, settings = pickle.load(self._job)
            # What the worker inherited outlives it anyway: keeping it out of the cyclic
            # collector spares each full collection a walk over it.
            gc.freeze()
            try:
                payload: tuple[str, object] = (
                    "ok",
                    {n: ARTEFACTS[n](course, theme, settings) for n in self.names},
                )
            except BaseException as exc:  # noqa: BLE001 - re-raised in the parent
                import traceback

                payload = ("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")
            with os.fdopen(out, "wb") as fh:
                pickle.dump(payload, fh, protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:  # noqa: BLE001 - the parent sees an empty result and reports
            status = 1
        finally:
            os._exit(status)

    def submit(self, course: Course, theme: Theme, settings: Settings) -> None:
        import pickle

        pickle.dump((course, theme, settings), self._job, protocol=pickle.HIGHEST_PROTOCOL)
        self._job.flush()
        os.write(self._go, b"1")
        os.close(self._go)

    def cancel(self) -> None:
        import signal

        with contextlib.suppress(OSError):
            os.kill(self._pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.waitpid(self._pid, 0)
        for fd in (self._go, self._results):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._job.close()

    def result(self) -> dict[str, tuple[Files, list[Diagnostic]]]:
        import pickle

        with os.fdopen(self._results, "rb") as fh:
            data = fh.read()
        _, status = os.waitpid(self._pid, 0)
        self._job.close()
        what = " and ".join(self.names)
        if not data:
            raise RuntimeError(f"building the {what} failed (worker exit status {status})")
        kind, value = pickle.loads(data)
        if kind != "ok":
            raise RuntimeError(f"building the {what} failed: {value}")
        return value  # type: ignore[no-any-return]
