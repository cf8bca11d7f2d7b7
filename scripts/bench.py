"""make bench: paired ratios to the import floor, scaling, a profile, pathological sizes.

Every measurement is a fresh process (what a course designer runs), timed from fork to
exit: wall time here, CPU time (user + system, the worker included) and peak RSS from GNU
time. This machine is shared and noisy, so absolute times across runs mean little:

- **Paired ratios.** The import floor, the Day Two build of the deck, handouts and rubric
  (the three artefacts the speed targets were set for) and the build of all five run in
  turn, ``--pairs`` rounds; each round gives a ratio, and the median of the ratios (with
  their range) is the figure, for wall and for CPU time. Noise that lasts a few seconds
  hits a whole round alike.
- **Parts.** Each artefact alone, one process, the parse alone, and the warm rebuild that
  ``deckbuild watch`` makes after a save (median of several).
- **Scaling.** 1x, 10x and 100x builds of Day Two's lessons (the three artefacts), also run
  alternately.
- **Profile.** One in-process build (``DECKBUILD_JOBS=1``, so the PDF work is in it too)
  under cProfile: the top 15 functions by cumulative time.
- **Sizes.** Pathological manuals: a 3,000-character rubric heading, 100,000-character
  words, 50,000-row tables, a 200,000-line code block, 10,000 tiny lessons, each also at a
  tenth of its size. Each must stay linear (the tenth takes about a tenth of the time) and
  within ``SIZE_SECONDS`` and ``SIZE_MIB``; a build still running after twice the time is
  killed and reported. ``--no-sizes`` skips them, ``--sizes-only`` runs only them.

The figures are printed, never asserted.
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
ARTEFACTS = ("deck", "handouts", "rubric", "slides", "notes")
#: The build the speed targets were set for, before the print pack.
THREE = ("--only", "deck,handouts,rubric")


@dataclass(frozen=True)
class Sample:
    seconds: float
    rss_mib: float
    cpu: float = 0.0


#: What each pathological build must stay within on a 2-core machine.
SIZE_SECONDS = 60.0
SIZE_MIB = 1536.0


TIME = Path("/usr/bin/time")


def run_once(argv: list[str], env: dict[str, str] | None = None) -> Sample:
    """One run in a fresh process; CPU time and peak RSS from GNU time when present.

    A child's rusage counts the memory of the process it was forked from, so asking
    wait4 about a child of this (larger) script would overstate small runs; GNU time is
    a tiny parent. Without it, wait4 is the fallback. Either counts the CPU time of the
    build's worker, which the build waits for.
    """
    wrapped = [str(TIME), "-f", "%M %U %S", *argv] if TIME.exists() else argv
    start = time.perf_counter()
    proc = subprocess.Popen(wrapped, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"bench: {' '.join(argv)} failed ({code}):\n{err.decode()[-2000:]}")
    if TIME.exists():
        kib, user, system = err.decode().strip().splitlines()[-1].split()
        return Sample(elapsed, int(kib) / 1024, float(user) + float(system))
    return Sample(elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)


def alternate(commands: dict[str, list[str]], rounds: int) -> dict[str, list[Sample]]:
    """Each command once per round, in turn, so slow spells of the machine hit them all."""
    samples: dict[str, list[Sample]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, argv in commands.items():
            samples[name].append(run_once(argv))
    return samples


def ratios(top: list[float], bottom: list[float]) -> str:
    """The median of the paired ratios, with their range."""
    paired = [a / b for a, b in zip(top, bottom, strict=True)]
    return f"{statistics.median(paired):5.2f}  (range {min(paired):.2f}-{max(paired):.2f})"


def warm_rebuilds(manual: Path, out: Path, runs: int) -> list[float]:
    """Seconds of each of ``runs`` rebuilds in one warm process, as ``deckbuild watch``
    makes them after a save (outputs removed first, so each writes them all)."""
    code = (
        "import sys; from pathlib import Path; from deckbuild.watch import warm_rebuild_seconds"
        f" as w; print(*w(Path({str(manual)!r}), Path({str(out)!r}), {runs}))"
    )
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return [float(x) for x in done.stdout.split()]


def profile(manual: Path, out: Path, top: int = 15) -> None:
    """One build under cProfile, all artefacts in its one process, by cumulative time."""
    import pstats

    stats = out.with_suffix(".prof")
    argv = ["-m", "deckbuild", "-qq", "build", str(manual), "--out", str(out)]
    subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(stats), *argv],
        check=True,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "DECKBUILD_JOBS": "1"},
    )
    print(f"\nprofile: one build of {manual.name} in one process, top {top} by cumulative time")
    report = pstats.Stats(str(stats))
    report.strip_dirs().sort_stats("cumulative").print_stats(top)


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
    parser.add_argument("--pairs", type=int, default=9, help="floor/build pairs for the ratios")
    parser.add_argument("--runs", type=int, default=5, help="runs of each part")
    parser.add_argument("--big-runs", type=int, default=3, help="rounds of the 1x/10x/100x builds")
    parser.add_argument("--no-profile", action="store_true", help="skip the profile")
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
        print(
            f"bench: {args.pairs} rounds, commands alternating, {os.cpu_count()} cores",
            file=sys.stderr,
        )
        paired = alternate(
            {"floor": [py, "-c", FLOOR], "three": build(MANUAL, *THREE), "five": build(MANUAL)},
            args.pairs,
        )
        floor, three, five = paired["floor"], paired["three"], paired["five"]
        parts = alternate(
            {
                "python startup": [py, "-c", "pass"],
                **{f"{a} only": build(MANUAL, "--only", a) for a in ARTEFACTS},
                "one process": ["env", "DECKBUILD_JOBS=1", *build(MANUAL)],
                "check (parse only)": [py, "-m", "deckbuild", "-qq", "check", str(MANUAL)],
            },
            args.runs,
        )
        big = {"1x": build(MANUAL, *THREE), "10x": build(x10, *THREE)}
        if not args.no_100x:
            big["100x"] = build(x100, *THREE)
        scaled = alternate(big, args.big_runs)
        warm = warm_rebuilds(MANUAL, work / "warm", args.runs)

        def row(name: str, samples: list[Sample]) -> None:
            wall = statistics.median(s.seconds for s in samples)
            cpu = statistics.median(s.cpu for s in samples)
            peak = max(s.rss_mib for s in samples)
            print(f"{name:<36} {wall:8.3f} {cpu:8.3f} {peak:9.1f}")

        print(f"\n{'median of runs':<36} {'wall s':>8} {'CPU s':>8} {'peak MiB':>9}")
        row("import floor", floor)
        row("day-two, deck+handouts+rubric", three)
        row("day-two, all five artefacts", five)
        for name, samples in parts.items():
            row(f"day-two, {name}", samples)
        for name, samples in scaled.items():
            row(f"scaled {name} (deck+handouts+rubric)", samples)
        print(
            f"{'day-two, warm rebuild (watch)':<36} {statistics.median(warm):8.3f}"
            f"   ({len(warm)} saves, range {min(warm):.3f}-{max(warm):.3f})"
        )

        def seconds(samples: list[Sample]) -> list[float]:
            return [s.seconds for s in samples]

        def cpu(samples: list[Sample]) -> list[float]:
            return [s.cpu for s in samples]

        print(f"\nratios: median of {args.pairs} paired ratios (range)")
        print(f"  three artefacts / floor, wall   {ratios(seconds(three), seconds(floor))}  <= 2.0")
        print(f"  three artefacts / floor, CPU    {ratios(cpu(three), cpu(floor))}  <= 3.0")
        print(f"  five / three artefacts, wall    {ratios(seconds(five), seconds(three))}  <= 1.25")
        print(
            f"  10x / 1x, wall                  "
            f"{ratios(seconds(scaled['10x']), seconds(scaled['1x']))}  <= 7"
        )
        if "100x" in scaled:
            print(
                f"  100x / 10x, wall                "
                f"{ratios(seconds(scaled['100x']), seconds(scaled['10x']))}  <= 10.5"
            )
            peak = max(s.rss_mib for s in scaled["100x"])
            print(f"  100x peak memory                {peak:6.0f} MiB  < 1024")
        if not args.no_profile:
            profile(MANUAL, work / "profiled")
        if not args.no_sizes:
            sizes(work, build)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
