"""One response per resident per round: the keyed marker that stands for a resident in a
round, and whether they have answered it."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import throttles
from storage.surveys.models import ROUND_MAX, SurveySubmission


def _marker_in_round(key: bytes, form_pk: int, round_label: str, telegram_id: int) -> int:
    return throttles.marker_number(key, f"survey:{form_pk}:{round_label[:ROUND_MAX]}", telegram_id)


async def round_marker(
    session: AsyncSession, form_pk: int, round_label: str, telegram_id: int
) -> int:
    """The keyed hash that stands for one resident in one survey round (storage.throttles):
    it stays on the submission after /delete, so the same account cannot answer twice in a
    round by erasing itself in between, while it identifies nobody."""
    key = await throttles.marker_key(session)
    return _marker_in_round(key, form_pk, round_label, telegram_id)


async def has_answered(
    session: AsyncSession,
    form_pk: int,
    round_label: str,
    respondent_id: int,
    *,
    key: bytes | None = None,
) -> bool:
    """Also in a read-only session: without ``key`` the marker key is only read here (no key
    yet, no marker)."""
    who = SurveySubmission.respondent_id == respondent_id
    if key is None:
        key = await throttles.existing_marker_key(session)
    if key is not None:
        marker = _marker_in_round(key, form_pk, round_label, respondent_id)
        who = or_(who, SurveySubmission.one_per_round_key == marker)
    found = await session.scalar(
        select(SurveySubmission.id)
        .where(SurveySubmission.form_pk == form_pk, SurveySubmission.round == round_label, who)
        .limit(1)
    )
    return found is not None
