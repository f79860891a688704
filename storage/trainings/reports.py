"""Figures and rosters for the admin app: sessions with their counts (no names), and a
session's roster with phones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.people import User
from storage.trainings.models import (
    ACTIVE,
    OFFERED,
    REGISTERED,
    WAITLISTED,
    Course,
    Registration,
    TrainingSession,
)


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
