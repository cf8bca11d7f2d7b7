"""Hostile and broken inputs: every failure that comes from what the user gave ends in exit 1
with ``path:line:col: error: …`` (the path is the manual, an image, the theme or --out),
writes nothing and shows no traceback; exit 3 is left to real bugs."""

from __future__ import annotations

import errno
import os
import signal
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from deckbuild import cli, outputs, pipeline

from .conftest import FIXTURES

SMALL = """\
---
{front}
---
# Tiny Course

## Lesson-by-Lesson Guide
### 01. Intro (45 minutes)
#### Student Summary
Hello.
### 02. Next (30 minutes)
#### Student Summary
Bye.

## Assessment Rubric
### Basics (10 points)
- [ ] Says hello
"""


def small(tmp_path: Path, front: str = "author: Ann", name: str = "m.md") -> Path:
    manual = tmp_path / name
    manual.parent.mkdir(parents=True, exist_ok=True)
    manual.write_text(SMALL.format(front=front), encoding="utf-8")
    return manual


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = cli.run(list(argv))
    err = capsys.readouterr().err
    assert "Traceback" not in err, err
    return code, err


@pytest.fixture(autouse=True)
def _one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    # No forked worker: faster for these small builds, and monkeypatches apply everywhere.
    monkeypatch.setenv("DECKBUILD_JOBS", "1")
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        os.fspath(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --------------------------------------------------------------------------- front matter


def test_front_matter_date_out_of_range(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    manual = small(tmp_path, "date: 9999-12-31T23:59:59-12:00")
    out = tmp_path / "out"
    code, err = run(capsys, "build", str(manual), "--out", str(out))
    assert code == 1
    assert (
        f"{manual}:2:1: error: front matter: 'date' 9999-12-31T23:59:59-12:00 is out of range"
        in err
    )
    assert not out.exists()
    assert run(capsys, "check", str(manual))[0] == 1, "check and build agree"


def test_front_matter_impossible_date(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    manual = small(tmp_path, "date: 2026-13-45")
    out = tmp_path / "out"
    code, err = run(capsys, "build", str(manual), "--out", str(out))
    assert code == 1
    assert f"{manual}:2:1: error: front matter: " in err
    assert "2026-13-45" in err and "month must be in 1..12" in err
    assert not out.exists()


def test_front_matter_surrogate_escape_is_replaced(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    manual = small(tmp_path, 'title: "\\ud800 and \\x00"')
    out = tmp_path / "out"
    code, err = run(capsys, "check", str(manual))
    assert code == 0
    assert f"{manual}:2:1: warning: front matter: control character(s)" in err
    code, err = run(capsys, "build", str(manual), "--out", str(out))
    assert code == 0, err
    with zipfile.ZipFile(out / "deck.pptx") as z:
        assert "<dc:title>\ufffd and \ufffd</dc:title>" in z.read("docProps/core.xml").decode()


def test_rubric_links_superscript_digit(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    manual = small(tmp_path, 'rubric_links: {"Says hello": "²"}')
    code, err = run(
        capsys, "build", str(manual), "--out", str(tmp_path / "out"), "--only", "rubric"
    )
    assert code == 0, err
    assert f"{manual}:2:1: warning: rubric_links: '²' is not a lesson number" in err


def test_language_must_be_a_language_tag(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    manual = small(tmp_path, "language: 'en-US\" evil=\"1'")
    out = tmp_path / "out"
    code, err = run(capsys, "build", str(manual), "--out", str(out), "--only", "deck")
    assert code == 0, err
    assert f"{manual}:2:1: warning: front matter: 'language'" in err
    assert "is not a language tag" in err
    with zipfile.ZipFile(out / "deck.pptx") as z:
        assert b"evil" not in b"".join(z.read(n) for n in z.namelist())
    good = small(tmp_path, "language: de-CH", name="good.md")
    code, err = run(capsys, "build", str(good), "--out", str(out), "--only", "deck")
    assert code == 0 and "language tag" not in err
    with zipfile.ZipFile(out / "deck.pptx") as z:
        assert "<dc:language>de-CH</dc:language>" in z.read("docProps/core.xml").decode()


# --------------------------------------------------------------------------- environment


@pytest.mark.parametrize("value", ["abc", "1.5", "-5", "²", "99999999999999"])
def test_bad_source_date_epoch_names_the_variable(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    value: str,
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    manual = small(tmp_path)
    out = tmp_path / "out"
    code, err = run(capsys, "build", str(manual), "--out", str(out))
    assert code == 1
    assert f"{manual}:1:1: error: SOURCE_DATE_EPOCH=" in err
    assert "internal error" not in err
    assert not out.exists()


# --------------------------------------------------------------------------- --out


@pytest.fixture
def built(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """A manual built once into out/, so a failed build can be seen to keep its outputs."""
    manual = small(tmp_path)
    out = tmp_path / "out"
    assert run(capsys, "build", str(manual), "--out", str(out))[0] == 0
    yield manual, out


def test_out_is_an_existing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    manual = small(tmp_path)
    target = tmp_path / "taken"
    target.write_bytes(b"mine")
    code, err = run(capsys, "build", str(manual), "--out", str(target))
    assert code == 1
    assert f"{target}:1:1: error: cannot write the outputs: it is not a folder" in err
    assert target.read_bytes() == b"mine"
    code, err = run(capsys, "build", str(manual), "--out", str(target / "sub"))
    assert code == 1
    assert f"{target / 'sub'}:1:1: error: cannot write the outputs: {target} is not a folder" in err


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc")
def test_out_under_proc(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = Path("/proc/deckbuild-hostile-test/out")
    code, err = run(capsys, "build", str(small(tmp_path)), "--out", str(out))
    assert code == 1
    assert "/proc/deckbuild-hostile-test:1:1: error: cannot write the outputs: " in err


def test_out_read_only_keeps_previous_outputs(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    built: tuple[Path, Path],
) -> None:
    manual, out = built
    before = snapshot(out)
    real_open = Path.open

    def read_only(self: Path, mode: str = "r", *args: object, **kwargs: object) -> object:
        if "w" in mode:  # as a chmod 555 folder does for anyone but root
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(self))
        return real_open(self, mode, *args, **kwargs)  # type: ignore[call-overload]

    manual.write_text(manual.read_text(encoding="utf-8").replace("Bye.", "Ciao."), "utf-8")
    monkeypatch.setattr(Path, "open", read_only)
    code, err = run(capsys, "build", str(manual), "--out", str(out))
    assert code == 1
    assert f"{out / 'deck.pptx'}:1:1: error: cannot write the outputs: Permission denied" in err
    assert "the previous outputs are untouched" in err
    assert snapshot(out) == before


def test_full_disk_keeps_previous_outputs(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    built: tuple[Path, Path],
) -> None:
    manual, out = built
    before = snapshot(out)
    written: list[int] = []

    def full(fd: int) -> None:
        written.append(fd)
        if len(written) == 2:  # the disk fills up while the second file is written
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(outputs.os, "fsync", full)
    manual.write_text(manual.read_text(encoding="utf-8").replace("Bye.", "Ciao."), "utf-8")
    code, err = run(capsys, "build", str(manual), "--out", str(out))
    assert code == 1
    assert ":1:1: error: cannot write the outputs: No space left on device" in err
    assert f"{out / 'handouts.pdf'}:1:1" in err
    assert snapshot(out) == before, "no output replaced, no temporary file left"


# --------------------------------------------------------------------------- input files


class _Alarm(Exception):
    pass


@pytest.fixture
def deadline() -> Iterator[None]:
    """Fails a test that blocks (opening a FIFO) instead of hanging the suite."""

    def ring(*_: object) -> None:
        raise _Alarm

    old = signal.signal(signal.SIGALRM, ring)
    signal.alarm(20)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.usefixtures("deadline")
def test_fifo_manual_and_theme_are_refused_without_blocking(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    out = tmp_path / "out"
    code, err = run(capsys, "build", str(fifo), "--out", str(out))
    assert code == 1
    assert f"{fifo}:1:1: error: cannot read the manual: it is a named pipe (FIFO)" in err
    theme = tmp_path / "theme.yaml"
    os.mkfifo(theme)
    code, err = run(capsys, "build", str(small(tmp_path)), "--out", str(out), "--theme", str(theme))
    assert code == 1
    assert f"{theme}:1:1: error: cannot read theme: it is a named pipe (FIFO)" in err
    assert not out.exists()


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_device_manual_is_refused_before_reading(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    opened: list[object] = []
    monkeypatch.setattr(os, "open", lambda *a, **k: opened.append(a) or -1)
    code, err = run(capsys, "build", "/dev/zero", "--out", str(tmp_path / "out"))
    assert code == 1
    assert "/dev/zero:1:1: error: cannot read the manual: it is a device, not a file" in err
    assert opened == [], "a device is never even opened"


def test_directory_manual_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = tmp_path / "folder.md"
    folder.mkdir()
    code, err = run(capsys, "check", str(folder))
    assert code == 1
    assert f"{folder}:1:1: error: cannot read the manual: it is a directory, not a file" in err


def test_oversized_manual_is_refused_before_reading(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    big = tmp_path / "big.md"
    with big.open("wb") as fh:  # sparse: 17 MiB that take no disk
        fh.truncate(17 * 1024 * 1024)
    code, err = run(capsys, "build", str(big), "--out", str(tmp_path / "out"))
    assert code == 1
    assert f"{big}:1:1: error: cannot read the manual: it is larger than 16 MiB" in err


def test_symlink_loop_manual(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    a.symlink_to(b)
    b.symlink_to(a)
    code, err = run(capsys, "build", str(a), "--out", str(tmp_path / "out"))
    assert code == 1
    assert f"{a}:1:1: error: cannot read the manual: Too many levels of symbolic links" in err


def test_manual_name_too_long(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    manual = tmp_path / ("a" * 256 + ".md")
    code, err = run(capsys, "build", str(manual))
    assert code == 1
    assert f"{manual}:1:1: error: cannot read the manual: File name too long" in err


def test_oversized_image_names_the_image(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    manual = small(tmp_path)
    manual.write_text(manual.read_text(encoding="utf-8") + "\n![a picture](big.png)\n", "utf-8")
    image = tmp_path / "big.png"
    with image.open("wb") as fh:
        fh.truncate(pipeline.MAX_IMAGE + 1)
    out = tmp_path / "out"
    code, err = run(capsys, "build", str(manual), "--out", str(out))
    assert code == 1
    assert f"{image}:1:1: error: cannot use the picture: it is larger than 32 MiB" in err
    assert not out.exists()


# --------------------------------------------------------------------------- several manuals


def test_two_manuals_with_one_stem_are_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    a = small(tmp_path, name="a/x.md")
    b = small(tmp_path, name="b/x.md")
    code, err = run(capsys, "build", "a/x.md", "b/x.md")
    assert code == 1
    assert "b/x.md:1:1: error: a/x.md and b/x.md would both write to build/x" in err
    assert not (tmp_path / "build").exists()
    code, err = run(capsys, "build", str(a), str(b), "--out", "dist")
    assert code == 1
    assert f"would both write to {Path('dist') / 'x'}" in err
    assert not (tmp_path / "dist").exists()
    # The same manual twice overwrites nothing of another's.
    assert run(capsys, "-qq", "build", "a/x.md", "./a/x.md", "--out", "dist")[0] == 0


# --------------------------------------------------------------------------- atomicity


def test_a_kill_during_the_renames_leaves_what_outputs_py_documents(tmp_path: Path) -> None:
    """Killed after the first rename: each file is whole, the new ones are a prefix of the
    sorted order, the rest of the new set waits as temporary files, and the next build
    removes those and writes the whole set."""
    out = tmp_path / "out"
    old = {"deck.pptx": b"old deck", "handouts.pdf": b"old handouts", "rubric.pdf": b"old rubric"}
    new = {name: b"new" + data[3:] for name, data in old.items()}
    outputs.write_outputs(out, old)
    pid = os.fork()
    if pid == 0:  # the child is killed after its first rename
        real = Path.replace

        def replace_then_die(self: Path, target: Path) -> Path:
            result = real(self, target)
            os.kill(os.getpid(), signal.SIGKILL)
            return result

        Path.replace = replace_then_die  # type: ignore[method-assign]
        try:
            outputs.write_outputs(out, new)
        finally:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    assert {n: (out / n).read_bytes() for n in old} == {
        "deck.pptx": b"new deck",
        "handouts.pdf": b"old handouts",
        "rubric.pdf": b"old rubric",
    }
    leftovers = sorted(p.name for p in out.glob(".deckbuild-tmp-*"))
    assert leftovers == [f".deckbuild-tmp-{pid}-handouts.pdf", f".deckbuild-tmp-{pid}-rubric.pdf"]
    outputs.write_outputs(out, new)
    assert {n: (out / n).read_bytes() for n in new} == new
    assert not list(out.glob(".deckbuild-tmp-*"))


def test_a_failed_rename_says_which_outputs_were_replaced(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    built: tuple[Path, Path],
) -> None:
    manual, out = built
    real = Path.replace
    calls: list[Path] = []

    def flaky(self: Path, target: Path) -> Path:
        calls.append(target)
        if len(calls) == 2:
            raise PermissionError(errno.EPERM, os.strerror(errno.EPERM), os.fspath(self))
        return real(self, target)

    monkeypatch.setattr(Path, "replace", flaky)
    manual.write_text(manual.read_text(encoding="utf-8").replace("Bye.", "Ciao."), "utf-8")
    code, err = run(capsys, "build", str(manual), "--out", str(out))
    assert code == 1
    assert f"{calls[1]}:1:1: error: cannot write the outputs: Operation not permitted" in err
    assert "1 output(s) were already replaced" in err
    assert not list(out.rglob(".deckbuild-tmp-*"))


# --------------------------------------------------------------------------- the catch-all


def test_an_os_error_on_a_user_path_is_exit_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    picture = tmp_path / "pictures" / "gone.png"

    def gone(path: Path) -> None:
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), os.fspath(picture))

    monkeypatch.setattr(pipeline, "check", gone)
    code, err = run(capsys, "check", str(tmp_path / "m.md"))
    assert code == 1
    assert err == f"{picture}:1:1: error: No such file or directory\n"


def test_an_os_error_on_a_file_of_deckbuild_is_a_bug(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    font = Path(pipeline.__file__).parent / "fonts" / "Missing.ttf"

    def missing(path: Path) -> None:
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), os.fspath(font))

    monkeypatch.setattr(pipeline, "check", missing)
    code, err = run(capsys, "check", str(tmp_path / "m.md"))
    assert code == 3
    assert "internal error (FileNotFoundError" in err and len(err.splitlines()) == 1


def test_an_internal_error_with_a_traceback_in_its_message_stays_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def worker_failed(path: Path) -> None:
        raise RuntimeError("building the rubric failed: ValueError: x\nTraceback (most recent…")

    monkeypatch.setattr(pipeline, "check", worker_failed)
    code, err = run(capsys, "check", str(tmp_path / "m.md"))
    assert code == 3
    assert len(err.splitlines()) == 1
    assert "building the rubric failed: ValueError: x" in err


def test_day_two_still_builds(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, err = run(capsys, "-qq", "build", str(FIXTURES / "day-two.md"), "--out", str(tmp_path))
    assert (code, err) == (0, "")
