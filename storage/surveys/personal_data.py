"""A person's survey data: what /mydata shows, where their files are, what /delete
erases (answers that could identify them; choices stay as anonymous counts)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.surveys.models import SurveyAnswer, SurveyForm, SurveySubmission
from storage.surveys.submissions import submission_answers
from storage.surveys.vocabulary import IDENTIFYING_KINDS


async def export_personal_data(session: AsyncSession, telegram_id: int) -> dict[str, Any]:
    rows = await session.execute(
        select(SurveySubmission, SurveyForm.form_id)
        .join(SurveyForm, SurveyForm.id == SurveySubmission.form_pk)
        .where(SurveySubmission.respondent_id == telegram_id)
        .order_by(SurveySubmission.submitted_at)
    )
    submissions = []
    for submission, form_id in rows:
        submissions.append(
            {
                "form": form_id,
                "round": submission.round,
                "submitted_at": submission.submitted_at.isoformat(),
                "campaign": submission.campaign,
                "answers": await submission_answers(session, submission.id),
            }
        )
    return {"survey_submissions": submissions}


def file_prefix(form_id: str, submission_uuid: str) -> str:
    """Where a submission's files are kept in the file store (storage.files)."""
    return f"surveys/{form_id}/{submission_uuid}"


async def file_prefixes(session: AsyncSession, telegram_id: int) -> list[str]:
    """The file-store folders of a person's submissions (spoken text answers keep their
    files there too, so every submission's folder is named; a missing one is no harm)."""
    rows = await session.execute(
        select(SurveyForm.form_id, SurveySubmission.uuid)
        .join(SurveySubmission, SurveySubmission.form_pk == SurveyForm.id)
        .where(SurveySubmission.respondent_id == telegram_id)
    )
    return [file_prefix(form_id, uuid) for form_id, uuid in rows]


async def erase_personal_data(session: AsyncSession, telegram_id: int) -> None:
    """Unlink the person's submissions and drop answers that could identify them (free
    text, locations, photos, dates); the choice answers stay as anonymous counts."""
    ids = list(
        await session.scalars(
            select(SurveySubmission.id).where(SurveySubmission.respondent_id == telegram_id)
        )
    )
    if not ids:
        return
    await session.execute(
        delete(SurveyAnswer).where(
            SurveyAnswer.submission_id.in_(ids),
            SurveyAnswer.kind.in_(sorted(IDENTIFYING_KINDS)),
        )
    )
    await session.execute(
        update(SurveySubmission)
        .where(SurveySubmission.id.in_(ids))
        .values(respondent_id=None, campaign="", started_at=None)
    )
