"""Bytes to clean text: encoding detection, line endings, mojibake repair, control characters.

The result keeps one output line per input line, so positions in diagnostics always point at
the line the author sees in an editor.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from deckbuild import diagnostics
from deckbuild.diagnostics import Diagnostic

#: A manual is text a person wrote: 16 MiB is twice the 1500-lesson benchmark manual.
MAX_MANUAL = 16 * 1024 * 1024


class RefusedInput(ValueError):
    """An input path that names something other than a regular file of a sensible size;
    the message says what it is, for a diagnostic."""


def _not_a_file(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "it is a directory, not a file"
    if stat.S_ISFIFO(mode):
        return "it is a named pipe (FIFO), not a file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "it is a device, not a file"
    if stat.S_ISSOCK(mode):
        return "it is a socket, not a file"
    return "it is not a regular file"


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MiB" if n >= 1024 * 1024 else f"{n // 1024} KiB"


def check_input(path: Path, limit: int) -> os.stat_result:
    """Stat ``path`` (following links) and refuse anything but a regular file of at most
    ``limit`` bytes. Raises OSError (a symlink loop, a name too long, no such file) or
    RefusedInput."""
    st = path.stat()
    why = _not_a_file(st.st_mode)
    if why is not None:
        raise RefusedInput(why)
    if st.st_size > limit:
        raise RefusedInput(f"it is larger than {_size(limit)} ({st.st_size} bytes)")
    return st


def read_input(path: Path, limit: int) -> bytes:
    """The bytes of the regular file ``path``, checked before a byte is read.

    A directory, a named pipe (which would block), a device (``/dev/zero`` never ends) or
    a file over ``limit`` bytes is refused with RefusedInput; the file is opened without
    blocking and checked again once open, so a swap after the first look is caught too,
    and at most ``limit`` bytes are read even if it grows meanwhile. Raises OSError when
    the file cannot be opened or read.
    """
    before = check_input(path, limit)
    flags = os.O_RDONLY
    for name in ("O_NONBLOCK", "O_NOCTTY", "O_CLOEXEC", "O_BINARY"):
        flags |= getattr(os, name, 0)
    fd = os.open(path, flags)
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        why = _not_a_file(st.st_mode)
        if why is not None or (st.st_dev, st.st_ino) != (before.st_dev, before.st_ino):
            raise RefusedInput(why or "it was replaced while being opened")
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise RefusedInput(f"it is larger than {_size(limit)}")
    return data


@dataclass(frozen=True, slots=True)
class SourceText:
    text: str
    encoding: str


def _single_byte_table(codec: str) -> dict[str, int]:
    """Character -> byte for a single-byte code page, high half only.

    Bytes the code page leaves undefined (0x81, 0x8D, … in Windows-1252) are mapped the way
    most mis-reading software does: to the C1 control with the same number.
    """
    table: dict[str, int] = {}
    for b in range(0x80, 0x100):
        try:
            ch = bytes([b]).decode(codec)
        except UnicodeDecodeError:
            ch = chr(b)
        table[ch] = b
    return table


_FLAVOURS: dict[str, dict[str, int]] = {
    "Mac Roman": _single_byte_table("mac_roman"),
    "Windows-1252": _single_byte_table("cp1252"),
}

# A candidate run: characters that a mis-read UTF-8 multi-byte sequence can turn into.
_CANDIDATE_RUN = {
    name: re.compile("[" + "".join(re.escape(c) for c in sorted(table)) + "]{2,}")
    for name, table in _FLAVOURS.items()
}


def _utf8_len(lead: int) -> int:
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    if 0xF0 <= lead <= 0xF4:
        return 4
    return 0


def _repair_run(run: str, table: dict[str, int]) -> tuple[str, int]:
    """Decode the valid UTF-8 sequences hidden in ``run``; leave every other character.

    Returns the repaired text and how many sequences were decoded.
    """
    data = bytes(table[c] for c in run)
    out: list[str] = []
    fixed = 0
    i = 0
    while i < len(data):
        n = _utf8_len(data[i])
        if n and i + n <= len(data):
            try:
                out.append(data[i : i + n].decode("utf-8"))
            except UnicodeDecodeError:
                pass
            else:
                fixed += 1
                i += n
                continue
        # Some copies lost the F0 lead byte of a four-byte sequence (the Apple-logo
        # character it becomes is often stripped); an emoji-plane tail still identifies it.
        if 0x90 <= data[i] <= 0x9F and i + 3 <= len(data):
            try:
                out.append((b"\xf0" + data[i : i + 3]).decode("utf-8"))
            except UnicodeDecodeError:
                pass
            else:
                fixed += 1
                i += 3
                continue
        out.append(run[i])
        i += 1
    return "".join(out), fixed


def _repair_mojibake(text: str) -> tuple[str, str, int, int]:
    """Try each flavour; keep the one that decodes the most sequences.

    Returns (text, flavour, sequences repaired, first line touched).
    """
    best = (text, "", 0, 0)
    for name, table in _FLAVOURS.items():
        count = 0
        first = 0

        def fix(m: re.Match[str], table: dict[str, int] = table) -> str:
            nonlocal count, first
            repaired, n = _repair_run(m.group(0), table)
            if n and not first:
                first = text.count("\n", 0, m.start()) + 1
            count += n
            return repaired

        repaired = _CANDIDATE_RUN[name].sub(fix, text)
        if count > best[2]:
            best = (repaired, name, count, first)
    return best


# C0 and C1 controls other than tab and newline, plus the non-characters XML forbids.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if not head:
        return False
    controls = sum(1 for b in head if b < 0x20 and b not in b"\t\n\r\f\v")
    return b"\x00" in head or controls / len(head) > 0.05


def _decode(data: bytes, diags: list[Diagnostic]) -> tuple[str, str] | None:
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            body = data[len(bom) :]
            text = body.decode(codec, errors="replace")
            if "\ufffd" in text and "\ufffd" not in body.decode(codec, errors="ignore"):
                diags.append(
                    diagnostics.warning(f"invalid {codec.upper()} sequences were replaced", 1)
                )
            return text, codec + ("-sig" if codec == "utf-8" else "")
    if _looks_binary(data):
        return None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            diags.append(
                diagnostics.warning(
                    "the file ends inside a UTF-8 character (truncated?)", _line_at(data)
                )
            )
            return data.decode("utf-8", errors="replace"), "utf-8"
        bad_line = data.count(b"\n", 0, exc.start) + 1
    # UTF-8 with a few bad bytes is still UTF-8: Windows-1252 text almost never forms valid
    # UTF-8 sequences, so the fallback is for files where bad bytes outnumber good ones.
    lossy = data.decode("utf-8", errors="replace")
    bad = lossy.count("\ufffd")
    multibyte = sum(1 for c in lossy if ord(c) > 0x7F and c != "\ufffd")
    if multibyte >= bad:
        lines = sorted({n + 1 for n, line in enumerate(lossy.split("\n")) if "\ufffd" in line})
        shown = ", ".join(map(str, lines[:10])) + (" …" if len(lines) > 10 else "")
        diags.append(
            diagnostics.warning(
                f"{bad} invalid UTF-8 byte(s) replaced with U+FFFD (lines {shown})", bad_line
            )
        )
        return lossy, "utf-8"
    diags.append(diagnostics.warning("not valid UTF-8; decoded as Windows-1252", bad_line))
    return "".join(_decode_1252(data)), "windows-1252"


def _decode_1252(data: bytes) -> list[str]:
    table = {b: ch for ch, b in _FLAVOURS["Windows-1252"].items()}
    return [chr(b) if b < 0x80 else table[b] for b in data]


def _line_at(data: bytes) -> int:
    return data.count(b"\n") + 1


def read_source(data: bytes) -> tuple[SourceText | None, tuple[Diagnostic, ...]]:
    """Decode a manual. None (with an error) when the bytes are not text at all."""
    diags: list[Diagnostic] = []
    if not data.strip():
        return None, (diagnostics.error("the file is empty", 1),)
    decoded = _decode(data, diags)
    if decoded is None:
        return None, (diagnostics.error("not a text file (binary data)", 1),)
    text, encoding = decoded
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return None, (*diags, diagnostics.error("the file is empty", 1))

    # Mojibake is UTF-8 bytes shown through a single-byte code page and saved again as
    # UTF-8. A file that is itself in a single-byte code page cannot carry it, and its
    # genuine accented pairs ("“é") would otherwise be "repaired" into nonsense.
    repaired, flavour, count, first = (
        _repair_mojibake(text) if encoding != "windows-1252" else (text, "", 0, 0)
    )
    if count:
        lines = sum(
            1 for a, b in zip(text.split("\n"), repaired.split("\n"), strict=True) if a != b
        )
        # The mis-reading maps UTF-8's F0 lead byte to the Apple logo; after repair any left
        # over is debris of the same accident, not text the author wrote.
        repaired = repaired.replace("\uf8ff", "")
        diags.append(
            diagnostics.warning(
                f"repaired mojibake: UTF-8 that was read as {flavour} and saved again "
                f"({count} sequence(s) on {lines} line(s))",
                first,
            )
        )
        text = repaired

    text, controls = _replace_controls(text)
    diags.extend(controls)
    return SourceText(text, encoding), tuple(diags)


def scrub(text: str) -> str:
    """``text`` with the characters no output can carry (controls other than tab and
    newline, lone surrogates, U+FFFE and U+FFFF) replaced, as ``read_source`` replaces
    them: for text that arrives by another way, such as YAML escapes (``"\\ud800"``)."""
    return _CONTROL.sub(lambda m: " " if m.group(0) in "\v\f" else "\ufffd", text)


def _replace_controls(text: str) -> tuple[str, list[Diagnostic]]:
    if not _CONTROL.search(text):
        return text, []
    diags: list[Diagnostic] = []
    lines = text.split("\n")
    for n, line in enumerate(lines):
        if _CONTROL.search(line):
            found = sorted({f"U+{ord(c):04X}" for c in _CONTROL.findall(line)})
            col = _CONTROL.search(line).start() + 1  # type: ignore[union-attr]
            # Vertical tab and form feed are line breaks in word processors: a space keeps
            # the words apart without shifting later line numbers.
            lines[n] = _CONTROL.sub(lambda m: " " if m.group(0) in "\v\f" else "\ufffd", line)
            diags.append(
                diagnostics.warning(f"control character(s) {', '.join(found)} replaced", n + 1, col)
            )
    if len(diags) > 20:
        extra = len(diags) - 20
        diags = [
            *diags[:20],
            diagnostics.warning(f"… and {extra} more line(s) with control characters", 1),
        ]
    return "\n".join(lines), diags
