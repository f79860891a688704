"""Reminders due at a moment: one row each, claimed exactly once when sent.

Areas (trainings, consultations) create them with a ``kind`` and a ``ref``; the
scheduler asks the area's renderer for the text when the moment comes, so a
cancelled booking simply renders nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Float, Index, LargeBinary, String, Unicode, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, BigId, UTCDateTime, utcnow


class Reminder(Base):
    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_due", "sent_at", "cancelled_at", "due_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # e.g. "consultation-24h:812"; re-scheduling the same key moves the reminder.
    key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    ref: Mapped[int] = mapped_column(BigInteger)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SchedulerJob(Base):
    """APScheduler's persistent job store table (same shape as its SQLAlchemyJobStore),
    declared here so that Alembic creates it with everything else."""

    __tablename__ = "apscheduler_jobs"

    id: Mapped[str] = mapped_column(Unicode(191), primary_key=True)
    next_run_time: Mapped[float | None] = mapped_column(Float(25), index=True)
    job_state: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)


async def schedule(
    session: AsyncSession, *, key: str, kind: str, ref: int, chat_id: int, due_at: datetime
) -> Reminder:
    """Create the reminder, or move it if one with this key exists (and is unsent)."""
    reminder = await session.scalar(select(Reminder).where(Reminder.key == key))
    if reminder is None:
        reminder = Reminder(key=key, kind=kind, ref=ref, chat_id=chat_id, due_at=due_at)
        session.add(reminder)
    elif reminder.sent_at is None:
        reminder.due_at, reminder.chat_id, reminder.cancelled_at = due_at, chat_id, None
    await session.flush()
    return reminder


async def cancel(session: AsyncSession, key_prefix: str, now: datetime | None = None) -> int:
    """Cancel every unsent reminder whose key starts with ``key_prefix`` (at ``now``, from the
    caller's clock; the wall clock only for callers that have none)."""
    result = await session.execute(
        update(Reminder)
        .where(
            Reminder.key.startswith(key_prefix),
            Reminder.sent_at.is_(None),
            Reminder.cancelled_at.is_(None),
        )
        .values(cancelled_at=now or utcnow())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def due(session: AsyncSession, now: datetime, limit: int = 500) -> list[Reminder]:
    rows = await session.scalars(
        select(Reminder)
        .where(Reminder.sent_at.is_(None), Reminder.cancelled_at.is_(None), Reminder.due_at <= now)
        .order_by(Reminder.due_at, Reminder.id)
        .limit(limit)
    )
    return list(rows)


async def claim(session: AsyncSession, reminder_id: int, now: datetime) -> bool:
    """Mark one reminder sent; False if another worker (or an earlier run) already did."""
    result = await session.execute(
        update(Reminder)
        .where(
            Reminder.id == reminder_id, Reminder.sent_at.is_(None), Reminder.cancelled_at.is_(None)
        )
        .values(sent_at=now)
    )
    return (result.rowcount or 0) == 1  # type: ignore[attr-defined]


async def release(session: AsyncSession, reminder_id: int) -> None:
    """Undo a claim whose delivery failed for a passing reason; the next sweep retries it."""
    await session.execute(update(Reminder).where(Reminder.id == reminder_id).values(sent_at=None))
