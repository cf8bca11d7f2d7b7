"""Atomic output: every file goes to a temporary name in its folder, then is renamed.

All bytes exist before the first rename, so a failed build replaces nothing. A build
killed midway leaves only temporary files, which the next build removes.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Mapping
from pathlib import Path

_TMP_PREFIX = ".deckbuild-tmp-"
_TMP_NAME = re.compile(re.escape(_TMP_PREFIX) + r"(\d+)-")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale(folder: Path) -> None:
    """Remove temporary files left by builds that no longer run."""
    if not folder.is_dir():
        return
    for path in folder.rglob(f"{_TMP_PREFIX}*"):
        m = _TMP_NAME.match(path.name)
        if m and not _alive(int(m.group(1))):
            with contextlib.suppress(OSError):
                path.unlink()


def write_outputs(out_dir: Path, files: Mapping[str, bytes]) -> tuple[Path, ...]:
    """Write ``files`` (relative path -> bytes) under ``out_dir``; returns the final paths."""
    clean_stale(out_dir)
    staged: list[tuple[Path, Path]] = []
    try:
        for rel, data in sorted(files.items()):
            final = out_dir / rel
            final.parent.mkdir(parents=True, exist_ok=True)
            tmp = final.parent / f"{_TMP_PREFIX}{os.getpid()}-{final.name}"
            with tmp.open("wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            staged.append((tmp, final))
        for tmp, final in staged:
            if final.is_file() and final.read_bytes() == tmp.read_bytes():
                # Unchanged: keep the old file and its timestamp, so make sees no change
                # when nothing changed.
                tmp.unlink()
            else:
                tmp.replace(final)
    except BaseException:
        for tmp, _ in staged:
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise
    return tuple(final for _, final in staged)
