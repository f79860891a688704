"""Attendance: the trainer's check-in code, people checking in with it, staff marking people
present in the admin app (the same rule), and the counts."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.trainings.models import (
    CHECKIN_CODE_DIGITS,
    REGISTERED,
    SCHEDULED,
    Registration,
    SessionClosed,
    TrainingSession,
)
from storage.trainings.seats import lock_session


def new_checkin_code() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(CHECKIN_CODE_DIGITS))


async def open_checkin(
    session: AsyncSession, *, session_id: int, now: datetime, minutes: int
) -> TrainingSession:
    """A fresh check-in code for the trainer to show, valid ``minutes`` from now."""
    training = await lock_session(session, session_id)
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
    training = await lock_session(session, session_id)
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
    training = await lock_session(session, session_id)
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
