"""deckbuild watch: the session fed made-up batches of changes, the files a build reads,
real builds in one process, and the command end to end."""

from __future__ import annotations

import io
import multiprocessing
import shutil
import signal
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from deckbuild import cli, pipeline, watch
from deckbuild.pipeline import BuildRequest

from .conftest import FIXTURES

MANUAL = "# T\n### 01. Only (5 min)\n#### Key Concepts\n- **A**: b\n"


class Builds:
    """A build callback that records what it was asked to build and fails when told."""

    def __init__(self) -> None:
        self.done: list[str] = []
        self.failing: set[str] = set()

    def __call__(self, req: BuildRequest) -> bool:
        self.done.append(req.manual.name)
        return req.manual.name not in self.failing


def _session(
    tmp_path: Path, *names: str, inputs: watch.Inputs | None = None
) -> tuple[watch.Session, Builds, io.StringIO, io.StringIO]:
    requests = []
    for name in names:
        (tmp_path / name).write_text(MANUAL)
        requests.append(BuildRequest(tmp_path / name, tmp_path / "build" / name))
    builds, out, err = Builds(), io.StringIO(), io.StringIO()

    def own_file(req: BuildRequest) -> frozenset[Path]:
        return frozenset({req.manual})

    session = watch.Session(requests, builds, out, err, inputs or own_file)
    return session, builds, out, err


def test_builds_each_manual_once_then_only_the_one_that_changed(tmp_path: Path) -> None:
    session, builds, out, _ = _session(tmp_path, "a.md", "b.md")
    watch.serve(session, [])
    assert builds.done == ["a.md", "b.md"]
    (tmp_path / "b.md").write_text(MANUAL + "- **B**: c\n")
    session.changed([tmp_path / "b.md"])
    assert builds.done == ["a.md", "b.md", "b.md"]
    lines = out.getvalue().splitlines()
    assert lines[0] == f"built {tmp_path / 'build' / 'a.md'} in {lines[0].split()[-2]} s"
    assert lines[2] == "watching for changes (Ctrl-C stops)"
    assert lines[3].startswith(f"rebuilt {tmp_path / 'build' / 'b.md'} in ")


def test_serve_feeds_each_batch_to_the_session(tmp_path: Path) -> None:
    session, builds, _, _ = _session(tmp_path, "a.md", "b.md")

    def batches() -> Iterator[list[Path]]:
        # Each edit is made once the batch before it has been handled.
        (tmp_path / "a.md").write_text(MANUAL + "- **B**: c\n")
        yield [tmp_path / "a.md"]
        (tmp_path / "b.md").write_text(MANUAL + "- **B**: c\n")
        yield [tmp_path / "b.md", tmp_path / "a.md"]

    watch.serve(session, batches())
    assert builds.done == ["a.md", "b.md", "a.md", "b.md"]


def test_an_event_that_changed_nothing_builds_nothing(tmp_path: Path) -> None:
    session, builds, _, _ = _session(tmp_path, "a.md")
    session.start()
    session.changed([tmp_path / "a.md"])  # saved without edits
    session.changed([tmp_path / "other.md", tmp_path / "build" / "a.md" / "deck.pptx"])
    assert builds.done == ["a.md"]
    (tmp_path / "a.md").write_text(MANUAL + "\n")
    session.changed([tmp_path / "sub" / ".." / "a.md"])  # the same file, spelled otherwise
    assert builds.done == ["a.md", "a.md"]


def test_a_save_with_errors_says_the_last_good_outputs_are_kept(tmp_path: Path) -> None:
    session, builds, _, err = _session(tmp_path, "a.md")
    builds.failing.add("a.md")
    session.start()
    assert err.getvalue() == f"{tmp_path / 'a.md'}: errors, nothing written\n"
    builds.failing.clear()
    (tmp_path / "a.md").write_text(MANUAL + "\n")
    session.changed([tmp_path / "a.md"])
    builds.failing.add("a.md")
    (tmp_path / "a.md").write_text("# T\n")
    session.changed([tmp_path / "a.md"])
    assert err.getvalue().splitlines()[-1] == (
        f"{tmp_path / 'a.md'}: errors, kept the last good outputs"
    )


def test_the_watched_files_are_found_again_after_each_build(tmp_path: Path) -> None:
    session, builds, _, _ = _session(tmp_path, "a.md", inputs=watch.find_inputs)
    session.start()
    manual, picture = tmp_path / "a.md", tmp_path / "pics" / "p.png"
    assert manual in session.watched
    assert picture not in session.watched
    manual.write_text(MANUAL + "\n![a picture](pics/p.png)\n")
    session.changed([manual])
    assert picture in session.watched  # not there yet: adding it rebuilds
    picture.parent.mkdir()
    picture.write_bytes(_png())
    session.changed([picture])
    assert builds.done == ["a.md", "a.md", "a.md"]
    manual.write_text(MANUAL)
    session.changed([manual])
    assert picture not in session.watched


def test_the_inputs_are_the_manual_its_theme_places_logo_and_pictures(tmp_path: Path) -> None:
    (tmp_path / "themes").mkdir()
    (tmp_path / "themes" / "logo.png").write_bytes(_png())
    (tmp_path / "themes" / "mine.yaml").write_text("name: mine\nlogo: logo.png\n")
    manual = tmp_path / "course" / "m.md"
    manual.parent.mkdir()
    (manual.parent / "p.png").write_bytes(_png())
    manual.write_text(
        "---\ntheme: mine\n---\n" + MANUAL + "![p](p.png) ![u](https://example.org/u.png)\n"
    )
    found = watch.find_inputs(BuildRequest(manual, tmp_path / "out"))
    assert found == {
        manual,
        manual.parent / "p.png",
        manual.parent / "themes" / "mine.yaml",  # not there; would come first
        tmp_path / "themes" / "mine.yaml",
        tmp_path / "themes" / "logo.png",
        Path.cwd() / "themes" / "mine.yaml",
    }
    given = tmp_path / "themes" / "mine.yaml"
    assert watch.find_inputs(BuildRequest(manual, tmp_path / "out", given)) == {
        manual,
        manual.parent / "p.png",
        given,
        tmp_path / "themes" / "logo.png",
    }
    manual.write_text("")  # does not parse: only the manual and --theme are known
    assert watch.find_inputs(BuildRequest(manual, tmp_path / "out", given)) == {manual, given}


def test_a_link_is_watched_with_its_target(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "m.md").write_text(MANUAL)
    (tmp_path / "m.md").symlink_to(tmp_path / "real" / "m.md")
    found = watch.find_inputs(BuildRequest(tmp_path / "m.md", tmp_path / "out"))
    assert {tmp_path / "m.md", tmp_path / "real" / "m.md"} <= found


def _fds() -> int:
    return sum(1 for _ in Path("/proc/self/fd").iterdir())


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts /proc/self/fd")
def test_real_builds_in_one_process_leave_no_workers_or_open_files(tmp_path: Path) -> None:
    manual = tmp_path / "day-two.md"
    shutil.copy(FIXTURES / "day-two.md", manual)
    out = tmp_path / "build"
    opened: list[int] = []

    def build(req: BuildRequest) -> bool:
        ok = pipeline.build(req).ok
        opened.append(_fds())
        assert multiprocessing.active_children() == []
        return ok

    session = watch.Session([BuildRequest(manual, out)], build, io.StringIO(), io.StringIO())
    session.start()
    deck = (out / "deck.pptx").read_bytes()
    text = manual.read_bytes()
    for n in range(3):
        manual.write_bytes(text.replace(b"Day Two", f"Day {n}".encode()))
        session.changed([manual])
    assert len(opened) == 4
    assert opened[1:] == [opened[0]] * 3
    assert (out / "deck.pptx").read_bytes() != deck


def test_watch_refuses_a_manual_that_does_not_exist(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert cli.run(["watch", str(tmp_path / "nope.md")], out, err) == cli.EXIT_USAGE
    assert f"{tmp_path / 'nope.md'}:1:1: error: cannot read the manual" in err.getvalue()
    assert cli.run(["watch", "--only", "slides", str(tmp_path)], out, err) == cli.EXIT_USAGE


def test_an_interrupt_ends_watching_quietly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "m.md").write_text(MANUAL)
    seen: list[BuildRequest] = []

    def interrupted(requests: list[BuildRequest], *_: object) -> None:
        seen.extend(requests)
        raise KeyboardInterrupt

    monkeypatch.setattr(watch, "run", interrupted)
    out, err = io.StringIO(), io.StringIO()
    argv = ["watch", str(tmp_path / "m.md"), "--out", str(tmp_path / "o"), "--only", "deck"]
    assert cli.run(argv, out, err) == cli.EXIT_OK
    assert (out.getvalue(), err.getvalue()) == ("", "")
    assert seen == [BuildRequest(tmp_path / "m.md", tmp_path / "o", None, ("deck",))]


# --------------------------------------------------------------------------- end to end

#: Generous: a cold start imports the libraries and builds Day Two, on a busy machine.
PATIENCE = 120


def _wait_for(done: Callable[[], bool], what: str, logs: tuple[Path, Path]) -> None:
    deadline = time.monotonic() + PATIENCE
    while not done():
        if time.monotonic() > deadline:
            pytest.fail(
                f"no {what}; stdout:\n{logs[0].read_text()}\nstderr:\n{logs[1].read_text()}"
            )
        time.sleep(0.05)


def _save(path: Path, data: bytes) -> None:
    """As an editor saves: a new file renamed over the old one."""
    tmp = path.with_name(f".{path.name}.swp")
    tmp.write_bytes(data)
    tmp.replace(path)


def _outputs(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.*")}


def test_watch_rebuilds_on_a_save_keeps_outputs_on_errors_and_stops_on_ctrl_c(
    tmp_path: Path,
) -> None:
    manual = tmp_path / "day-two.md"
    shutil.copy(FIXTURES / "day-two.md", manual)
    logs = (tmp_path / "stdout.txt", tmp_path / "stderr.txt")
    deck = tmp_path / "out" / "deck.pptx"
    command = [sys.executable, "-m", "deckbuild", "watch", manual.name, "--out", "out"]
    with logs[0].open("w") as stdout, logs[1].open("w") as stderr:
        proc = subprocess.Popen(command, cwd=tmp_path, stdout=stdout, stderr=stderr)
    try:
        _wait_for(lambda: "watching" in logs[0].read_text(), "first build", logs)
        first = deck.read_bytes()

        text = manual.read_bytes()
        _save(manual, text.replace(b"# Day Two Teacher's Manual", b"# Day Two, Revised"))
        _wait_for(lambda: deck.read_bytes() != first, "new deck.pptx", logs)
        _wait_for(lambda: "rebuilt out in" in logs[0].read_text(), "rebuilt line", logs)
        good = _outputs(tmp_path / "out")

        _save(manual, b"# Day Two\n\nNo lessons here.\n")
        _wait_for(lambda: "kept the last good outputs" in logs[1].read_text(), "errors", logs)
        assert "day-two.md:1:1: error: no units found" in logs[1].read_text()
        assert _outputs(tmp_path / "out") == good

        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=PATIENCE) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "Traceback" not in logs[1].read_text()
    assert "day-two.md: errors, kept the last good outputs" in logs[1].read_text()


def _png() -> bytes:
    """A 1x1 grey PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x80")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )
