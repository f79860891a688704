"""Associations, their members, join codes, and capacity self-assessment results.

One person belongs to at most one association (``UNIQUE(telegram_id)``) and every
association has at most one coordinator (a partial unique index): both rules hold in
the database, whatever the bot does. Members' names and phones are personal data:
only the coordinator of that association and programme staff may read them.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    delete,
    func,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, BigId, UTCDateTime, utcnow

COORDINATOR = "coordinator"
MEMBER = "member"

# Fields of work an association chooses from (labels are translated in the bot).
FIELDS = (
    "social",
    "education",
    "health",
    "youth",
    "women",
    "children",
    "disability",
    "environment",
    "culture",
    "rural_development",
    "rights",
    "other",
)

# Capacity domains; the consultations area uses the same codes for its topics.
DOMAINS = (
    "strategic_planning",
    "governance",
    "financial_management",
    "project_management",
    "me",
    "hr",
    "fundraising",
    "advocacy",
    "archiving",
)

JOIN_CODE_DIGITS = 6
MAX_MEMBERS_COUNT = 100_000


class Association(Base):
    __tablename__ = "associations"
    __table_args__ = (
        UniqueConstraint("district_code", "name_key"),
        CheckConstraint(
            f"members_count >= 1 AND members_count <= {MAX_MEMBERS_COUNT}", name="members_count"
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    # The name folded for comparison: one association per name and district.
    name_key: Mapped[str] = mapped_column(String(200))
    district_code: Mapped[str] = mapped_column(ForeignKey("districts.code"), index=True)
    field_code: Mapped[str] = mapped_column(String(32))
    members_count: Mapped[int] = mapped_column(Integer)
    join_code: Mapped[str] = mapped_column(String(12), unique=True)
    created_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Membership(Base):
    __tablename__ = "association_members"
    __table_args__ = (
        CheckConstraint(f"role IN ('{COORDINATOR}', '{MEMBER}')", name="role"),
        Index(
            "uq_association_members_one_coordinator",
            "association_id",
            unique=True,
            sqlite_where=text(f"role = '{COORDINATOR}'"),
            postgresql_where=text(f"role = '{COORDINATOR}'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    association_id: Mapped[int] = mapped_column(
        ForeignKey("associations.id", ondelete="CASCADE"), index=True
    )
    telegram_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.telegram_id", ondelete="CASCADE"), unique=True
    )
    role: Mapped[str] = mapped_column(String(16), default=MEMBER)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CapacityAssessment(Base):
    """One completed self-assessment of an association, by one of its members."""

    __tablename__ = "capacity_assessments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    association_id: Mapped[int] = mapped_column(
        ForeignKey("associations.id", ondelete="CASCADE"), index=True
    )
    answered_by: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.telegram_id", ondelete="SET NULL"), nullable=True
    )
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CapacityScore(Base):
    __tablename__ = "capacity_scores"
    __table_args__ = (
        CheckConstraint("score >= 0 AND score <= max_score", name="score_range"),
        CheckConstraint("max_score > 0", name="max_score_positive"),
    )

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("capacity_assessments.id", ondelete="CASCADE"), primary_key=True
    )
    domain: Mapped[str] = mapped_column(String(32), primary_key=True)
    score: Mapped[int] = mapped_column(Integer)
    max_score: Mapped[int] = mapped_column(Integer)

    @property
    def percent(self) -> int:
        return round(100 * self.score / self.max_score)


# --- names and codes ---------------------------------------------------------------


def name_key(name: str) -> str:
    """'  جمعية   الأمل ' and 'جمعيّة الامل' compare equal: case, spaces, diacritics, alef forms."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    folded = re.sub(r"[\u064b-\u0652\u0640]", "", folded)  # harakat and tatweel
    folded = re.sub("[أإآ]", "ا", folded).replace("ة", "ه").replace("ى", "ي")
    return re.sub(r"\s+", " ", folded).strip()[:200]


def new_join_code() -> str:
    """Digits only: easy to type on any phone keyboard, Arabic-Indic digits included."""
    return "".join(secrets.choice("0123456789") for _ in range(JOIN_CODE_DIGITS))


class DuplicateAssociation(Exception):
    """An association with this name is already registered in this district."""


class AlreadyMember(Exception):
    """The person already belongs to an association."""

    def __init__(self, membership: Membership) -> None:
        super().__init__(membership.association_id)
        self.membership = membership


# --- associations and members ----------------------------------------------------------


async def membership_of(session: AsyncSession, telegram_id: int) -> Membership | None:
    return await session.scalar(select(Membership).where(Membership.telegram_id == telegram_id))


async def association_of(
    session: AsyncSession, telegram_id: int
) -> tuple[Association, Membership] | None:
    row = (
        await session.execute(
            select(Association, Membership)
            .join(Membership, Membership.association_id == Association.id)
            .where(Membership.telegram_id == telegram_id)
        )
    ).first()
    return (row[0], row[1]) if row else None


async def get_association(session: AsyncSession, association_id: int) -> Association | None:
    return await session.get(Association, association_id)


async def find_by_code(session: AsyncSession, code: str) -> Association | None:
    return await session.scalar(
        select(Association).where(Association.join_code == code, Association.active.is_(True))
    )


async def _unused_join_code(session: AsyncSession) -> str:
    for _ in range(50):
        code = new_join_code()
        if (
            await session.scalar(select(Association.id).where(Association.join_code == code))
            is None
        ):
            return code
    raise RuntimeError("could not find a free join code")


async def register_association(
    session: AsyncSession,
    *,
    telegram_id: int,
    name: str,
    district_code: str,
    field_code: str,
    members_count: int,
    full_name: str,
    phone: str,
) -> Association:
    """Create the association with this person as its coordinator (one transaction)."""
    existing = await membership_of(session, telegram_id)
    if existing is not None:
        raise AlreadyMember(existing)
    key = name_key(name)
    duplicate = await session.scalar(
        select(Association.id).where(
            Association.district_code == district_code, Association.name_key == key
        )
    )
    if duplicate is not None:
        raise DuplicateAssociation(name)
    association = Association(
        name=name,
        name_key=key,
        district_code=district_code,
        field_code=field_code,
        members_count=members_count,
        join_code=await _unused_join_code(session),
        created_by=telegram_id,
        active=True,
    )
    session.add(association)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:  # a concurrent registration of the same name
        raise DuplicateAssociation(name) from exc
    session.add(
        Membership(
            association_id=association.id,
            telegram_id=telegram_id,
            role=COORDINATOR,
            full_name=full_name,
            phone=phone,
        )
    )
    await session.flush()
    return association


async def join_association(
    session: AsyncSession, *, telegram_id: int, association_id: int, full_name: str, phone: str
) -> Membership:
    """Add a member; joining the same association again just updates the name and phone."""
    existing = await membership_of(session, telegram_id)
    if existing is not None:
        if existing.association_id != association_id:
            raise AlreadyMember(existing)
        existing.full_name, existing.phone = full_name, phone
        return existing
    membership = Membership(
        association_id=association_id,
        telegram_id=telegram_id,
        role=MEMBER,
        full_name=full_name,
        phone=phone,
    )
    session.add(membership)
    await session.flush()
    return membership


async def members(session: AsyncSession, association_id: int) -> list[Membership]:
    rows = await session.scalars(
        select(Membership)
        .where(Membership.association_id == association_id)
        .order_by(Membership.role != COORDINATOR, Membership.joined_at, Membership.id)
    )
    return list(rows)


async def member_count(session: AsyncSession, association_id: int) -> int:
    count = await session.scalar(
        select(func.count()).where(Membership.association_id == association_id)
    )
    return int(count or 0)


async def coordinator_of(session: AsyncSession, association_id: int) -> Membership | None:
    return await session.scalar(
        select(Membership).where(
            Membership.association_id == association_id, Membership.role == COORDINATOR
        )
    )


async def can_see_members(
    session: AsyncSession, association_id: int, telegram_id: int, *, is_staff: bool
) -> bool:
    """Names and phones: the association's coordinator and programme staff only."""
    if is_staff:
        return True
    membership = await membership_of(session, telegram_id)
    return (
        membership is not None
        and membership.association_id == association_id
        and membership.role == COORDINATOR
    )


async def new_code(session: AsyncSession, association_id: int) -> str:
    """Replace the join code (the old one stops working at once)."""
    association = await session.get(Association, association_id)
    if association is None:
        raise LookupError(association_id)
    association.join_code = await _unused_join_code(session)
    await session.flush()
    return association.join_code


async def leave(session: AsyncSession, telegram_id: int) -> bool:
    """A member leaves. A coordinator may leave only when nobody else is left;
    the association then stays on record without members. False if refused."""
    membership = await membership_of(session, telegram_id)
    if membership is None:
        return True
    if (
        membership.role == COORDINATOR
        and await member_count(session, membership.association_id) > 1
    ):
        return False
    await session.delete(membership)
    await session.flush()
    return True


async def remove_member(
    session: AsyncSession, *, coordinator_id: int, membership_id: int
) -> Membership | None:
    """The coordinator removes someone from their association; the removed membership,
    or None if the caller is not that association's coordinator or it is themselves."""
    coordinator = await membership_of(session, coordinator_id)
    target = await session.get(Membership, membership_id)
    if (
        coordinator is None
        or coordinator.role != COORDINATOR
        or target is None
        or target.association_id != coordinator.association_id
        or target.id == coordinator.id
    ):
        return None
    await session.delete(target)
    await session.flush()
    return target


async def hand_over(session: AsyncSession, *, coordinator_id: int, membership_id: int) -> bool:
    """Make another member the coordinator; the current coordinator becomes a member."""
    coordinator = await membership_of(session, coordinator_id)
    target = await session.get(Membership, membership_id)
    if (
        coordinator is None
        or coordinator.role != COORDINATOR
        or target is None
        or target.association_id != coordinator.association_id
        or target.id == coordinator.id
    ):
        return False
    coordinator.role = MEMBER
    await session.flush()  # the partial unique index allows one coordinator at a time
    target.role = COORDINATOR
    await session.flush()
    return True


async def list_associations(session: AsyncSession) -> list[tuple[Association, int]]:
    """Every active association with its number of members on the bot (staff)."""
    counts = (
        select(Membership.association_id, func.count().label("n"))
        .group_by(Membership.association_id)
        .subquery()
    )
    rows = await session.execute(
        select(Association, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.association_id == Association.id)
        .where(Association.active.is_(True))
        .order_by(Association.district_code, Association.name)
    )
    return [(a, int(n)) for a, n in rows.all()]


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


# --- personal data -------------------------------------------------------------------------


async def export_person(session: AsyncSession, telegram_id: int) -> dict[str, Any]:
    found = await association_of(session, telegram_id)
    if found is None:
        return {}
    association, membership = found
    return {
        "association": association.name,
        "role": membership.role,
        "full_name": membership.full_name,
        "phone": membership.phone,
        "joined_at": membership.joined_at.isoformat(),
    }


async def erase_person(session: AsyncSession, telegram_id: int) -> None:
    """Leave the association; a coordinator's role passes to the longest-standing member."""
    membership = await membership_of(session, telegram_id)
    if membership is None:
        return
    association_id, was_coordinator = membership.association_id, membership.role == COORDINATOR
    await session.execute(delete(Membership).where(Membership.id == membership.id))
    await session.flush()
    if was_coordinator:
        successor = await session.scalar(
            select(Membership)
            .where(Membership.association_id == association_id)
            .order_by(Membership.joined_at, Membership.id)
            .limit(1)
        )
        if successor is not None:
            successor.role = COORDINATOR
            await session.flush()
