"""Registering, cancelling, answering an offer, a deadline passing, staff calling a session
off; and reading one's registrations, places in line and rosters. Writes lock the session
row first (storage.trainings.seats)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.trainings.models import (
    ACTIVE,
    CANCELLED,
    DECLINED,
    EXPIRED,
    GENDERS,
    HOLDS_SEAT,
    OFFERED,
    REGISTERED,
    SCHEDULED,
    SESSION_CANCELLED,
    WAITLISTED,
    Changes,
    Course,
    Registration,
    SessionClosed,
    TrainingSession,
)
from storage.trainings.seats import (
    expire_overdue,
    lock_session,
    mirror,
    next_ticket,
    pass_seat_on,
    take_seat,
)


@dataclass
class RegisterOutcome:
    registration: Registration
    position: int | None  # on the waitlist; None when a seat is held
    already: bool  # the person was already registered or waiting
    changes: Changes


@dataclass
class CancelOutcome:
    registration: Registration | None  # None: not this person's, or nothing to cancel
    was: str  # the status before cancelling
    changes: Changes


@dataclass
class OfferAnswer:
    registration: Registration | None
    result: str  # "confirmed", "declined", "expired", "not_offered", "not_yours"
    changes: Changes


async def get_registration(session: AsyncSession, registration_id: int) -> Registration | None:
    return await session.get(Registration, registration_id)


async def registration_for(
    session: AsyncSession, session_id: int, telegram_id: int
) -> Registration | None:
    return await session.scalar(
        select(Registration).where(
            Registration.session_id == session_id, Registration.telegram_id == telegram_id
        )
    )


async def waiting_count(session: AsyncSession, session_id: int) -> int:
    count = await session.scalar(
        select(func.count()).where(
            Registration.session_id == session_id, Registration.status == WAITLISTED
        )
    )
    return int(count or 0)


async def waitlist_position(session: AsyncSession, registration: Registration) -> int | None:
    """1 for the first in line; None when not waiting."""
    if registration.status != WAITLISTED or registration.waitlist_no is None:
        return None
    ahead = await session.scalar(
        select(func.count()).where(
            Registration.session_id == registration.session_id,
            Registration.status == WAITLISTED,
            Registration.waitlist_no < registration.waitlist_no,
        )
    )
    return int(ahead or 0) + 1


async def my_registrations(
    session: AsyncSession, telegram_id: int, since: datetime
) -> list[tuple[Registration, TrainingSession, Course]]:
    """Active registrations for sessions ending after ``since``, soonest first."""
    rows = await session.execute(
        select(Registration, TrainingSession, Course)
        .join(TrainingSession, TrainingSession.id == Registration.session_id)
        .join(Course, Course.id == TrainingSession.course_id)
        .where(
            Registration.telegram_id == telegram_id,
            Registration.status.in_(ACTIVE),
            TrainingSession.ends_at > since,
        )
        .order_by(TrainingSession.starts_at, Registration.id)
    )
    return [(r, s, c) for r, s, c in rows.all()]


async def roster(session: AsyncSession, session_id: int) -> list[Registration]:
    """Everyone holding a seat or an offer, then the waitlist in order."""
    rows = await session.scalars(
        select(Registration)
        .where(Registration.session_id == session_id, Registration.status.in_(ACTIVE))
        .order_by(
            Registration.status == WAITLISTED,
            Registration.waitlist_no,
            Registration.id,
        )
    )
    return list(rows)


async def register(
    session: AsyncSession,
    *,
    session_id: int,
    telegram_id: int,
    now: datetime,
    offer_hours: float = 24,
    participant_name: str = "",
    gender: str = "",
    association_id: int | None = None,
    association_name: str = "",
) -> RegisterOutcome:
    """A seat if one is free and nobody is waiting for it, else the end of the waitlist.
    Pressing Register again returns the existing place unchanged."""
    training = await lock_session(session, session_id)
    if training is None or training.status != SCHEDULED or training.starts_at <= now:
        raise SessionClosed(session_id)
    changes = await expire_overdue(session, training, now, offer_hours)
    registration = await registration_for(session, session_id, telegram_id)
    if registration is not None and registration.status in ACTIVE:
        position = await waitlist_position(session, registration)
        return RegisterOutcome(registration, position, True, changes)
    nobody_waiting = await waiting_count(session, session_id) == 0
    if registration is None:
        registration = Registration(session_id=session_id, telegram_id=telegram_id, created_at=now)
    registration.participant_name = participant_name[:200]
    registration.gender = gender if gender in GENDERS else ""
    registration.association_id = association_id
    registration.association_name = association_name[:200]
    registration.attended_at, registration.offer_expires_at = None, None
    registration.updated_at = now
    if nobody_waiting and await take_seat(session, training):
        registration.status, registration.waitlist_no = REGISTERED, None
    else:
        ticket = await next_ticket(session, training)  # before touching the row: autoflush
        registration.status, registration.waitlist_no = WAITLISTED, ticket
    session.add(registration)
    await session.flush()
    position = await waitlist_position(session, registration)
    return RegisterOutcome(registration, position, False, changes)


async def cancel(
    session: AsyncSession,
    *,
    registration_id: int,
    telegram_id: int,
    now: datetime,
    offer_hours: float = 24,
    final_status: str = CANCELLED,
) -> CancelOutcome:
    """Cancel a seat, an offer or a waitlist place; a freed seat goes to the next in line.
    Only the registration's owner may cancel it; cancelling twice changes nothing."""
    registration = await session.get(Registration, registration_id)
    if registration is None or registration.telegram_id != telegram_id:
        return CancelOutcome(None, "", Changes())
    training = await lock_session(session, registration.session_id)
    await session.refresh(registration)
    assert training is not None
    changes = await expire_overdue(session, training, now, offer_hours)
    was = registration.status
    if was not in ACTIVE:
        return CancelOutcome(registration, was, changes)
    registration.status = final_status
    registration.waitlist_no, registration.offer_expires_at = None, None
    registration.updated_at = now
    await session.flush()
    if was in HOLDS_SEAT:
        offered = await pass_seat_on(session, training, now, offer_hours)
        if offered is not None:
            changes.offered.append(offered)
    return CancelOutcome(registration, was, changes)


async def answer_offer(
    session: AsyncSession,
    *,
    registration_id: int,
    telegram_id: int,
    accept: bool,
    now: datetime,
    offer_hours: float = 24,
) -> OfferAnswer:
    """Confirm or decline a seat offered from the waitlist (a global button: checked here)."""
    registration = await session.get(Registration, registration_id)
    if registration is None or registration.telegram_id != telegram_id:
        return OfferAnswer(None, "not_yours", Changes())
    training = await lock_session(session, registration.session_id)
    assert training is not None
    await session.refresh(registration)
    changes = await expire_overdue(session, training, now, offer_hours)
    if registration.status == EXPIRED and registration in changes.expired:
        changes.expired.remove(registration)  # the presser is told directly
        return OfferAnswer(registration, "expired", changes)
    if registration.status != OFFERED:
        return OfferAnswer(registration, "not_offered", changes)
    if accept:
        registration.status, registration.offer_expires_at = REGISTERED, None
        registration.updated_at = now
        await session.flush()
        return OfferAnswer(registration, "confirmed", changes)
    outcome = await cancel(
        session,
        registration_id=registration_id,
        telegram_id=telegram_id,
        now=now,
        offer_hours=offer_hours,
        final_status=DECLINED,
    )
    changes.extend(outcome.changes)
    return OfferAnswer(registration, "declined", changes)


async def expire_offer(
    session: AsyncSession, *, registration_id: int, now: datetime, offer_hours: float = 24
) -> Changes:
    """The scheduler's entry point when an offer's deadline comes."""
    registration = await session.get(Registration, registration_id)
    if registration is None:
        return Changes()
    training = await lock_session(session, registration.session_id)
    if training is None:
        return Changes()
    return await expire_overdue(session, training, now, offer_hours)


async def cancel_session(
    session: AsyncSession, *, session_id: int, now: datetime
) -> list[Registration]:
    """Staff call a session off: every seat, offer and waiting place ends with it. Returns the
    registrations that were active (their people are told); cancelling twice returns []."""
    training = await lock_session(session, session_id)
    if training is None or training.status != SCHEDULED:
        return []
    active = list(
        await session.scalars(
            select(Registration).where(
                Registration.session_id == session_id, Registration.status.in_(ACTIVE)
            )
        )
    )
    for registration in active:
        registration.status, registration.updated_at = CANCELLED, now
        registration.waitlist_no, registration.offer_expires_at = None, None
    training.status = SESSION_CANCELLED
    training.checkin_code, training.checkin_expires_at = None, None
    await session.flush()
    await session.execute(
        update(TrainingSession).where(TrainingSession.id == session_id).values(seats_taken=0)
    )
    mirror(training, "seats_taken", 0)
    return active
