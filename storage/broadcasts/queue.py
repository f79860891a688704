"""The outbox: launching a due broadcast (one row per recipient), claiming a row, recording
what happened to it, and settling rows left in doubt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    and_,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from storage.broadcasts.audiences import Audience, audience_query
from storage.broadcasts.models import (
    Broadcast,
    BroadcastStatus,
    InDoubt,
    OutboxMessage,
    OutboxStatus,
)
from storage.people import User

MAX_ATTEMPTS = 5


# --------------------------------------------------------------------------- launching


async def due_broadcasts(session: AsyncSession, now: datetime) -> list[int]:
    rows = await session.scalars(
        select(Broadcast.id)
        .where(Broadcast.status == BroadcastStatus.SCHEDULED, Broadcast.send_at <= now)
        .order_by(Broadcast.send_at, Broadcast.id)
    )
    return list(rows)


async def launch(session: AsyncSession, broadcast_id: int, now: datetime) -> int | None:
    """Flip a due broadcast to sending and write its outbox; the number of recipients,
    or None when someone else launched (or cancelled) it first."""
    broadcast = await session.scalar(
        select(Broadcast).where(Broadcast.id == broadcast_id).with_for_update()
    )
    if broadcast is None or broadcast.status != BroadcastStatus.SCHEDULED:
        return None
    flipped = await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.status == BroadcastStatus.SCHEDULED)
        .values(status=BroadcastStatus.SENDING.value, started_at=now)
    )
    if (flipped.rowcount or 0) != 1:  # type: ignore[attr-defined]
        return None
    recipients = audience_query(Audience.from_json(broadcast.audience)).subquery()
    await session.execute(
        insert(OutboxMessage).from_select(
            ["broadcast_id", "chat_id", "status", "attempts", "claimed_by", "error"],
            select(
                literal(broadcast_id),
                recipients.c.telegram_id,
                literal(OutboxStatus.PENDING.value),
                literal(0),
                literal(""),
                literal(""),
            ),
        )
    )
    count = int(
        await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.broadcast_id == broadcast_id)
        )
        or 0
    )
    await session.execute(
        update(Broadcast).where(Broadcast.id == broadcast_id).values(recipients=count)
    )
    return count


# --------------------------------------------------------------------------- claim, record


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    broadcast_id: int
    chat_id: int
    attempts: int


def _claimable(now: datetime, recover_in_doubt: bool) -> Any:
    pending = and_(
        OutboxMessage.status == OutboxStatus.PENDING,
        or_(OutboxMessage.not_before.is_(None), OutboxMessage.not_before <= now),
    )
    if not recover_in_doubt:
        return pending
    expired = and_(OutboxMessage.status == OutboxStatus.CLAIMED, OutboxMessage.claimed_until < now)
    return or_(pending, expired)


async def claim(
    session: AsyncSession,
    *,
    worker: str,
    now: datetime,
    lease: timedelta,
    limit: int = 1,
    in_doubt: InDoubt = InDoubt.RESEND,
    dialect: str = "sqlite",
) -> list[Claimed]:
    """Claim up to ``limit`` rows of sending broadcasts for ``worker``.

    Recipients who opted out since the launch are skipped here rather than sent.
    Call inside ``db.transaction()``; commit before sending.
    """
    query = (
        select(
            OutboxMessage.id,
            OutboxMessage.broadcast_id,
            OutboxMessage.chat_id,
            OutboxMessage.attempts,
        )
        .join(Broadcast, Broadcast.id == OutboxMessage.broadcast_id)
        .where(
            _claimable(now, in_doubt == InDoubt.RESEND),
            Broadcast.status == BroadcastStatus.SENDING,
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if dialect == "postgresql":
        query = query.with_for_update(of=OutboxMessage, skip_locked=True)
    rows = list(await session.execute(query))
    if not rows:
        return []
    opted_out = set(
        await session.scalars(
            select(User.telegram_id).where(
                User.telegram_id.in_([row[2] for row in rows]),
                or_(
                    User.announcements_enabled.is_(False),
                    User.messages_stopped.is_(True),
                    User.erased_at.is_not(None),
                ),
            )
        )
    )
    skip_ids = [row[0] for row in rows if row[2] in opted_out]
    if skip_ids:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(skip_ids))
            .values(status=OutboxStatus.SKIPPED.value, error="opted out", claimed_until=None)
        )
    keep = [row for row in rows if row[0] not in set(skip_ids)]
    if keep:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_([row[0] for row in keep]))
            .values(
                status=OutboxStatus.CLAIMED.value,
                claimed_by=worker[:64],
                claimed_until=now + lease,
                attempts=OutboxMessage.attempts + 1,
            )
        )
    return [Claimed(row[0], row[1], row[2], row[3] + 1) for row in keep]


async def has_claimable(session: AsyncSession, now: datetime, in_doubt: InDoubt) -> bool:
    """Whether a sender would find a row to send now. A read, so idle senders never take
    a write lock."""
    row = await session.scalar(
        select(OutboxMessage.id)
        .join(Broadcast, Broadcast.id == OutboxMessage.broadcast_id)
        .where(
            Broadcast.status == BroadcastStatus.SENDING, _claimable(now, in_doubt == InDoubt.RESEND)
        )
        .limit(1)
    )
    return row is not None


async def has_in_doubt(session: AsyncSession, now: datetime) -> bool:
    """Whether some row was left claimed by a sender whose lease ran out."""
    row = await session.scalar(
        select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.CLAIMED, OutboxMessage.claimed_until < now)
        .limit(1)
    )
    return row is not None


async def settle_in_doubt(session: AsyncSession, now: datetime) -> int:
    """Under the ``skip`` policy: rows whose sender died mid-send are failed, not resent."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.CLAIMED, OutboxMessage.claimed_until < now)
        .values(status=OutboxStatus.FAILED.value, error="in doubt: sender stopped mid-send")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def _finish_row(session: AsyncSession, row_id: int, worker: str, **values: Any) -> bool:
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == row_id,
            OutboxMessage.status == OutboxStatus.CLAIMED,
            OutboxMessage.claimed_by == worker[:64],
        )
        .values(claimed_until=None, **values)
    )
    return (result.rowcount or 0) == 1  # type: ignore[attr-defined]


async def record_sent(
    session: AsyncSession, row_id: int, *, worker: str, now: datetime, message_id: int | None
) -> bool:
    """False when the row was no longer this worker's (its lease ran out meanwhile)."""
    return await _finish_row(
        session,
        row_id,
        worker,
        status=OutboxStatus.SENT.value,
        sent_at=now,
        message_id=message_id,
    )


async def record_failed(session: AsyncSession, row_id: int, *, worker: str, error: str) -> bool:
    return await _finish_row(
        session, row_id, worker, status=OutboxStatus.FAILED.value, error=error[:200]
    )


async def release(
    session: AsyncSession, row_id: int, *, worker: str, not_before: datetime, error: str = ""
) -> bool:
    """Give a claimed row back to try later (rate limit, passing error, per-chat pause)."""
    return await _finish_row(
        session,
        row_id,
        worker,
        status=OutboxStatus.PENDING.value,
        not_before=not_before,
        error=error[:200],
    )


async def unclaim(session: AsyncSession, row_id: int, *, worker: str, not_before: datetime) -> bool:
    """Give a row back without counting an attempt (it was never sent)."""
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == row_id,
            OutboxMessage.status == OutboxStatus.CLAIMED,
            OutboxMessage.claimed_by == worker[:64],
        )
        .values(
            status=OutboxStatus.PENDING.value,
            not_before=not_before,
            claimed_until=None,
            attempts=OutboxMessage.attempts - 1,
        )
    )
    return (result.rowcount or 0) == 1  # type: ignore[attr-defined]
