"""Forms and their versions: importing a version (idempotent for the same file), the live
version residents get, a form's round and whether it is offered."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Row, Select, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.base import utcnow
from storage.surveys.models import ROUND_MAX, SurveyForm, SurveyFormVersion, SurveySubmission


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


def _live_forms() -> Select[int, str, int, str, str, str, bool, str]:
    """Each form with its newest version, in one statement (without the version's workbook,
    which only the admin's download needs)."""
    newest = (
        select(func.max(SurveyFormVersion.id))
        .where(SurveyFormVersion.form_pk == SurveyForm.id)
        .correlate(SurveyForm)
        .scalar_subquery()
    )
    return select(
        SurveyForm.id,
        SurveyForm.form_id,
        SurveyFormVersion.id,
        SurveyFormVersion.version,
        SurveyFormVersion.definition,
        SurveyForm.round,
        SurveyForm.active,
        SurveyForm.title,
    ).join(SurveyFormVersion, SurveyFormVersion.id == newest)


_FORM_BY_ID = _live_forms().where(SurveyForm.form_id == bindparam("form_id"))
_ACTIVE_FORMS = _live_forms().where(SurveyForm.active.is_(True)).order_by(SurveyForm.id)
_ALL_FORMS = _live_forms().order_by(SurveyForm.id)


def _stored(row: Row[int, str, int, str, str, str, bool, str]) -> StoredForm:
    pk, form_id, version_pk, version, definition, round_label, active, title = row
    return StoredForm(pk, form_id, version_pk, version, definition, round_label, active, title)


async def get_form(session: AsyncSession, form_id: str) -> StoredForm | None:
    row = (await session.execute(_FORM_BY_ID, {"form_id": form_id})).first()
    return _stored(row) if row is not None else None


async def form_pk(session: AsyncSession, form_id: str) -> int | None:
    """The form's key, if it exists and has a version (what a submission needs)."""
    stored = await session.scalar(
        select(SurveyForm.id).where(
            SurveyForm.form_id == form_id,
            select(SurveyFormVersion.id)
            .where(SurveyFormVersion.form_pk == SurveyForm.id)
            .correlate(SurveyForm)
            .exists(),
        )
    )
    return int(stored) if stored is not None else None


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
    rows = await session.execute(_ACTIVE_FORMS if active_only else _ALL_FORMS)
    return [_stored(row) for row in rows]


async def active_form_ids(session: AsyncSession) -> list[str]:
    """The forms residents may answer now (the menu only needs to know which)."""
    query = select(SurveyForm.form_id).where(SurveyForm.active.is_(True)).order_by(SurveyForm.id)
    return list(await session.scalars(query))


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
