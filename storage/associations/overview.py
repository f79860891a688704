"""The associations page of the admin: each active association with its members on the
bot and its latest scores, filtered by district and field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from storage.associations.assessments import DomainScore
from storage.associations.models import (
    COORDINATOR,
    DOMAINS,
    Association,
    CapacityAssessment,
    CapacityScore,
    Membership,
)


@dataclass(frozen=True)
class AssociationFilter:
    """Which active associations to list (None: no condition)."""

    district: str | None = None
    field: str | None = None


@dataclass(frozen=True)
class AssociationSummary:
    association: Association
    on_bot: int  # members registered on the bot (the declared size is ``members_count``)
    coordinator: Membership | None
    assessed_at: datetime | None  # the latest capacity self-assessment
    scores: list[DomainScore]  # of that assessment, in the order of ``DOMAINS``

    def percent_of(self, domain: str) -> int | None:
        return next((s.percent for s in self.scores if s.domain == domain), None)


async def association_overview(
    session: AsyncSession, where: AssociationFilter
) -> list[AssociationSummary]:
    """Active associations by district and name, each with its coordinator and its latest
    self-assessment (four queries, whatever the number of associations)."""
    counts = (
        select(Membership.association_id, func.count().label("n"))
        .group_by(Membership.association_id)
        .subquery()
    )
    query = (
        select(Association, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.association_id == Association.id)
        .where(Association.active.is_(True))
        .order_by(Association.district_code, Association.name, Association.id)
    )
    if where.district is not None:
        query = query.where(Association.district_code == where.district)
    if where.field is not None:
        query = query.where(Association.field_code == where.field)
    listed = [(a, int(n)) for a, n in (await session.execute(query)).all()]
    ids = [a.id for a, _n in listed]
    coordinators: dict[int, Membership] = {}
    latest: dict[int, CapacityAssessment] = {}
    scores: dict[int, list[DomainScore]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for membership in await session.scalars(
            select(Membership).where(
                Membership.association_id.in_(chunk), Membership.role == COORDINATOR
            )
        ):
            coordinators[membership.association_id] = membership
        for assessment in await session.scalars(
            select(CapacityAssessment)
            .where(CapacityAssessment.association_id.in_(chunk))
            .order_by(CapacityAssessment.completed_at.desc(), CapacityAssessment.id.desc())
        ):
            latest.setdefault(assessment.association_id, assessment)
    assessment_ids = [a.id for a in latest.values()]
    order = {d: i for i, d in enumerate(DOMAINS)}
    for start in range(0, len(assessment_ids), 500):
        for row in await session.scalars(
            select(CapacityScore).where(
                CapacityScore.assessment_id.in_(assessment_ids[start : start + 500])
            )
        ):
            scores.setdefault(row.assessment_id, []).append(
                DomainScore(row.domain, row.score, row.max_score)
            )
    summaries = []
    for association, on_bot in listed:
        found = latest.get(association.id)
        summaries.append(
            AssociationSummary(
                association=association,
                on_bot=on_bot,
                coordinator=coordinators.get(association.id),
                assessed_at=found.completed_at if found else None,
                scores=sorted(
                    scores.get(found.id, []) if found else [],
                    key=lambda s: order.get(s.domain, len(order)),
                ),
            )
        )
    return summaries
