"""What every part of the deck is written with: namespaces, the XML declaration, points to
EMU, and escaping.

The parts are written as text rather than built as element trees, so escaping is done here
by hand, character for character as saxutils and lxml (which python-pptx uses) do it.

Every string that reaches the XML goes through ``clean`` first: control characters (C0 but
tab, newline and carriage return; DEL and C1), lone surrogates and the non-characters
U+FFFE/U+FFFF make a part that no XML parser reads, and so a deck that PowerPoint calls
corrupt. Every attribute value goes through ``attr`` (``clean`` and ``quoteattr``).
"""

from __future__ import annotations

import re

EMU_PER_PT = 12700

_NS = {
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "p": "http://schemas.openxmlformats.org/presentationml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}
DECLARATION = "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"

#: XML 1.0 cannot carry these (or, DEL and C1 controls, should not: office apps refuse
#: them), nor can UTF-8 carry a lone surrogate; they are drawn as the replacement character.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def nsdecls(*prefixes: str) -> str:
    return " ".join(f'xmlns:{p}="{_NS[p]}"' for p in prefixes)


def emu(points: float) -> int:
    return round(points * EMU_PER_PT)


def clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


# xml.sax.saxutils would do, but it imports urllib and http.client (20 ms).


def escape(text: str) -> str:
    """Character data: ``&``, ``<`` and ``>`` escaped (saxutils.escape)."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


_ATTR = str.maketrans({"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def quoteattr(text: str) -> str:
    """An attribute value with its quotes, as saxutils.quoteattr writes it."""
    text = escape(text).translate(_ATTR)
    if '"' in text:
        if "'" in text:
            return '"{}"'.format(text.replace('"', "&quot;"))
        return f"'{text}'"
    return f'"{text}"'


def attr(value: str) -> str:
    """Any value as an attribute, quotes included: cleaned, then escaped."""
    return quoteattr(clean(value))


def lxml_attribute(text: str) -> str:
    """An attribute value in double quotes, as lxml writes it."""
    return escape(text).replace('"', "&quot;").translate(_ATTR)


def lxml_text(text: str) -> str:
    """Character data as lxml writes it."""
    return escape(text).replace("\r", "&#13;")
