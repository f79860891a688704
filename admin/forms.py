"""Reading what people type into the admin module's forms and filters."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.textinput import normalize_digits

# Days a programme's pages can be about; further out, date arithmetic (a week on, the next
# midnight in UTC) would overflow, and nobody means it.
FIRST_YEAR, LAST_YEAR = 1900, 2200
# Longer numbers in an address are no id or page of ours (and overflow a BIGINT).
MAX_NUMBER_DIGITS = 18


class UnreadableAddress(ValueError):
    """A hand-edited address with a value no page can use (handled: the translated 400 page)."""


def parse_day(value: str | None) -> date | None:
    """'2026-03-01' (also with Arabic-Indic digits) -> a date; anything else -> None.
    A real date too far from today (0001-01-01, 9999-12-31) is an unreadable address."""
    if not value:
        return None
    try:
        day = date.fromisoformat(normalize_digits(value.strip()))
    except ValueError:
        return None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise UnreadableAddress(value)
    return day


def check_numbers_in_address(values: Iterable[str]) -> None:
    """Refuse 20-digit ids and page numbers before they reach the database."""
    for value in values:
        digits = normalize_digits(value.strip())
        if (
            len(digits) > MAX_NUMBER_DIGITS
            and digits.lstrip("+-").isascii()
            and digits.lstrip("+-").isdigit()
        ):
            raise UnreadableAddress(value)


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
