"""make bench: wall time and peak memory of deckbuild builds, as medians of several runs.

Every measurement is a fresh process (what a course designer runs), timed from fork to
exit; peak RSS comes from that child's rusage (os.wait4), like /usr/bin/time -v. The
figures are printed, never asserted: this machine is shared and noisy, so compare the
ratios measured in one run rather than absolute times across runs.

The last section builds pathological manuals (``sizes``): a 3,000-character rubric heading,
100,000-character words, 50,000-row tables, a 200,000-line code block, 10,000 tiny lessons,
each also at a tenth of its size. Each must stay linear (the tenth takes about a tenth of
the time) and within ``SIZE_SECONDS`` and ``SIZE_MIB``; a build still running after twice
the time is killed and reported. ``--no-sizes`` skips the section, ``--sizes-only`` runs
only it.
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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANUAL = ROOT / "content" / "day-two.md"
FLOOR = "import pptx, reportlab.platypus, markdown_it, pygments.lexers, yaml"


@dataclass(frozen=True)
class Sample:
    seconds: float
    rss_mib: float


#: What each pathological build must stay within on a 2-core machine.
SIZE_SECONDS = 60.0
SIZE_MIB = 1536.0


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


# --------------------------------------------------------------------------- sizes

_HEAD = "# Day X Teacher's Manual\n\n## Lesson-by-Lesson Guide\n\n"


def _lesson(body: str, title: str = "Lesson One") -> str:
    return f"### 01. {title} (45 minutes)\n\n#### Student Summary\nA summary.\n\n{body}\n"


def _table(rows: int) -> str:
    return "| Term | Meaning | Example |\n|---|---|---|\n" + "".join(
        f"| term {n} | meaning of term {n} | example {n} |\n" for n in range(rows)
    )


def _rubric(category: str, item: str) -> str:
    return f"## Assessment Rubric\n\n### {category}\n- [ ] {item}\n"


def size_manuals(scale: int) -> dict[str, str]:
    """The pathological manuals at ``scale`` tenths of their full size, by name."""
    word = "x" * (10_000 * scale)
    rows, lines, lessons = 5_000 * scale, 20_000 * scale, 1_000 * scale
    code = "".join(f'IO.puts("line {n}")\n' for n in range(lines))
    concepts = "#### Key Concepts\n- **Term**: meaning\n"
    return {
        f"rubric heading of {300 * scale:,} chars": _HEAD
        + _lesson(concepts)
        + _rubric(("Category " * (40 * scale))[: 300 * scale], "Writes tests"),
        f"word of {len(word):,} chars in a title": _HEAD + _lesson(concepts, title=word),
        f"word of {len(word):,} chars in a paragraph": _HEAD
        + _lesson(f"#### Teacher Talking Points\n\n**Topic**\n\nSee {word} here.\n"),
        f"word of {len(word):,} chars in a rubric item": _HEAD
        + _lesson(concepts)
        + _rubric("Testing", word),
        f"{rows:,}-row table of key concepts": _HEAD
        + _lesson("#### Key Concepts\n\n" + _table(rows)),
        f"{rows:,}-row table in talking points": _HEAD
        + _lesson("#### Teacher Talking Points\n\n**Terms**\n\n" + _table(rows)),
        f"{lines:,}-line code block": _HEAD
        + _lesson(f"#### Teacher Talking Points\n\n**Code**\n\n```elixir\n{code}```\n"),
        f"{lessons:,} tiny lessons": _HEAD
        + "".join(
            f"### {n:02d}. Lesson {n} (5 min)\n\n#### Student Summary\nSummary {n}.\n\n"
            for n in range(1, lessons + 1)
        ),
    }


def run_limited(argv: list[str], timeout: float) -> Sample | None:
    """One run like ``run_once``, killed after ``timeout`` seconds (None then)."""
    wrapped = [str(TIME), "-f", "%M", *argv] if TIME.exists() else argv
    start = time.perf_counter()
    proc = subprocess.Popen(
        wrapped, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        proc.communicate()
        return None
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"bench: {' '.join(argv)} failed ({proc.returncode}):\n{err.decode()[-2000:]}")
    last = err.decode().strip().splitlines()[-1] if TIME.exists() else ""
    kib = int(last) if last.isdigit() else 0
    return Sample(elapsed, kib / 1024)


def sizes(work: Path, build: Callable[[Path], list[str]]) -> None:
    """Each pathological manual at a tenth of its size and whole: time, peak memory, the
    ratio of the two times (about 10 when the work is linear) and whether the whole one
    stays within the limits."""
    folder = work / "sizes"
    folder.mkdir()
    tenth, whole = size_manuals(1), size_manuals(10)
    print(file=sys.stderr)
    print(f"sizes: limits {SIZE_SECONDS:.0f} s and {SIZE_MIB:.0f} MiB per build", file=sys.stderr)
    rows: list[tuple[str, str, str, str]] = []
    for k, ((small_name, small), (name, text)) in enumerate(
        zip(tenth.items(), whole.items(), strict=True)
    ):
        samples: list[Sample | None] = []
        for n, body in enumerate((small, text)):
            manual = folder / f"size-{k}-{n}.md"
            manual.write_text(body, encoding="utf-8")
            samples.append(run_limited(build(manual), 2 * SIZE_SECONDS))
            manual.unlink()
            shutil.rmtree(work / "out" / manual.stem, ignore_errors=True)
        low, high = samples
        if high is None:
            rows.append((name, "killed", "-", f"over {2 * SIZE_SECONDS:.0f} s"))
        else:
            ok = high.seconds <= SIZE_SECONDS and high.rss_mib <= SIZE_MIB
            ratio = f"{high.seconds / low.seconds:5.1f}" if low is not None else "-"
            rows.append(
                (
                    name,
                    f"{high.seconds:8.2f}",
                    f"{high.rss_mib:8.1f}",
                    f"{ratio}  {'ok' if ok else 'OVER'}",
                )
            )
        print(f"  {small_name} / {name}: {rows[-1][1:]}", file=sys.stderr)
    print()
    print(f"{'pathological manual':<42} {'s':>8} {'peak MiB':>8}  x10 time")
    for name, seconds, mib, verdict in rows:
        print(f"{name:<42} {seconds:>8} {mib:>8}  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="runs per small measurement")
    parser.add_argument("--big-runs", type=int, default=3, help="runs of the 10x and 100x builds")
    parser.add_argument("--no-100x", action="store_true", help="skip the 1500-lesson build")
    parser.add_argument("--no-sizes", action="store_true", help="skip the pathological sizes")
    parser.add_argument("--sizes-only", action="store_true", help="only the pathological sizes")
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

        if args.sizes_only:
            sizes(work, build)
            return
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
        if not args.no_sizes:
            sizes(work, build)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
