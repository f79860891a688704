"""Creating a broadcast (once per request key), reading it and cancelling it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from storage.broadcasts.audiences import Audience, audience_query
from storage.broadcasts.models import Broadcast, BroadcastStatus, OutboxMessage, OutboxStatus
from storage.broadcasts.vocabulary import CAPTION_MAX_CHARS, TEXT_MAX_CHARS

# --------------------------------------------------------------------------- composing


async def create_broadcast(
    session: AsyncSession,
    *,
    created_by: int,
    text: str,
    audience: Audience,
    send_at: datetime,
    photo_file_id: str = "",
    photo_key: str = "",
    request_key: str | None = None,
) -> Broadcast:
    """A scheduled broadcast (``send_at`` now or later). The same request_key gives back
    the same broadcast."""
    limit = CAPTION_MAX_CHARS if photo_file_id or photo_key else TEXT_MAX_CHARS
    if not text.strip() or len(text) > limit:
        raise ValueError(f"broadcast text must be 1-{limit} characters")
    audience_query(audience)  # raises on an unknown kind
    if request_key is not None:
        existing = await session.scalar(
            select(Broadcast).where(Broadcast.request_key == request_key)
        )
        if existing is not None:
            return existing
    broadcast = Broadcast(
        created_by=created_by,
        text=text,
        photo_file_id=photo_file_id,
        photo_key=photo_key,
        audience=audience.as_json(),
        status=BroadcastStatus.SCHEDULED.value,
        send_at=send_at,
        request_key=request_key,
        progress_chat_id=created_by,
    )
    session.add(broadcast)
    await session.flush()
    return broadcast


async def get_broadcast(session: AsyncSession, broadcast_id: int) -> Broadcast | None:
    return await session.get(Broadcast, broadcast_id)


async def cancel_broadcast(session: AsyncSession, broadcast_id: int, now: datetime) -> bool:
    """Stop a scheduled or sending broadcast; rows not yet sent are skipped."""
    result = await session.execute(
        update(Broadcast)
        .where(
            Broadcast.id == broadcast_id,
            Broadcast.status.in_([BroadcastStatus.SCHEDULED, BroadcastStatus.SENDING]),
        )
        .values(status=BroadcastStatus.CANCELLED.value, finished_at=now)
    )
    if (result.rowcount or 0) != 1:  # type: ignore[attr-defined]
        return False
    await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.broadcast_id == broadcast_id,
            OutboxMessage.status == OutboxStatus.PENDING,
        )
        .values(status=OutboxStatus.SKIPPED.value, error="cancelled")
    )
    return True
