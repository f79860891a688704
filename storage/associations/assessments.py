"""Capacity self-assessments as stored: the answers and the score of each domain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from storage.associations.models import DOMAINS, CapacityAssessment, CapacityScore
from storage.base import utcnow

# --- capacity self-assessment ------------------------------------------------------------


@dataclass(frozen=True)
class DomainScore:
    domain: str
    score: int
    max_score: int

    @property
    def percent(self) -> int:
        return round(100 * self.score / self.max_score) if self.max_score else 0


async def save_assessment(
    session: AsyncSession,
    *,
    association_id: int,
    telegram_id: int,
    answers: dict[str, int],
    scores: list[DomainScore],
    now: datetime | None = None,
) -> CapacityAssessment:
    assessment = CapacityAssessment(
        association_id=association_id,
        answered_by=telegram_id,
        answers=dict(answers),
        completed_at=now or utcnow(),
    )
    session.add(assessment)
    await session.flush()
    for item in scores:
        session.add(
            CapacityScore(
                assessment_id=assessment.id,
                domain=item.domain,
                score=item.score,
                max_score=item.max_score,
            )
        )
    await session.flush()
    return assessment


async def latest_assessment(
    session: AsyncSession, association_id: int
) -> tuple[CapacityAssessment, list[CapacityScore]] | None:
    assessment = await session.scalar(
        select(CapacityAssessment)
        .where(CapacityAssessment.association_id == association_id)
        .order_by(CapacityAssessment.completed_at.desc(), CapacityAssessment.id.desc())
        .limit(1)
    )
    if assessment is None:
        return None
    scores = await session.scalars(
        select(CapacityScore).where(CapacityScore.assessment_id == assessment.id)
    )
    order = {d: i for i, d in enumerate(DOMAINS)}
    return assessment, sorted(scores, key=lambda s: order.get(s.domain, 99))


# --- the associations page (admin) -------------------------------------------------------
