"""Dates, times and numbers as each language writes them; Hijri beside Gregorian in Arabic."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.numbers import format_decimal
from hijridate import Gregorian

from core.i18n import current_language, uses_arabic_digits

ARABIC_INDIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
ARABIC_PERCENT_SIGN = "٪"

HIJRI_MONTHS_AR = (
    "محرم",
    "صفر",
    "ربيع الأول",
    "ربيع الآخر",
    "جمادى الأولى",
    "جمادى الآخرة",
    "رجب",
    "شعبان",
    "رمضان",
    "شوال",
    "ذو القعدة",
    "ذو الحجة",
)


def _lang(language: str | None) -> str:
    return language or current_language()


def display_digits(text: str, language: str | None = None) -> str:
    """'أولويتك رقم 1 من 3' -> 'أولويتك رقم ١ من ٣' for Arabic; other languages unchanged.

    For what is shown only: stored answers, exports, callback data, links and what a user
    typed keep their digits."""
    return text.translate(ARABIC_INDIC_DIGITS) if uses_arabic_digits(_lang(language)) else text


def is_number(value: object) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def hijri_date(day: date) -> str:
    """'١٢ جمادى الآخرة ١٤٤٨ هـ' (Latin digits when the programme keeps them)."""
    try:
        hijri = Gregorian(day.year, day.month, day.day).to_hijri()
    except (OverflowError, ValueError):
        return ""
    return display_digits(f"{hijri.day} {HIJRI_MONTHS_AR[hijri.month - 1]} {hijri.year} هـ", "ar")


def format_day(day: date, language: str | None = None, *, with_hijri: bool = True) -> str:
    """'Tuesday 1 December 2026'; in Arabic followed by the Hijri date."""
    lang = _lang(language)
    text = display_digits(babel_format_date(day, format="full", locale=lang), lang)
    if lang == "ar" and with_hijri:
        hijri = hijri_date(day)
        if hijri:
            text = f"{text} ({hijri})"
    return text


def format_short_day(day: date, language: str | None = None) -> str:
    """A compact day for buttons: 'Tue 1 Dec' / 'الثلاثاء ١ ديسمبر'."""
    lang = _lang(language)
    return display_digits(babel_format_date(day, format="EEE d MMM", locale=lang), lang)


def format_clock(moment: datetime, timezone: str, language: str | None = None) -> str:
    """Local wall-clock time, e.g. '14:30'."""
    local = moment.astimezone(ZoneInfo(timezone))
    lang = _lang(language)
    return display_digits(babel_format_time(local, format="HH:mm", locale=lang), lang)


def format_moment(moment: datetime, timezone: str, language: str | None = None) -> str:
    """Day and local time of an aware datetime, e.g. for bookings and reminders."""
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{format_day(local.date(), language)} — {format_clock(moment, timezone, language)}"


def format_number(value: float | int | Decimal, language: str | None = None) -> str:
    """1234.5 -> '1,234.5'; in Arabic '١٬٢٣٤٫٥' (Arabic separators with Arabic-Indic digits)."""
    lang = _lang(language)
    if uses_arabic_digits(lang):
        return display_digits(format_decimal(value, locale=lang, numbering_system="arab"), lang)
    return format_decimal(value, locale=lang)


def format_percent_figure(percent: float | int, language: str | None = None) -> str:
    """38 -> '38%'; in Arabic '٣٨٪'."""
    lang = _lang(language)
    if uses_arabic_digits(lang):
        return f"{format_number(percent, lang)}{ARABIC_PERCENT_SIGN}"
    return f"{format_number(percent, lang)}%"


def display_value(value: object, spec: str = "", language: str | None = None) -> str:
    """One value put into a translated text: numbers in the reader's digits, the rest as is."""
    text = format(value, spec)
    return display_digits(text, language) if is_number(value) else text
