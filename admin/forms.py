"""Reading what people type into the admin module's forms and filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.textinput import normalize_digits


def parse_day(value: str | None) -> date | None:
    """'2026-03-01' (also with Arabic-Indic digits) -> a date; anything else -> None."""
    if not value:
        return None
    try:
        return date.fromisoformat(normalize_digits(value.strip()))
    except ValueError:
        return None


def parse_optional_int(value: str | None) -> int | None:
    if value is None or not value.strip():
        return None
    try:
        return int(normalize_digits(value.strip()))
    except ValueError:
        return None


@dataclass(frozen=True)
class DayRange:
    """Whole local days, first and last included (as people say "from 1 to 31 March")."""

    first: date | None
    last: date | None

    def utc_bounds(self, timezone: str) -> tuple[datetime | None, datetime | None]:
        """[start, end) in UTC: local midnight of ``first`` to local midnight after ``last``."""
        zone = ZoneInfo(timezone)
        start = (
            datetime.combine(self.first, time.min, tzinfo=zone).astimezone(UTC)
            if self.first
            else None
        )
        end = (
            datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
            if self.last
            else None
        )
        return start, end

    @property
    def is_reversed(self) -> bool:
        return self.first is not None and self.last is not None and self.first > self.last
