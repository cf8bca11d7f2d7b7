"""Text shown on a reportlab canvas without a text object; checked against reportlab 5.1.0.

A slide's paragraph is drawn as one ``BT … ET`` of raw operators (``writers.pdf_slide_draw``).
What the operators need from reportlab is the encoding of the text in the document's font
subsets, which lives in the document (``Canvas._doc``): ``TTFont.splitString`` assigns
each new character a code in a subset (``State.assignments``, recorded for embedding),
and ``getSubsetInternalName`` names the subset's font resource (and registers the font
with the document). ``PDFTextObject`` does the same in ``_formatText``, plus cursor
tracking, alpha and shaping checks that pre-placed lines never need.

``splitString`` looks every character up in Python. Text whose characters all have
codes in the first subset already (nearly all text after a document's first pages) is
encoded by ``str.translate`` with those codes instead; anything else goes through
``splitString``, which assigns the new codes, and the table learns them.

No reportlab import: the objects arrive from the writer.
"""

from __future__ import annotations

import weakref
from typing import Any

#: reportlab encodes a no-break space as a space.
_NBSP, _SPACE = 0xA0, 0x20


class _Codes(dict[int, int]):
    """A ``str.translate`` table of one font in one document: code point -> its code in
    the font's first subset. A character without one is noted in ``missed``."""

    __slots__ = ("missed", "resource")

    def __init__(self, resource: str) -> None:
        super().__init__()
        self.missed = False
        #: The first subset's font resource name (``/F1+0``).
        self.resource = resource

    def __missing__(self, key: int) -> None:
        self.missed = True


class Encoder:
    """Encodes text for one canvas's document (``encoded``)."""

    __slots__ = ("_doc", "_tables")

    def __init__(self, canvas: Any) -> None:
        self._doc = canvas._doc
        tables = _TABLES.get(self._doc)
        if tables is None:
            tables = _TABLES[self._doc] = {}
        self._tables = tables

    def encoded(self, font: Any, text: str) -> list[tuple[str, bytes]]:
        """``text`` in ``font`` (a registered ``TTFont``) as (font resource name, character
        codes) pairs, one per subset it falls into, for ``Tf`` and ``Tj``."""
        table = self._tables.get(font.fontName)
        if table is not None:
            table.missed = False
            codes = text.translate(table)
            if not table.missed:
                return [(table.resource, codes.encode("latin-1"))] if text else []
        doc = self._doc
        parts = [
            (font.getSubsetInternalName(n, doc), codes) for n, codes in font.splitString(text, doc)
        ]
        if table is None:
            table = self._tables[font.fontName] = _Codes(font.getSubsetInternalName(0, doc))
        assignments = font.state[doc].assignments
        for ch in set(text):
            cp = ord(ch)
            code = assignments.get(_SPACE if cp == _NBSP else cp)
            if code is not None and code < 256:
                table[cp] = code
        return parts


#: Per document (dropped with it), per font name.
_TABLES: weakref.WeakKeyDictionary[Any, dict[str, _Codes]] = weakref.WeakKeyDictionary()


def encoded(canvas: Any, font: Any, text: str) -> list[tuple[str, bytes]]:
    """``Encoder(canvas).encoded(font, text)``."""
    return Encoder(canvas).encoded(font, text)
