"""After a session: the consultant records whether it took place and a note; the member
rates it and may comment."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.consultations.bookings import NotAllowed
from storage.consultations.models import (
    ACTIVE,
    COMMENT_MAX_CHARS,
    NOTE_MAX_CHARS,
    Booking,
    BookingStatus,
)


async def record_outcome(
    session: AsyncSession, booking_id: int, *, consultant_id: int, took_place: bool, now: datetime
) -> Booking:
    """The consultant says whether the session took place (once the session has begun)."""
    booking = await session.scalar(
        select(Booking).where(Booking.id == booking_id).with_for_update()
    )
    if booking is None or booking.consultant_id != consultant_id:
        raise NotAllowed(f"booking {booking_id} is not consultant {consultant_id}'s")
    if booking.starts_at > now:
        raise NotAllowed(f"booking {booking_id} has not started yet")
    wanted = BookingStatus.DONE if took_place else BookingStatus.MISSED
    if booking.status == wanted:
        return booking
    if booking.status not in (ACTIVE, BookingStatus.DONE, BookingStatus.MISSED):
        raise NotAllowed(f"booking {booking_id} is {booking.status}")
    booking.status = wanted.value
    booking.recorded_at = now
    await session.flush()
    return booking


async def record_note(
    session: AsyncSession, booking_id: int, *, consultant_id: int, note: str
) -> Booking:
    booking = await session.get(Booking, booking_id)
    if booking is None or booking.consultant_id != consultant_id or booking.recorded_at is None:
        raise NotAllowed(f"no recorded booking {booking_id} for consultant {consultant_id}")
    booking.consultant_note = note[:NOTE_MAX_CHARS]
    await session.flush()
    return booking


async def record_feedback(
    session: AsyncSession,
    booking_id: int,
    *,
    requester_id: int,
    now: datetime,
    rating: int | None = None,
    comment: str | None = None,
) -> Booking:
    """The requester rates a session that took place (1-5) and may add a comment."""
    booking = await session.get(Booking, booking_id)
    if (
        booking is None
        or booking.requester_id != requester_id
        or booking.status != BookingStatus.DONE
    ):
        raise NotAllowed(f"booking {booking_id} cannot be rated by user {requester_id}")
    if rating is not None:
        if not 1 <= rating <= 5:
            raise ValueError("rating must be between 1 and 5")
        booking.feedback_rating = rating
    if comment is not None:
        booking.feedback_comment = comment[:COMMENT_MAX_CHARS]
    booking.feedback_at = now
    await session.flush()
    return booking
