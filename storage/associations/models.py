"""The tables of associations, their members and capacity self-assessments, and the
codes they hold. One person belongs to at most one association (``UNIQUE(telegram_id)``)
and every association has at most one coordinator (a partial unique index): both rules hold
in the database, whatever the bot does."""

from __future__ import annotations

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
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, BigId, UTCDateTime, utcnow

COORDINATOR = "coordinator"
MEMBER = "member"

# Fields of work an association chooses from (their labels: storage.associations.vocabulary).
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
