"""Font metrics: the direct TrueType reader agrees with reportlab's parser."""

from __future__ import annotations

from pathlib import Path

import pytest

from deckbuild.services import measure
from deckbuild.theme import PACKAGE_FONTS

FONTS = sorted(PACKAGE_FONTS.glob("*.ttf"))


@pytest.mark.parametrize("path", FONTS, ids=lambda p: p.name)
def test_reader_matches_reportlab(path: Path) -> None:
    fast = measure._TrueType(path.read_bytes()).read(str(path))
    assert fast is not None, "the direct reader should handle every bundled font"
    assert fast == measure._read_with_reportlab(str(path))


def test_unhandled_files_fall_back_to_reportlab(tmp_path: Path) -> None:
    # CFF outlines are not read directly; reportlab gives its own error for them.
    bogus = tmp_path / "bogus.ttf"
    bogus.write_bytes(b"OTTO" + bytes(64))
    assert measure._TrueType(bogus.read_bytes()).read(str(bogus)) is None
    with pytest.raises(Exception, match="postscript outlines"):
        measure._read_font(str(bogus))
