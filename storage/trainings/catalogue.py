"""The catalogue: courses and their sessions (written by staff: CLI, admin app, demo data;
read by the bot's catalogue and the trainers' check-in)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.trainings.models import (
    SCHEDULED,
    Course,
    TrainingSession,
)


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
