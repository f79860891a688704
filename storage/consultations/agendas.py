"""Reading bookings: one by id, a member's upcoming sessions, a consultant's agenda and the
past sessions waiting for their record."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.consultations.models import ACTIVE, Booking


async def get_booking(session: AsyncSession, booking_id: int) -> Booking | None:
    return await session.get(Booking, booking_id)


async def upcoming_for_requester(
    session: AsyncSession, requester_id: int, now: datetime, limit: int = 10
) -> list[Booking]:
    rows = await session.scalars(
        select(Booking)
        .where(
            Booking.requester_id == requester_id,
            Booking.status == ACTIVE,
            Booking.ends_at > now,
        )
        .order_by(Booking.starts_at)
        .limit(limit)
    )
    return list(rows)


async def upcoming_for_consultant(
    session: AsyncSession, consultant_id: int, now: datetime, until: datetime, limit: int = 30
) -> list[Booking]:
    rows = await session.scalars(
        select(Booking)
        .where(
            Booking.consultant_id == consultant_id,
            Booking.status == ACTIVE,
            Booking.ends_at > now,
            Booking.starts_at < until,
        )
        .order_by(Booking.starts_at)
        .limit(limit)
    )
    return list(rows)


async def awaiting_record(
    session: AsyncSession, consultant_id: int, now: datetime, limit: int = 20
) -> list[Booking]:
    """Sessions that have begun but whose outcome the consultant has not recorded."""
    rows = await session.scalars(
        select(Booking)
        .where(
            Booking.consultant_id == consultant_id,
            Booking.status == ACTIVE,
            Booking.starts_at <= now,
        )
        .order_by(Booking.starts_at)
        .limit(limit)
    )
    return list(rows)
