"""Surveys: forms, their versions, submissions and answers (one row per answer).

A select_multiple or rank answer is one row per chosen choice (``position`` 1, 2, 3...:
the order picked for a rank), so SQL can count and weigh them directly; a number also
keeps its numeric value in ``number``.

Integrity lives in the database:

* a submission's ``uuid`` is unique, so a re-delivered or retried "Submit" stores it once;
* ``(form, round, one_per_round_key)`` is unique, and ``one_per_round_key`` holds a keyed
  hash of the respondent's Telegram id (``round_marker``) only when the form says "one
  response per resident per round" (NULL otherwise; NULLs never collide) — so nobody
  answers such a round twice, even when two workers race or after erasing their data;
* one answer row per (submission, question, position).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

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
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage import throttles
from storage.base import Base, BigId, UTCDateTime, utcnow

ROUND_MAX = 40
CAMPAIGN_MAX = 64

# Question kinds (formengine.model.Kind values; storage does not import the bot).
# Answers that may identify a person by themselves are erased by /delete, while the
# choice answers stay as anonymous counts.
IDENTIFYING_KINDS = frozenset(
    {
        "text",
        "barcode",
        "geopoint",
        "geotrace",
        "geoshape",
        "image",
        "audio",
        "video",
        "file",
        "date",
        "time",
        "datetime",
        "meta",
        "calculate",
        "hidden",
    }
)
NUMERIC_KINDS = frozenset({"integer", "decimal", "range"})
MULTI_KINDS = frozenset({"select_multiple", "rank"})


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


# --- forms ------------------------------------------------------------------------------------


class ImportOutcome(StrEnum):
    CREATED = "created"  # a new form
    NEW_VERSION = "new_version"
    UNCHANGED = "unchanged"  # the same file again
    REPLACED = "replaced"  # same version number, changed file, no submissions yet


class VersionConflict(ValueError):
    """The same version number with different content, and answers already collected."""


@dataclass(frozen=True)
class StoredForm:
    """A form as residents get it now: its newest version and current round.

    ``definition`` is the JSON of ``formengine.model.Form`` (``Form.from_json``)."""

    pk: int
    form_id: str
    version_pk: int
    version: str
    definition: str
    round: str
    active: bool
    title: str


@dataclass(frozen=True)
class FormToImport:
    form_id: str
    version: str
    title: str
    round: str  # the round the form's settings name (or its version)
    definition: str


async def import_form(
    session: AsyncSession,
    form: FormToImport,
    *,
    source: bytes | None = None,
    source_name: str = "",
    round_override: str | None = None,
    digest: str | None = None,
) -> tuple[StoredForm, ImportOutcome]:
    """Store a form version (idempotent for the same file). The newest version is live.
    ``digest`` identifies the version's content when more than the file makes it (the
    files the form attaches); by default the file's SHA-256."""
    definition = form.definition
    digest = (
        digest or hashlib.sha256(source if source is not None else definition.encode()).hexdigest()
    )
    row = await session.scalar(
        select(SurveyForm).where(SurveyForm.form_id == form.form_id).with_for_update()
    )
    outcome = ImportOutcome.NEW_VERSION
    if row is None:
        row = SurveyForm(form_id=form.form_id, title=form.title[:200], round="", active=True)
        session.add(row)
        await session.flush()
        outcome = ImportOutcome.CREATED
    version = await session.scalar(
        select(SurveyFormVersion).where(
            SurveyFormVersion.form_pk == row.id, SurveyFormVersion.version == form.version
        )
    )
    if version is not None:
        if version.source_sha256 == digest:
            outcome = ImportOutcome.UNCHANGED
        else:
            used = await session.scalar(
                select(func.count())
                .select_from(SurveySubmission)
                .where(SurveySubmission.version_pk == version.id)
            )
            if used:
                raise VersionConflict(
                    f"version {form.version} of {form.form_id} is already in use by {used} "
                    "submission(s) and differs from this file: raise 'version' in the "
                    "settings sheet"
                )
            version.definition = definition
            version.source, version.source_name = source, source_name[:255]
            version.source_sha256, version.imported_at = digest, utcnow()
            outcome = ImportOutcome.REPLACED
    else:
        version = SurveyFormVersion(
            form_pk=row.id,
            version=form.version[:40],
            definition=definition,
            source=source,
            source_name=source_name[:255],
            source_sha256=digest,
        )
        session.add(version)
    row.title = form.title[:200]
    new_round = round_override if round_override is not None else form.round
    if outcome != ImportOutcome.UNCHANGED or round_override is not None:
        row.round = new_round[:ROUND_MAX]
    row.updated_at = utcnow()
    await session.flush()
    loaded = await get_form(session, form.form_id)
    assert loaded is not None
    return loaded, outcome


async def _latest_version(session: AsyncSession, form_pk: int) -> SurveyFormVersion | None:
    return await session.scalar(
        select(SurveyFormVersion)
        .where(SurveyFormVersion.form_pk == form_pk)
        .order_by(SurveyFormVersion.id.desc())
        .limit(1)
    )


async def get_form(session: AsyncSession, form_id: str) -> StoredForm | None:
    row = await session.scalar(select(SurveyForm).where(SurveyForm.form_id == form_id))
    if row is None:
        return None
    version = await _latest_version(session, row.id)
    if version is None:
        return None
    return StoredForm(
        row.id,
        row.form_id,
        version.id,
        version.version,
        version.definition,
        row.round,
        row.active,
        row.title,
    )


async def source_digests(session: AsyncSession, form_pk: int) -> set[str]:
    """SHA-256 of every file imported as a version of the form."""
    return set(
        await session.scalars(
            select(SurveyFormVersion.source_sha256).where(SurveyFormVersion.form_pk == form_pk)
        )
    )


async def get_definition(session: AsyncSession, version_pk: int) -> str | None:
    """The form definition of one version (a resident keeps the version they started)."""
    return await session.scalar(
        select(SurveyFormVersion.definition).where(SurveyFormVersion.id == version_pk)
    )


async def list_forms(session: AsyncSession, *, active_only: bool = True) -> list[StoredForm]:
    query = select(SurveyForm.form_id).order_by(SurveyForm.id)
    if active_only:
        query = query.where(SurveyForm.active.is_(True))
    forms = []
    for form_id in await session.scalars(query):
        loaded = await get_form(session, form_id)
        if loaded is not None:
            forms.append(loaded)
    return forms


async def form_ids(session: AsyncSession) -> list[str]:
    """Every form id, for resolving deep links."""
    return list(await session.scalars(select(SurveyForm.form_id)))


async def set_round(session: AsyncSession, form_id: str, round_label: str) -> bool:
    result = await session.execute(
        update(SurveyForm)
        .where(SurveyForm.form_id == form_id)
        .values(round=round_label[:ROUND_MAX], updated_at=utcnow())
    )
    return bool(getattr(result, "rowcount", 0))


async def set_active(session: AsyncSession, form_id: str, active: bool) -> bool:
    result = await session.execute(
        update(SurveyForm).where(SurveyForm.form_id == form_id).values(active=active)
    )
    return bool(getattr(result, "rowcount", 0))


# --- submissions --------------------------------------------------------------------------


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
                SurveyAnswer(submission_id=submission.id, **row)
                for name, kind, value in new.answers
                for row in answer_rows(name, kind, value)
            ]
            session.add_all(rows)
            await session.flush()
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


# --- personal data (/mydata, /delete) ---------------------------------------------------------


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
