"""The shipped deck template is python-pptx's default template as python-pptx writes it."""

from __future__ import annotations

import io
import os
import zipfile

from deckbuild.writers import pptx


def _members(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(name, z.read(name)) for name in z.namelist()]


def test_the_shipped_template_is_what_python_pptx_writes() -> None:
    made = pptx.template_package()
    if os.environ.get("DECKBUILD_ACCEPT"):
        pptx.TEMPLATE.write_bytes(made)
    shipped = _members(pptx.TEMPLATE.read_bytes())
    assert [n for n, _ in shipped] == [n for n, _ in _members(made)], (
        "python-pptx's template changed; run `make accept` and review the decks"
    )
    assert shipped == _members(made), (
        "python-pptx's template changed; run `make accept` and review the decks"
    )
