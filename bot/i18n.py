"""Translations from the Babel catalogues in ``locales/`` (ar, en, fr).

Catalogues are split by area (``locales/<lang>/LC_MESSAGES/<domain>.po``) and read
straight from the ``.po`` files at start-up, so a fresh clone needs no compile step.
The language of the user being answered is kept in a context variable that the
engine sets for each event; ``_()`` and ``ngettext()`` read it.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from bot.config import PROJECT_ROOT, SUPPORTED_LANGUAGES

LOCALES_DIR = PROJECT_ROOT / "locales"
FALLBACK_LANGUAGE = "ar"

_current_language: ContextVar[str] = ContextVar("musharaka_language", default=FALLBACK_LANGUAGE)


def _load_po(path: Path, language: str) -> Translations:
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer, domain=path.stem)


@cache
def translations(language: str) -> NullTranslations:
    """Every domain of one language merged into one translations object."""
    merged: NullTranslations | None = None
    folder = LOCALES_DIR / language / "LC_MESSAGES"
    for po_file in sorted(folder.glob("*.po")):
        loaded = _load_po(po_file, language)
        if merged is None:
            merged = loaded
        else:
            assert isinstance(merged, Translations)
            merged.merge(loaded)
    return merged if merged is not None else NullTranslations()


def normalize_language(code: str | None, default: str = FALLBACK_LANGUAGE) -> str:
    """'ar-EG', 'fr_FR', 'en' -> a supported language, else the default."""
    if not code:
        return default
    short = code.replace("_", "-").split("-", 1)[0].lower()
    return short if short in SUPPORTED_LANGUAGES else default


def current_language() -> str:
    return _current_language.get()


def set_language(language: str) -> None:
    _current_language.set(normalize_language(language))


@contextmanager
def use_language(language: str) -> Iterator[None]:
    token = _current_language.set(normalize_language(language))
    try:
        yield
    finally:
        _current_language.reset(token)


def _(message: str) -> str:
    return translations(_current_language.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current_language.get()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return str(translations(_current_language.get()).pgettext(context, message))


def N_(message: str) -> str:
    """Mark a string for the catalogue without translating it yet (translate at use)."""
    return message


def translate(language: str, message: str) -> str:
    return translations(normalize_language(language)).gettext(message)


def locale(language: str | None = None) -> Locale:
    return Locale.parse(normalize_language(language or _current_language.get()))


def is_rtl(language: str | None = None) -> bool:
    return normalize_language(language or _current_language.get()) == "ar"


LANGUAGE_NAMES = {"ar": "العربية", "en": "English", "fr": "Français"}
