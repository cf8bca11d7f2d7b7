"""Atomic outputs: nothing is replaced unless everything was produced."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from deckbuild import outputs, pipeline
from deckbuild.diagnostics import Diagnostic

from .conftest import FIXTURES


def test_write_outputs_replaces_and_skips_unchanged(tmp_path: Path) -> None:
    out = tmp_path / "out"
    outputs.write_outputs(out, {"a.bin": b"1", "sub/b.bin": b"2"})
    assert (out / "a.bin").read_bytes() == b"1"
    assert (out / "sub" / "b.bin").read_bytes() == b"2"
    os.utime(out / "a.bin", (1_000_000, 1_000_000))
    outputs.write_outputs(out, {"a.bin": b"1", "sub/b.bin": b"3"})
    assert (out / "a.bin").stat().st_mtime == 1_000_000, "unchanged file was rewritten"
    assert (out / "sub" / "b.bin").read_bytes() == b"3"
    assert not [p for p in out.rglob("*") if p.name.startswith(".deckbuild-tmp-")]


def test_stale_temporary_files_of_dead_builds_are_removed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    # A pid that cannot be running: beyond the kernel's pid_max.
    stale = out / ".deckbuild-tmp-99999999-deck.pptx"
    stale.write_bytes(b"torn")
    mine = out / f".deckbuild-tmp-{os.getpid()}-other.pdf"
    mine.write_bytes(b"in progress")
    outputs.write_outputs(out, {"x": b"y"})
    assert not stale.exists()
    assert mine.exists()


def _fake_artefacts(monkeypatch: pytest.MonkeyPatch, produce: dict[str, bytes], fail: bool) -> None:
    def good(*_: object) -> tuple[dict[str, bytes], list[Diagnostic]]:
        return dict(produce), []

    def bad(*_: object) -> tuple[dict[str, bytes], list[Diagnostic]]:
        raise RuntimeError("writer crashed")

    monkeypatch.setattr(pipeline, "ARTEFACTS", {"a": good, "b": bad if fail else good})


def test_a_crashing_writer_leaves_previous_outputs_untouched(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    manual = FIXTURES / "day-two-v1.md"
    _fake_artefacts(monkeypatch, {"deck.pptx": b"old"}, fail=False)
    assert pipeline.build(pipeline.BuildRequest(manual, out, None, ("a", "b"))).ok
    _fake_artefacts(monkeypatch, {"deck.pptx": b"new"}, fail=True)
    with pytest.raises(RuntimeError):
        pipeline.build(pipeline.BuildRequest(manual, out, None, ("a", "b")))
    assert (out / "deck.pptx").read_bytes() == b"old"
    assert sorted(p.name for p in out.iterdir()) == ["deck.pptx"]


def test_bad_input_leaves_previous_outputs_untouched(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    _fake_artefacts(monkeypatch, {"deck.pptx": b"old"}, fail=False)
    assert pipeline.build(pipeline.BuildRequest(FIXTURES / "day-two-v1.md", out, None, ("a",))).ok
    empty = tmp_path / "empty.md"
    empty.write_bytes(b"")
    _fake_artefacts(monkeypatch, {"deck.pptx": b"new"}, fail=False)
    result = pipeline.build(pipeline.BuildRequest(empty, out, None, ("a",)))
    assert not result.ok
    assert (out / "deck.pptx").read_bytes() == b"old"


@pytest.mark.parametrize("jobs", [1, 2])
def test_artefacts_in_parallel_give_the_same_files_in_a_fixed_order(
    monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    from deckbuild.diagnostics import warning

    def make(name: str) -> pipeline.Artefact:
        def artefact(*_: object) -> tuple[dict[str, bytes], list[Diagnostic]]:
            return {f"{name}.bin": name.encode() * 100_000}, [warning(f"from {name}", 1)]

        return artefact

    monkeypatch.setattr(pipeline, "ARTEFACTS", {n: make(n) for n in ("a", "b", "c")})
    course, _ = pipeline.load(FIXTURES / "day-two-v1.md")
    assert course is not None
    files, diags = pipeline.produce(
        ("a", "b", "c"), course, pipeline.DEFAULT, pipeline.Settings(), jobs
    )
    assert files == {f"{n}.bin": n.encode() * 100_000 for n in "abc"}
    assert [d.message for d in diags] == ["from a", "from b", "from c"]


def test_a_crash_in_the_forked_artefact_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    def bad(*_: object) -> tuple[dict[str, bytes], list[Diagnostic]]:
        raise ValueError("handouts exploded")

    def good(*_: object) -> tuple[dict[str, bytes], list[Diagnostic]]:
        return {"x": b"y"}, []

    monkeypatch.setattr(pipeline, "ARTEFACTS", {"a": good, "b": bad})
    monkeypatch.setattr(pipeline, "_MODULES", {"a": (), "b": ()})
    course, _ = pipeline.load(FIXTURES / "day-two-v1.md")
    assert course is not None
    assert pipeline.split(("a", "b"), 2) == (("a",), ("b",))
    with pytest.raises(RuntimeError, match="ValueError: handouts exploded"):
        pipeline.produce(("a", "b"), course, pipeline.DEFAULT, pipeline.Settings(), 2)


def test_a_crash_here_stops_the_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[int] = []

    def bad(*_: object) -> tuple[dict[str, bytes], list[Diagnostic]]:
        raise ValueError("deck exploded")

    def slow(*_: object) -> tuple[dict[str, bytes], list[Diagnostic]]:
        import time

        time.sleep(60)
        return {}, []

    monkeypatch.setattr(pipeline, "ARTEFACTS", {"a": bad, "b": slow})
    monkeypatch.setattr(pipeline, "_MODULES", {"a": (), "b": ()})
    real_worker = pipeline._Worker

    class Spy(real_worker):  # type: ignore[misc, valid-type]
        def __init__(self, names: tuple[str, ...], parents: tuple[str, ...] = ()) -> None:
            super().__init__(names, parents)
            started.append(self._pid)

    monkeypatch.setattr(pipeline, "_Worker", Spy)
    course, _ = pipeline.load(FIXTURES / "day-two-v1.md")
    assert course is not None
    with pytest.raises(ValueError, match="deck exploded"):
        pipeline.produce(("a", "b"), course, pipeline.DEFAULT, pipeline.Settings(), 2)
    (pid,) = started
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # already reaped: killed and waited for
