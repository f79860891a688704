"""The seat rules every writing operation shares: the session row locked, seats taken and
released by SQL arithmetic under the database's CHECK, waitlist tickets, a freed seat offered
to the next in line, overdue offers expired. Every function runs inside the caller's writing
transaction."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from storage.people import User
from storage.trainings.models import (
    EXPIRED,
    MIN_OFFER,
    OFFERED,
    SCHEDULED,
    WAITLISTED,
    Changes,
    Registration,
    TrainingSession,
)


def offer_deadline(now: datetime, starts_at: datetime, offer_hours: float) -> datetime | None:
    """How long the next in line has to confirm: ``offer_hours``, but at most half the time
    left before the session (at least 30 minutes, or until the start if it is sooner).
    None once the session has started: nobody is offered a seat any more."""
    if now >= starts_at:
        return None
    left = starts_at - now
    window = min(timedelta(hours=offer_hours), left / 2)
    window = max(window, min(MIN_OFFER, left))
    return now + window


async def lock_session(session: AsyncSession, session_id: int) -> TrainingSession | None:
    """The session row, locked until commit (FOR UPDATE; SQLite's BEGIN IMMEDIATE already
    serialises writers), read fresh from the database."""
    return await session.scalar(
        select(TrainingSession)
        .where(TrainingSession.id == session_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def mirror(training: TrainingSession, column: str, value: int) -> None:
    """Keep the loaded row in step with an UPDATE already sent, without the ORM writing the
    absolute value back at the next flush (the counters change only by SQL arithmetic)."""
    set_committed_value(training, column, value)


async def take_seat(session: AsyncSession, training: TrainingSession) -> bool:
    """One seat, or False when full; the database's CHECK backs the WHERE."""
    result = await session.execute(
        update(TrainingSession)
        .where(
            TrainingSession.id == training.id,
            TrainingSession.seats_taken < TrainingSession.capacity,
        )
        .values(seats_taken=TrainingSession.seats_taken + 1)
        .execution_options(synchronize_session=False)
    )
    taken = (result.rowcount or 0) == 1  # type: ignore[attr-defined]
    if taken:
        mirror(training, "seats_taken", training.seats_taken + 1)
    return taken


async def release_seat(session: AsyncSession, training: TrainingSession) -> None:
    await session.execute(
        update(TrainingSession)
        .where(TrainingSession.id == training.id)
        .values(seats_taken=TrainingSession.seats_taken - 1)
        .execution_options(synchronize_session=False)
    )
    mirror(training, "seats_taken", training.seats_taken - 1)


async def next_ticket(session: AsyncSession, training: TrainingSession) -> int:
    await session.execute(
        update(TrainingSession)
        .where(TrainingSession.id == training.id)
        .values(waitlist_seq=TrainingSession.waitlist_seq + 1)
        .execution_options(synchronize_session=False)
    )
    mirror(training, "waitlist_seq", training.waitlist_seq + 1)
    return training.waitlist_seq


async def pass_seat_on(
    session: AsyncSession, training: TrainingSession, now: datetime, offer_hours: float
) -> Registration | None:
    """A held seat became free: offer it to the first in line, or give it back.
    The seat count does not change when it goes to someone else."""
    deadline = offer_deadline(now, training.starts_at, offer_hours)
    first = None
    if deadline is not None and training.status == SCHEDULED:
        first = await session.scalar(
            select(Registration)
            .outerjoin(User, User.telegram_id == Registration.telegram_id)
            .where(
                Registration.session_id == training.id,
                Registration.status == WAITLISTED,
                # people who blocked the bot or stopped its messages could never confirm:
                # they keep their place in line, and the seat goes to the next person
                or_(User.id.is_(None), and_(~User.messages_stopped, User.unreachable_at.is_(None))),
            )
            .order_by(Registration.waitlist_no)
            .limit(1)
        )
    if first is None:
        await release_seat(session, training)
        return None
    first.status, first.waitlist_no = OFFERED, None
    first.offer_expires_at, first.updated_at = deadline, now
    first.offers_made += 1
    await session.flush()
    return first


async def expire_overdue(
    session: AsyncSession, training: TrainingSession, now: datetime, offer_hours: float
) -> Changes:
    """Offers whose deadline passed go to the next in line (also run by the scheduler)."""
    changes = Changes()
    while True:
        overdue = list(
            await session.scalars(
                select(Registration)
                .where(
                    Registration.session_id == training.id,
                    Registration.status == OFFERED,
                    Registration.offer_expires_at <= now,
                )
                .order_by(Registration.offer_expires_at, Registration.id)
            )
        )
        if not overdue:
            return changes
        for registration in overdue:
            registration.status, registration.updated_at = EXPIRED, now
            changes.expired.append(registration)
            await session.flush()
            offered = await pass_seat_on(session, training, now, offer_hours)
            if offered is not None:
                changes.offered.append(offered)
