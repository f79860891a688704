"""A person's training data for /mydata, and its erasure for /delete."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.trainings.models import (
    ACTIVE,
    Changes,
    Course,
    Registration,
    TrainingSession,
    TrainingSuggestion,
)
from storage.trainings.registrations import cancel


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
