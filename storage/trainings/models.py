"""The trainings area's tables and codes: courses, their sessions, registrations (a seat,
an offer or a waitlist ticket) and suggestions; the outcomes every operation shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, BigId, UTCDateTime, utcnow

# Registration statuses.
REGISTERED = "registered"
WAITLISTED = "waitlisted"
OFFERED = "offered"
CANCELLED = "cancelled"
DECLINED = "declined"
EXPIRED = "expired"
STATUSES = (REGISTERED, WAITLISTED, OFFERED, CANCELLED, DECLINED, EXPIRED)
ACTIVE = (REGISTERED, WAITLISTED, OFFERED)
HOLDS_SEAT = (REGISTERED, OFFERED)

SCHEDULED = "scheduled"
SESSION_CANCELLED = "cancelled"

GENDERS = ("female", "male", "unspecified")
CHECKIN_CODE_DIGITS = 4
# An offer is never shorter than this (unless the session starts sooner)...
MIN_OFFER = timedelta(minutes=30)
# ...and nobody is offered a seat once the session has started.


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


class Course(Base):
    __tablename__ = "training_courses"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    # The capacity domain it strengthens (storage.associations.DOMAINS), for recommendations.
    topic: Mapped[str] = mapped_column(String(32), index=True)
    title_ar: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    title_fr: Mapped[str] = mapped_column(String(200))
    description_ar: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_fr: Mapped[str] = mapped_column(Text, default="")
    hours: Mapped[int] = mapped_column(Integer, default=0)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def title(self, language: str) -> str:
        return {"ar": self.title_ar, "fr": self.title_fr}.get(language, self.title_en)

    def description(self, language: str) -> str:
        return {"ar": self.description_ar, "fr": self.description_fr}.get(
            language, self.description_en
        )


class TrainingSession(Base):
    __tablename__ = "training_sessions"
    __table_args__ = (
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("seats_taken >= 0 AND seats_taken <= capacity", name="seats_within"),
        CheckConstraint("waitlist_seq >= 0", name="waitlist_seq"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(f"status IN ({_in((SCHEDULED, SESSION_CANCELLED))})", name="status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    course_id: Mapped[int] = mapped_column(
        ForeignKey("training_courses.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    branch_code: Mapped[str | None] = mapped_column(
        ForeignKey("branches.code", ondelete="SET NULL"), nullable=True
    )
    place: Mapped[str] = mapped_column(String(300), default="")
    language: Mapped[str] = mapped_column(String(8), default="ar")
    trainer_name: Mapped[str] = mapped_column(String(200), default="")
    capacity: Mapped[int] = mapped_column(Integer)
    seats_taken: Mapped[int] = mapped_column(Integer, default=0)
    waitlist_seq: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default=SCHEDULED)
    checkin_code: Mapped[str | None] = mapped_column(String(8), nullable=True)
    checkin_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Registration(Base):
    """One person's place in one session: a seat, an offer, or a waitlist ticket.

    ``gender`` and ``association_*`` are copied at registration time, so monitoring
    figures do not move when a profile changes later.
    """

    __tablename__ = "training_registrations"
    __table_args__ = (
        UniqueConstraint("session_id", "telegram_id"),
        UniqueConstraint("session_id", "waitlist_no"),
        CheckConstraint(f"status IN ({_in(STATUSES)})", name="status"),
        CheckConstraint(
            f"(status = '{WAITLISTED}' AND waitlist_no IS NOT NULL) "
            f"OR (status <> '{WAITLISTED}' AND waitlist_no IS NULL)",
            name="waitlist_ticket",
        ),
        CheckConstraint(
            f"status <> '{OFFERED}' OR offer_expires_at IS NOT NULL", name="offer_deadline"
        ),
        CheckConstraint(
            "feedback_rating IS NULL OR (feedback_rating >= 1 AND feedback_rating <= 5)",
            name="rating_range",
        ),
        CheckConstraint(f"gender IN ('', {_in(GENDERS)})", name="gender"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("training_sessions.id", ondelete="CASCADE"), index=True
    )
    # NULL once the person erased their data (/delete): the anonymous counts remain.
    telegram_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.telegram_id", ondelete="SET NULL"), nullable=True, index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    waitlist_no: Mapped[int | None] = mapped_column(Integer, nullable=True)
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    offers_made: Mapped[int] = mapped_column(Integer, default=0)
    participant_name: Mapped[str] = mapped_column(String(200), default="")
    gender: Mapped[str] = mapped_column(String(16), default="")
    association_id: Mapped[int | None] = mapped_column(
        ForeignKey("associations.id", ondelete="SET NULL"), nullable=True
    )
    association_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    feedback_rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    feedback_comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    feedback_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class TrainingSuggestion(Base):
    __tablename__ = "training_suggestions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    telegram_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.telegram_id", ondelete="SET NULL"), nullable=True
    )
    text: Mapped[str] = mapped_column(Text)
    association_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


# --- outcomes ------------------------------------------------------------------------------


class SessionClosed(Exception):
    """The session is cancelled, has started, or does not exist."""


@dataclass
class Changes:
    """Offers this operation made (tell those people now) and offers it let expire."""

    offered: list[Registration] = field(default_factory=list)
    expired: list[Registration] = field(default_factory=list)

    def extend(self, other: Changes) -> None:
        self.offered.extend(other.offered)
        self.expired.extend(other.expired)
