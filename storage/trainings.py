"""Trainings: courses, their sessions, registrations with a waitlist, attendance,
feedback, and training suggestions.

How the database keeps a session from being overbooked
------------------------------------------------------
Each session row counts the seats held (``seats_taken``: registered people plus people
holding an offer) under ``CHECK (seats_taken <= capacity)``. A seat is taken with one
conditional ``UPDATE ... SET seats_taken = seats_taken + 1 WHERE seats_taken < capacity``;
whatever the Python code does, the database refuses a 21st seat of 20. Every operation
that reads a session to decide a write first locks the session row (``SELECT ... FOR
UPDATE`` on PostgreSQL; on SQLite the writing transaction is ``BEGIN IMMEDIATE``), so
registrations of one session are served one at a time, in arrival order: the waitlist
ticket (``waitlist_no``) comes from the same locked row and is unique per session.

One person has one registration row per session (``UNIQUE(session_id, telegram_id)``):
pressing Register twice, or registering again after cancelling, reuses it.

Waitlist
--------
``waitlisted`` -> (a seat frees up) ``offered`` with a deadline -> ``registered`` on
confirm, or ``declined`` / ``expired``, and the seat is offered to the next in line.
Operations return the offers they made and the offers they expired, so the bot can tell
those people at once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm.attributes import set_committed_value

from storage.base import Base, BigId, UTCDateTime, utcnow
from storage.people import User

# Registration statuses.
REGISTERED = "registered"
WAITLISTED = "waitlisted"
OFFERED = "offered"
CANCELLED = "cancelled"
DECLINED = "declined"
EXPIRED = "expired"
STATUSES = (REGISTERED, WAITLISTED, OFFERED, CANCELLED, DECLINED, EXPIRED)
ACTIVE = (REGISTERED, WAITLISTED, OFFERED)
HOLDS_SEAT = (REGISTERED, OFFERED)

SCHEDULED = "scheduled"
SESSION_CANCELLED = "cancelled"

GENDERS = ("female", "male", "unspecified")
CHECKIN_CODE_DIGITS = 4
# An offer is never shorter than this (unless the session starts sooner)...
MIN_OFFER = timedelta(minutes=30)
# ...and nobody is offered a seat once the session has started.


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


class Course(Base):
    __tablename__ = "training_courses"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    # The capacity domain it strengthens (storage.associations.DOMAINS), for recommendations.
    topic: Mapped[str] = mapped_column(String(32), index=True)
    title_ar: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    title_fr: Mapped[str] = mapped_column(String(200))
    description_ar: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_fr: Mapped[str] = mapped_column(Text, default="")
    hours: Mapped[int] = mapped_column(Integer, default=0)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def title(self, language: str) -> str:
        return {"ar": self.title_ar, "fr": self.title_fr}.get(language, self.title_en)

    def description(self, language: str) -> str:
        return {"ar": self.description_ar, "fr": self.description_fr}.get(
            language, self.description_en
        )


class TrainingSession(Base):
    __tablename__ = "training_sessions"
    __table_args__ = (
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("seats_taken >= 0 AND seats_taken <= capacity", name="seats_within"),
        CheckConstraint("waitlist_seq >= 0", name="waitlist_seq"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(f"status IN ({_in((SCHEDULED, SESSION_CANCELLED))})", name="status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    course_id: Mapped[int] = mapped_column(
        ForeignKey("training_courses.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    branch_code: Mapped[str | None] = mapped_column(
        ForeignKey("branches.code", ondelete="SET NULL"), nullable=True
    )
    place: Mapped[str] = mapped_column(String(300), default="")
    language: Mapped[str] = mapped_column(String(8), default="ar")
    trainer_name: Mapped[str] = mapped_column(String(200), default="")
    capacity: Mapped[int] = mapped_column(Integer)
    seats_taken: Mapped[int] = mapped_column(Integer, default=0)
    waitlist_seq: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default=SCHEDULED)
    checkin_code: Mapped[str | None] = mapped_column(String(8), nullable=True)
    checkin_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Registration(Base):
    """One person's place in one session: a seat, an offer, or a waitlist ticket.

    ``gender`` and ``association_*`` are copied at registration time, so monitoring
    figures do not move when a profile changes later.
    """

    __tablename__ = "training_registrations"
    __table_args__ = (
        UniqueConstraint("session_id", "telegram_id"),
        UniqueConstraint("session_id", "waitlist_no"),
        CheckConstraint(f"status IN ({_in(STATUSES)})", name="status"),
        CheckConstraint(
            f"(status = '{WAITLISTED}' AND waitlist_no IS NOT NULL) "
            f"OR (status <> '{WAITLISTED}' AND waitlist_no IS NULL)",
            name="waitlist_ticket",
        ),
        CheckConstraint(
            f"status <> '{OFFERED}' OR offer_expires_at IS NOT NULL", name="offer_deadline"
        ),
        CheckConstraint(
            "feedback_rating IS NULL OR (feedback_rating >= 1 AND feedback_rating <= 5)",
            name="rating_range",
        ),
        CheckConstraint(f"gender IN ('', {_in(GENDERS)})", name="gender"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("training_sessions.id", ondelete="CASCADE"), index=True
    )
    # NULL once the person erased their data (/delete): the anonymous counts remain.
    telegram_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.telegram_id", ondelete="SET NULL"), nullable=True, index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    waitlist_no: Mapped[int | None] = mapped_column(Integer, nullable=True)
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    offers_made: Mapped[int] = mapped_column(Integer, default=0)
    participant_name: Mapped[str] = mapped_column(String(200), default="")
    gender: Mapped[str] = mapped_column(String(16), default="")
    association_id: Mapped[int | None] = mapped_column(
        ForeignKey("associations.id", ondelete="SET NULL"), nullable=True
    )
    association_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    feedback_rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    feedback_comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    feedback_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class TrainingSuggestion(Base):
    __tablename__ = "training_suggestions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    telegram_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.telegram_id", ondelete="SET NULL"), nullable=True
    )
    text: Mapped[str] = mapped_column(Text)
    association_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


# --- outcomes ------------------------------------------------------------------------------


class SessionClosed(Exception):
    """The session is cancelled, has started, or does not exist."""


@dataclass
class Changes:
    """Offers this operation made (tell those people now) and offers it let expire."""

    offered: list[Registration] = field(default_factory=list)
    expired: list[Registration] = field(default_factory=list)

    def extend(self, other: Changes) -> None:
        self.offered.extend(other.offered)
        self.expired.extend(other.expired)


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


# --- the catalogue (staff: CLI, admin app, demo data) ------------------------------------------


async def upsert_course(
    session: AsyncSession,
    *,
    code: str,
    topic: str,
    titles: tuple[str, str, str],
    descriptions: tuple[str, str, str] = ("", "", ""),
    hours: int = 0,
    sort_order: int | None = None,
) -> Course:
    """Create the course with this code, or update it; titles and descriptions in (ar, en, fr)."""
    course = await session.scalar(select(Course).where(Course.code == code))
    if course is None:
        course = Course(code=code)
        if sort_order is None:
            sort_order = int(await session.scalar(select(func.count(Course.id))) or 0)
        session.add(course)
    course.topic, course.hours, course.active = topic, hours, True
    course.title_ar, course.title_en, course.title_fr = titles
    course.description_ar, course.description_en, course.description_fr = descriptions
    if sort_order is not None:
        course.sort_order = sort_order
    await session.flush()
    return course


async def add_session(
    session: AsyncSession,
    *,
    course_id: int,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    branch_code: str | None = None,
    place: str = "",
    language: str = "ar",
    trainer_name: str = "",
) -> TrainingSession:
    """A new scheduled session (the database checks the capacity and the times)."""
    training = TrainingSession(
        course_id=course_id,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        branch_code=branch_code,
        place=place,
        language=language,
        trainer_name=trainer_name,
    )
    session.add(training)
    await session.flush()
    return training


async def list_courses(session: AsyncSession) -> list[Course]:
    return list(await session.scalars(select(Course).order_by(Course.sort_order, Course.id)))


# --- reading -------------------------------------------------------------------------------


async def courses_with_upcoming_sessions(
    session: AsyncSession, now: datetime
) -> list[tuple[Course, int]]:
    """Active courses that have sessions still to come, with how many."""
    rows = await session.execute(
        select(Course, func.count(TrainingSession.id))
        .join(TrainingSession, TrainingSession.course_id == Course.id)
        .where(
            Course.active.is_(True),
            TrainingSession.status == SCHEDULED,
            TrainingSession.starts_at > now,
        )
        .group_by(Course.id)
        .order_by(Course.sort_order, Course.id)
    )
    return [(course, int(n)) for course, n in rows.all()]


async def get_course(session: AsyncSession, course_id: int) -> Course | None:
    return await session.get(Course, course_id)


async def courses_for_topics(session: AsyncSession, topics: list[str]) -> list[Course]:
    rows = await session.scalars(
        select(Course)
        .where(Course.active.is_(True), Course.topic.in_(topics))
        .order_by(Course.sort_order, Course.id)
    )
    return list(rows)


async def upcoming_sessions(
    session: AsyncSession, course_id: int, now: datetime
) -> list[TrainingSession]:
    rows = await session.scalars(
        select(TrainingSession)
        .where(
            TrainingSession.course_id == course_id,
            TrainingSession.status == SCHEDULED,
            TrainingSession.starts_at > now,
        )
        .order_by(TrainingSession.starts_at, TrainingSession.id)
    )
    return list(rows)


async def get_session(session: AsyncSession, session_id: int) -> TrainingSession | None:
    return await session.get(TrainingSession, session_id)


async def session_with_course(
    session: AsyncSession, session_id: int
) -> tuple[TrainingSession, Course] | None:
    row = (
        await session.execute(
            select(TrainingSession, Course)
            .join(Course, Course.id == TrainingSession.course_id)
            .where(TrainingSession.id == session_id)
        )
    ).first()
    return (row[0], row[1]) if row else None


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


async def sessions_between(
    session: AsyncSession, start: datetime, end: datetime
) -> list[tuple[TrainingSession, Course]]:
    """Scheduled sessions overlapping [start, end) (for trainers opening check-in)."""
    rows = await session.execute(
        select(TrainingSession, Course)
        .join(Course, Course.id == TrainingSession.course_id)
        .where(
            TrainingSession.status == SCHEDULED,
            TrainingSession.starts_at < end,
            TrainingSession.ends_at > start,
        )
        .order_by(TrainingSession.starts_at, TrainingSession.id)
    )
    return [(s, c) for s, c in rows.all()]


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


# --- the deadline of an offer ----------------------------------------------------------------


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


# --- writing: every function below runs inside the caller's writing transaction -------------


async def _lock_session(session: AsyncSession, session_id: int) -> TrainingSession | None:
    """The session row, locked until commit (FOR UPDATE; SQLite's BEGIN IMMEDIATE already
    serialises writers), read fresh from the database."""
    return await session.scalar(
        select(TrainingSession)
        .where(TrainingSession.id == session_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _mirror(training: TrainingSession, column: str, value: int) -> None:
    """Keep the loaded row in step with an UPDATE already sent, without the ORM writing the
    absolute value back at the next flush (the counters change only by SQL arithmetic)."""
    set_committed_value(training, column, value)


async def _take_seat(session: AsyncSession, training: TrainingSession) -> bool:
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
        _mirror(training, "seats_taken", training.seats_taken + 1)
    return taken


async def _release_seat(session: AsyncSession, training: TrainingSession) -> None:
    await session.execute(
        update(TrainingSession)
        .where(TrainingSession.id == training.id)
        .values(seats_taken=TrainingSession.seats_taken - 1)
        .execution_options(synchronize_session=False)
    )
    _mirror(training, "seats_taken", training.seats_taken - 1)


async def _next_ticket(session: AsyncSession, training: TrainingSession) -> int:
    await session.execute(
        update(TrainingSession)
        .where(TrainingSession.id == training.id)
        .values(waitlist_seq=TrainingSession.waitlist_seq + 1)
        .execution_options(synchronize_session=False)
    )
    _mirror(training, "waitlist_seq", training.waitlist_seq + 1)
    return training.waitlist_seq


async def _pass_seat_on(
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
        await _release_seat(session, training)
        return None
    first.status, first.waitlist_no = OFFERED, None
    first.offer_expires_at, first.updated_at = deadline, now
    first.offers_made += 1
    await session.flush()
    return first


async def _expire_overdue(
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
            offered = await _pass_seat_on(session, training, now, offer_hours)
            if offered is not None:
                changes.offered.append(offered)


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
    training = await _lock_session(session, session_id)
    if training is None or training.status != SCHEDULED or training.starts_at <= now:
        raise SessionClosed(session_id)
    changes = await _expire_overdue(session, training, now, offer_hours)
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
    if nobody_waiting and await _take_seat(session, training):
        registration.status, registration.waitlist_no = REGISTERED, None
    else:
        ticket = await _next_ticket(session, training)  # before touching the row: autoflush
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
    training = await _lock_session(session, registration.session_id)
    await session.refresh(registration)
    assert training is not None
    changes = await _expire_overdue(session, training, now, offer_hours)
    was = registration.status
    if was not in ACTIVE:
        return CancelOutcome(registration, was, changes)
    registration.status = final_status
    registration.waitlist_no, registration.offer_expires_at = None, None
    registration.updated_at = now
    await session.flush()
    if was in HOLDS_SEAT:
        offered = await _pass_seat_on(session, training, now, offer_hours)
        if offered is not None:
            changes.offered.append(offered)
    return CancelOutcome(registration, was, changes)


@dataclass
class OfferAnswer:
    registration: Registration | None
    result: str  # "confirmed", "declined", "expired", "not_offered", "not_yours"
    changes: Changes


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
    training = await _lock_session(session, registration.session_id)
    assert training is not None
    await session.refresh(registration)
    changes = await _expire_overdue(session, training, now, offer_hours)
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
    training = await _lock_session(session, registration.session_id)
    if training is None:
        return Changes()
    return await _expire_overdue(session, training, now, offer_hours)


async def cancel_session(
    session: AsyncSession, *, session_id: int, now: datetime
) -> list[Registration]:
    """Staff call a session off: every seat, offer and waiting place ends with it. Returns the
    registrations that were active (their people are told); cancelling twice returns []."""
    training = await _lock_session(session, session_id)
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
    _mirror(training, "seats_taken", 0)
    return active


# --- attendance ------------------------------------------------------------------------------


def new_checkin_code() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(CHECKIN_CODE_DIGITS))


async def open_checkin(
    session: AsyncSession, *, session_id: int, now: datetime, minutes: int
) -> TrainingSession:
    """A fresh check-in code for the trainer to show, valid ``minutes`` from now."""
    training = await _lock_session(session, session_id)
    if training is None or training.status != SCHEDULED:
        raise SessionClosed(session_id)
    code = new_checkin_code()
    while code == training.checkin_code:
        code = new_checkin_code()
    training.checkin_code = code
    training.checkin_expires_at = now + timedelta(minutes=minutes)
    await session.flush()
    return training


async def close_checkin(session: AsyncSession, *, session_id: int) -> None:
    training = await _lock_session(session, session_id)
    if training is not None:
        training.checkin_code, training.checkin_expires_at = None, None


@dataclass
class CheckIn:
    result: str  # "present", "already", "wrong_code", "not_registered"
    registration: Registration | None = None
    training: TrainingSession | None = None


async def check_in(session: AsyncSession, *, telegram_id: int, code: str, now: datetime) -> CheckIn:
    """Mark the person present in the session whose open check-in code they typed.
    Only people holding a confirmed seat count."""
    rows = await session.execute(
        select(Registration, TrainingSession)
        .join(TrainingSession, TrainingSession.id == Registration.session_id)
        .where(
            TrainingSession.checkin_code == code,
            TrainingSession.checkin_expires_at > now,
            TrainingSession.status == SCHEDULED,
        )
    )
    open_sessions = rows.all()
    if not open_sessions:
        return CheckIn("wrong_code")
    for registration, training in open_sessions:
        if registration.telegram_id != telegram_id:
            continue
        result = _record_attendance(registration, now)
        await session.flush()
        return CheckIn(result, registration, training)
    return CheckIn("not_registered", None, open_sessions[0][1])


def _record_attendance(registration: Registration, now: datetime) -> str:
    """The one rule of attendance, for the code typed in the bot and for staff marking
    people present in the admin app: only a confirmed seat counts, and a second mark
    changes nothing. "present", "already" or "not_registered"."""
    if registration.status != REGISTERED:
        return "not_registered"
    if registration.attended_at is not None:
        return "already"
    registration.attended_at, registration.updated_at = now, now
    return "present"


def attended(registration: Registration) -> bool:
    """Present with a confirmed seat: gets the certificate and the feedback questions."""
    return registration.status == REGISTERED and registration.attended_at is not None


class NotStarted(Exception):
    """Attendance cannot be marked before the session starts."""


async def mark_attendance(
    session: AsyncSession, *, session_id: int, registration_ids: list[int], now: datetime
) -> dict[int, str]:
    """Staff mark people present (after the session started), exactly as if each had typed
    the check-in code: {registration id: "present" | "already" | "not_registered"}.
    Ids of other sessions are ignored; marking twice changes nothing."""
    training = await _lock_session(session, session_id)
    if training is None or training.status != SCHEDULED:
        raise SessionClosed(session_id)
    if training.starts_at > now:
        raise NotStarted(session_id)
    if not registration_ids:
        return {}
    registrations = await session.scalars(
        select(Registration)
        .where(Registration.session_id == session_id, Registration.id.in_(registration_ids))
        .order_by(Registration.id)
        .execution_options(populate_existing=True)
    )
    results = {r.id: _record_attendance(r, now) for r in registrations}
    await session.flush()
    return results


@dataclass(frozen=True)
class SessionFigures:
    """A session with its seat, waitlist, offer and attendance counts (no names)."""

    training: TrainingSession
    course: Course
    registered: int
    waitlisted: int
    offered: int
    present: int


async def sessions_overview(
    session: AsyncSession, *, since: datetime | None = None, until: datetime | None = None
) -> list[SessionFigures]:
    """Every session starting in [since, until), by course order then date, with counts."""

    def counted(*conditions: Any) -> Any:
        return func.count(Registration.id).filter(*conditions)

    query = (
        select(
            TrainingSession,
            Course,
            counted(Registration.status == REGISTERED),
            counted(Registration.status == WAITLISTED),
            counted(Registration.status == OFFERED),
            counted(Registration.status == REGISTERED, Registration.attended_at.is_not(None)),
        )
        .join(Course, Course.id == TrainingSession.course_id)
        .outerjoin(Registration, Registration.session_id == TrainingSession.id)
        .group_by(TrainingSession.id, Course.id)
        .order_by(Course.sort_order, Course.id, TrainingSession.starts_at, TrainingSession.id)
    )
    if since is not None:
        query = query.where(TrainingSession.starts_at >= since)
    if until is not None:
        query = query.where(TrainingSession.starts_at < until)
    rows = await session.execute(query)
    return [
        SessionFigures(t, c, int(reg), int(wait), int(offer), int(present))
        for t, c, reg, wait, offer, present in rows.all()
    ]


async def roster_with_phones(
    session: AsyncSession, session_id: int
) -> list[tuple[Registration, str]]:
    """The roster (seats, offers, then the waitlist in order) with each person's phone."""
    rows = await session.execute(
        select(Registration, User.phone)
        .outerjoin(User, User.telegram_id == Registration.telegram_id)
        .where(Registration.session_id == session_id, Registration.status.in_(ACTIVE))
        .order_by(
            Registration.status == WAITLISTED,
            Registration.status == OFFERED,
            Registration.waitlist_no,
            Registration.id,
        )
    )
    return [(r, phone or "") for r, phone in rows.all()]


async def attendance_counts(session: AsyncSession, session_id: int) -> tuple[int, int]:
    """(present, holding a confirmed seat)."""
    row = (
        await session.execute(
            select(
                func.count(Registration.attended_at),
                func.count(Registration.id),
            ).where(Registration.session_id == session_id, Registration.status == REGISTERED)
        )
    ).one()
    return int(row[0]), int(row[1])


# --- feedback and suggestions -------------------------------------------------------------------


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


# --- personal data ------------------------------------------------------------------------------


async def export_person(session: AsyncSession, telegram_id: int) -> dict[str, Any]:
    rows = await session.execute(
        select(Registration, TrainingSession, Course)
        .join(TrainingSession, TrainingSession.id == Registration.session_id)
        .join(Course, Course.id == TrainingSession.course_id)
        .where(Registration.telegram_id == telegram_id)
        .order_by(TrainingSession.starts_at)
    )
    registrations = [
        {
            "course": course.title_en,
            "starts_at": training.starts_at.isoformat(),
            "status": registration.status,
            "name": registration.participant_name,
            "gender": registration.gender,
            "association": registration.association_name,
            "attended": registration.attended_at is not None,
            "rating": registration.feedback_rating,
            "comment": registration.feedback_comment,
        }
        for registration, training, course in rows.all()
    ]
    suggestions = [
        {"text": s.text, "at": s.created_at.isoformat()}
        for s in await session.scalars(
            select(TrainingSuggestion).where(TrainingSuggestion.telegram_id == telegram_id)
        )
    ]
    out: dict[str, Any] = {}
    if registrations:
        out["registrations"] = registrations
    if suggestions:
        out["suggestions"] = suggestions
    return out


async def erase_person(
    session: AsyncSession, telegram_id: int, *, now: datetime, offer_hours: float = 24
) -> Changes:
    """Give up every place in sessions still to come (the waitlist moves on), then blank the
    person's registrations and drop their suggestions: gender, association and attendance stay
    as anonymous counts for the programme's reports; the name, comments and suggestions go.
    The core eraser (storage.privacy) then points the registrations at the anonymised user."""
    changes = Changes()
    active = await session.scalars(  # past sessions keep their seats: they are history
        select(Registration.id)
        .join(TrainingSession, TrainingSession.id == Registration.session_id)
        .where(
            Registration.telegram_id == telegram_id,
            Registration.status.in_(ACTIVE),
            TrainingSession.starts_at > now,
        )
    )
    for registration_id in list(active):
        outcome = await cancel(
            session,
            registration_id=registration_id,
            telegram_id=telegram_id,
            now=now,
            offer_hours=offer_hours,
        )
        changes.extend(outcome.changes)
    await session.execute(
        update(Registration)
        .where(Registration.telegram_id == telegram_id)
        .values(participant_name="", feedback_comment=None)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        delete(TrainingSuggestion).where(TrainingSuggestion.telegram_id == telegram_id)
    )
    return changes
