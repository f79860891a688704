"""Translations from the Babel catalogues in ``locales/`` (ar, en, fr).

Catalogues are split by area (``locales/<lang>/LC_MESSAGES/<domain>.po``) and read
straight from the ``.po`` files at start-up, so a fresh clone needs no compile step.
The language of the user being answered is kept in a context variable that the
engine sets for each event; ``_()`` and ``ngettext()`` read it.
"""

from __future__ import annotations

import io
import re
import string
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from core.config import PROJECT_ROOT, SUPPORTED_LANGUAGES, get_settings

LOCALES_DIR = PROJECT_ROOT / "locales"
FALLBACK_LANGUAGE = "ar"

_current_language: ContextVar[str] = ContextVar("musharaka_language", default=FALLBACK_LANGUAGE)
# Set per update, request and broadcast from the settings (MUSHARAKA_LATIN_DIGITS); None:
# the settings of the environment (CLI commands).
_latin_digits: ContextVar[bool | None] = ContextVar("musharaka_latin_digits", default=None)


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


class _DisplayFormatter(string.Formatter):
    def __init__(self, language: str) -> None:
        self.language = language

    def format_field(self, value: object, format_spec: str) -> str:
        from core.formatting import display_value

        return display_value(value, format_spec, self.language)


# Digits a translation writes itself ('أقل من 5'), not those of its placeholders ({n}, %(k1)s).
_LITERAL_DIGITS = re.compile(r"(\{[^{}]*\}|%\([^)]*\)[a-z]|%[a-z%])|([0-9]+)")
_ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
_LATIN_DIGIT = re.compile(r"[0-9]")
_NAMED_INTEGER = re.compile(r"%\((\w+)\)[di]")
_POSITIONAL_INTEGER = re.compile(r"(?<!%)%[di]")


class Translated(str):
    """A translated text. Numbers put into it with ``.format()`` or ``%`` are written in the
    reader's digits (Arabic-Indic in Arabic, see core.formatting.display_digits), so a count
    or a rank never needs wrapping by hand; strings (names, codes, phone numbers as typed)
    go in unchanged."""

    language: str  # the language it was translated into (whose digits its numbers take)

    def format(self, *args: object, **kwargs: object) -> str:
        return _DisplayFormatter(self.language).vformat(str(self), args, kwargs)

    def __mod__(self, values: object) -> str:
        from core.formatting import display_value, is_number

        def shown(value: object) -> object:
            return display_value(value, "", self.language) if is_number(value) else value

        if isinstance(values, Mapping):
            template = _NAMED_INTEGER.sub(r"%(\1)s", str(self))
            return template % {key: shown(value) for key, value in values.items()}
        template = _POSITIONAL_INTEGER.sub("%s", str(self))
        if isinstance(values, tuple):
            return template % tuple(shown(value) for value in values)
        return template % (shown(values),)


@contextmanager
def use_digits(*, latin: bool) -> Iterator[None]:
    """Within this block Arabic text keeps Latin digits (True) or shows ٠١٢٣٤٥٦٧٨٩ (False)."""
    token = _latin_digits.set(latin)
    try:
        yield
    finally:
        _latin_digits.reset(token)


def uses_arabic_digits(language: str | None = None) -> bool:
    """Arabic is shown with Arabic-Indic digits unless the programme chose Latin ones."""
    if (language or _current_language.get()) != "ar":
        return False
    latin = _latin_digits.get()
    if latin is None:
        latin = get_settings().latin_digits
    return not latin


def _translated(text: str, language: str) -> Translated:
    if uses_arabic_digits(language) and _LATIN_DIGIT.search(text):
        text = _LITERAL_DIGITS.sub(
            lambda m: m.group(1) or m.group(2).translate(_ARABIC_INDIC), text
        )
    translated = Translated(text)
    translated.language = language
    return translated


def _(message: str) -> str:
    language = _current_language.get()
    return _translated(translations(language).gettext(message), language)


def ngettext(singular: str, plural: str, n: int) -> str:
    language = _current_language.get()
    return _translated(translations(language).ngettext(singular, plural, n), language)


def pgettext(context: str, message: str) -> str:
    language = _current_language.get()
    return _translated(str(translations(language).pgettext(context, message)), language)


def N_(message: str) -> str:
    """Mark a string for the catalogue without translating it yet (translate at use)."""
    return message


def translate(language: str, message: str) -> str:
    language = normalize_language(language)
    return _translated(translations(language).gettext(message), language)


def locale(language: str | None = None) -> Locale:
    return Locale.parse(normalize_language(language or _current_language.get()))


def is_rtl(language: str | None = None) -> bool:
    return normalize_language(language or _current_language.get()) == "ar"


LANGUAGE_NAMES = {"ar": "العربية", "en": "English", "fr": "Français"}
