"""ODK's date and time functions: ``today``, ``now``, ``date``, ``decimal-date-time``,
``format-date`` and ``format-date-time``, ``decimal-time``."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from formengine.xpath.library import _environment, _register
from formengine.xpath.values import _DATE, _DATETIME, _days_to_date, to_number, to_string


@_register("today", 0)
def _today(context: Any) -> str:
    return _environment(context).today.isoformat()


@_register("now", 0)
def _now(context: Any) -> str:
    return _environment(context).now.isoformat(timespec="seconds")


@_register("date", 1)
def _date(context: Any, value: Any) -> str:
    text = to_string(value).strip()
    if _DATE.match(text):
        return text
    number = to_number(value)
    if math.isnan(number):
        return ""
    try:
        return _days_to_date(number).isoformat()
    except OverflowError:
        return ""


@_register("decimal-date-time", 1)
def _decimal_date_time(context: Any, value: Any) -> float:
    return to_number(value)


_OFFSET = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")
_FORMAT_CODES = {
    "%Y": "%Y",
    "%y": "%y",
    "%m": "%m",
    "%n": "{month}",
    "%b": "%b",
    "%d": "%d",
    "%e": "{day}",
    "%a": "%a",
    "%H": "%H",
    "%M": "%M",
    "%S": "%S",
    "%h": "{hour}",
    "%3": "{milliseconds:03d}",
}


@_register("format-date-time", 2)
@_register("format-date", 2)
def _format_date(context: Any, value: Any, pattern: Any) -> str:
    number = to_number(value)
    if math.isnan(number):
        return ""
    moment = datetime(1970, 1, 1) + timedelta(days=number)
    written = to_string(value).strip()
    zone = _environment(context).now.tzinfo
    if zone is not None and _DATETIME.match(written) and _OFFSET.search(written):
        # A moment is shown in the programme's local time (the clock's zone), as JavaRosa
        # shows it in the phone's; a date alone stays that day.
        moment = (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(days=number)).astimezone(zone)
    text = to_string(pattern)
    out = []
    index = 0
    while index < len(text):
        code = text[index : index + 2]
        if code in _FORMAT_CODES:
            piece = _FORMAT_CODES[code]
            out.append(
                moment.strftime(piece).format(
                    month=moment.month,
                    day=moment.day,
                    hour=moment.hour,
                    milliseconds=moment.microsecond // 1000,
                )
            )
            index += 2
        else:
            out.append(text[index])
            index += 1
    return "".join(out)


_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?")


@_register("decimal-time", 1)
def _decimal_time(context: Any, value: Any) -> float:
    """A time of day as a fraction of the day ('12:00' -> 0.5)."""
    match = _TIME.match(to_string(value).strip())
    if match is None:
        return math.nan
    hours, minutes, seconds = int(match[1]), int(match[2]), float(match[3] or 0)
    if hours > 23 or minutes > 59 or seconds >= 60:
        return math.nan
    return (hours * 3600 + minutes * 60 + seconds) / 86400
