"""After a session: ratings and comments from attendees; training suggestions from anyone."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.trainings.models import (
    Registration,
    TrainingSuggestion,
)


async def record_rating(
    session: AsyncSession, *, registration_id: int, telegram_id: int, rating: int, now: datetime
) -> str:
    """ "saved", "already" (rated before), or "refused" (not theirs, or did not attend)."""
    registration = await session.get(Registration, registration_id)
    if (
        registration is None
        or registration.telegram_id != telegram_id
        or registration.attended_at is None
        or not 1 <= rating <= 5
    ):
        return "refused"
    if registration.feedback_rating is not None:
        return "already"
    registration.feedback_rating, registration.feedback_at = rating, now
    await session.flush()
    return "saved"


async def record_comment(
    session: AsyncSession, *, registration_id: int, telegram_id: int, comment: str, now: datetime
) -> bool:
    registration = await session.get(Registration, registration_id)
    if (
        registration is None
        or registration.telegram_id != telegram_id
        or registration.attended_at is None
    ):
        return False
    registration.feedback_comment, registration.feedback_at = comment, now
    await session.flush()
    return True


async def add_suggestion(
    session: AsyncSession, *, telegram_id: int, text: str, association_name: str, now: datetime
) -> TrainingSuggestion:
    suggestion = TrainingSuggestion(
        telegram_id=telegram_id, text=text, association_name=association_name, created_at=now
    )
    session.add(suggestion)
    await session.flush()
    return suggestion


async def latest_suggestions(session: AsyncSession, limit: int = 20) -> list[TrainingSuggestion]:
    rows = await session.scalars(
        select(TrainingSuggestion)
        .order_by(TrainingSuggestion.created_at.desc(), TrainingSuggestion.id.desc())
        .limit(limit)
    )
    return list(rows)


async def mark_suggestions_read(session: AsyncSession, ids: list[int], now: datetime) -> None:
    if ids:
        await session.execute(
            update(TrainingSuggestion)
            .where(TrainingSuggestion.id.in_(ids), TrainingSuggestion.read_at.is_(None))
            .values(read_at=now)
        )
