"""Broadcasts: an announcement, its audience, and an outbox with one row per recipient.

Life of a broadcast::

    scheduled --launch--> sending --(no row left to send)--> done
        \\                    \\
         +--> cancelled        +--> cancelled (rows not yet sent are skipped)

*Launching* (at ``send_at``) computes the audience at that moment and writes one outbox
row per recipient in the same transaction that flips the status, so a broadcast is
launched once even with several senders; ``UNIQUE(broadcast_id, chat_id)`` makes a second
row for the same person impossible.

Sending one row is *claim → send → record*: the claim commits ``claimed`` with a lease,
the Bot API call follows at once, and the result is committed right after it. On
PostgreSQL claims use ``FOR UPDATE SKIP LOCKED`` so several senders share the outbox;
on SQLite ``BEGIN IMMEDIATE`` serialises them.

A row whose lease expired while ``claimed`` was in flight when its sender died: Telegram
may or may not have delivered it, and the Bot API offers no way to ask. What happens to
it is a policy (``in_doubt``): ``resend`` (default: nobody misses an announcement; a
message accepted by Telegram in the last instant before a crash could arrive twice) or
``skip`` (nobody ever gets one twice; those few people may miss it, and are counted).

Audiences are small functions returning a ``SELECT`` of Telegram ids; other areas add
theirs with ``add_audience_kind``. Whatever the audience, people who turned
announcements off, stopped all messages, blocked the bot, erased their data or never
agreed to the data notice are left out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    Text,
    UniqueConstraint,
    and_,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, BigId, UTCDateTime, utcnow
from storage.people import User

TEXT_MAX_CHARS = 4096
CAPTION_MAX_CHARS = 1024
MAX_ATTEMPTS = 5


class BroadcastStatus(StrEnum):
    SCHEDULED = "scheduled"
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"  # a sender is sending it right now (until claimed_until)
    SENT = "sent"
    FAILED = "failed"  # unreachable (blocked the bot), refused, or in doubt under "skip"
    SKIPPED = "skipped"  # opted out meanwhile, or the broadcast was cancelled


class InDoubt(StrEnum):
    RESEND = "resend"
    SKIP = "skip"


class Broadcast(Base):
    __tablename__ = "broadcasts"
    __table_args__ = (
        CheckConstraint("status IN ('scheduled', 'sending', 'done', 'cancelled')", name="status"),
        Index("ix_broadcasts_status_send_at", "status", "send_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    created_by: Mapped[int] = mapped_column(BigInteger)  # the staff member's Telegram id
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    text: Mapped[str] = mapped_column(Text)
    photo_file_id: Mapped[str] = mapped_column(String(255), default="")
    # A photo uploaded in the admin ("you said, we did"): its key in the file store
    # (storage.files), sent as bytes with the text as its caption.
    photo_key: Mapped[str] = mapped_column(String(255), default="", server_default="")
    audience: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), default=BroadcastStatus.SCHEDULED.value)
    send_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    # Where the sender shows live progress (the staff member's chat, an edited message).
    progress_chat_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    progress_message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # The same composing conversation creates one broadcast, however often it is retried.
    request_key: Mapped[str | None] = mapped_column(String(80), unique=True, nullable=True)


class OutboxMessage(Base):
    __tablename__ = "broadcast_outbox"
    __table_args__ = (
        UniqueConstraint("broadcast_id", "chat_id"),
        CheckConstraint(
            "status IN ('pending', 'claimed', 'sent', 'failed', 'skipped')", name="status"
        ),
        Index("ix_broadcast_outbox_claimable", "status", "not_before", "id"),
        Index("ix_broadcast_outbox_broadcast_status", "broadcast_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(8), default=OutboxStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    claimed_by: Mapped[str] = mapped_column(String(64), default="")
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    error: Mapped[str] = mapped_column(String(200), default="")


# --------------------------------------------------------------------------- audiences


@dataclass(frozen=True, slots=True)
class Audience:
    """Who gets a broadcast: a kind and its values (district codes, languages, ...)."""

    kind: str
    values: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "values": list(self.values)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Audience:
        return cls(str(data.get("kind", "")), tuple(str(v) for v in data.get("values") or ()))


AudienceBuilder = Callable[[tuple[str, ...]], Select[Any]]


def reachable_users() -> Select[Any]:
    """Telegram ids of everyone who may get announcements at all."""
    return select(User.telegram_id).where(
        User.consent_at.is_not(None),
        User.announcements_enabled.is_(True),
        User.messages_stopped.is_(False),
        User.unreachable_at.is_(None),
        User.erased_at.is_(None),
    )


def everyone(values: tuple[str, ...]) -> Select[Any]:
    return reachable_users()


def residents_of_districts(values: tuple[str, ...]) -> Select[Any]:
    return reachable_users().where(User.district_code.in_(values))


def speakers_of(values: tuple[str, ...]) -> Select[Any]:
    return reachable_users().where(User.language.in_(values))


AUDIENCE_KINDS: dict[str, AudienceBuilder] = {
    "everyone": everyone,
    "districts": residents_of_districts,
    "languages": speakers_of,
}


# Audiences of one person's own correspondence (a staff reply to a resident's case): sent
# through the outbox like announcements, never listed or shown among them.
PRIVATE_KINDS: set[str] = set()


def add_audience_kind(kind: str, builder: AudienceBuilder, *, private: bool = False) -> None:
    """Let another area (volunteers, associations, trainings) define an audience.

    ``builder(values)`` must start from ``reachable_users()`` so that opt-outs hold (a
    private audience, a reply someone asked for, may leave announcements_enabled aside).
    """
    if kind in AUDIENCE_KINDS:
        raise ValueError(f"audience kind {kind!r} registered twice")
    AUDIENCE_KINDS[kind] = builder
    if private:
        PRIVATE_KINDS.add(kind)


def is_private(broadcast: Broadcast) -> bool:
    return str((broadcast.audience or {}).get("kind", "")) in PRIVATE_KINDS


def audience_query(audience: Audience) -> Select[Any]:
    builder = AUDIENCE_KINDS.get(audience.kind)
    if builder is None:
        raise ValueError(f"unknown audience kind {audience.kind!r}")
    return builder(audience.values).distinct()


async def count_audience(session: AsyncSession, audience: Audience) -> int:
    subquery = audience_query(audience).subquery()
    return int(await session.scalar(select(func.count()).select_from(subquery)) or 0)


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
