"""``deckbuild watch``: build, then build again whenever a file the build reads changes.

``Session`` is the core: it takes batches of changed paths from any iterable, so tests feed
it made-up batches; ``file_changes`` makes the real ones from native file events
(watchfiles). Every build runs in this process, whose libraries stay imported between
builds; ``pipeline.build`` still forks its worker each time.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TextIO

from deckbuild import pipeline
from deckbuild.model import Course
from deckbuild.pipeline import BuildRequest
from deckbuild.theme import PACKAGE_FONTS, Theme

#: A batch of changes is handed over once none has come for STEP_MS. An editor's save
#: (write a temporary file, rename it over the manual, perhaps keep a backup) takes a few
#: milliseconds, so 50 ms makes it one batch and one build while adding little to the ~1 s
#: a build takes. Changes that keep coming (a checkout, a folder of pictures being copied)
#: are handed over after DEBOUNCE_MS at most; what comes later is the next batch.
STEP_MS = 50
DEBOUNCE_MS = 400

#: How long the watcher waits in its native code before returning without changes. Its
#: first return proves that it is watching, which ``file_changes`` needs to know.
LIVE_MS = 500

Build = Callable[[BuildRequest], bool]
Inputs = Callable[[BuildRequest], frozenset[Path]]

#: The digest of an input first seen after the build that read it: its content then is not
#: known, so any event for it counts as a change.
_UNKNOWN = object()


def run(requests: Sequence[BuildRequest], build: Build, out: TextIO, err: TextIO) -> None:
    """Build every request, then rebuild on changes until interrupted (KeyboardInterrupt
    propagates)."""
    # Imported once here, reportlab and the writers are inherited by every build's worker.
    pipeline.warm_up(tuple(dict.fromkeys(a for req in requests for a in req.artefacts)))
    session = Session(requests, build, out, err)
    serve(session, file_changes(lambda: session.watched))


def serve(session: Session, batches: Iterable[Iterable[Path]]) -> None:
    session.start()
    for batch in batches:
        session.changed(batch)


class Session:
    """The requests being watched, the files each one's build reads, and what those held
    when it last read them.

    A request is rebuilt when a batch names one of its inputs and that input's content is
    not what the last build read: an event that changed nothing (a save without edits, a
    second watcher after a restart, a file touched twice) builds nothing.
    """

    def __init__(
        self,
        requests: Sequence[BuildRequest],
        build: Build,
        out: TextIO,
        err: TextIO,
        inputs: Inputs | None = None,
    ) -> None:
        self._requests = tuple(requests)
        self._build = build
        self._out = out
        self._err = err
        self._inputs = inputs or find_inputs
        #: Per request: each input and its digest when the last build started.
        self._seen: list[dict[Path, object]] = [{} for _ in self._requests]
        self._good = [False] * len(self._requests)
        #: Every request's inputs: what ``file_changes`` watches.
        self.watched: frozenset[Path] = frozenset()

    def start(self) -> None:
        for index, req in enumerate(self._requests):
            # Found before the first build, so that each input's digest is taken before
            # the build reads it.
            self._seen[index] = dict.fromkeys(self._inputs(req), _UNKNOWN)
            self._rebuild(index, first=True)
        print("watching for changes (Ctrl-C stops)", file=self._out, flush=True)

    def changed(self, paths: Iterable[Path]) -> None:
        """Rebuild each request that reads a file in ``paths`` whose content changed."""
        batch = {_key(p) for p in paths}
        for index, seen in enumerate(self._seen):
            if any(p in batch and digest(p) != seen[p] for p in seen):
                self._rebuild(index)

    def _rebuild(self, index: int, first: bool = False) -> None:
        req = self._requests[index]
        digests = {p: digest(p) for p in self._seen[index]}
        started = time.perf_counter()
        ok = self._build(req)
        took = time.perf_counter() - started
        self._say(index, ok, f"{'built' if first else 'rebuilt'} {req.out_dir} in {took:.2f} s")
        # What this build read can differ from the last (a new picture, another theme).
        # Found after the message, which says the outputs are there, not before it.
        self._seen[index] = {p: digests.get(p, _UNKNOWN) for p in self._inputs(req)}
        self.watched = frozenset(p for seen in self._seen for p in seen)

    def _say(self, index: int, ok: bool, done: str) -> None:
        if ok:
            self._good[index] = True
            print(done, file=self._out, flush=True)
            return
        kept = "kept the last good outputs" if self._good[index] else "nothing written"
        print(f"{self._requests[index].manual}: errors, {kept}", file=self._err, flush=True)


def digest(path: Path) -> object:
    """What the file holds, to tell an edit from an event that changed nothing; None when
    it is missing. Content, not the modification time: two writes within one tick of the
    file system's clock (several milliseconds) can leave the same time and size."""
    try:
        info = path.stat()
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_size > pipeline.MAX_IMAGE:
        # Never opened: a FIFO would block. The build refuses it anyway.
        return (info.st_mode, info.st_size, info.st_mtime_ns, info.st_ino)
    try:
        with path.open("rb") as fh:
            return hashlib.file_digest(fh, "blake2b").digest()
    except (OSError, ValueError):
        return None


# --------------------------------------------------------------------------- inputs


def find_inputs(req: BuildRequest) -> frozenset[Path]:
    """Every file a build of ``req`` reads or looks for: the manual, each place its theme
    may be, the theme's logo and fonts, the manual's pictures (those not found too, so
    that adding one rebuilds). Absolute, and a symbolic link's target as well as the link,
    since an editor saves into the target's folder.

    A manual that does not parse gives only itself and ``--theme``: the build that
    follows its repair reads everything afresh."""
    found = [req.manual]
    if req.theme_file is not None:
        found.append(req.theme_file)
    course, _ = pipeline.load(req.manual)
    if course is not None:
        if req.theme_file is None:
            found += pipeline.theme_places(course, req.manual)
        theme, _ = pipeline.resolve_theme(course, req.manual, req.theme_file)
        if theme is not None:
            found += _theme_files(theme)
        found += _pictures(course, req.manual.parent)
    return frozenset(_absolute(found))


def _theme_files(theme: Theme) -> list[Path]:
    fonts = theme.fonts
    files = [
        path
        for face in (fonts.heading, fonts.body, fonts.code)
        for path in (face.regular, face.bold, face.italic, face.bold_italic)
    ]
    files += fonts.fallback
    if theme.logo:
        files.append(theme.logo)
    # deckbuild's own fonts change only with deckbuild.
    return [Path(f) for f in dict.fromkeys(files) if not Path(f).is_relative_to(PACKAGE_FONTS)]


def _pictures(course: Course, folder: Path) -> list[Path]:
    """The manual's pictures: the file each resolved to, else where it would be."""
    found = []
    for image in pipeline.images(course):
        if image.path:
            found.append(Path(image.path))
        elif not _URL.match(image.src):
            found.append(folder / image.src)
    return found


#: A picture given by URL, which the build never fetches (as ``parse.to_model`` decides).
_URL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def _absolute(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        try:
            yield _key(path)
            yield Path(os.path.realpath(path))
        except (OSError, ValueError):  # a name with a NUL, a loop of links
            continue


def _key(path: Path | str) -> Path:
    """The form in which paths are compared: absolute with ``..`` folded away, as the
    watcher reports them, but links kept (``resolve`` would follow them)."""
    return Path(os.path.abspath(path))  # noqa: PTH100 - see above


# --------------------------------------------------------------------------- events


def file_changes(watched: Callable[[], frozenset[Path]]) -> Iterator[set[Path]]:
    """Batches of changed files among ``watched()``, from native events.

    The folders are watched, not the files: an editor that saves by writing a new file
    and renaming it over the old one would leave a watch on the old file's inode blind.
    ``watched()`` is asked again after each batch; when its folders change, the watcher
    is replaced. A change made while no watcher was listening (during the replacement,
    or before the first one started) is found by digest: the first batch from a new
    watcher names every watched file, and ``Session.changed`` rebuilds only what differs.
    """
    import watchfiles

    def relevant(_change: watchfiles.Change, path: str) -> bool:
        return _key(path) in watched()

    while True:
        files = watched()
        folders = _folders(files)
        events = watchfiles.watch(
            *folders,
            watch_filter=relevant,
            debounce=DEBOUNCE_MS,
            step=STEP_MS,
            rust_timeout=LIVE_MS,
            yield_on_timeout=True,
            recursive=False,
        )
        live = False
        with contextlib.closing(events):
            try:
                for changes in events:
                    batch = {Path(path) for _, path in changes}
                    if not live:
                        live = True
                        batch |= files
                    if batch:
                        yield batch
                    if _folders(watched()) != folders:
                        break
            except FileNotFoundError:  # a folder went away before it was watched
                time.sleep(STEP_MS / 1000)


def _folders(files: Iterable[Path]) -> frozenset[Path]:
    return frozenset(p.parent for p in files if p.parent.is_dir())


# --------------------------------------------------------------------------- benchmark


def warm_rebuild_seconds(manual: Path, out: Path, runs: int = 7) -> list[float]:
    """Seconds each of ``runs`` builds of ``manual`` into ``out`` takes in a warm process,
    as ``watch`` runs them, after one build that warms it. The outputs are deleted before
    each so that every build writes (and syncs) them all, as after an edit that changes
    every artefact."""
    req = BuildRequest(manual, out)
    pipeline.warm_up(req.artefacts)
    result = pipeline.build(req)
    times = []
    for _ in range(runs):
        if not result.ok:
            raise ValueError(f"{manual} does not build: {result.diagnostics[:1]}")
        for path in result.written:
            path.unlink(missing_ok=True)
        started = time.perf_counter()
        result = pipeline.build(req)
        times.append(time.perf_counter() - started)
    return times
