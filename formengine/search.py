"""Type-to-search in long choice lists: a resident types the first letters of a village and
picks it among the best matches.

Text is compared folded, the way people type on a phone: Arabic hamza forms of alif
(أ إ آ ٱ) are alif, taa marbuta (ة) is haa, alif maqsura (ى) is yaa, tatweel (ـ),
harakat and other diacritics, and invisible joiners are ignored; Latin letters are
case-folded and stripped of accents; Arabic-Indic digits are Latin digits.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from core.textinput import normalize_digits
from formengine.model import Choice

# How many matches are offered as buttons at once.
MATCHES_SHOWN = 8
_LETTERS = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ة": "ه",
        "ى": "ي",
        "ی": "ي",  # Persian yeh, as some keyboards type it
        "ک": "ك",
        "ـ": None,  # tatweel
        "\u200c": None,  # zero-width non-joiner
        "\u200d": None,  # zero-width joiner
        "\u00ad": None,  # soft hyphen
    }
)
_SPACES = re.compile(r"[\s\-_.,،؛;:/()'\"«»]+")
ARTICLE = "ال"


def fold(text: str) -> str:
    """'العَيـن' -> 'العين', 'Él-Aïn' -> 'el ain', '٣' -> '3': what a search compares."""
    decomposed = unicodedata.normalize("NFKD", normalize_digits(text))
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = kept.translate(_LETTERS).casefold()
    return " ".join(_SPACES.sub(" ", folded).split())


def _score(query: str, label: str) -> int | None:
    """How well a folded label answers a folded query (lower is better), None: not at all."""
    if label == query:
        return 0
    if label.startswith(query):
        return 1
    words = label.split()
    if any(w.startswith(query) for w in words):
        return 2
    if any(w.startswith(ARTICLE) and w[len(ARTICLE) :].startswith(query) for w in words):
        return 3  # 'عين' finds 'العين'
    if query.replace(" ", "") and query.replace(" ", "") in label.replace(" ", ""):
        return 4
    return None


def ranked(choices: Sequence[Choice], query: str, language: str) -> list[Choice]:
    """The choices whose label (in any of its languages) or code matches ``query``, best
    first; a tie keeps the list's own order."""
    wanted = fold(query)
    if not wanted:
        return []
    found: list[tuple[int, int, Choice]] = []
    for position, choice in enumerate(choices):
        best: int | None = None
        for text in _texts(choice, language):
            score = _score(wanted, fold(text))
            if score is not None and (best is None or score < best):
                best = score
        if best is not None:
            found.append((best, position, choice))
    found.sort(key=lambda item: (item[0], item[1]))
    return [choice for _score_, _position, choice in found]


def _texts(choice: Choice, language: str) -> Iterable[str]:
    yield choice.text(language)
    yield from (text for code, text in choice.label.items() if code != language and text)
    yield choice.name
