"""read -> parse -> layout -> write, for one manual (docutils' Publisher.publish)."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import gc
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Self, cast

from deckbuild import diagnostics
from deckbuild.diagnostics import Diagnostic
from deckbuild.model import Course, Image
from deckbuild.outputs import OutputError, write_outputs
from deckbuild.parse import parse_course
from deckbuild.parse.frontmatter import DATE_YEARS, document_date
from deckbuild.services.last import Last
from deckbuild.source import MAX_MANUAL, RefusedInput, check_input, read_input, read_source
from deckbuild.theme import DEFAULT, MAX_THEME, Theme, load_theme

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from threading import Thread

    from deckbuild.layout.deck_plan import DeckPlan

#: Used when neither SOURCE_DATE_EPOCH nor the manual's front matter gives a date, so that
#: two builds of the same input are identical whenever they run.
FIXED_DATE = _dt.datetime(2000, 1, 1, tzinfo=_dt.UTC)

#: Pictures a manual or theme shows are embedded whole; anything larger is a mistake.
MAX_IMAGE = 32 * 1024 * 1024


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
    course, diags, _ = _load(path)
    return course, diags


def _load(path: Path) -> tuple[Course | None, tuple[Diagnostic, ...], bool]:
    """``load``, and whether the manual may show images (its text has a ``![``)."""
    try:
        data = read_input(path, MAX_MANUAL)
    except (OSError, RefusedInput) as exc:
        return None, (diagnostics.error(f"cannot read the manual: {_why(exc)}", 1),), False
    source, diags = read_source(data)
    if source is None:
        return None, diags, False
    # A file name that is not UTF-8 arrives with lone surrogates, which no output can carry.
    name = os.fsencode(path.stem).decode("utf-8", "replace")
    with _no_cycle_collection():  # the parse frees its syntax tree itself
        course, more = parse_course(source.text, name=name, base_dir=path.parent)
    if course is None:
        return None, diags + more, False
    return course, diags + more + validate(course), "![" in source.text


def _why(exc: OSError | RefusedInput) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc)


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
    from deckbuild.writers.pptx import write_pptx

    plan, diags = _deck_plan(course, theme)
    with _no_cycle_collection():
        return {"deck.pptx": write_pptx(plan, theme, settings.date)}, diags


def _slides(course: Course, theme: Theme, settings: Settings) -> tuple[Files, list[Diagnostic]]:
    from deckbuild.writers.pdf_slides import write_slides

    plan, diags = _deck_plan(course, theme)
    return {"slides.pdf": write_slides(plan, theme, settings.date)}, diags


def _notes(course: Course, theme: Theme, settings: Settings) -> tuple[Files, list[Diagnostic]]:
    from deckbuild.layout.notes import layout_notes
    from deckbuild.services.schedule import agenda
    from deckbuild.writers.pdf_notes import write_notes

    deck, diags = _deck_plan(course, theme)
    plan, more = layout_notes(deck, theme, agenda(course))
    return {"notes.pdf": write_notes(plan, deck, theme, settings.date)}, diags + more


DeckFound = tuple["DeckPlan", list[Diagnostic]]

#: The last deck plan this process made, with its course and theme: the deck, slides.pdf
#: and notes.pdf all draw it, and a process that builds two of them lays it out once.
_LAST_DECK: Last[DeckFound] = Last()
#: In a worker whose parent lays the deck out: how to receive the parent's plan.
_DECK_FROM: list[Callable[[], DeckFound]] = []
#: In a parent whose worker draws the deck plan: how to send it.
_DECK_TO: list[Callable[[DeckFound], None]] = []


def _deck_plan(course: Course, theme: Theme) -> DeckFound:
    from deckbuild.layout.deck import layout_deck

    def make() -> DeckFound:
        if _DECK_FROM:  # a worker whose parent lays the deck out
            return _DECK_FROM[0]()
        with _no_cycle_collection():
            return layout_deck(course, theme)

    found = _LAST_DECK.make(make, course, theme)
    # Sent once, remembered or not: the worker waits for it.
    for send in _DECK_TO:
        send(found)
    _DECK_TO.clear()
    return found[0], list(found[1])


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
    """The whole handout and the lesson files, made of its pages."""
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
    {
        "deck": _deck,
        "handouts": _handouts,
        "rubric": _rubric,
        "slides": _slides,
        "notes": _notes,
    }
)


#: The modules each artefact runs, for a worker to import before its job arrives.
_MODULES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "deck": ("deckbuild.layout.deck", "deckbuild.writers.pptx"),
        "handouts": ("deckbuild.layout.handout", "deckbuild.writers.pdf_handout"),
        "rubric": ("deckbuild.layout.rubric", "deckbuild.writers.pdf_rubric"),
        "slides": ("deckbuild.layout.deck", "deckbuild.writers.pdf_slides"),
        "notes": ("deckbuild.layout.deck", "deckbuild.layout.notes", "deckbuild.writers.pdf_notes"),
    }
)


# --------------------------------------------------------------------------- themes


def resolve_theme(
    course: Course, manual: Path, theme_file: Path | None
) -> tuple[Theme | None, tuple[Diagnostic, ...]]:
    """--theme FILE, else front matter ``theme: name`` looked up in a themes/ folder."""
    if theme_file is not None:
        return _load_theme(theme_file)
    for path in theme_places(course, manual):
        if path.is_file():
            return _load_theme(path)
    name = course.meta.theme or "default"
    if name == "default":
        return DEFAULT, ()
    return None, (diagnostics.error(f"theme {name!r} not found in a themes/ folder", 1),)


def theme_places(course: Course, manual: Path) -> list[Path]:
    """Where the front matter's ``theme`` may be, in the order ``resolve_theme`` looks: a
    YAML file beside the manual, then ``<name>.yaml`` in the manual's themes/ folder, its
    parent's, and the working folder's."""
    name = course.meta.theme or "default"
    places = [manual.parent / name] if Path(name).suffix in {".yaml", ".yml"} else []
    folders = (manual.parent / "themes", manual.parent.parent / "themes", Path("themes"))
    return places + [folder / f"{name}.yaml" for folder in folders]


def _load_theme(path: Path) -> tuple[Theme | None, tuple[Diagnostic, ...]]:
    """The theme file, looked at before it is read: a FIFO or a device is never opened."""
    try:
        check_input(path, MAX_THEME)
    except (OSError, RefusedInput) as exc:
        return None, (diagnostics.error(f"cannot read theme: {_why(exc)}", 1, 1, str(path)),)
    return load_theme(path)


def check_pictures(course: Course, theme: Theme, images: bool = True) -> tuple[Diagnostic, ...]:
    """Errors for the pictures the outputs would embed (the manual's images unless
    ``images`` is false, the theme's logo) that are not regular files of at most MAX_IMAGE
    bytes, each at its own path."""
    found = dict.fromkeys([theme.logo] if theme.logo else [])
    if images:  # a walk over the whole model: half a second for 1500 lessons
        found.update(dict.fromkeys(_image_paths(course)))
    diags: list[Diagnostic] = []
    for path in found:
        try:
            check_input(Path(path), MAX_IMAGE)
        except (OSError, RefusedInput) as exc:
            diags.append(diagnostics.error(f"cannot use the picture: {_why(exc)}", 1, 1, path))
    return tuple(diags)


_ATOMS = (str, int, float, type(None))


def _image_paths(course: Course) -> list[str]:
    return [image.path for image in images(course) if image.path]


def images(course: Course) -> Iterator[Image]:
    """Every picture of the manual, found or not."""
    names: dict[type, tuple[str, ...]] = {}
    stack: list[object] = [course]
    while stack:
        node = stack.pop()
        if isinstance(node, Image):
            yield node
        elif isinstance(node, tuple | list):
            stack.extend(x for x in node if not isinstance(x, _ATOMS))
        elif dataclasses.is_dataclass(node):
            kind = type(node)
            if kind not in names:
                names[kind] = tuple(f.name for f in dataclasses.fields(node))
            values = (getattr(node, n) for n in names[kind])
            stack.extend(v for v in values if not isinstance(v, _ATOMS))


_EPOCH = re.compile(r"[0-9]+")


def source_date(course: Course, environ: Mapping[str, str]) -> _dt.datetime:
    """SOURCE_DATE_EPOCH, else the manual's ``date``, else a fixed date.

    Raises ValueError, with a message that names the variable, when SOURCE_DATE_EPOCH is
    set but is not a whole number of seconds within ``DATE_YEARS``.
    """
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        if not _EPOCH.fullmatch(epoch):
            raise ValueError(
                f"SOURCE_DATE_EPOCH={epoch[:40]!r} is not a whole number of seconds since "
                "1970-01-01 UTC (ASCII digits only)"
            )
        try:
            date = _dt.datetime.fromtimestamp(int(epoch), tz=_dt.UTC)
        except (OverflowError, OSError, ValueError):
            date = None
        first, last = DATE_YEARS
        if date is None or not first <= date.year <= last:
            raise ValueError(
                f"SOURCE_DATE_EPOCH={epoch} is out of range: the date it gives must fall in "
                f"the years {first} to {last} (UTC)"
            )
        return date
    # Load has refused a date out of range; one that still is (a model built another
    # way) is no reason to fail.
    return document_date(course.meta.date) or FIXED_DATE


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
    with _fork(*split(req.artefacts, jobs)) as worker:
        job, diags = prepare(req)
        if job is None:
            return Result((), diags)
        unusable = check_out_dir(req.out_dir)  # before the long part
        if unusable is not None:
            return Result((), (*diags, unusable))
        files, more = produce(req.artefacts, *job, jobs, worker)
    diags += more
    if diagnostics.has_errors(diags):
        return Result((), diags)
    try:
        written = write_outputs(req.out_dir, files)
    except OSError as exc:
        return Result((), (*diags, _write_error(exc, req.out_dir)))
    return Result(written, diags, True)


def check_out_dir(out_dir: Path) -> Diagnostic | None:
    """An error when ``out_dir`` cannot be a folder: it, or the nearest existing folder
    above it, is a file, or cannot be looked at (a symlink loop, a name too long)."""
    for path in (out_dir, *out_dir.parents):
        try:
            is_dir = path.is_dir()
            exists = is_dir or path.exists()
        except OSError as exc:
            return _out_error(out_dir, exc.strerror or str(exc))
        if is_dir:
            return None
        if exists:
            what = "it is" if path == out_dir else f"{path} is"
            return _out_error(out_dir, f"{what} not a folder")
    return None


def _out_error(out_dir: Path, why: str) -> Diagnostic:
    return diagnostics.error(f"cannot write the outputs: {why}", 1, 1, str(out_dir))


def _write_error(exc: OSError, out_dir: Path) -> Diagnostic:
    replaced = exc.replaced if isinstance(exc, OutputError) else ()
    if replaced:
        kept = (
            f"{len(replaced)} output(s) were already replaced, the others are the previous "
            "build's: build again"
        )
    else:
        kept = "the previous outputs are untouched"
    path = os.fspath(exc.filename) if exc.filename else str(out_dir)
    message = f"cannot write the outputs: {exc.strerror or exc}; {kept}"
    return diagnostics.error(message, 1, 1, path)


def prepare(req: BuildRequest) -> tuple[Job | None, tuple[Diagnostic, ...]]:
    """Read and parse the manual, find its theme and date; None after any error."""
    course, diags, images = _load(req.manual)
    if course is None or diagnostics.has_errors(diags):
        return None, diags
    theme, more = resolve_theme(course, req.manual, req.theme_file)
    diags += more
    if theme is None or diagnostics.has_errors(diags):
        return None, diags
    diags += check_pictures(course, theme, images)
    try:
        date = source_date(course, req.environ)
    except ValueError as exc:
        # About the environment, not the manual; reported at its first line.
        diags += (diagnostics.error(str(exc), 1),)
    if diagnostics.has_errors(diags):
        return None, diags
    return (course, theme, Settings(date, req.manual.name)), diags


#: Artefacts that draw the deck plan: a worker building them gets the plan this process lays
#: out for the deck, rather than lay the deck out again.
DRAW_DECK = frozenset({"slides", "notes"})


def split(names: tuple[str, ...], jobs: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(artefacts built here, artefacts built by a forked worker).

    The deck stays here and the PDFs go to the worker: they share reportlab, its fonts and
    the highlighter's print style, and this process need not import reportlab. The worker
    draws slides.pdf and notes.pdf from the deck plan this process sends it.
    """
    if jobs < 2 or len(names) < 2 or not hasattr(os, "fork"):
        return names, ()
    import multiprocessing

    if multiprocessing.current_process().daemon:  # which may not start processes
        return names, ()
    first = "deck" if "deck" in names else names[0]
    return (first,), tuple(n for n in names if n != first)


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
    slower one. With many lessons, this process then takes back the worker's drawings of
    the deck plan (``DRAW_DECK``) that it has not begun, as it has the plan. Results come
    back in a fixed order, and each artefact is the same wherever it is built, so output
    never depends on timing.
    """
    mine, theirs = split(names, jobs)
    if theirs and worker is None:
        with _Worker(theirs, mine) as own:
            return produce(names, course, theme, settings, jobs, own)
    if worker is not None:
        worker.submit(course, theme, settings)
        if worker.deck_sent:
            _DECK_TO.append(worker.send_deck)
    try:
        results = {name: ARTEFACTS[name](course, theme, settings) for name in mine}
    finally:
        _DECK_TO.clear()
    if worker is not None:
        back = [n for n in reversed(worker.names) if n in DRAW_DECK]
        if back and (len(course.lessons) >= TAKE_BACK_FROM or _imported(back)):
            for name in back:
                if worker.take(name):
                    results[name] = ARTEFACTS[name](course, theme, settings)
        results.update(worker.result())
    files: Files = {}
    diags: list[Diagnostic] = []
    for name in names:
        produced, more = results[name]
        files.update(produced)
        diags.extend(more)
    # Layouts that share a helper (the agenda's schedule checks) report its findings once.
    return files, tuple(dict.fromkeys(diags))


#: Lessons from which taking back pays in a process that has not imported reportlab yet: it
#: must first import it and read the fonts (about a third of a second), which Day Two's
#: (15 lessons) slides.pdf does not repay; at 10,000 lessons the deck is a quarter of the
#: work and the PDFs the rest.
TAKE_BACK_FROM = 24


def _imported(names: Iterable[str]) -> bool:
    """Whether this process has already imported the modules of ``names`` (a warm process,
    as ``deckbuild watch`` keeps): taking them back then costs nothing to start."""
    import sys

    return all(m in sys.modules for n in names for m in _MODULES[n])


def warm_up(names: tuple[str, ...]) -> None:
    """What a worker can do before it knows the manual: import its artefacts' modules,
    register the default theme's fonts and compile the highlighter's Elixir lexer. A
    guess that misses (another theme, no Elixir) only costs the idle worker time."""
    import importlib

    from deckbuild.services.highlight import highlight

    for name in names:
        for module in _MODULES[name]:
            importlib.import_module(module)
    if {"handouts", "rubric", "slides", "notes"} & set(names):
        from deckbuild.writers._pdf import VARIANTS, faces

        for face in faces(DEFAULT):  # each variant's font file is read on first use
            for bold, italic in VARIANTS:
                face.name(bold, italic)
    highlight(
        "defmodule A do\n  def f(x), do: x\nend",
        "elixir",
        DEFAULT.print_code_style,
        DEFAULT.colours.code_background,
    )


def _fork(
    mine: tuple[str, ...], theirs: tuple[str, ...]
) -> contextlib.AbstractContextManager[_Worker | None]:
    return _Worker(theirs, mine) if theirs else contextlib.nullcontext()


class _Worker:
    """A forked process (multiprocessing's "fork") that builds some artefacts.

    It is forked before the manual is parsed and warms up meanwhile. The job then goes down
    a pipe from a thread, as a pipe holds 64 KiB and the worker may still be busy; the
    results come back up a pipe that this process drains when its own part is done.
    Leaving the ``with`` block kills the worker if it still runs. (A multiprocessing Queue
    would send the job the same way, but a worker waiting on one never sees its parent
    die, and its thread prints a traceback when the worker is killed mid-send.)
    """

    def __init__(self, names: tuple[str, ...], parents: tuple[str, ...] = ()) -> None:
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        self.names = names
        #: Whether the parent (building ``parents``) sends the deck plan it lays out.
        self.deck_sent = "deck" in parents and not DRAW_DECK.isdisjoint(names)
        #: Which of ``names`` either process has begun; in shared memory.
        self._taken = ctx.Array("b", len(names))
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
            warm_up(self.names)
        try:
            course, theme, settings = pickle.loads(job.recv_bytes())
        except EOFError:  # the parent died before it had a job to give
            return
        if self.deck_sent:
            _DECK_FROM[:] = [lambda: cast(DeckFound, pickle.loads(job.recv_bytes()))]
        # What the worker inherited outlives it anyway: keeping it out of the cyclic
        # collector spares each full collection a walk over it. Its PDFs make millions of
        # short-lived objects and few cycles: collecting the youngest generation every
        # 20,000 allocations instead of 700 sets a 1,000-lesson handout in 1.7 s, not 2.0.
        gc.freeze()
        gc.set_threshold(20_000, 10, 10)
        try:
            made = {n: ARTEFACTS[n](course, theme, settings) for n in self.names if self.take(n)}
        except BaseException as exc:  # noqa: BLE001 - re-raised in the parent
            with contextlib.suppress(OSError):
                results.send(("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))
            return
        # The files go one by one after a list of them: pickled together, a 10,000-lesson
        # handout held its 300 MB of files twice.
        listed = {name: (list(files), diags) for name, (files, diags) in made.items()}
        with contextlib.suppress(OSError):  # the parent is gone
            results.send(("ok", listed))
            for files, _ in made.values():
                for data in files.values():
                    results.send_bytes(data)

    def submit(self, course: Course, theme: Theme, settings: Settings) -> None:
        import pickle
        import threading

        # Pickled here, not in the thread, so the deck's layout cannot race with it.
        job = pickle.dumps((course, theme, settings), protocol=pickle.HIGHEST_PROTOCOL)
        self._sender = threading.Thread(target=self._send, args=(job,), daemon=True)
        self._sender.start()

    def take(self, name: str) -> bool:
        """Whether the caller may build ``name``, one of the worker's artefacts: true for
        the first process to ask."""
        index = self.names.index(name)
        with self._taken.get_lock():
            if self._taken[index]:
                return False
            self._taken[index] = 1
            return True

    def send_deck(self, found: DeckFound) -> None:
        """The deck plan, after the job, for the worker's slides.pdf and notes.pdf."""
        import pickle
        import threading

        data = pickle.dumps(found, protocol=pickle.HIGHEST_PROTOCOL)
        previous = self._sender

        def send() -> None:
            if previous is not None:
                previous.join()
            self._send(data)

        self._sender = threading.Thread(target=send, daemon=True)
        self._sender.start()

    def _send(self, job: bytes) -> None:
        with contextlib.suppress(OSError):  # the worker was killed
            self._job.send_bytes(job)

    def result(self) -> dict[str, tuple[Files, list[Diagnostic]]]:
        made: dict[str, tuple[Files, list[Diagnostic]]] = {}
        try:
            kind, value = self._results.recv()
            if kind == "ok":
                listed = cast(dict[str, tuple[list[str], list[Diagnostic]]], value)
                for name, (paths, diags) in listed.items():
                    made[name] = ({path: self._results.recv_bytes() for path in paths}, diags)
        except EOFError:
            kind, value = "error", None
        self._process.join()
        if kind != "ok":
            why = value or f"the worker's exit code is {self._process.exitcode}"
            raise RuntimeError(f"building the {' and '.join(self.names)} failed: {why}")
        return made

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self._process.kill()  # if it still runs: this process failed
        self._process.join()
        if self._sender is not None:
            self._sender.join()
        self._job.close()
        self._results.close()
