"""What the consultations area keeps about a person, for /mydata and /delete."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.consultations.bookings import cancel
from storage.consultations.models import ACTIVE, Booking
from storage.people import User


async def _user_id(session: AsyncSession, telegram_id: int) -> int | None:
    return await session.scalar(select(User.id).where(User.telegram_id == telegram_id))


async def export_personal_data(session: AsyncSession, telegram_id: int) -> dict[str, Any]:
    """Everything this area keeps about a person, for /mydata."""
    user_id = await _user_id(session, telegram_id)
    if user_id is None:
        return {}
    rows = await session.scalars(
        select(Booking).where(Booking.requester_id == user_id).order_by(Booking.starts_at)
    )
    bookings = [
        {
            "kind": b.kind,
            "topic": b.topic,
            "branch": b.branch_code,
            "starts_at": b.starts_at.isoformat(),
            "ends_at": b.ends_at.isoformat(),
            "status": b.status,
            "description": b.description,
            # The consultant's note is the support centre's working record, not the member's
            # words: it stays out of the member's copy.
            "feedback_rating": b.feedback_rating,
            "feedback_comment": b.feedback_comment,
        }
        for b in rows
    ]
    return {"bookings": bookings} if bookings else {}


async def erase_personal_data(session: AsyncSession, telegram_id: int, now: datetime) -> None:
    """For /delete: cancel future sessions, blank free texts; keep anonymous counts."""
    user_id = await _user_id(session, telegram_id)
    if user_id is None:
        return
    for booking in await session.scalars(
        select(Booking).where(Booking.requester_id == user_id, Booking.status == ACTIVE)
    ):
        if booking.starts_at > now:
            await cancel(session, booking.id, by="erased", now=now)
    await session.execute(
        update(Booking)
        .where(Booking.requester_id == user_id)
        .values(description="", consultant_note="", feedback_comment="", request_key=None)
    )
