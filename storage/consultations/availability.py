"""Free slots from the database: a consultant's timetable minus what is already booked, and
for a topic at a branch, one slot per start time shared out among its consultants."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.consultations.consultants import _active_consultants
from storage.consultations.models import (
    ACTIVE,
    MINUTES_PER_DAY,
    AvailabilityException,
    Booking,
    Consultant,
    WeeklyAvailability,
)
from storage.consultations.slots import Interval, Slot, derive_slots, local_moment


async def _busy(
    session: AsyncSession,
    column: Any,
    owner_id: int,
    since: datetime,
    until: datetime,
    ignore_booking: int | None,
) -> list[Interval]:
    query = select(Booking.starts_at, Booking.ends_at).where(
        column == owner_id,
        Booking.status == ACTIVE,
        Booking.ends_at > since,
        Booking.starts_at < until,
    )
    if ignore_booking is not None:
        query = query.where(Booking.id != ignore_booking)
    return [(row[0], row[1]) for row in await session.execute(query)]


async def consultant_slots(
    session: AsyncSession,
    consultant: Consultant,
    *,
    now: datetime,
    tz: ZoneInfo,
    first_day: date,
    last_day: date,
    branch_code: str | None = None,
    requester_id: int | None = None,
    ignore_booking: int | None = None,
) -> list[Slot]:
    """One consultant's free slots, from the database."""
    rules = consultant.rules
    last_day = min(last_day, now.astimezone(tz).date() + timedelta(days=rules.horizon_days))
    if last_day < first_day:
        return []
    weekly = list(
        await session.scalars(
            select(WeeklyAvailability).where(WeeklyAvailability.consultant_id == consultant.id)
        )
    )
    exceptions = list(
        await session.scalars(
            select(AvailabilityException).where(
                AvailabilityException.consultant_id == consultant.id,
                AvailabilityException.day >= first_day,
                AvailabilityException.day <= last_day,
            )
        )
    )
    since = local_moment(first_day, 0, tz) - timedelta(days=1)
    until = local_moment(last_day, MINUTES_PER_DAY, tz) + timedelta(days=1)
    consultant_busy = await _busy(
        session, Booking.consultant_id, consultant.id, since, until, ignore_booking
    )
    requester_busy: list[Interval] = []
    if requester_id is not None:
        requester_busy = await _busy(
            session, Booking.requester_id, requester_id, since, until, ignore_booking
        )
    return derive_slots(
        consultant.id,
        rules,
        weekly,
        exceptions,
        now=now,
        tz=tz,
        first_day=first_day,
        last_day=last_day,
        consultant_busy=consultant_busy,
        requester_busy=requester_busy,
        branch_code=branch_code,
    )


async def free_slots(
    session: AsyncSession,
    *,
    topic: str,
    branch_code: str,
    now: datetime,
    tz: ZoneInfo,
    first_day: date | None = None,
    last_day: date | None = None,
    requester_id: int | None = None,
    ignore_booking: int | None = None,
) -> list[Slot]:
    """Free slots for a topic at a branch, one per start time.

    When several consultants are free at the same time, the one with the fewest
    active bookings that day takes it, so work is shared.
    """
    today = now.astimezone(tz).date()
    first_day = max(first_day or today, today)
    last_day = last_day or today + timedelta(days=180)
    by_start: dict[datetime, list[Slot]] = {}
    for consultant in await _active_consultants(session, topic):
        for slot in await consultant_slots(
            session,
            consultant,
            now=now,
            tz=tz,
            first_day=first_day,
            last_day=last_day,
            branch_code=branch_code,
            requester_id=requester_id,
            ignore_booking=ignore_booking,
        ):
            by_start.setdefault(slot.starts_at, []).append(slot)
    if not by_start:
        return []
    load = await _bookings_per_consultant_day(session, by_start, tz)
    chosen = []
    for start in sorted(by_start):
        day = start.astimezone(tz).date()
        chosen.append(
            min(
                by_start[start],
                key=lambda s: (load.get((s.consultant_id, day), 0), s.consultant_id),
            )
        )
    return chosen


async def _bookings_per_consultant_day(
    session: AsyncSession, by_start: dict[datetime, list[Slot]], tz: ZoneInfo
) -> dict[tuple[int, date], int]:
    consultants = {s.consultant_id for slots in by_start.values() for s in slots}
    if len(consultants) < 2:
        return {}
    rows = await session.execute(
        select(Booking.consultant_id, Booking.starts_at).where(
            Booking.consultant_id.in_(consultants),
            Booking.status == ACTIVE,
            Booking.starts_at >= min(by_start) - timedelta(days=1),
            Booking.starts_at <= max(by_start) + timedelta(days=1),
        )
    )
    load: dict[tuple[int, date], int] = {}
    for consultant_id, starts_at in rows:
        key = (consultant_id, starts_at.astimezone(tz).date())
        load[key] = load.get(key, 0) + 1
    return load


def free_days(slots: Iterable[Slot], tz: ZoneInfo) -> list[date]:
    return sorted({slot.starts_at.astimezone(tz).date() for slot in slots})
