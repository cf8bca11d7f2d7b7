"""Command line: ``run(argv) -> int``, testable without a subprocess (mdformat's _cli)."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from deckbuild import diagnostics
from deckbuild.diagnostics import Diagnostic, Severity

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

_SHOWN = {
    0: {Severity.ERROR, Severity.WARNING, Severity.INFO},
    1: {Severity.ERROR, Severity.WARNING},
    2: {Severity.ERROR},
}


def _parser() -> argparse.ArgumentParser:
    from deckbuild import __version__

    p = argparse.ArgumentParser(
        prog="deckbuild",
        description="Compile a teacher's manual (Markdown) into deck.pptx, handouts.pdf and "
        "rubric.pdf.",
        epilog="Exit status: 0 built (warnings allowed), 1 the manual has errors, 2 usage "
        "error, 3 internal error.",
    )
    p.add_argument("--version", action="version", version=f"deckbuild {__version__}")
    p.add_argument(
        "-q", "--quiet", action="count", default=0, help="-q hides info, -qq hides warnings too"
    )
    p.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    b = sub.add_parser("build", help="build the deck, handouts and rubric")
    b.add_argument("manuals", nargs="+", type=Path, metavar="MANUAL")
    b.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="output folder (default: build/<manual stem>/; with several manuals, DIR/<stem>/)",
    )
    b.add_argument("--theme", type=Path, metavar="FILE", help="theme YAML file")
    b.add_argument(
        "--only", metavar="LIST", help="comma-separated subset of: deck, handouts, rubric"
    )
    b.add_argument("--strict", action="store_true", help="treat warnings as errors")

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
    for manual in args.manuals:
        if args.out is None:
            out_dir = Path("build") / manual.stem
        elif len(args.manuals) > 1:
            out_dir = args.out / manual.stem
        else:
            out_dir = args.out
        req = pipeline.BuildRequest(manual, out_dir, args.theme, artefacts)
        if args.strict:
            diags = pipeline.check(manual)
            if _strict(diags, True):
                _report(diags, manual, args.quiet, err)
                status = EXIT_INPUT
                continue
        result = pipeline.build(req)
        _report(result.diagnostics, manual, args.quiet, err)
        if not result.ok:
            print(f"{manual}: nothing written", file=err)
            status = EXIT_INPUT
    return status


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
    except Exception as exc:  # noqa: BLE001 - the one place a bug becomes a report
        if args.debug:
            traceback.print_exc(file=err)
        print(
            f"deckbuild: internal error ({type(exc).__name__}: {exc}). This is a bug in "
            "deckbuild; please report it with the manual that caused it (--debug shows the "
            "traceback).",
            file=err,
        )
        return EXIT_INTERNAL


def main() -> None:
    sys.exit(run(sys.argv[1:]))
