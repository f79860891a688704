"""When an announcement goes out: a date and time typed by staff (in the programme's
timezone, digits in any script) or one of the quick choices ("In one hour", "Tomorrow at
09:00", "Tomorrow at 18:00")."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.textinput import normalize_digits

# 2026-12-05 09:30 · 05/12/2026 09:30 · 05/12 09:30 (digits in any script)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[ T]+(\d{1,2})[:h.](\d{2})$")
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}))?[ ]+(\d{1,2})[:h.](\d{2})$")
EXAMPLE = "2026-12-05 09:30"
QUICK_CHOICES = ("1h", "t9", "t18")


def parse_local_moment(text: str, now: datetime, timezone: str) -> datetime | None:
    """A date and time typed by staff, in the programme's timezone, as aware UTC."""
    cleaned = normalize_digits(text).strip()
    zone = ZoneInfo(timezone)
    year_given = True
    if match := _ISO.match(cleaned):
        year, month, day, hour, minute = (int(g) for g in match.groups())
    elif match := _DMY.match(cleaned):
        day, month, hour, minute = int(match[1]), int(match[2]), int(match[4]), int(match[5])
        year_given = match[3] is not None
        year = int(match[3]) if year_given else now.astimezone(zone).year
    else:
        return None
    try:
        local = datetime(year, month, day, hour, minute, tzinfo=zone)
        if not year_given and local < now:  # "05/01 09:00" typed in December: next January
            local = local.replace(year=year + 1)
    except ValueError:
        return None
    return local.astimezone(UTC)


def quick_moment(choice: str, now: datetime, timezone: str) -> datetime | None:
    """The moment of a quick choice, or None for a code that is not one."""
    zone = ZoneInfo(timezone)
    tomorrow = now.astimezone(zone).date() + timedelta(days=1)
    moments = {
        "1h": now + timedelta(hours=1),
        "t9": datetime.combine(tomorrow, time(9), tzinfo=zone),
        "t18": datetime.combine(tomorrow, time(18), tzinfo=zone),
    }
    return moments.get(choice)
