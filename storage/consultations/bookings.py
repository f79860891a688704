"""Booking, moving and cancelling a session: each runs in one transaction that locks the
consultant and the requester, then checks the slot again (the database's partial unique
indexes have the last word). The keys of a booking's reminders are made here too."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage import reminders
from storage.consultations.availability import consultant_slots
from storage.consultations.models import (
    ACTIVE,
    DESCRIPTION_MAX_CHARS,
    AvailabilityException,
    Booking,
    BookingKind,
    BookingStatus,
    Consultant,
    ConsultantTopic,
    WeeklyAvailability,
)
from storage.consultations.slots import derive_slots
from storage.people import User


class BookingError(Exception):
    """A booking, move or record that cannot be made; ``reason`` says why."""

    reason = "invalid"


class SlotTaken(BookingError):
    reason = "taken"


class RequesterBusy(BookingError):
    reason = "requester_busy"


class SlotUnavailable(BookingError):
    """Outside the timetable, inside the minimum notice, or the consultant is inactive."""

    reason = "unavailable"


class NotAllowed(BookingError):
    """The booking is not this person's, or is no longer in a state that allows this."""

    reason = "not_allowed"


async def _lock_consultant(session: AsyncSession, consultant_id: int) -> Consultant:
    consultant = await session.scalar(
        select(Consultant).where(Consultant.id == consultant_id).with_for_update()
    )
    if consultant is None or not consultant.active:
        raise SlotUnavailable(f"consultant {consultant_id} is not available")
    return consultant


async def _lock_user(session: AsyncSession, user_id: int) -> None:
    await session.scalar(select(User.id).where(User.id == user_id).with_for_update())


async def _check_slot(
    session: AsyncSession,
    consultant: Consultant,
    *,
    branch_code: str,
    topic: str,
    starts_at: datetime,
    requester_id: int,
    now: datetime,
    tz: ZoneInfo,
    ignore_booking: int | None = None,
) -> None:
    """Raise unless this consultant can take this requester at this moment."""
    has_topic = await session.get(ConsultantTopic, (consultant.id, topic))
    if has_topic is None:
        raise SlotUnavailable(f"consultant {consultant.id} does not cover {topic}")
    day = starts_at.astimezone(tz).date()

    async def offered(**kwargs: Any) -> bool:
        slots = await consultant_slots(
            session,
            consultant,
            now=now,
            tz=tz,
            first_day=day,
            last_day=day,
            branch_code=branch_code,
            ignore_booking=ignore_booking,
            **kwargs,
        )
        return any(s.starts_at == starts_at for s in slots)

    if await offered(requester_id=requester_id):
        return
    # Find out why, to say it plainly.
    if not await offered():
        no_bookings = derive_slots(
            consultant.id,
            consultant.rules,
            list(
                await session.scalars(
                    select(WeeklyAvailability).where(
                        WeeklyAvailability.consultant_id == consultant.id
                    )
                )
            ),
            list(
                await session.scalars(
                    select(AvailabilityException).where(
                        AvailabilityException.consultant_id == consultant.id,
                        AvailabilityException.day == day,
                    )
                )
            ),
            now=now,
            tz=tz,
            first_day=day,
            last_day=day,
            branch_code=branch_code,
        )
        if any(s.starts_at == starts_at for s in no_bookings):
            raise SlotTaken(f"consultant {consultant.id} is busy at {starts_at}")
        raise SlotUnavailable(f"{starts_at} is not in consultant {consultant.id}'s timetable")
    raise RequesterBusy(f"user {requester_id} already has a booking at {starts_at}")


async def booking_by_request_key(session: AsyncSession, request_key: str) -> Booking | None:
    return await session.scalar(select(Booking).where(Booking.request_key == request_key))


async def book(
    session: AsyncSession,
    *,
    consultant_id: int,
    requester_id: int,
    kind: BookingKind,
    topic: str,
    branch_code: str,
    starts_at: datetime,
    description: str,
    now: datetime,
    tz: ZoneInfo,
    request_key: str | None = None,
) -> Booking:
    """Book a slot, or raise SlotTaken / RequesterBusy / SlotUnavailable.

    Call inside ``db.transaction()``. The same ``request_key`` gives back the same
    booking, so a retried request books once.
    """
    if request_key is not None:
        existing = await booking_by_request_key(session, request_key)
        if existing is not None:
            return existing
    consultant = await _lock_consultant(session, consultant_id)
    await _lock_user(session, requester_id)
    await _check_slot(
        session,
        consultant,
        branch_code=branch_code,
        topic=topic,
        starts_at=starts_at,
        requester_id=requester_id,
        now=now,
        tz=tz,
    )
    booking = Booking(
        kind=kind.value,
        consultant_id=consultant.id,
        requester_id=requester_id,
        topic=topic,
        branch_code=branch_code,
        starts_at=starts_at,
        ends_at=starts_at + consultant.rules.session,
        status=ACTIVE,
        description=description[:DESCRIPTION_MAX_CHARS],
        request_key=request_key,
        created_at=now,
    )
    await _insert_or_taken(session, booking)
    return booking


async def _insert_or_taken(session: AsyncSession, booking: Booking) -> None:
    try:
        async with session.begin_nested():
            session.add(booking)
            await session.flush()
    except IntegrityError as exc:
        raise SlotTaken(str(exc.orig)) from exc


async def move(
    session: AsyncSession,
    booking_id: int,
    *,
    requester_id: int,
    consultant_id: int,
    starts_at: datetime,
    now: datetime,
    tz: ZoneInfo,
) -> Booking:
    """Move an active booking to another free slot (same topic and branch)."""
    booking = await session.scalar(
        select(Booking).where(Booking.id == booking_id).with_for_update()
    )
    if booking is None or booking.requester_id != requester_id or booking.status != ACTIVE:
        raise NotAllowed(f"booking {booking_id} cannot be moved by user {requester_id}")
    if booking.starts_at <= now:
        raise NotAllowed(f"booking {booking_id} has already started")
    if booking.consultant_id == consultant_id and booking.starts_at == starts_at:
        return booking
    if booking.consultant_id < consultant_id:  # always lock in id order: no deadlock
        await session.scalar(
            select(Consultant.id).where(Consultant.id == booking.consultant_id).with_for_update()
        )
    consultant = await _lock_consultant(session, consultant_id)
    if booking.consultant_id > consultant_id:
        await session.scalar(
            select(Consultant.id).where(Consultant.id == booking.consultant_id).with_for_update()
        )
    await _lock_user(session, requester_id)
    await _check_slot(
        session,
        consultant,
        branch_code=booking.branch_code,
        topic=booking.topic,
        starts_at=starts_at,
        requester_id=requester_id,
        now=now,
        tz=tz,
        ignore_booking=booking.id,
    )
    try:
        async with session.begin_nested():
            booking.consultant_id = consultant.id
            booking.starts_at = starts_at
            booking.ends_at = starts_at + consultant.rules.session
            booking.reschedule_count += 1
            await session.flush()
    except IntegrityError as exc:
        raise SlotTaken(str(exc.orig)) from exc
    return booking


async def cancel(
    session: AsyncSession, booking_id: int, *, by: str, now: datetime
) -> Booking | None:
    """Cancel an active booking; None when it was not active (already cancelled, past...)."""
    result = await session.execute(
        update(Booking)
        .where(Booking.id == booking_id, Booking.status == ACTIVE)
        .values(status=BookingStatus.CANCELLED.value, cancelled_at=now, cancelled_by=by[:16])
    )
    if (result.rowcount or 0) != 1:  # type: ignore[attr-defined]
        return None
    booking = await session.get(Booking, booking_id, populate_existing=True)
    await reminders.cancel(session, reminder_prefix(booking_id), now)
    return booking


def reminder_prefix(booking_id: int) -> str:
    return f"consultation:{booking_id}:"


def reminder_key(booking: Booking, label: str) -> str:
    """Keys carry the reschedule count: a moved booking gets fresh reminders."""
    return f"{reminder_prefix(booking.id)}r{booking.reschedule_count}:{label}"
