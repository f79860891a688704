"""Consultations and technical-support sessions: consultants, their availability, bookings.

A consultant is a staff member (``staff_members``) with topics, a weekly timetable at one
or more branches, and exceptions (a day off, an extra morning). Free slots are derived
from that timetable with the consultant's session length, buffer and minimum notice,
minus what is already booked.

No slot is ever booked twice: a partial unique index on (consultant_id, starts_at) over
active bookings is the last word in the database, and every booking or move runs in one
transaction that first locks the consultant and the requester (``FOR UPDATE`` on
PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` serialises writers), then re-checks the slot, so
overlapping times (different starts, or a session length changed meanwhile) are refused
too. A requester cannot hold two bookings at overlapping times either.

Times are aware UTC in the database; the timetable is in the programme's local time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage import reminders
from storage.base import Base, BigId, UTCDateTime, utcnow
from storage.people import StaffMember, User

# Topic codes shared with the capacity-assessment area (labels live with the conversations).
TOPICS = (
    "strategic_planning",
    "project_management",
    "hr",
    "financial_management",
    "me",
    "governance",
    "fundraising",
    "advocacy",
    "archiving",
)

DESCRIPTION_MAX_CHARS = 500
NOTE_MAX_CHARS = 1000
COMMENT_MAX_CHARS = 1000
MINUTES_PER_DAY = 24 * 60


class BookingKind(StrEnum):
    CONSULTATION = "consultation"
    TECHNICAL_SUPPORT = "technical_support"


class BookingStatus(StrEnum):
    BOOKED = "booked"  # active: holds the slot
    CANCELLED = "cancelled"
    DONE = "done"  # the consultant recorded that it took place
    MISSED = "missed"  # the consultant recorded that it did not take place


class ExceptionKind(StrEnum):
    OFF = "off"  # not available (whole day when no times are given)
    EXTRA = "extra"  # available outside the weekly timetable


ACTIVE = BookingStatus.BOOKED.value


# --------------------------------------------------------------------------- models


class Consultant(Base):
    __tablename__ = "consultants"
    __table_args__ = (
        CheckConstraint("session_minutes BETWEEN 15 AND 480", name="session_minutes"),
        CheckConstraint("buffer_minutes BETWEEN 0 AND 240", name="buffer_minutes"),
        CheckConstraint("min_notice_hours BETWEEN 0 AND 720", name="min_notice_hours"),
        CheckConstraint("horizon_days BETWEEN 1 AND 180", name="horizon_days"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    staff_member_id: Mapped[int] = mapped_column(
        ForeignKey("staff_members.id", ondelete="CASCADE"), unique=True
    )
    session_minutes: Mapped[int] = mapped_column(Integer, default=60)
    buffer_minutes: Mapped[int] = mapped_column(Integer, default=15)
    min_notice_hours: Mapped[int] = mapped_column(Integer, default=12)
    horizon_days: Mapped[int] = mapped_column(Integer, default=28)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def rules(self) -> SlotRules:
        return SlotRules(
            session=timedelta(minutes=self.session_minutes),
            buffer=timedelta(minutes=self.buffer_minutes),
            min_notice=timedelta(hours=self.min_notice_hours),
            horizon_days=self.horizon_days,
        )


class ConsultantTopic(Base):
    __tablename__ = "consultant_topics"

    consultant_id: Mapped[int] = mapped_column(
        ForeignKey("consultants.id", ondelete="CASCADE"), primary_key=True
    )
    topic: Mapped[str] = mapped_column(String(40), primary_key=True)


class WeeklyAvailability(Base):
    """Every <weekday>, from start to end (local minutes since midnight), at a branch."""

    __tablename__ = "consultant_availability"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        CheckConstraint(
            "start_minute >= 0 AND end_minute <= 1440 AND start_minute < end_minute",
            name="minutes",
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    consultant_id: Mapped[int] = mapped_column(
        ForeignKey("consultants.id", ondelete="CASCADE"), index=True
    )
    branch_code: Mapped[str] = mapped_column(ForeignKey("branches.code", ondelete="CASCADE"))
    weekday: Mapped[int] = mapped_column(Integer)  # Monday 0 ... Sunday 6
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)


class AvailabilityException(Base):
    """A day (or hours) off, or extra hours at a branch, on one local date."""

    __tablename__ = "consultant_exceptions"
    __table_args__ = (
        CheckConstraint("kind IN ('off', 'extra')", name="kind"),
        CheckConstraint(
            "(start_minute IS NULL AND end_minute IS NULL) OR "
            "(start_minute >= 0 AND end_minute <= 1440 AND start_minute < end_minute)",
            name="minutes",
        ),
        CheckConstraint(
            "kind = 'off' OR (branch_code IS NOT NULL AND start_minute IS NOT NULL)",
            name="extra_has_place_and_time",
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    consultant_id: Mapped[int] = mapped_column(
        ForeignKey("consultants.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(8), default=ExceptionKind.OFF.value)
    branch_code: Mapped[str | None] = mapped_column(
        ForeignKey("branches.code", ondelete="CASCADE"), nullable=True
    )
    start_minute: Mapped[int | None] = mapped_column(Integer, nullable=True)
    end_minute: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[str] = mapped_column(String(200), default="")


ACTIVE_ONLY = text("status = 'booked'")


class Booking(Base):
    """A consultation or technical-support session booked by a user."""

    __tablename__ = "consultation_bookings"
    __table_args__ = (
        CheckConstraint("kind IN ('consultation', 'technical_support')", name="kind"),
        CheckConstraint("status IN ('booked', 'cancelled', 'done', 'missed')", name="status"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(
            "feedback_rating IS NULL OR feedback_rating BETWEEN 1 AND 5", name="rating"
        ),
        # The last word on double booking: one active booking per consultant and start...
        Index(
            "uq_consultation_bookings_consultant_slot",
            "consultant_id",
            "starts_at",
            unique=True,
            sqlite_where=ACTIVE_ONLY,
            postgresql_where=ACTIVE_ONLY,
        ),
        # ... and one per requester and start.
        Index(
            "uq_consultation_bookings_requester_slot",
            "requester_id",
            "starts_at",
            unique=True,
            sqlite_where=ACTIVE_ONLY,
            postgresql_where=ACTIVE_ONLY,
        ),
        Index("ix_consultation_bookings_consultant_time", "consultant_id", "starts_at"),
        Index("ix_consultation_bookings_requester_time", "requester_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))
    consultant_id: Mapped[int] = mapped_column(ForeignKey("consultants.id", ondelete="RESTRICT"))
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    topic: Mapped[str] = mapped_column(String(40))
    branch_code: Mapped[str] = mapped_column(ForeignKey("branches.code", ondelete="RESTRICT"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12), default=ACTIVE)
    description: Mapped[str] = mapped_column(Text, default="")
    # Makes a retried booking request (same conversation draft) return the same booking.
    request_key: Mapped[str | None] = mapped_column(String(80), unique=True, nullable=True)
    reschedule_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancelled_by: Mapped[str] = mapped_column(String(16), default="")
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    consultant_note: Mapped[str] = mapped_column(Text, default="")
    feedback_rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    feedback_comment: Mapped[str] = mapped_column(Text, default="")
    feedback_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    @property
    def took_place(self) -> bool | None:
        if self.status == BookingStatus.DONE:
            return True
        if self.status == BookingStatus.MISSED:
            return False
        return None


# --------------------------------------------------------------------------- slot maths


@dataclass(frozen=True, slots=True)
class SlotRules:
    session: timedelta
    buffer: timedelta
    min_notice: timedelta
    horizon_days: int


@dataclass(frozen=True, slots=True)
class Window:
    """A stretch of availability at one branch (aware UTC ends)."""

    branch_code: str
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Slot:
    consultant_id: int
    branch_code: str
    starts_at: datetime
    ends_at: datetime


Interval = tuple[datetime, datetime]


def local_moment(day: date, minute: int, tz: ZoneInfo) -> datetime:
    """Local wall-clock ``minute`` of ``day`` as an aware UTC datetime."""
    naive = datetime.combine(day, time()) + timedelta(minutes=minute)
    return naive.replace(tzinfo=tz).astimezone(UTC)


def _subtract(window: Window, holes: Sequence[Interval]) -> list[Window]:
    pieces = [window]
    for hole_start, hole_end in holes:
        next_pieces: list[Window] = []
        for piece in pieces:
            if hole_end <= piece.start or hole_start >= piece.end:
                next_pieces.append(piece)
                continue
            if piece.start < hole_start:
                next_pieces.append(Window(piece.branch_code, piece.start, hole_start))
            if hole_end < piece.end:
                next_pieces.append(Window(piece.branch_code, hole_end, piece.end))
        pieces = next_pieces
    return pieces


def day_windows(
    day: date,
    tz: ZoneInfo,
    weekly: Iterable[WeeklyAvailability],
    exceptions: Iterable[AvailabilityException],
) -> list[Window]:
    """Availability on one local date: the weekly timetable plus extras, minus time off."""
    windows = [
        Window(
            w.branch_code,
            local_moment(day, w.start_minute, tz),
            local_moment(day, w.end_minute, tz),
        )
        for w in weekly
        if w.weekday == day.weekday()
    ]
    holes: list[Interval] = []
    for exc in exceptions:
        if exc.day != day:
            continue
        if exc.kind == ExceptionKind.EXTRA and exc.branch_code and exc.start_minute is not None:
            end_minute = exc.end_minute if exc.end_minute is not None else MINUTES_PER_DAY
            windows.append(
                Window(
                    exc.branch_code,
                    local_moment(day, exc.start_minute, tz),
                    local_moment(day, end_minute, tz),
                )
            )
        elif exc.kind == ExceptionKind.OFF:
            start = exc.start_minute if exc.start_minute is not None else 0
            end = exc.end_minute if exc.end_minute is not None else MINUTES_PER_DAY
            holes.append((local_moment(day, start, tz), local_moment(day, end, tz)))
    result: list[Window] = []
    for window in windows:
        result.extend(_subtract(window, holes))
    return sorted(result, key=lambda w: (w.start, w.branch_code))


def _overlaps(start: datetime, end: datetime, other: Interval, margin: timedelta) -> bool:
    return start < other[1] + margin and other[0] < end + margin


def derive_slots(
    consultant_id: int,
    rules: SlotRules,
    weekly: Sequence[WeeklyAvailability],
    exceptions: Sequence[AvailabilityException],
    *,
    now: datetime,
    tz: ZoneInfo,
    first_day: date,
    last_day: date,
    consultant_busy: Sequence[Interval] = (),
    requester_busy: Sequence[Interval] = (),
    branch_code: str | None = None,
) -> list[Slot]:
    """Bookable slots of one consultant between two local dates (inclusive).

    Slots start at the beginning of each window and follow each other every
    session + buffer. A slot must start after ``now + min_notice``, end within its
    window, keep ``buffer`` away from the consultant's other bookings and not overlap
    any of the requester's.
    """
    earliest = now + rules.min_notice
    step = rules.session + rules.buffer
    slots: list[Slot] = []
    day = first_day
    while day <= last_day:
        for window in day_windows(day, tz, weekly, exceptions):
            if branch_code is not None and window.branch_code != branch_code:
                continue
            start = window.start
            while start + rules.session <= window.end:
                end = start + rules.session
                if (
                    start >= earliest
                    and not any(_overlaps(start, end, b, rules.buffer) for b in consultant_busy)
                    and not any(_overlaps(start, end, b, timedelta(0)) for b in requester_busy)
                ):
                    slots.append(Slot(consultant_id, window.branch_code, start, end))
                start += step
        day += timedelta(days=1)
    return slots


# --------------------------------------------------------------------------- consultants


@dataclass(frozen=True, slots=True)
class ConsultantInfo:
    """What the chat shows about a consultant (no personal data beyond the staff name)."""

    id: int
    name: str
    telegram_id: int | None


async def add_consultant(
    session: AsyncSession,
    staff_member_id: int,
    *,
    topics: Iterable[str],
    session_minutes: int = 60,
    buffer_minutes: int = 15,
    min_notice_hours: int = 12,
    horizon_days: int = 28,
) -> Consultant:
    """Create or update the consultant profile of a staff member (topics replaced)."""
    wanted = list(dict.fromkeys(topics))
    unknown = [t for t in wanted if t not in TOPICS]
    if unknown:
        raise ValueError(f"unknown topics: {unknown}")
    consultant = await session.scalar(
        select(Consultant).where(Consultant.staff_member_id == staff_member_id)
    )
    if consultant is None:
        consultant = Consultant(staff_member_id=staff_member_id)
        session.add(consultant)
    consultant.session_minutes = session_minutes
    consultant.buffer_minutes = buffer_minutes
    consultant.min_notice_hours = min_notice_hours
    consultant.horizon_days = horizon_days
    consultant.active = True
    await session.flush()
    existing = set(
        await session.scalars(
            select(ConsultantTopic.topic).where(ConsultantTopic.consultant_id == consultant.id)
        )
    )
    for topic in existing - set(wanted):
        row = await session.get(ConsultantTopic, (consultant.id, topic))
        if row is not None:
            await session.delete(row)
    for topic in wanted:
        if topic not in existing:
            session.add(ConsultantTopic(consultant_id=consultant.id, topic=topic))
    await session.flush()
    return consultant


async def set_weekly_availability(
    session: AsyncSession,
    consultant_id: int,
    windows: Iterable[tuple[str, int, int, int]],
) -> None:
    """Replace the weekly timetable: (branch_code, weekday, start_minute, end_minute) rows."""
    for row in await session.scalars(
        select(WeeklyAvailability).where(WeeklyAvailability.consultant_id == consultant_id)
    ):
        await session.delete(row)
    await session.flush()
    for branch_code, weekday, start_minute, end_minute in windows:
        session.add(
            WeeklyAvailability(
                consultant_id=consultant_id,
                branch_code=branch_code,
                weekday=weekday,
                start_minute=start_minute,
                end_minute=end_minute,
            )
        )
    await session.flush()


async def add_exception(
    session: AsyncSession,
    consultant_id: int,
    day: date,
    *,
    kind: ExceptionKind = ExceptionKind.OFF,
    branch_code: str | None = None,
    start_minute: int | None = None,
    end_minute: int | None = None,
    note: str = "",
) -> AvailabilityException:
    exception = AvailabilityException(
        consultant_id=consultant_id,
        day=day,
        kind=kind.value,
        branch_code=branch_code,
        start_minute=start_minute,
        end_minute=end_minute,
        note=note[:200],
    )
    session.add(exception)
    await session.flush()
    return exception


async def consultant_for_staff(session: AsyncSession, telegram_id: int) -> Consultant | None:
    """The active consultant profile of the staff member with this Telegram id."""
    return await session.scalar(
        select(Consultant)
        .join(StaffMember, StaffMember.id == Consultant.staff_member_id)
        .where(
            StaffMember.telegram_id == telegram_id,
            StaffMember.active.is_(True),
            Consultant.active.is_(True),
        )
    )


async def consultant_info(session: AsyncSession, consultant_id: int) -> ConsultantInfo | None:
    row = (
        await session.execute(
            select(Consultant.id, StaffMember.display_name, StaffMember.telegram_id)
            .join(StaffMember, StaffMember.id == Consultant.staff_member_id)
            .where(Consultant.id == consultant_id)
        )
    ).first()
    return ConsultantInfo(row[0], row[1], row[2]) if row else None


async def _active_consultants(session: AsyncSession, topic: str | None = None) -> list[Consultant]:
    query = (
        select(Consultant)
        .join(StaffMember, StaffMember.id == Consultant.staff_member_id)
        .where(Consultant.active.is_(True), StaffMember.active.is_(True))
        .order_by(Consultant.id)
    )
    if topic is not None:
        query = query.join(ConsultantTopic, ConsultantTopic.consultant_id == Consultant.id).where(
            ConsultantTopic.topic == topic
        )
    return list(await session.scalars(query))


async def offered_topics(session: AsyncSession) -> list[str]:
    """Topics at least one active consultant with a timetable covers, in TOPICS order."""
    found = set(
        await session.scalars(
            select(ConsultantTopic.topic)
            .join(Consultant, Consultant.id == ConsultantTopic.consultant_id)
            .join(StaffMember, StaffMember.id == Consultant.staff_member_id)
            .where(
                Consultant.active.is_(True),
                StaffMember.active.is_(True),
                Consultant.id.in_(select(WeeklyAvailability.consultant_id)),
            )
            .distinct()
        )
    )
    return [t for t in TOPICS if t in found]


async def branches_for_topic(session: AsyncSession, topic: str) -> list[str]:
    """Branch codes where some consultant of this topic keeps weekly hours."""
    consultants = [c.id for c in await _active_consultants(session, topic)]
    if not consultants:
        return []
    codes = await session.scalars(
        select(WeeklyAvailability.branch_code)
        .where(WeeklyAvailability.consultant_id.in_(consultants))
        .distinct()
    )
    return sorted(codes)


async def consultant_branches(session: AsyncSession, consultant_id: int) -> list[str]:
    codes = await session.scalars(
        select(WeeklyAvailability.branch_code)
        .where(WeeklyAvailability.consultant_id == consultant_id)
        .distinct()
    )
    return sorted(codes)


# --------------------------------------------------------------------------- free slots


async def _busy(
    session: AsyncSession,
    column: Any,
    owner_id: int,
    since: datetime,
    until: datetime,
    ignore_booking: int | None,
) -> list[Interval]:
    query = select(Booking.starts_at, Booking.ends_at).where(
        column == owner_id,
        Booking.status == ACTIVE,
        Booking.ends_at > since,
        Booking.starts_at < until,
    )
    if ignore_booking is not None:
        query = query.where(Booking.id != ignore_booking)
    return [(row[0], row[1]) for row in await session.execute(query)]


async def consultant_slots(
    session: AsyncSession,
    consultant: Consultant,
    *,
    now: datetime,
    tz: ZoneInfo,
    first_day: date,
    last_day: date,
    branch_code: str | None = None,
    requester_id: int | None = None,
    ignore_booking: int | None = None,
) -> list[Slot]:
    """One consultant's free slots, from the database."""
    rules = consultant.rules
    last_day = min(last_day, now.astimezone(tz).date() + timedelta(days=rules.horizon_days))
    if last_day < first_day:
        return []
    weekly = list(
        await session.scalars(
            select(WeeklyAvailability).where(WeeklyAvailability.consultant_id == consultant.id)
        )
    )
    exceptions = list(
        await session.scalars(
            select(AvailabilityException).where(
                AvailabilityException.consultant_id == consultant.id,
                AvailabilityException.day >= first_day,
                AvailabilityException.day <= last_day,
            )
        )
    )
    since = local_moment(first_day, 0, tz) - timedelta(days=1)
    until = local_moment(last_day, MINUTES_PER_DAY, tz) + timedelta(days=1)
    consultant_busy = await _busy(
        session, Booking.consultant_id, consultant.id, since, until, ignore_booking
    )
    requester_busy: list[Interval] = []
    if requester_id is not None:
        requester_busy = await _busy(
            session, Booking.requester_id, requester_id, since, until, ignore_booking
        )
    return derive_slots(
        consultant.id,
        rules,
        weekly,
        exceptions,
        now=now,
        tz=tz,
        first_day=first_day,
        last_day=last_day,
        consultant_busy=consultant_busy,
        requester_busy=requester_busy,
        branch_code=branch_code,
    )


async def free_slots(
    session: AsyncSession,
    *,
    topic: str,
    branch_code: str,
    now: datetime,
    tz: ZoneInfo,
    first_day: date | None = None,
    last_day: date | None = None,
    requester_id: int | None = None,
    ignore_booking: int | None = None,
) -> list[Slot]:
    """Free slots for a topic at a branch, one per start time.

    When several consultants are free at the same time, the one with the fewest
    active bookings that day takes it, so work is shared.
    """
    today = now.astimezone(tz).date()
    first_day = max(first_day or today, today)
    last_day = last_day or today + timedelta(days=180)
    by_start: dict[datetime, list[Slot]] = {}
    for consultant in await _active_consultants(session, topic):
        for slot in await consultant_slots(
            session,
            consultant,
            now=now,
            tz=tz,
            first_day=first_day,
            last_day=last_day,
            branch_code=branch_code,
            requester_id=requester_id,
            ignore_booking=ignore_booking,
        ):
            by_start.setdefault(slot.starts_at, []).append(slot)
    if not by_start:
        return []
    load = await _bookings_per_consultant_day(session, by_start, tz)
    chosen = []
    for start in sorted(by_start):
        day = start.astimezone(tz).date()
        chosen.append(
            min(
                by_start[start],
                key=lambda s: (load.get((s.consultant_id, day), 0), s.consultant_id),
            )
        )
    return chosen


async def _bookings_per_consultant_day(
    session: AsyncSession, by_start: dict[datetime, list[Slot]], tz: ZoneInfo
) -> dict[tuple[int, date], int]:
    consultants = {s.consultant_id for slots in by_start.values() for s in slots}
    if len(consultants) < 2:
        return {}
    rows = await session.execute(
        select(Booking.consultant_id, Booking.starts_at).where(
            Booking.consultant_id.in_(consultants),
            Booking.status == ACTIVE,
            Booking.starts_at >= min(by_start) - timedelta(days=1),
            Booking.starts_at <= max(by_start) + timedelta(days=1),
        )
    )
    load: dict[tuple[int, date], int] = {}
    for consultant_id, starts_at in rows:
        key = (consultant_id, starts_at.astimezone(tz).date())
        load[key] = load.get(key, 0) + 1
    return load


def free_days(slots: Iterable[Slot], tz: ZoneInfo) -> list[date]:
    return sorted({slot.starts_at.astimezone(tz).date() for slot in slots})


# --------------------------------------------------------------------------- booking


class BookingError(Exception):
    """A booking, move or record that cannot be made; ``reason`` says why."""

    reason = "invalid"


class SlotTaken(BookingError):
    reason = "taken"


class RequesterBusy(BookingError):
    reason = "requester_busy"


class SlotUnavailable(BookingError):
    """Outside the timetable, inside the minimum notice, or the consultant is inactive."""

    reason = "unavailable"


class NotAllowed(BookingError):
    """The booking is not this person's, or is no longer in a state that allows this."""

    reason = "not_allowed"


async def _lock_consultant(session: AsyncSession, consultant_id: int) -> Consultant:
    consultant = await session.scalar(
        select(Consultant).where(Consultant.id == consultant_id).with_for_update()
    )
    if consultant is None or not consultant.active:
        raise SlotUnavailable(f"consultant {consultant_id} is not available")
    return consultant


async def _lock_user(session: AsyncSession, user_id: int) -> None:
    await session.scalar(select(User.id).where(User.id == user_id).with_for_update())


async def _check_slot(
    session: AsyncSession,
    consultant: Consultant,
    *,
    branch_code: str,
    topic: str,
    starts_at: datetime,
    requester_id: int,
    now: datetime,
    tz: ZoneInfo,
    ignore_booking: int | None = None,
) -> None:
    """Raise unless this consultant can take this requester at this moment."""
    has_topic = await session.get(ConsultantTopic, (consultant.id, topic))
    if has_topic is None:
        raise SlotUnavailable(f"consultant {consultant.id} does not cover {topic}")
    day = starts_at.astimezone(tz).date()

    async def offered(**kwargs: Any) -> bool:
        slots = await consultant_slots(
            session,
            consultant,
            now=now,
            tz=tz,
            first_day=day,
            last_day=day,
            branch_code=branch_code,
            ignore_booking=ignore_booking,
            **kwargs,
        )
        return any(s.starts_at == starts_at for s in slots)

    if await offered(requester_id=requester_id):
        return
    # Find out why, to say it plainly.
    if not await offered():
        no_bookings = derive_slots(
            consultant.id,
            consultant.rules,
            list(
                await session.scalars(
                    select(WeeklyAvailability).where(
                        WeeklyAvailability.consultant_id == consultant.id
                    )
                )
            ),
            list(
                await session.scalars(
                    select(AvailabilityException).where(
                        AvailabilityException.consultant_id == consultant.id,
                        AvailabilityException.day == day,
                    )
                )
            ),
            now=now,
            tz=tz,
            first_day=day,
            last_day=day,
            branch_code=branch_code,
        )
        if any(s.starts_at == starts_at for s in no_bookings):
            raise SlotTaken(f"consultant {consultant.id} is busy at {starts_at}")
        raise SlotUnavailable(f"{starts_at} is not in consultant {consultant.id}'s timetable")
    raise RequesterBusy(f"user {requester_id} already has a booking at {starts_at}")


async def booking_by_request_key(session: AsyncSession, request_key: str) -> Booking | None:
    return await session.scalar(select(Booking).where(Booking.request_key == request_key))


async def book(
    session: AsyncSession,
    *,
    consultant_id: int,
    requester_id: int,
    kind: BookingKind,
    topic: str,
    branch_code: str,
    starts_at: datetime,
    description: str,
    now: datetime,
    tz: ZoneInfo,
    request_key: str | None = None,
) -> Booking:
    """Book a slot, or raise SlotTaken / RequesterBusy / SlotUnavailable.

    Call inside ``db.transaction()``. The same ``request_key`` gives back the same
    booking, so a retried request books once.
    """
    if request_key is not None:
        existing = await booking_by_request_key(session, request_key)
        if existing is not None:
            return existing
    consultant = await _lock_consultant(session, consultant_id)
    await _lock_user(session, requester_id)
    await _check_slot(
        session,
        consultant,
        branch_code=branch_code,
        topic=topic,
        starts_at=starts_at,
        requester_id=requester_id,
        now=now,
        tz=tz,
    )
    booking = Booking(
        kind=kind.value,
        consultant_id=consultant.id,
        requester_id=requester_id,
        topic=topic,
        branch_code=branch_code,
        starts_at=starts_at,
        ends_at=starts_at + consultant.rules.session,
        status=ACTIVE,
        description=description[:DESCRIPTION_MAX_CHARS],
        request_key=request_key,
        created_at=now,
    )
    await _insert_or_taken(session, booking)
    return booking


async def _insert_or_taken(session: AsyncSession, booking: Booking) -> None:
    try:
        async with session.begin_nested():
            session.add(booking)
            await session.flush()
    except IntegrityError as exc:
        raise SlotTaken(str(exc.orig)) from exc


async def move(
    session: AsyncSession,
    booking_id: int,
    *,
    requester_id: int,
    consultant_id: int,
    starts_at: datetime,
    now: datetime,
    tz: ZoneInfo,
) -> Booking:
    """Move an active booking to another free slot (same topic and branch)."""
    booking = await session.scalar(
        select(Booking).where(Booking.id == booking_id).with_for_update()
    )
    if booking is None or booking.requester_id != requester_id or booking.status != ACTIVE:
        raise NotAllowed(f"booking {booking_id} cannot be moved by user {requester_id}")
    if booking.starts_at <= now:
        raise NotAllowed(f"booking {booking_id} has already started")
    if booking.consultant_id == consultant_id and booking.starts_at == starts_at:
        return booking
    if booking.consultant_id < consultant_id:  # always lock in id order: no deadlock
        await session.scalar(
            select(Consultant.id).where(Consultant.id == booking.consultant_id).with_for_update()
        )
    consultant = await _lock_consultant(session, consultant_id)
    if booking.consultant_id > consultant_id:
        await session.scalar(
            select(Consultant.id).where(Consultant.id == booking.consultant_id).with_for_update()
        )
    await _lock_user(session, requester_id)
    await _check_slot(
        session,
        consultant,
        branch_code=booking.branch_code,
        topic=booking.topic,
        starts_at=starts_at,
        requester_id=requester_id,
        now=now,
        tz=tz,
        ignore_booking=booking.id,
    )
    try:
        async with session.begin_nested():
            booking.consultant_id = consultant.id
            booking.starts_at = starts_at
            booking.ends_at = starts_at + consultant.rules.session
            booking.reschedule_count += 1
            await session.flush()
    except IntegrityError as exc:
        raise SlotTaken(str(exc.orig)) from exc
    return booking


async def cancel(
    session: AsyncSession, booking_id: int, *, by: str, now: datetime
) -> Booking | None:
    """Cancel an active booking; None when it was not active (already cancelled, past...)."""
    result = await session.execute(
        update(Booking)
        .where(Booking.id == booking_id, Booking.status == ACTIVE)
        .values(status=BookingStatus.CANCELLED.value, cancelled_at=now, cancelled_by=by[:16])
    )
    if (result.rowcount or 0) != 1:  # type: ignore[attr-defined]
        return None
    booking = await session.get(Booking, booking_id, populate_existing=True)
    await reminders.cancel(session, reminder_prefix(booking_id), now)
    return booking


async def record_outcome(
    session: AsyncSession, booking_id: int, *, consultant_id: int, took_place: bool, now: datetime
) -> Booking:
    """The consultant says whether the session took place (once the session has begun)."""
    booking = await session.scalar(
        select(Booking).where(Booking.id == booking_id).with_for_update()
    )
    if booking is None or booking.consultant_id != consultant_id:
        raise NotAllowed(f"booking {booking_id} is not consultant {consultant_id}'s")
    if booking.starts_at > now:
        raise NotAllowed(f"booking {booking_id} has not started yet")
    wanted = BookingStatus.DONE if took_place else BookingStatus.MISSED
    if booking.status == wanted:
        return booking
    if booking.status not in (ACTIVE, BookingStatus.DONE, BookingStatus.MISSED):
        raise NotAllowed(f"booking {booking_id} is {booking.status}")
    booking.status = wanted.value
    booking.recorded_at = now
    await session.flush()
    return booking


async def record_note(
    session: AsyncSession, booking_id: int, *, consultant_id: int, note: str
) -> Booking:
    booking = await session.get(Booking, booking_id)
    if booking is None or booking.consultant_id != consultant_id or booking.recorded_at is None:
        raise NotAllowed(f"no recorded booking {booking_id} for consultant {consultant_id}")
    booking.consultant_note = note[:NOTE_MAX_CHARS]
    await session.flush()
    return booking


async def record_feedback(
    session: AsyncSession,
    booking_id: int,
    *,
    requester_id: int,
    now: datetime,
    rating: int | None = None,
    comment: str | None = None,
) -> Booking:
    """The requester rates a session that took place (1-5) and may add a comment."""
    booking = await session.get(Booking, booking_id)
    if (
        booking is None
        or booking.requester_id != requester_id
        or booking.status != BookingStatus.DONE
    ):
        raise NotAllowed(f"booking {booking_id} cannot be rated by user {requester_id}")
    if rating is not None:
        if not 1 <= rating <= 5:
            raise ValueError("rating must be between 1 and 5")
        booking.feedback_rating = rating
    if comment is not None:
        booking.feedback_comment = comment[:COMMENT_MAX_CHARS]
    booking.feedback_at = now
    await session.flush()
    return booking


# --------------------------------------------------------------------------- reading


async def get_booking(session: AsyncSession, booking_id: int) -> Booking | None:
    return await session.get(Booking, booking_id)


async def upcoming_for_requester(
    session: AsyncSession, requester_id: int, now: datetime, limit: int = 10
) -> list[Booking]:
    rows = await session.scalars(
        select(Booking)
        .where(
            Booking.requester_id == requester_id,
            Booking.status == ACTIVE,
            Booking.ends_at > now,
        )
        .order_by(Booking.starts_at)
        .limit(limit)
    )
    return list(rows)


async def upcoming_for_consultant(
    session: AsyncSession, consultant_id: int, now: datetime, until: datetime, limit: int = 30
) -> list[Booking]:
    rows = await session.scalars(
        select(Booking)
        .where(
            Booking.consultant_id == consultant_id,
            Booking.status == ACTIVE,
            Booking.ends_at > now,
            Booking.starts_at < until,
        )
        .order_by(Booking.starts_at)
        .limit(limit)
    )
    return list(rows)


async def awaiting_record(
    session: AsyncSession, consultant_id: int, now: datetime, limit: int = 20
) -> list[Booking]:
    """Sessions that have begun but whose outcome the consultant has not recorded."""
    rows = await session.scalars(
        select(Booking)
        .where(
            Booking.consultant_id == consultant_id,
            Booking.status == ACTIVE,
            Booking.starts_at <= now,
        )
        .order_by(Booking.starts_at)
        .limit(limit)
    )
    return list(rows)


async def sessions_by_branch(
    session: AsyncSession, since: datetime, until: datetime
) -> list[tuple[str, str, str, int]]:
    """(branch_code, kind, status, count) for the M&E report."""
    rows = await session.execute(
        select(Booking.branch_code, Booking.kind, Booking.status, func.count())
        .where(Booking.starts_at >= since, Booking.starts_at < until)
        .group_by(Booking.branch_code, Booking.kind, Booking.status)
        .order_by(Booking.branch_code, Booking.kind, Booking.status)
    )
    return [(r[0], r[1], r[2], int(r[3])) for r in rows]


# --------------------------------------------------------------------------- reminders


def reminder_prefix(booking_id: int) -> str:
    return f"consultation:{booking_id}:"


def reminder_key(booking: Booking, label: str) -> str:
    """Keys carry the reschedule count: a moved booking gets fresh reminders."""
    return f"{reminder_prefix(booking.id)}r{booking.reschedule_count}:{label}"


# --------------------------------------------------------------------------- personal data


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
