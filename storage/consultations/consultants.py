"""Consultants: their profile (topics, session length, notice), weekly timetable and
exceptions, and what the booking flow asks of them (topics offered, branches of a topic)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.consultations.models import (
    AvailabilityException,
    Consultant,
    ConsultantTopic,
    ExceptionKind,
    WeeklyAvailability,
)
from storage.consultations.vocabulary import TOPICS
from storage.people import StaffMember


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
