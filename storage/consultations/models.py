"""The consultations area's tables: consultants, their topics, weekly timetable and
exceptions, and bookings; the limits on free texts and a consultant's slot rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, BigId, UTCDateTime, utcnow

DESCRIPTION_MAX_CHARS = 500
NOTE_MAX_CHARS = 1000
COMMENT_MAX_CHARS = 1000
MINUTES_PER_DAY = 24 * 60


class BookingKind(StrEnum):
    CONSULTATION = "consultation"
    TECHNICAL_SUPPORT = "technical_support"


class BookingStatus(StrEnum):
    BOOKED = "booked"  # active: holds the slot
    CANCELLED = "cancelled"
    DONE = "done"  # the consultant recorded that it took place
    MISSED = "missed"  # the consultant recorded that it did not take place


class ExceptionKind(StrEnum):
    OFF = "off"  # not available (whole day when no times are given)
    EXTRA = "extra"  # available outside the weekly timetable


ACTIVE = BookingStatus.BOOKED.value


# --------------------------------------------------------------------------- models


class Consultant(Base):
    __tablename__ = "consultants"
    __table_args__ = (
        CheckConstraint("session_minutes BETWEEN 15 AND 480", name="session_minutes"),
        CheckConstraint("buffer_minutes BETWEEN 0 AND 240", name="buffer_minutes"),
        CheckConstraint("min_notice_hours BETWEEN 0 AND 720", name="min_notice_hours"),
        CheckConstraint("horizon_days BETWEEN 1 AND 180", name="horizon_days"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    staff_member_id: Mapped[int] = mapped_column(
        ForeignKey("staff_members.id", ondelete="CASCADE"), unique=True
    )
    session_minutes: Mapped[int] = mapped_column(Integer, default=60)
    buffer_minutes: Mapped[int] = mapped_column(Integer, default=15)
    min_notice_hours: Mapped[int] = mapped_column(Integer, default=12)
    horizon_days: Mapped[int] = mapped_column(Integer, default=28)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def rules(self) -> SlotRules:
        return SlotRules(
            session=timedelta(minutes=self.session_minutes),
            buffer=timedelta(minutes=self.buffer_minutes),
            min_notice=timedelta(hours=self.min_notice_hours),
            horizon_days=self.horizon_days,
        )


class ConsultantTopic(Base):
    __tablename__ = "consultant_topics"

    consultant_id: Mapped[int] = mapped_column(
        ForeignKey("consultants.id", ondelete="CASCADE"), primary_key=True
    )
    topic: Mapped[str] = mapped_column(String(40), primary_key=True)


class WeeklyAvailability(Base):
    """Every <weekday>, from start to end (local minutes since midnight), at a branch."""

    __tablename__ = "consultant_availability"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        CheckConstraint(
            "start_minute >= 0 AND end_minute <= 1440 AND start_minute < end_minute",
            name="minutes",
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    consultant_id: Mapped[int] = mapped_column(
        ForeignKey("consultants.id", ondelete="CASCADE"), index=True
    )
    branch_code: Mapped[str] = mapped_column(ForeignKey("branches.code", ondelete="CASCADE"))
    weekday: Mapped[int] = mapped_column(Integer)  # Monday 0 ... Sunday 6
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)


class AvailabilityException(Base):
    """A day (or hours) off, or extra hours at a branch, on one local date."""

    __tablename__ = "consultant_exceptions"
    __table_args__ = (
        CheckConstraint("kind IN ('off', 'extra')", name="kind"),
        CheckConstraint(
            "(start_minute IS NULL AND end_minute IS NULL) OR "
            "(start_minute >= 0 AND end_minute <= 1440 AND start_minute < end_minute)",
            name="minutes",
        ),
        CheckConstraint(
            "kind = 'off' OR (branch_code IS NOT NULL AND start_minute IS NOT NULL)",
            name="extra_has_place_and_time",
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    consultant_id: Mapped[int] = mapped_column(
        ForeignKey("consultants.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(8), default=ExceptionKind.OFF.value)
    branch_code: Mapped[str | None] = mapped_column(
        ForeignKey("branches.code", ondelete="CASCADE"), nullable=True
    )
    start_minute: Mapped[int | None] = mapped_column(Integer, nullable=True)
    end_minute: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[str] = mapped_column(String(200), default="")


ACTIVE_ONLY = text("status = 'booked'")


class Booking(Base):
    """A consultation or technical-support session booked by a user."""

    __tablename__ = "consultation_bookings"
    __table_args__ = (
        CheckConstraint("kind IN ('consultation', 'technical_support')", name="kind"),
        CheckConstraint("status IN ('booked', 'cancelled', 'done', 'missed')", name="status"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(
            "feedback_rating IS NULL OR feedback_rating BETWEEN 1 AND 5", name="rating"
        ),
        # The last word on double booking: one active booking per consultant and start...
        Index(
            "uq_consultation_bookings_consultant_slot",
            "consultant_id",
            "starts_at",
            unique=True,
            sqlite_where=ACTIVE_ONLY,
            postgresql_where=ACTIVE_ONLY,
        ),
        # ... and one per requester and start.
        Index(
            "uq_consultation_bookings_requester_slot",
            "requester_id",
            "starts_at",
            unique=True,
            sqlite_where=ACTIVE_ONLY,
            postgresql_where=ACTIVE_ONLY,
        ),
        Index("ix_consultation_bookings_consultant_time", "consultant_id", "starts_at"),
        Index("ix_consultation_bookings_requester_time", "requester_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))
    consultant_id: Mapped[int] = mapped_column(ForeignKey("consultants.id", ondelete="RESTRICT"))
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    topic: Mapped[str] = mapped_column(String(40))
    branch_code: Mapped[str] = mapped_column(ForeignKey("branches.code", ondelete="RESTRICT"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12), default=ACTIVE)
    description: Mapped[str] = mapped_column(Text, default="")
    # Makes a retried booking request (same conversation draft) return the same booking.
    request_key: Mapped[str | None] = mapped_column(String(80), unique=True, nullable=True)
    reschedule_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancelled_by: Mapped[str] = mapped_column(String(16), default="")
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    consultant_note: Mapped[str] = mapped_column(Text, default="")
    feedback_rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    feedback_comment: Mapped[str] = mapped_column(Text, default="")
    feedback_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    @property
    def took_place(self) -> bool | None:
        if self.status == BookingStatus.DONE:
            return True
        if self.status == BookingStatus.MISSED:
            return False
        return None


@dataclass(frozen=True, slots=True)
class SlotRules:
    session: timedelta
    buffer: timedelta
    min_notice: timedelta
    horizon_days: int
