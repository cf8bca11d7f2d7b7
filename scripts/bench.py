"""make bench: wall time and peak memory of deckbuild builds, as medians of several runs.

Every measurement is a fresh process (what a course designer runs), timed from fork to
exit; peak RSS comes from that child's rusage (os.wait4), like /usr/bin/time -v. The
figures are printed, never asserted: this machine is shared and noisy, so compare the
ratios measured in one run rather than absolute times across runs.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANUAL = ROOT / "content" / "day-two.md"
FLOOR = "import pptx, reportlab.platypus, markdown_it, pygments.lexers, yaml"


@dataclass(frozen=True)
class Sample:
    seconds: float
    rss_mib: float


TIME = Path("/usr/bin/time")


def run_once(argv: list[str]) -> Sample:
    """One run in a fresh process; peak RSS from GNU time when present.

    A child's rusage counts the memory of the process it was forked from, so asking
    wait4 about a child of this (larger) script would overstate small runs; GNU time is
    a tiny parent. Without it, wait4 is the fallback.
    """
    wrapped = [str(TIME), "-f", "%M", *argv] if TIME.exists() else argv
    start = time.perf_counter()
    proc = subprocess.Popen(wrapped, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"bench: {' '.join(argv)} failed ({code}):\n{err.decode()[-2000:]}")
    kib = int(err.decode().strip().splitlines()[-1]) if TIME.exists() else usage.ru_maxrss
    return Sample(elapsed, kib / 1024)


def measure(argv: list[str], runs: int) -> tuple[float, float]:
    samples = [run_once(argv) for _ in range(runs)]
    return (
        statistics.median(s.seconds for s in samples),
        max(s.rss_mib for s in samples),
    )


def scaled_manual(factor: int, folder: Path) -> Path:
    """Day Two with its lesson guide repeated ``factor`` times, lessons renumbered."""
    sys.path.insert(0, str(ROOT / "src"))
    from deckbuild.source import read_source

    source, _ = read_source(MANUAL.read_bytes())
    assert source is not None
    lines = source.text.split("\n")
    lesson = re.compile(r"^### (\d+)\. ")
    first = next(i for i, line in enumerate(lines) if lesson.match(line))
    # The guide ends where the next level-2 section after the lessons begins.
    end = next(i for i in range(first, len(lines)) if lines[i].startswith("## "))
    guide = lines[first:end]
    out = lines[:first]
    number = 0
    for _ in range(factor):
        for line in guide:
            if lesson.match(line):
                number += 1
                line = lesson.sub(f"### {number:02d}. ", line)
            out.append(line)
    out.extend(lines[end:])
    path = folder / f"day-two-x{factor}.md"
    path.write_text("\n".join(out), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="runs per small measurement")
    parser.add_argument("--big-runs", type=int, default=3, help="runs of the 10x and 100x builds")
    parser.add_argument("--no-100x", action="store_true", help="skip the 1500-lesson build")
    args = parser.parse_args()

    py = sys.executable
    work = Path(tempfile.mkdtemp(prefix="deckbuild-bench-"))
    try:
        x10 = scaled_manual(10, work)
        x100 = scaled_manual(100, work)

        def build(manual: Path, *extra: str) -> list[str]:
            return [
                py,
                "-m",
                "deckbuild",
                "-qq",
                "build",
                str(manual),
                "--out",
                str(work / "out" / manual.stem),
                *extra,
            ]

        rows: list[tuple[str, float, float]] = []

        def add(name: str, argv: list[str], runs: int) -> float:
            seconds, rss = measure(argv, runs)
            rows.append((name, seconds, rss))
            print(f"  {name:<28} {seconds:8.3f} s {rss:9.1f} MiB", file=sys.stderr)
            return seconds

        print(
            f"bench: {args.runs} runs per measurement (medians), {os.cpu_count()} cores",
            file=sys.stderr,
        )
        floor = add("import floor", [py, "-c", FLOOR], args.runs)
        add("python startup", [py, "-c", "pass"], args.runs)
        one = add("day-two, all artefacts", build(MANUAL), args.runs)
        for artefact in ("deck", "handouts", "rubric"):
            add(f"day-two, {artefact} only", build(MANUAL, "--only", artefact), args.runs)
        add("check (parse only)", [py, "-m", "deckbuild", "-qq", "check", str(MANUAL)], args.runs)
        ten = add("10x (150 lessons)", build(x10), args.big_runs)
        hundred = None
        if not args.no_100x:
            hundred = add("100x (1500 lessons)", build(x100), args.big_runs)

        print()
        print(f"{'measurement':<28} {'median s':>9} {'peak MiB':>9}")
        for name, seconds, rss in rows:
            print(f"{name:<28} {seconds:9.3f} {rss:9.1f}")
        print()
        print(f"full build / import floor   {one / floor:6.2f}   (target <= 2.0)")
        print(f"10x / 1x                    {ten / one:6.2f}   (target <= 8)")
        if hundred is not None:
            print(f"100x / 10x                  {hundred / ten:6.2f}   (target <= 11)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
