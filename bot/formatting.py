"""Dates, times and numbers as each language writes them; Hijri beside Gregorian in Arabic."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.numbers import format_decimal
from hijridate import Gregorian

from bot.i18n import current_language

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


def hijri_date(day: date) -> str:
    """'١٢ جمادى الآخرة ١٤٤٨ هـ' style, with Western digits for legibility on all phones."""
    try:
        hijri = Gregorian(day.year, day.month, day.day).to_hijri()
    except (OverflowError, ValueError):
        return ""
    return f"{hijri.day} {HIJRI_MONTHS_AR[hijri.month - 1]} {hijri.year} هـ"


def format_day(day: date, language: str | None = None, *, with_hijri: bool = True) -> str:
    """'Tuesday 1 December 2026'; in Arabic followed by the Hijri date."""
    lang = _lang(language)
    text = babel_format_date(day, format="full", locale=lang)
    if lang == "ar" and with_hijri:
        hijri = hijri_date(day)
        if hijri:
            text = f"{text} ({hijri})"
    return text


def format_short_day(day: date, language: str | None = None) -> str:
    """A compact day for buttons: 'Tue 1 Dec' / 'الثلاثاء ١ ديسمبر'."""
    return babel_format_date(day, format="EEE d MMM", locale=_lang(language))


def format_clock(moment: datetime, timezone: str, language: str | None = None) -> str:
    """Local wall-clock time, e.g. '14:30'."""
    local = moment.astimezone(ZoneInfo(timezone))
    return babel_format_time(local, format="HH:mm", locale=_lang(language))


def format_moment(moment: datetime, timezone: str, language: str | None = None) -> str:
    """Day and local time of an aware datetime, e.g. for bookings and reminders."""
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{format_day(local.date(), language)} — {format_clock(moment, timezone, language)}"


def format_number(value: float | int, language: str | None = None) -> str:
    return format_decimal(value, locale=_lang(language))
