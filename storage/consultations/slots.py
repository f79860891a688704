"""Slot maths, without the database: a consultant's windows of availability on a day
(weekly timetable plus extras, minus time off) and the bookable slots in them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from storage.consultations.models import (
    MINUTES_PER_DAY,
    AvailabilityException,
    ExceptionKind,
    SlotRules,
    WeeklyAvailability,
)


@dataclass(frozen=True, slots=True)
class Window:
    """A stretch of availability at one branch (aware UTC ends)."""

    branch_code: str
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Slot:
    consultant_id: int
    branch_code: str
    starts_at: datetime
    ends_at: datetime


Interval = tuple[datetime, datetime]


def local_moment(day: date, minute: int, tz: ZoneInfo) -> datetime:
    """Local wall-clock ``minute`` of ``day`` as an aware UTC datetime."""
    naive = datetime.combine(day, time()) + timedelta(minutes=minute)
    return naive.replace(tzinfo=tz).astimezone(UTC)


def _subtract(window: Window, holes: Sequence[Interval]) -> list[Window]:
    pieces = [window]
    for hole_start, hole_end in holes:
        next_pieces: list[Window] = []
        for piece in pieces:
            if hole_end <= piece.start or hole_start >= piece.end:
                next_pieces.append(piece)
                continue
            if piece.start < hole_start:
                next_pieces.append(Window(piece.branch_code, piece.start, hole_start))
            if hole_end < piece.end:
                next_pieces.append(Window(piece.branch_code, hole_end, piece.end))
        pieces = next_pieces
    return pieces


def day_windows(
    day: date,
    tz: ZoneInfo,
    weekly: Iterable[WeeklyAvailability],
    exceptions: Iterable[AvailabilityException],
) -> list[Window]:
    """Availability on one local date: the weekly timetable plus extras, minus time off."""
    windows = [
        Window(
            w.branch_code,
            local_moment(day, w.start_minute, tz),
            local_moment(day, w.end_minute, tz),
        )
        for w in weekly
        if w.weekday == day.weekday()
    ]
    holes: list[Interval] = []
    for exc in exceptions:
        if exc.day != day:
            continue
        if exc.kind == ExceptionKind.EXTRA and exc.branch_code and exc.start_minute is not None:
            end_minute = exc.end_minute if exc.end_minute is not None else MINUTES_PER_DAY
            windows.append(
                Window(
                    exc.branch_code,
                    local_moment(day, exc.start_minute, tz),
                    local_moment(day, end_minute, tz),
                )
            )
        elif exc.kind == ExceptionKind.OFF:
            start = exc.start_minute if exc.start_minute is not None else 0
            end = exc.end_minute if exc.end_minute is not None else MINUTES_PER_DAY
            holes.append((local_moment(day, start, tz), local_moment(day, end, tz)))
    result: list[Window] = []
    for window in windows:
        result.extend(_subtract(window, holes))
    return sorted(result, key=lambda w: (w.start, w.branch_code))


def _overlaps(start: datetime, end: datetime, other: Interval, margin: timedelta) -> bool:
    return start < other[1] + margin and other[0] < end + margin


def derive_slots(
    consultant_id: int,
    rules: SlotRules,
    weekly: Sequence[WeeklyAvailability],
    exceptions: Sequence[AvailabilityException],
    *,
    now: datetime,
    tz: ZoneInfo,
    first_day: date,
    last_day: date,
    consultant_busy: Sequence[Interval] = (),
    requester_busy: Sequence[Interval] = (),
    branch_code: str | None = None,
) -> list[Slot]:
    """Bookable slots of one consultant between two local dates (inclusive).

    Slots start at the beginning of each window and follow each other every
    session + buffer. A slot must start after ``now + min_notice``, end within its
    window, keep ``buffer`` away from the consultant's other bookings and not overlap
    any of the requester's.
    """
    earliest = now + rules.min_notice
    step = rules.session + rules.buffer
    slots: list[Slot] = []
    day = first_day
    while day <= last_day:
        for window in day_windows(day, tz, weekly, exceptions):
            if branch_code is not None and window.branch_code != branch_code:
                continue
            start = window.start
            while start + rules.session <= window.end:
                end = start + rules.session
                if (
                    start >= earliest
                    and not any(_overlaps(start, end, b, rules.buffer) for b in consultant_busy)
                    and not any(_overlaps(start, end, b, timedelta(0)) for b in requester_busy)
                ):
                    slots.append(Slot(consultant_id, window.branch_code, start, end))
                start += step
        day += timedelta(days=1)
    return slots
