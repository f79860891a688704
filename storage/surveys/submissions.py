"""Submissions: storing one once (its uuid; the resident's round), its answers as rows,
and reading them back as ODK writes them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage import throttles
from storage.base import utcnow
from storage.surveys.models import CAMPAIGN_MAX, ROUND_MAX, SurveyAnswer, SurveySubmission
from storage.surveys.rounds import _marker_in_round, has_answered
from storage.surveys.vocabulary import MULTI_KINDS, NUMERIC_KINDS


class SubmitOutcome(StrEnum):
    STORED = "stored"
    ALREADY_STORED = "already_stored"  # the same submission (uuid) came again
    ALREADY_ANSWERED = "already_answered"  # this resident already answered this round


@dataclass(frozen=True)
class NewSubmission:
    uuid: str
    form_pk: int
    version_pk: int
    round: str
    respondent_id: int | None
    one_per_resident: bool
    answers: Sequence[tuple[str, str, str]]  # (question name, kind, ODK-style value)
    district_code: str | None = None
    gender: str | None = None
    age_group: str | None = None
    campaign: str = ""
    language: str = ""
    started_at: datetime | None = None
    submitted_at: datetime | None = None


def answer_rows(question: str, kind: str, value: str) -> list[dict[str, Any]]:
    """The answer rows of one question: one per chosen choice for select_multiple/rank."""
    if kind in MULTI_KINDS:
        return [
            {"question": question, "kind": kind, "position": n, "value": v, "number": None}
            for n, v in enumerate(value.split(), start=1)
        ]
    number = None
    if kind in NUMERIC_KINDS:
        try:
            number = float(value)
        except ValueError:
            number = None
    return [{"question": question, "kind": kind, "position": 0, "value": value, "number": number}]


async def submit(session: AsyncSession, new: NewSubmission) -> tuple[SubmitOutcome, int | None]:
    """Store a submission and its answers, once. Returns the outcome and the submission id."""
    existing = await session.scalar(
        select(SurveySubmission.id).where(SurveySubmission.uuid == new.uuid)
    )
    if existing is not None:
        return SubmitOutcome.ALREADY_STORED, existing
    marker = None
    if new.one_per_resident and new.respondent_id is not None:
        key = await throttles.marker_key(session)  # a writing session: made on first use
        if await has_answered(session, new.form_pk, new.round, new.respondent_id, key=key):
            return SubmitOutcome.ALREADY_ANSWERED, None
        marker = _marker_in_round(key, new.form_pk, new.round, new.respondent_id)
    submission = SurveySubmission(
        uuid=new.uuid,
        form_pk=new.form_pk,
        version_pk=new.version_pk,
        round=new.round[:ROUND_MAX],
        respondent_id=new.respondent_id,
        one_per_round_key=marker,
        district_code=(new.district_code or None),
        gender=(new.gender or None),
        age_group=(new.age_group or None),
        campaign=new.campaign[:CAMPAIGN_MAX],
        language=new.language[:8],
        started_at=new.started_at,
        submitted_at=new.submitted_at or utcnow(),
    )
    try:
        async with session.begin_nested():
            session.add(submission)
            await session.flush()
            rows = [
                {"submission_id": submission.id, **row}
                for name, kind, value in new.answers
                for row in answer_rows(name, kind, value)
            ]
            if rows:  # one executemany, not an ORM object per answer
                await session.execute(insert(SurveyAnswer), rows)
    except IntegrityError:
        # A concurrent submit won the race: the same uuid, or this resident's round.
        again = await session.scalar(
            select(SurveySubmission.id).where(SurveySubmission.uuid == new.uuid)
        )
        if again is not None:
            return SubmitOutcome.ALREADY_STORED, again
        return SubmitOutcome.ALREADY_ANSWERED, None
    return SubmitOutcome.STORED, submission.id


async def submission_answers(session: AsyncSession, submission_id: int) -> dict[str, str]:
    """A submission's answers back in ODK form ({question: 'a b c'})."""
    rows = await session.execute(
        select(SurveyAnswer.question, SurveyAnswer.position, SurveyAnswer.value)
        .where(SurveyAnswer.submission_id == submission_id)
        .order_by(SurveyAnswer.question, SurveyAnswer.position)
    )
    answers: dict[str, list[str]] = {}
    for question, _position, value in rows:
        answers.setdefault(question, []).append(value)
    return {q: " ".join(v) for q, v in answers.items()}


async def count_submissions(session: AsyncSession, form_pk: int, round_label: str | None) -> int:
    query = select(func.count()).select_from(SurveySubmission)
    query = query.where(SurveySubmission.form_pk == form_pk)
    if round_label is not None:
        query = query.where(SurveySubmission.round == round_label)
    return int(await session.scalar(query) or 0)
