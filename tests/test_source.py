"""Bytes to text: every encoding the spec names, mojibake repair, controls, non-text."""

from __future__ import annotations

import codecs

import pytest

from deckbuild.source import read_source

from .conftest import FIXTURES

ORIGINAL = "# Café 🎯\n\n- → arrow — dash ✅ “quoted”\n"


def decode(data: bytes) -> tuple[str | None, list[str]]:
    source, diags = read_source(data)
    return (source.text if source else None), [f"{d.severity}: {d.message}" for d in diags]


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (ORIGINAL.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + ORIGINAL.encode("utf-8"), "utf-8-sig"),
        (ORIGINAL.encode("utf-16"), "utf-16-le"),
        (codecs.BOM_UTF16_BE + ORIGINAL.encode("utf-16-be"), "utf-16-be"),
        (codecs.BOM_UTF16_LE + ORIGINAL.encode("utf-16-le"), "utf-16-le"),
    ],
)
def test_unicode_encodings_round_trip(data: bytes, encoding: str) -> None:
    source, diags = read_source(data)
    assert source is not None
    assert source.text == ORIGINAL
    assert source.encoding == encoding
    assert diags == ()


def test_windows_1252_is_the_fallback_with_a_warning() -> None:
    text = "# Café — “quoted”\n\nnaïve résumé\n"
    decoded, diags = decode(text.encode("cp1252"))
    assert decoded == text
    assert diags == ["warning: not valid UTF-8; decoded as Windows-1252"]


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_line_endings_become_lf(newline: str) -> None:
    decoded, _ = decode(ORIGINAL.replace("\n", newline).encode("utf-8"))
    assert decoded == ORIGINAL


def _mac_roman_mojibake(text: str) -> str:
    return text.encode("utf-8").decode("mac_roman")


def _cp1252_mojibake(text: str) -> str:
    # Bytes Windows-1252 leaves undefined come through as the C1 control of that number.
    return "".join(
        bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in text.encode("utf-8")
    )


@pytest.mark.parametrize(
    ("broken", "flavour"),
    [
        (_mac_roman_mojibake(ORIGINAL), "Mac Roman"),
        (_mac_roman_mojibake(ORIGINAL).replace("\uf8ff", ""), "Mac Roman"),
        (_cp1252_mojibake(ORIGINAL), "Windows-1252"),
    ],
)
def test_mojibake_is_repaired_with_one_warning(broken: str, flavour: str) -> None:
    assert broken != ORIGINAL
    decoded, diags = decode(broken.encode("utf-8"))
    assert decoded == ORIGINAL
    assert len(diags) == 1
    assert diags[0].startswith(f"warning: repaired mojibake: UTF-8 that was read as {flavour}")
    assert "on 2 line(s)" in diags[0]


def test_day_two_as_given_is_repaired_completely() -> None:
    decoded, diags = decode((FIXTURES / "day-two.md").read_bytes())
    assert decoded is not None
    for debris in ("\uf8ff", "üé", "‚Ä", "‚Üí", "√"):
        assert debris not in decoded
    assert decoded.count("🎯") == 17
    assert "→" in decoded
    assert "#### ⚠️ **Common Pitfalls**" in decoded
    assert len(diags) == 1


def test_correct_text_with_accents_is_left_alone() -> None:
    text = "# Über naïve café\n\nMüller wrote “résumé” — fine.\n"
    decoded, diags = decode(text.encode("utf-8"))
    assert decoded == text
    assert diags == []


def test_control_characters_are_replaced_with_a_warning_at_their_line() -> None:
    source, diags = read_source(b"# T\n\nline\x0bwith vt\x0c and ff\nbell\x07\n")
    assert source is not None
    assert source.text == "# T\n\nline with vt  and ff\nbell\ufffd\n"
    assert [(d.pos.line, d.severity.value) for d in diags] == [(3, "warning"), (4, "warning")]
    assert "U+000B" in diags[0].message
    assert "U+000C" in diags[0].message


@pytest.mark.parametrize("data", [b"", b"   \n\n", "\ufeff".encode()])
def test_empty_input_is_an_error(data: bytes) -> None:
    decoded, diags = decode(data)
    assert decoded is None
    assert diags == ["error: the file is empty"]


def test_binary_input_is_an_error() -> None:
    decoded, diags = decode(bytes(range(256)) * 8)
    assert decoded is None
    assert diags == ["error: not a text file (binary data)"]


def test_truncated_utf8_keeps_the_text_and_warns() -> None:
    data = ORIGINAL.encode("utf-8") + "🎯".encode()[:2]
    decoded, diags = decode(data)
    assert decoded is not None
    assert decoded.startswith(ORIGINAL)
    assert diags == ["warning: the file ends inside a UTF-8 character (truncated?)"]


def test_windows_1252_text_is_not_mistaken_for_mojibake() -> None:
    # “é and ‘ß are also valid UTF-8 lead/continuation pairs once encoded in cp1252.
    text = "# Résumé\n\nShe said “élan” and ‘ßtraße’ — naïve.\n"
    decoded, diags = decode(text.encode("cp1252"))
    assert decoded == text
    assert diags == ["warning: not valid UTF-8; decoded as Windows-1252"]


def test_one_bad_byte_in_utf8_keeps_the_rest_as_utf8() -> None:
    text = "# Título 🎯\n\nOne → two.\n\nA bad byte: \x00\n".replace("\x00", "@")
    data = text.encode("utf-8").replace(b"@", b"\xff")
    source, diags = read_source(data)
    assert source is not None
    assert "🎯" in source.text and "→" in source.text and "Título" in source.text
    assert "\ufffd" in source.text
    assert [d.message for d in diags] == ["1 invalid UTF-8 byte(s) replaced with U+FFFD (lines 5)"]
    assert diags[0].pos.line == 5
