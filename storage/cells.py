"""What a spreadsheet cell may hold: one rule for every XLSX this project writes."""

from __future__ import annotations

import re

# XML 1.0 refuses these (openpyxl raises IllegalCharacterError on them), and a lone UTF-16
# surrogate cannot be encoded at all: one such character in one resident's answer would
# otherwise make the whole download fail for everyone.
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xlsx_text(value: str) -> str:
    """``value`` without the characters an XLSX file cannot hold."""
    return _NOT_IN_XML.sub("", value)
