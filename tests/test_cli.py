"""The CLI as a function: exit codes, streams, inspect JSON."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from deckbuild import __version__, cli

from .conftest import FIXTURES


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.run(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["--version"]) == 0
    assert __version__ in capsys.readouterr().out
    assert cli.run(["--help"]) == 0
    assert "build" in capsys.readouterr().out


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["frobnicate"]) == 2
    assert cli.run([]) == 2
    assert "usage:" in capsys.readouterr().err


def test_inspect_prints_the_model_as_json() -> None:
    code, out, err = run("inspect", str(FIXTURES / "day-two.md"))
    assert code == 0
    data = json.loads(out)
    assert data["schema"] == 2
    assert data["title"] == "Day Two Teacher's Manual"
    assert [les["number"] for les in data["lessons"]] == list(range(1, 16))
    assert data["lessons"][2]["title"] == "Changesets and Validations"
    assert data["lessons"][2]["minutes"] == 60
    assert [c["category"] for c in data["rubric"]] == [
        "Database Proficiency",
        "Real-Time Features",
        "Testing Excellence",
        "System Design",
    ]
    assert data["diagnostics"][0]["severity"] == "warning"
    assert "mojibake" in data["diagnostics"][0]["message"]
    assert "üé" not in out
    assert "day-two.md:4:1: warning: repaired mojibake" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "error: the file is empty"),
        (bytes(range(256)) * 4, "error: not a text file (binary data)"),
        (b"# Title\n\nNo lessons here.\n", "error: no units found"),
    ],
)
def test_check_bad_input_exits_1_with_a_located_message(
    tmp_path: Path, content: bytes, message: str
) -> None:
    manual = tmp_path / "bad.md"
    manual.write_bytes(content)
    code, _, err = run("check", str(manual))
    assert code == 1
    assert f"{manual}:1:1: {message}" in err
    assert "Traceback" not in err


def test_check_missing_file_is_a_clean_error(tmp_path: Path) -> None:
    code, _, err = run("check", str(tmp_path / "nope.md"))
    assert code == 1
    assert "cannot read the manual" in err


def test_check_strict_turns_warnings_into_failure(tmp_path: Path) -> None:
    manual = tmp_path / "m.md"
    manual.write_text("# T\n### 01. Only (5 min)\n#### Key Concepts\n- **A**: b\n### 02. Two\n")
    assert run("check", str(manual))[0] == 0
    assert run("check", "--strict", str(manual))[0] == 1


def test_quiet_hides_info_and_warnings() -> None:
    manual = str(FIXTURES / "day-two.md")
    assert "warning" in run("check", manual)[2]
    assert run("-qq", "check", manual)[2] == ""


def test_internal_error_is_one_line_and_exit_3(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from deckbuild import pipeline

    def boom(path: Path) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(pipeline, "check", boom)
    code, _, err = run("check", str(tmp_path / "x.md"))
    assert code == 3
    assert "internal error (RuntimeError: kaboom)" in err
    assert "Traceback" not in err
    code, _, err = run("--debug", "check", str(tmp_path / "x.md"))
    assert code == 3
    assert "Traceback" in err
