"""The survey tables: forms, their versions, submissions, and answers (one row per answer;
one per chosen choice of a select_multiple or rank)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, BigId, UTCDateTime, utcnow

ROUND_MAX = 40
CAMPAIGN_MAX = 64


class SurveyForm(Base):
    __tablename__ = "survey_forms"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    form_id: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    # The round new submissions belong to (a programme asks the same survey again later).
    round: Mapped[str] = mapped_column(String(ROUND_MAX), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SurveyFormVersion(Base):
    """One imported version of a form; the newest one is the one residents get."""

    __tablename__ = "survey_form_versions"
    __table_args__ = (UniqueConstraint("form_pk", "version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    form_pk: Mapped[int] = mapped_column(
        ForeignKey("survey_forms.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[str] = mapped_column(String(40))
    definition: Mapped[str] = mapped_column(Text)  # Form.to_json()
    source_name: Mapped[str] = mapped_column(String(255), default="")
    source_sha256: Mapped[str] = mapped_column(String(64))
    source: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # the .xlsx
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SurveySubmission(Base):
    __tablename__ = "survey_submissions"
    __table_args__ = (
        UniqueConstraint("form_pk", "round", "one_per_round_key"),
        Index("ix_survey_submissions_cells", "form_pk", "round", "district_code"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    form_pk: Mapped[int] = mapped_column(ForeignKey("survey_forms.id", ondelete="CASCADE"))
    version_pk: Mapped[int] = mapped_column(
        ForeignKey("survey_form_versions.id", ondelete="CASCADE"), index=True
    )
    round: Mapped[str] = mapped_column(String(ROUND_MAX), default="")
    # Telegram id of the respondent; NULL once they erased their data with /delete.
    respondent_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    # = respondent_id when the form allows one response per resident per round, else NULL.
    one_per_round_key: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # Who answered, as the priority figures break it down (codes of the form's choices).
    district_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    gender: Mapped[str | None] = mapped_column(String(32), nullable=True)
    age_group: Mapped[str | None] = mapped_column(String(32), nullable=True)
    campaign: Mapped[str] = mapped_column(String(CAMPAIGN_MAX), default="")
    language: Mapped[str] = mapped_column(String(8), default="")
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SurveyAnswer(Base):
    __tablename__ = "survey_answers"
    __table_args__ = (
        UniqueConstraint("submission_id", "question", "position"),
        CheckConstraint("position >= 0", name="position_not_negative"),
        Index("ix_survey_answers_question", "question", "position"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("survey_submissions.id", ondelete="CASCADE")
    )
    question: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(20))
    # 0 for a single value; 1, 2, 3... for each choice of a select_multiple or rank.
    position: Mapped[int] = mapped_column(Integer, default=0)
    value: Mapped[str] = mapped_column(Text)
    number: Mapped[float | None] = mapped_column(Float, nullable=True)
