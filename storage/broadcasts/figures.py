"""How far a broadcast got (its figures for the sender's progress message and the admin),
finishing a drained one, and the latest announcements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import (
    func,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from storage.broadcasts.audiences import PRIVATE_KINDS
from storage.broadcasts.models import Broadcast, BroadcastStatus, OutboxMessage, OutboxStatus

# --------------------------------------------------------------------------- progress


@dataclass(slots=True)
class Progress:
    broadcast_id: int
    recipients: int
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def sent(self) -> int:
        return self.counts.get(OutboxStatus.SENT, 0)

    @property
    def failed(self) -> int:
        return self.counts.get(OutboxStatus.FAILED, 0)

    @property
    def skipped(self) -> int:
        return self.counts.get(OutboxStatus.SKIPPED, 0)

    @property
    def remaining(self) -> int:
        return self.counts.get(OutboxStatus.PENDING, 0) + self.counts.get(OutboxStatus.CLAIMED, 0)


async def progress(session: AsyncSession, broadcast_id: int) -> Progress:
    rows = await session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.broadcast_id == broadcast_id)
        .group_by(OutboxMessage.status)
    )
    counts = {str(status): int(n) for status, n in rows}
    return Progress(broadcast_id, sum(counts.values()), counts)


async def unreachable_count(session: AsyncSession, broadcast_id: int) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(
                OutboxMessage.broadcast_id == broadcast_id,
                OutboxMessage.status == OutboxStatus.FAILED,
                OutboxMessage.error == "unreachable",
            )
        )
        or 0
    )


async def sending_broadcasts(session: AsyncSession) -> list[Broadcast]:
    rows = await session.scalars(
        select(Broadcast).where(Broadcast.status == BroadcastStatus.SENDING).order_by(Broadcast.id)
    )
    return list(rows)


async def finish_if_drained(session: AsyncSession, broadcast_id: int, now: datetime) -> bool:
    """Mark a sending broadcast done once no row is pending or claimed; True if it was."""
    left = await session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            OutboxMessage.broadcast_id == broadcast_id,
            OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.CLAIMED]),
        )
    )
    if left:
        return False
    result = await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.status == BroadcastStatus.SENDING)
        .values(status=BroadcastStatus.DONE.value, finished_at=now)
    )
    return (result.rowcount or 0) == 1  # type: ignore[attr-defined]


async def set_progress_message(
    session: AsyncSession, broadcast_id: int, chat_id: int, message_id: int
) -> None:
    await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id)
        .values(progress_chat_id=chat_id, progress_message_id=message_id)
    )


async def recent_broadcasts(session: AsyncSession, limit: int = 10) -> Sequence[Broadcast]:
    """The latest announcements (private correspondence left out)."""
    query = select(Broadcast)
    if PRIVATE_KINDS:
        query = query.where(Broadcast.audience["kind"].as_string().not_in(sorted(PRIVATE_KINDS)))
    rows = await session.scalars(query.order_by(Broadcast.id.desc()).limit(limit))
    return list(rows)
