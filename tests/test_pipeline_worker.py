"""The forked worker that builds the PDFs: its failures, its end, and killed builds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from deckbuild import pipeline
from deckbuild.diagnostics import Diagnostic

from .conftest import FIXTURES


def _gone(pid: int) -> bool:
    """Exited: no such process, or a zombie left to whoever adopted it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] in {"Z", "X"}


def _wait_gone(pids: list[int], seconds: float = 20) -> list[int]:
    deadline = time.monotonic() + seconds
    while (alive := [p for p in pids if not _gone(p)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(".deckbuild-tmp-")
    }


def _course() -> pipeline.Course:
    course, _ = pipeline.load(FIXTURES / "day-two-v1.md")
    assert course is not None
    return course


def test_a_worker_that_dies_without_a_word_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    def good(*_: object) -> tuple[dict[str, bytes], list[Diagnostic]]:
        return {"x": b"y"}, []

    def dies(*_: object) -> tuple[dict[str, bytes], list[Diagnostic]]:
        os._exit(3)

    monkeypatch.setattr(pipeline, "ARTEFACTS", {"a": good, "b": dies})
    monkeypatch.setattr(pipeline, "_MODULES", {"a": (), "b": ()})
    with pytest.raises(RuntimeError, match=r"building the b failed: .*exit code is 3"):
        pipeline.produce(("a", "b"), _course(), pipeline.DEFAULT, pipeline.Settings(), 2)


def test_failing_while_the_job_is_still_being_sent_is_quiet(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """The job is larger than a pipe holds and the worker is still warming up: the deck
    fails, the worker is killed, the thread sending the job ends without a traceback."""

    def bad(*_: object) -> tuple[dict[str, bytes], list[Diagnostic]]:
        raise ValueError("deck exploded")

    def slow(*_: object) -> None:
        time.sleep(60)

    monkeypatch.setattr(pipeline, "ARTEFACTS", {"a": bad, "b": bad})
    monkeypatch.setattr(pipeline, "warm_up", slow)
    threads = threading.active_count()
    with pytest.raises(ValueError, match="deck exploded"):
        pipeline.produce(("a", "b"), _course(), pipeline.DEFAULT, pipeline.Settings(), 2)
    assert threading.active_count() == threads
    assert capfd.readouterr().err == ""


ORPHAN = """
import os, signal, sys, time
from deckbuild import pipeline
pipeline.warm_up = lambda names: None
worker = pipeline._Worker(("rubric",))
print(worker._pid, flush=True)
if sys.argv[1] == "busy":
    pipeline.ARTEFACTS = {"rubric": lambda *_: (time.sleep(1), ({}, []))[1]}
    course, _ = pipeline.load(pipeline.Path(sys.argv[2]))
    worker.submit(course, pipeline.DEFAULT, pipeline.Settings())
    time.sleep(0.3)
os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.parametrize("state", ["waiting", "busy"])
def test_a_worker_ends_when_its_parent_is_killed(state: str) -> None:
    out = subprocess.run(
        [sys.executable, "-c", ORPHAN, state, str(FIXTURES / "day-two-v1.md")],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,  # a worker that outlives its parent keeps the pipes open
    )
    assert out.returncode == -signal.SIGKILL, out.stderr
    assert _wait_gone([int(out.stdout)]) == []
    assert out.stderr == ""


def _workers_of(marker: str) -> list[int]:
    """Processes whose command line holds ``marker`` (a forked worker shares its parent's)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "cmdline").read_text():
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
@pytest.mark.parametrize("delay", [0.05, 0.2, 0.35, 0.5])
def test_a_killed_build_leaves_each_output_whole_and_no_worker(
    tmp_path: Path, delay: float
) -> None:
    manual = FIXTURES / "day-two.md"
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "deckbuild", "-q", "build", str(manual), "--out", str(out)]
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1000000000"}
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    old = _files(out)
    env["SOURCE_DATE_EPOCH"] = "1700000000"
    new_dir = tmp_path / "new"
    subprocess.run([*cmd[:-1], str(new_dir)], env=env, check=True, capture_output=True)
    new = _files(new_dir)
    assert old.keys() == new.keys()
    assert all(old[name] != new[name] for name in old)

    build = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(delay)
    build.kill()
    build.communicate()
    assert _wait_gone(_workers_of(str(out))) == []
    # Each file old or new, never torn (temporary files are left for the next build).
    for name, data in _files(out).items():
        assert data in (old[name], new[name]), name
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    assert _files(out) == new
    assert not list(out.rglob(".deckbuild-tmp-*"))


def test_one_process_and_two_give_the_same_bytes(tmp_path: Path) -> None:
    manual = FIXTURES / "day-two.md"
    results = {}
    for jobs in ("1", "2"):
        env = {"DECKBUILD_JOBS": jobs, "SOURCE_DATE_EPOCH": "1700000000"}
        req = pipeline.BuildRequest(manual, tmp_path / jobs, environ=env)
        assert pipeline.build(req).ok
        results[jobs] = _files(tmp_path / jobs)
    assert results["1"] == results["2"]
    assert len(results["1"]) >= 3


def test_the_deck_is_laid_out_once_when_the_worker_draws_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """slides.pdf and notes.pdf, in the worker, draw the plan this process made for the
    deck: one layout in all (each call leaves a line in a file both processes append to)."""
    from deckbuild.layout import deck

    calls = tmp_path / "calls"
    layout = deck.layout_deck

    def counted(*args: Any) -> Any:
        with calls.open("a") as f:
            f.write(f"{os.getpid()}\n")
        return layout(*args)

    monkeypatch.setattr(deck, "layout_deck", counted)
    env = {"DECKBUILD_JOBS": "2"}
    req = pipeline.BuildRequest(FIXTURES / "day-two.md", tmp_path / "out", environ=env)
    assert pipeline.build(req).ok
    assert calls.read_text().split() == [str(os.getpid())]
    assert {"slides.pdf", "notes.pdf", "deck.pptx"} <= set(_files(tmp_path / "out"))


def test_with_many_lessons_this_process_takes_back_what_the_worker_has_not_begun(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Done with the deck while the worker is still on the handout, this process builds
    notes.pdf and slides.pdf itself; the files are the ones one process makes alone."""
    course = _course()
    names = tuple(pipeline.ARTEFACTS)
    alone, _ = pipeline.produce(names, course, pipeline.DEFAULT, pipeline.Settings(), 1)
    where = tmp_path / "where"
    real = dict(pipeline.ARTEFACTS)

    def noted(name: str) -> Any:
        def run(*args: Any) -> Any:
            if name == "handouts":
                time.sleep(2)  # the worker is still busy when this process is done
            with where.open("a") as f:
                f.write(f"{name} {os.getpid()}\n")
            return real[name](*args)

        return run

    monkeypatch.setattr(pipeline, "ARTEFACTS", {n: noted(n) for n in names})
    monkeypatch.setattr(pipeline, "TAKE_BACK_FROM", 1)
    shared, _ = pipeline.produce(names, course, pipeline.DEFAULT, pipeline.Settings(), 2)
    pairs = [line.split() for line in where.read_text().splitlines()]
    assert sorted(name for name, _ in pairs) == sorted(names), "each built once"
    built = dict(pairs)
    here = str(os.getpid())
    assert {n for n, pid in built.items() if pid == here} == {"deck", "slides", "notes"}
    assert shared == alone


def test_a_deck_plan_this_process_remembers_is_still_sent() -> None:
    """The same course built twice in one process: the second deck comes from memory, and
    the worker, which draws slides and notes from it, must still get it (it waited for ever
    before). An alarm turns a wait into a failure."""

    def waited(*_: object) -> None:
        raise TimeoutError("the worker is still waiting for the deck plan")

    previous = signal.signal(signal.SIGALRM, waited)
    course, names = _course(), tuple(pipeline.ARTEFACTS)
    try:
        signal.alarm(120)
        alone, _ = pipeline.produce(names, course, pipeline.DEFAULT, pipeline.Settings(), 1)
        shared, _ = pipeline.produce(names, course, pipeline.DEFAULT, pipeline.Settings(), 2)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert shared == alone
