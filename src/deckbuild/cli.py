"""Command line: ``run(argv) -> int``, testable without a subprocess (mdformat's _cli)."""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import os
import sys
import sysconfig
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from deckbuild import diagnostics
from deckbuild.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from deckbuild import pipeline

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

_SHOWN = {
    0: {Severity.ERROR, Severity.WARNING, Severity.INFO},
    1: {Severity.ERROR, Severity.WARNING},
    2: {Severity.ERROR},
}


def _build_arguments(b: argparse.ArgumentParser) -> None:
    b.add_argument("manuals", nargs="+", type=Path, metavar="MANUAL")
    b.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="output folder (default: build/<manual stem>/; with several manuals, DIR/<stem>/)",
    )
    b.add_argument("--theme", type=Path, metavar="FILE", help="theme YAML file")
    b.add_argument(
        "--only",
        metavar="LIST",
        help="comma-separated subset of: deck, handouts, rubric, slides, notes",
    )
    b.add_argument("--strict", action="store_true", help="treat warnings as errors")


def _parser() -> argparse.ArgumentParser:
    from deckbuild import __version__

    p = argparse.ArgumentParser(
        prog="deckbuild",
        description="Compile a teacher's manual (Markdown) into deck.pptx, handouts.pdf (and "
        "a PDF per lesson), rubric.pdf, slides.pdf and notes.pdf.",
        epilog="Exit status: 0 built (warnings allowed), 1 the input has errors, 2 usage "
        "error, 3 internal error.",
    )
    p.add_argument("--version", action="version", version=f"deckbuild {__version__}")
    p.add_argument(
        "-q", "--quiet", action="count", default=0, help="-q hides info, -qq hides warnings too"
    )
    p.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    _build_arguments(
        sub.add_parser("build", help="build the deck, handouts, rubric and print pack")
    )
    _build_arguments(
        sub.add_parser(
            "watch",
            help="build, then rebuild whenever a manual, its theme or a picture changes",
            description="Build, then rebuild a manual whenever it, its theme or a picture it "
            "shows changes. A save with errors keeps the last good outputs. Ctrl-C stops.",
        )
    )

    c = sub.add_parser("check", help="lint manuals: print diagnostics, write nothing")
    c.add_argument("manuals", nargs="+", type=Path, metavar="MANUAL")
    c.add_argument("--strict", action="store_true", help="treat warnings as errors")

    i = sub.add_parser("inspect", help="print the document model as JSON")
    i.add_argument("manual", type=Path, metavar="MANUAL")
    return p


def _report(diags: Sequence[Diagnostic], path: Path, quiet: int, err: TextIO) -> None:
    shown = _SHOWN[min(quiet, 2)]
    for d in sorted(diags, key=diagnostics.sort_key):
        if d.severity in shown:
            print(d.format(str(path)), file=err)


def _strict(diags: Sequence[Diagnostic], strict: bool) -> bool:
    bad = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    return any(d.severity in bad for d in diags)


def _main(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from deckbuild import pipeline

    status = EXIT_OK
    if args.command == "inspect":
        from deckbuild.dump import course_json

        course, diags = pipeline.load(args.manual)
        _report(diags, args.manual, args.quiet, err)
        json.dump(course_json(course, diags), out, ensure_ascii=False, indent=2)
        out.write("\n")
        return EXIT_INPUT if course is None or diagnostics.has_errors(diags) else EXIT_OK

    if args.command == "check":
        for manual in args.manuals:
            diags = pipeline.check(manual)
            _report(diags, manual, args.quiet, err)
            if _strict(diags, args.strict):
                status = EXIT_INPUT
        return status

    artefacts = tuple(pipeline.ARTEFACTS)
    if args.only:
        wanted = {a.strip() for a in args.only.split(",") if a.strip()}
        unknown = sorted(wanted - set(artefacts))
        if unknown:
            print(f"deckbuild: error: unknown artefact(s): {', '.join(unknown)}", file=err)
            return EXIT_USAGE
        artefacts = tuple(a for a in artefacts if a in wanted)
    targets = _out_dirs(args.manuals, args.out)
    if _clashes(targets, err):
        return EXIT_INPUT
    requests = [pipeline.BuildRequest(m, out_dir, args.theme, artefacts) for m, out_dir in targets]
    if args.command == "watch":
        return _watch(requests, args, out, err)
    for req in requests:
        if not _build_one(req, args, err):
            print(f"{req.manual}: nothing written", file=err)
            status = EXIT_INPUT
    return status


def _build_one(req: pipeline.BuildRequest, args: argparse.Namespace, err: TextIO) -> bool:
    """Build one manual as ``build`` does and print its diagnostics; whether it wrote."""
    from deckbuild import pipeline

    if args.strict:
        diags = pipeline.check(req.manual)
        if _strict(diags, True):
            _report(diags, req.manual, args.quiet, err)
            return False
    result = pipeline.build(req)
    _report(result.diagnostics, req.manual, args.quiet, err)
    return result.ok


def _watch(
    requests: Sequence[pipeline.BuildRequest], args: argparse.Namespace, out: TextIO, err: TextIO
) -> int:
    from deckbuild import pipeline, watch

    # A name mistyped at the start is the command's mistake, not a save to wait for.
    missing = [req.manual for req in requests if not req.manual.is_file()]
    for manual in missing:
        _report(pipeline.check(manual), manual, args.quiet, err)
    if missing:
        return EXIT_USAGE
    with contextlib.suppress(KeyboardInterrupt):  # how watching ends
        watch.run(requests, lambda req: _build_one(req, args, err), out, err)
    return EXIT_OK


def _out_dirs(manuals: Sequence[Path], out: Path | None) -> list[tuple[Path, Path]]:
    """Each manual with its output folder: build/<stem>/, DIR/<stem>/ or --out DIR."""
    if out is None:
        return [(m, Path("build") / m.stem) for m in manuals]
    if len(manuals) > 1:
        return [(m, out / m.stem) for m in manuals]
    return [(m, out) for m in manuals]


def _clashes(targets: Sequence[tuple[Path, Path]], err: TextIO) -> bool:
    """Errors for different manuals that would write to the same folder (``a/x.md b/x.md``):
    the second would overwrite the first. Checked before anything is built."""
    first: dict[str, Path] = {}
    clash = False
    for manual, out_dir in targets:
        key = os.path.normcase(os.path.normpath(out_dir))
        other = first.setdefault(key, manual)
        if other is not manual and not _same_file(other, manual):
            print(
                f"{manual}:1:1: error: {other} and {manual} would both write to {out_dir}; "
                "build them separately, each with its own --out DIR",
                file=err,
            )
            clash = True
    if clash:
        print("deckbuild: nothing written", file=err)
    return clash


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return os.path.normpath(a) == os.path.normpath(b)


#: OSErrors that say the machine, not deckbuild, is short of something, even without a path.
_ENVIRONMENT = frozenset(
    getattr(errno, name)
    for name in ("ENOSPC", "EDQUOT", "EROFS", "EFBIG", "EMFILE", "ENFILE")
    if hasattr(errno, name)
)


def _user_path(filename: object) -> str | None:
    """The path an OSError names when it is one the user gave (the manual, an image, the
    theme, --out) rather than a file of deckbuild's own or of Python's libraries."""
    if not isinstance(filename, str | bytes | os.PathLike):
        return None
    shown = os.fsdecode(filename)
    path = Path(shown).absolute()
    paths = sysconfig.get_paths()
    own = [Path(__file__).parent] + [Path(paths[k]) for k in ("stdlib", "purelib", "platlib")]
    for folder in own:
        with contextlib.suppress(OSError, RuntimeError):  # RuntimeError: a symlink loop
            if path.is_relative_to(folder) or path.resolve().is_relative_to(folder.resolve()):
                return None
    return shown


def run(argv: Sequence[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    parser = _parser()
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as exc:  # argparse exits for --help, --version and usage errors
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    try:
        return _main(args, out, err)
    except KeyboardInterrupt:
        print("deckbuild: interrupted", file=err)
        return 130
    except BrokenPipeError:
        # The reader went away (``deckbuild inspect … | head``): not an error of ours.
        with contextlib.suppress(OSError):
            sys.stdout = Path(os.devnull).open("w")  # noqa: SIM115 - silences the exit flush
        return EXIT_OK
    except OSError as exc:
        path = _user_path(exc.filename)
        if path is None and exc.errno not in _ENVIRONMENT:
            return _internal_error(exc, args.debug, err)
        # A file the user named could not be read or written, or the disk filled up:
        # theirs to fix, not a bug.
        if args.debug:
            traceback.print_exc(file=err)
        where = f"{path}:1:1" if path is not None else "deckbuild"
        print(f"{where}: error: {exc.strerror or exc}", file=err)
        return EXIT_INPUT
    except Exception as exc:  # noqa: BLE001 - the one place a bug becomes a report
        return _internal_error(exc, args.debug, err)


def _internal_error(exc: BaseException, debug: bool, err: TextIO) -> int:
    if debug:
        traceback.print_exc(file=err)
    # One line: a message that carries a traceback (a worker's) shows it only with --debug.
    message = str(exc).split("\n", 1)[0]
    print(
        f"deckbuild: internal error ({type(exc).__name__}: {message}). This is a bug in "
        "deckbuild; please report it with the manual that caused it (--debug shows the "
        "traceback).",
        file=err,
    )
    return EXIT_INTERNAL


def main() -> None:
    sys.exit(run(sys.argv[1:]))
