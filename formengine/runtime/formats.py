"""Answers as ODK writes them (dates, times, dateTimes, geopoints, lines) and as people
type them ('24/11/2026', '14h30', '35.1676, 8.8365', Arabic-Indic digits)."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, time, tzinfo
from decimal import Decimal

from core.textinput import normalize_digits
from formengine.model import Kind

# Fewest points of a line and of an area (a geoshape's closing point not counted).
LINE_MIN_POINTS = {Kind.GEOTRACE: 2, Kind.GEOSHAPE: 3}
LINE_MAX_POINTS = 200


def _fold(text: str) -> str:
    return " ".join(normalize_digits(text).casefold().split())


def _decimal_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


_DATE_PATTERNS = (
    re.compile(r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})$"),
    re.compile(r"^(?P<d>\d{1,2})[-/.](?P<m>\d{1,2})[-/.](?P<y>\d{4})$"),
)


def parse_date(text: str) -> date | None:
    """'2026-11-24', '24/11/2026', '٢٤/١١/٢٠٢٦', '24.11.2026' -> a date (day before month,
    as Tunisia, the Maghreb and France write it)."""
    cleaned = normalize_digits(text).strip().replace(" ", "")
    for pattern in _DATE_PATTERNS:
        match = pattern.match(cleaned)
        if match:
            try:
                return date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                return None
    return None


def parse_time(text: str) -> time | None:
    """'14:30', '14h30', '٢:٣٠' -> a time."""
    cleaned = normalize_digits(text).strip().lower().replace(" ", "")
    match = re.match(r"^(\d{1,2})(?:[:hH.](\d{2}))?$", cleaned)
    if not match:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2) or 0)
    if hours > 23 or minutes > 59:
        return None
    return time(hours, minutes)


_DATE_TIME_SPLIT = re.compile(
    r"^(?P<day>\S+?)(?:[T\s,]+|\s*-\s+)(?P<time>\d{1,2}(?:[:hH.]\d{2})?)$"
)


def parse_datetime(text: str, zone: tzinfo = UTC) -> datetime | None:
    """'24/11/2026 14:30', '2026-11-24T14:30', '٢٤/١١/٢٠٢٦ ١٤:٣٠' -> a moment in ``zone``."""
    cleaned = " ".join(normalize_digits(text).split())
    match = _DATE_TIME_SPLIT.match(cleaned)
    if not match:
        return None
    day, moment = parse_date(match["day"]), parse_time(match["time"])
    if day is None or moment is None:
        return None
    return datetime.combine(day, moment, zone)


def odk_time(moment: time, day: date, zone: tzinfo = UTC) -> str:
    """ODK's time: '14:30:00.000+01:00' (the offset the zone has on ``day``)."""
    return datetime.combine(day, moment, zone).isoformat(timespec="milliseconds").split("T")[1]


def odk_datetime(moment: datetime) -> str:
    """ODK's dateTime: '2026-11-24T14:30:00.000+01:00'."""
    return moment.isoformat(timespec="milliseconds")


def line_points(value: str, *, closed: bool = False) -> list[str] | None:
    """The points of a geotrace/geoshape answer (a shape's closing point dropped), or None."""
    points = [p.strip() for p in value.split(";") if p.strip()]
    for point in points:
        parts = point.split()
        if len(parts) != 4:
            return None
        try:
            lat, lon = float(parts[0]), float(parts[1])
        except ValueError:
            return None
        if geopoint(lat, lon) is None:
            return None
    if closed and len(points) > 1 and points[0] == points[-1]:
        points = points[:-1]
    if len(points) > LINE_MAX_POINTS:
        return None
    return points


def line_value(points: list[str], *, closed: bool = False) -> str:
    """Points as ODK stores a geotrace (and a geoshape, ending on its first point)."""
    if closed and points and points[0] != points[-1]:
        points = [*points, points[0]]
    return ";".join(points)


def parse_point(text: str) -> str | None:
    """'35.1676, 8.8365' typed by hand -> '35.1676 8.8365 0 0' (ODK geopoint)."""
    cleaned = normalize_digits(text).strip()
    parts = [p for p in re.split(r"[\s,;]+", cleaned) if p]
    if len(parts) != 2:
        return None
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        return None
    return geopoint(lat, lon)


def geopoint(latitude: float, longitude: float) -> str | None:
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180) or math.isnan(latitude + longitude):
        return None
    return f"{latitude:.6f} {longitude:.6f} 0 0"


def now_iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
