"""Pushes of survey submissions to the programme's ODK Central / KoBoToolbox server.

``submission_push_targets``: per form, where its submissions go (server URL, project, the
server's form id) and the *name* of the environment variable holding the token — never the
token itself. ``submission_pushes``: the outbox, one row per submission (unique), with the
OpenRosa instanceID fixed when queued, so a retry is the same instance and a server that
already has it answers "duplicate" instead of storing it twice.

A sender *claims* due rows (status ``sending`` with a lease, committed) before sending; two
senders never hold the same row (a conditional UPDATE, and ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL), and a crashed sender's rows are taken up again when the lease runs out (the
server, seeing the same instanceID, keeps one copy).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, ForeignKey, Integer, String, Text, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, BigId, UTCDateTime

ERROR_MAX = 1000
MAX_ATTEMPTS = 12


class PushStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class PushStage(StrEnum):
    """Where a submission stands, as staff read it (``waiting``: not in the outbox yet)."""

    WAITING = "waiting"
    QUEUED = "queued"
    SENDING = "sending"
    RETRYING = "retrying"
    DELIVERED = "delivered"
    FAILED = "failed"


def stage_of(status: str | None, attempts: int) -> PushStage:
    if status is None:
        return PushStage.WAITING
    if status == PushStatus.QUEUED:
        return PushStage.RETRYING if attempts > 0 else PushStage.QUEUED
    return {
        PushStatus.SENDING: PushStage.SENDING,
        PushStatus.SENT: PushStage.DELIVERED,
        PushStatus.FAILED: PushStage.FAILED,
    }[PushStatus(status)]


class SubmissionPushTarget(Base):
    __tablename__ = "submission_push_targets"

    form_pk: Mapped[int] = mapped_column(
        ForeignKey("survey_forms.id", ondelete="CASCADE"), primary_key=True
    )
    server_url: Mapped[str] = mapped_column(String(500))
    project: Mapped[str] = mapped_column(String(64))
    server_form_id: Mapped[str] = mapped_column(String(255))
    token_env: Mapped[str] = mapped_column(String(128))
    # Set when the form was pulled from the server (musharaka forms pull) or named at
    # forms link: the id and version its XForm has there, which each instance carries
    # (version "": none; NULL: the form's own).
    xform_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    xform_version: Mapped[str | None] = mapped_column(String(255), nullable=True)


class SubmissionPush(Base):
    __tablename__ = "submission_pushes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    submission_pk: Mapped[int] = mapped_column(
        ForeignKey("survey_submissions.id", ondelete="CASCADE"), unique=True
    )
    instance_id: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=PushStatus.QUEUED, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


@dataclass(frozen=True)
class Target:
    server_url: str
    project: str
    server_form_id: str
    token_env: str
    # The XForm id and version on the server (pulled forms, or given at forms link);
    # xform_version "": the server's XForm has none, None: the form's own.
    xform_id: str | None = None
    xform_version: str | None = None

    @property
    def is_kobo(self) -> bool:
        """KoBoToolbox's KoBoCAT takes submissions at {server}/submission (no project)."""
        return not self.project


async def link_form(session: AsyncSession, form_pk: int, target: Target) -> None:
    """Send this form's submissions to ``target`` (replacing an earlier link)."""
    row = await session.get(SubmissionPushTarget, form_pk)
    if row is None:
        row = SubmissionPushTarget(form_pk=form_pk)
        session.add(row)
    row.server_url = target.server_url.rstrip("/")
    row.project = target.project
    row.server_form_id = target.server_form_id
    row.token_env = target.token_env
    row.xform_id = target.xform_id
    row.xform_version = target.xform_version


async def target_of(session: AsyncSession, form_pk: int) -> Target | None:
    row = await session.get(SubmissionPushTarget, form_pk)
    if row is None:
        return None
    return Target(
        row.server_url,
        row.project,
        row.server_form_id,
        row.token_env,
        row.xform_id,
        row.xform_version,
    )


async def enqueue(
    session: AsyncSession, submission_pk: int, instance_id: str, now: datetime
) -> bool:
    """Queue one submission (once: a second call changes nothing). True when queued now."""
    found = await session.scalar(
        select(SubmissionPush.id).where(SubmissionPush.submission_pk == submission_pk)
    )
    if found is not None:
        return False
    session.add(
        SubmissionPush(
            submission_pk=submission_pk,
            instance_id=instance_id,
            status=PushStatus.QUEUED,
            attempts=0,
            next_attempt_at=now,
            queued_at=now,
        )
    )
    await session.flush()
    return True


async def enqueue_linked(session: AsyncSession, now: datetime, limit: int = 500) -> int:
    """Queue the submissions of linked forms that are not queued yet; how many were."""
    from storage.surveys import SurveySubmission

    query = (
        select(SurveySubmission.id, SurveySubmission.uuid)
        .join(SubmissionPushTarget, SubmissionPushTarget.form_pk == SurveySubmission.form_pk)
        .outerjoin(SubmissionPush, SubmissionPush.submission_pk == SurveySubmission.id)
        .where(SubmissionPush.id.is_(None))
        .order_by(SurveySubmission.id)
        .limit(limit)
    )
    queued = 0
    for submission_pk, uuid in (await session.execute(query)).all():
        instance = uuid if uuid.startswith("uuid:") else f"uuid:{uuid}"
        queued += await enqueue(session, submission_pk, instance, now)
    return queued


@dataclass(frozen=True)
class Claimed:
    push_id: int
    submission_pk: int
    instance_id: str
    attempts: int


async def claim(
    session: AsyncSession, worker: str, now: datetime, lease: timedelta, limit: int = 20
) -> list[Claimed]:
    """Take up to ``limit`` due pushes for ``worker`` (commit before sending)."""
    due = or_(
        (SubmissionPush.status == PushStatus.QUEUED) & (SubmissionPush.next_attempt_at <= now),
        (SubmissionPush.status == PushStatus.SENDING) & (SubmissionPush.lease_until <= now),
    )
    query = select(SubmissionPush).where(due).order_by(SubmissionPush.id).limit(limit)
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = list((await session.scalars(query)).all())
    claimed: list[Claimed] = []
    for row in rows:
        # Conditional on what was read: a row another worker took meanwhile is skipped.
        still_due = (
            SubmissionPush.lease_until <= now
            if row.status == PushStatus.SENDING
            else SubmissionPush.next_attempt_at <= now
        )
        taken = await session.execute(
            update(SubmissionPush)
            .where(SubmissionPush.id == row.id, SubmissionPush.status == row.status, still_due)
            .values(
                status=PushStatus.SENDING,
                lease_until=now + lease,
                claimed_by=worker,
                attempts=SubmissionPush.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount:  # type: ignore[attr-defined]
            claimed.append(Claimed(row.id, row.submission_pk, row.instance_id, row.attempts + 1))
    return claimed


async def _finish(session: AsyncSession, push_id: int, worker: str, **values: object) -> bool:
    done = await session.execute(
        update(SubmissionPush)
        .where(SubmissionPush.id == push_id, SubmissionPush.claimed_by == worker)
        .where(SubmissionPush.status == PushStatus.SENDING)
        .values(lease_until=None, claimed_by=None, **values)
        .execution_options(synchronize_session=False)
    )
    return bool(done.rowcount)  # type: ignore[attr-defined]


async def mark_sent(session: AsyncSession, push_id: int, worker: str, now: datetime) -> bool:
    return await _finish(
        session, push_id, worker, status=PushStatus.SENT, sent_at=now, last_error=None
    )


async def mark_retry(
    session: AsyncSession, push_id: int, worker: str, at: datetime, error: str
) -> bool:
    return await _finish(
        session,
        push_id,
        worker,
        status=PushStatus.QUEUED,
        next_attempt_at=at,
        last_error=error[:ERROR_MAX],
    )


async def mark_failed(session: AsyncSession, push_id: int, worker: str, error: str) -> bool:
    return await _finish(
        session, push_id, worker, status=PushStatus.FAILED, last_error=error[:ERROR_MAX]
    )


@dataclass(frozen=True)
class PushState:
    status: PushStatus
    attempts: int
    last_error: str | None
    sent_at: datetime | None
    next_attempt_at: datetime | None = None
    queued_at: datetime | None = None


async def states(session: AsyncSession, submission_pks: list[int]) -> dict[int, PushState]:
    """Each listed submission's push, for the admin's results page."""
    if not submission_pks:
        return {}
    rows = await session.scalars(
        select(SubmissionPush).where(SubmissionPush.submission_pk.in_(submission_pks))
    )
    return {
        r.submission_pk: PushState(
            PushStatus(r.status),
            r.attempts,
            r.last_error,
            r.sent_at,
            next_attempt_at=r.next_attempt_at,
            queued_at=r.queued_at,
        )
        for r in rows
    }


async def linked_forms(session: AsyncSession, form_pks: list[int]) -> set[int]:
    """Which of these forms send their submissions to a server."""
    if not form_pks:
        return set()
    rows = await session.scalars(
        select(SubmissionPushTarget.form_pk).where(SubmissionPushTarget.form_pk.in_(form_pks))
    )
    return set(rows)


async def requeue(session: AsyncSession, submission_pk: int, now: datetime) -> bool:
    """Send a failed submission again from its first try (staff fixed the cause on the
    server). Only a failed push is re-queued: a second press, or a push that is queued,
    sending or delivered, changes nothing. The instanceID stays, so the server can still
    tell a copy it already has."""
    done = await session.execute(
        update(SubmissionPush)
        .where(
            SubmissionPush.submission_pk == submission_pk,
            SubmissionPush.status == PushStatus.FAILED,
        )
        .values(status=PushStatus.QUEUED, attempts=0, next_attempt_at=now, last_error=None)
        .execution_options(synchronize_session=False)
    )
    return bool(done.rowcount)  # type: ignore[attr-defined]


def stage_condition(stage: PushStage) -> ColumnElement[bool]:
    """The submissions at ``stage``, for a query outer-joining the outbox to submissions."""
    queued = SubmissionPush.status == PushStatus.QUEUED
    return {
        PushStage.WAITING: SubmissionPush.id.is_(None),
        PushStage.QUEUED: queued & (SubmissionPush.attempts == 0),
        PushStage.RETRYING: queued & (SubmissionPush.attempts > 0),
        PushStage.SENDING: SubmissionPush.status == PushStatus.SENDING,
        PushStage.DELIVERED: SubmissionPush.status == PushStatus.SENT,
        PushStage.FAILED: SubmissionPush.status == PushStatus.FAILED,
    }[stage]


async def stage_counts(
    session: AsyncSession, form_pk: int, round_label: str | None
) -> dict[PushStage, int]:
    """How many of a form's submissions (one round, or all) are at each stage."""
    from storage.surveys import SurveySubmission

    query = (
        select(SubmissionPush.status, SubmissionPush.attempts > 0, func.count(SurveySubmission.id))
        .select_from(SurveySubmission)
        .outerjoin(SubmissionPush, SubmissionPush.submission_pk == SurveySubmission.id)
        .where(SurveySubmission.form_pk == form_pk)
        .group_by(SubmissionPush.status, SubmissionPush.attempts > 0)
    )
    if round_label is not None:
        query = query.where(SurveySubmission.round == round_label)
    counts: dict[PushStage, int] = {}
    for status, retried, count in (await session.execute(query)).all():
        stage = stage_of(status, 1 if retried else 0)
        counts[stage] = counts.get(stage, 0) + int(count)
    return counts
