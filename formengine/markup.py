"""ODK Collect's formatting in labels and hints, as plain chat text.

Published forms colour and stress words the way Collect renders them: ``<span
style="color:red">…</span>``, ``**strong**`` / ``__strong__``, ``*emphasis*`` /
``_emphasis_``, ``# headings`` and ``[links](https://…)``. The bot sends plain text, so a
resident would read the tags and asterisks themselves: the words are kept, the markup is
dropped (a link keeps its address in brackets), and ``\\*`` stays a star.
"""

from __future__ import annotations

import re

_TAG = re.compile(r"</?(?:span|font|b|strong|i|em|u|br|p|div)\b[^<>]*>", re.IGNORECASE)
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_LINK = re.compile(r"\[([^\]\n]+)\]\((\S+?)\)")
_HEADING = re.compile(r"^#{1,6}[ \t]+", re.MULTILINE)
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_STAR = re.compile(r"(?<![\w*\\])\*(?=[^\s*])([^*\n]*?[^\s*\\])\*(?![\w*])")
_UNDERSCORE = re.compile(r"(?<![\w{}])_(?=[^\s_$])([^_\n]*?[^\s_])_(?![\w{}$])")
_ESCAPED = "\x00"


def plain_text(text: str) -> str:
    """``<span style="color:red">**Only** adults</span>`` -> ``Only adults``."""
    if not any(mark in text for mark in "<*_#["):
        return text
    text = text.replace("\\*", _ESCAPED)
    text = _BREAK.sub("\n", text)
    text = _TAG.sub("", text)
    text = _LINK.sub(lambda m: f"{m[1]} ({m[2]})" if m[1] != m[2] else m[1], text)
    text = _HEADING.sub("", text)
    text = _STRONG.sub(r"\2", text)
    text = _STAR.sub(r"\1", text)
    text = _UNDERSCORE.sub(r"\1", text)
    return text.replace(_ESCAPED, "*")
