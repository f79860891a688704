"""Forms in the database: importing XLSForms, loading the version a resident answers.

The forms shipped in ``forms/`` (the needs survey) are imported on first use, so a fresh
installation offers them without any command; ``musharaka forms import`` adds others or
new versions.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.config import PROJECT_ROOT
from formengine.loader import load_xlsform
from formengine.model import Form
from storage import form_media, surveys
from storage.db import Database

FORMS_DIR = PROJECT_ROOT / "forms"
NEEDS_SURVEY = "needs_survey"
# Shipped forms: form_id -> file in forms/.
SHIPPED = {NEEDS_SURVEY: FORMS_DIR / "needs_survey.xlsx"}


@dataclass(frozen=True)
class LiveForm:
    """A stored form with its parsed definition."""

    stored: surveys.StoredForm
    form: Form

    @property
    def form_id(self) -> str:
        return self.stored.form_id

    @property
    def round(self) -> str:
        return self.stored.round


class ReplaceRefused(ValueError):
    """The file would put a different form behind an existing form's link."""

    def __init__(self, form_id: str, title: str, answers: int, reason: str) -> None:
        self.form_id, self.title, self.answers, self.reason = form_id, title, answers, reason
        super().__init__(
            f"this would replace the form {form_id!r} ({title!r}, {answers} answer(s) so far, "
            f"link survey_{form_id}): {reason}. To keep both, give this file its own form_id "
            "in the settings sheet; to replace that form, import again with --replace"
        )


def _why_another_form(existing: Form, new: Form, filename: str) -> str | None:
    """Why ``new`` may not be a new version of ``existing`` (None: it is one)."""
    old_id = existing.id_string or existing.form_id
    if new.id_string != old_id:
        return (
            f"its form_id {new.id_string!r} is not that form's {old_id!r}, but both are "
            f"{new.form_id!r} in links"
        )
    if not new.id_declared:
        return (
            f"{filename} has no form_id in its settings sheet, so its id comes from the file "
            "name, which that form already uses"
        )
    return None


@lru_cache(maxsize=256)
def parse_definition(version_pk: int, definition: str) -> Form:
    """Form versions never change once used, so their parsed form can be kept."""
    return Form.from_json(definition)


def to_import(form: Form) -> surveys.FormToImport:
    return surveys.FormToImport(
        form_id=form.form_id,
        version=form.version,
        title=form.title,
        round=form.round_label,
        definition=form.to_json(),
    )


async def import_xlsform(
    session: AsyncSession,
    source: Path | bytes,
    *,
    filename: str = "form.xlsx",
    round_override: str | None = None,
    replace: bool = False,
    media: Mapping[str, bytes] | None = None,
) -> tuple[LiveForm, surveys.ImportOutcome]:
    """Read, check and store an XLSForm (raises FormError, ReplaceRefused or VersionConflict).

    ``media`` gives the files the form attaches (CSV, XML, GeoJSON) by name; the ones the
    form reads are stored with the version, and a changed file makes a changed version.

    A file becomes a new version of the form whose form_id it declares. It never takes
    the place of a *different* form (another form_id with the same slug, or an id taken
    from a file name that an existing form already uses) unless ``replace`` says so."""
    if isinstance(source, Path):
        data, name = await asyncio.to_thread(source.read_bytes), source.name
    else:
        data, name = source, filename
    form = load_xlsform(data, filename=name, media=media)
    digest = version_digest(data, form.media)
    existing = await load_form(session, form.form_id)
    if existing is not None and not replace:
        reason = _why_another_form(existing.form, form, name)
        if reason and digest not in await surveys.source_digests(session, existing.stored.pk):
            answers = await surveys.count_submissions(session, existing.stored.pk, None)
            raise ReplaceRefused(form.form_id, existing.stored.title, answers, reason)
    stored, outcome = await surveys.import_form(
        session,
        to_import(form),
        source=data,
        source_name=name,
        round_override=round_override,
        digest=digest,
    )
    if outcome != surveys.ImportOutcome.UNCHANGED and (form.media or media is not None):
        given = media if media is not None else {}
        files = {file_name: given[file_name] for file_name in form.media}
        await form_media.replace_media(session, stored.version_pk, files)
    return LiveForm(stored, parse_definition(stored.version_pk, stored.definition)), outcome


def version_digest(data: bytes, media: Mapping[str, str]) -> str:
    """What identifies a version's content: the workbook, and the files it attaches."""
    workbook = hashlib.sha256(data).hexdigest()
    if not media:
        return workbook
    listed = "\n".join(f"{name}:{sha}" for name, sha in sorted(media.items()))
    return hashlib.sha256(f"{workbook}\n{listed}".encode()).hexdigest()


async def load_form(session: AsyncSession, form_id: str) -> LiveForm | None:
    stored = await surveys.get_form(session, form_id)
    if stored is None:
        return None
    return LiveForm(stored, parse_definition(stored.version_pk, stored.definition))


async def load_version(session: AsyncSession, version_pk: int) -> Form | None:
    definition = await surveys.get_definition(session, version_pk)
    return parse_definition(version_pk, definition) if definition is not None else None


VERSIONS_KEPT = 64  # form versions kept parsed per database
VERSION_FRESH_SECONDS = 30.0  # an import may still replace an unused version in place


async def version_in_use(db: Database, version_pk: int) -> Form | None:
    """The version a resident is answering, read from the database at most every
    VERSION_FRESH_SECONDS per process instead of on every tap (one read transaction
    less per survey step).

    Per database, because tests and the demo open several whose version numbers overlap.
    Kept only briefly because `forms import` may replace a version that has no
    submissions yet (same number, new definition) from another process; a survey
    starting in this process also refreshes it (``remember_version``)."""
    kept = _versions.setdefault(db, {})
    entry = kept.get(version_pk)
    if entry is not None and time.monotonic() - entry[1] < VERSION_FRESH_SECONDS:
        return entry[0]
    async with db.reader() as s:
        form = await load_version(s, version_pk)
    if form is not None:
        remember_version(db, version_pk, form)
    return form


def remember_version(db: Database, version_pk: int, form: Form) -> None:
    kept = _versions.setdefault(db, {})
    kept.pop(version_pk, None)
    if len(kept) >= VERSIONS_KEPT:
        kept.pop(next(iter(kept)))
    kept[version_pk] = (form, time.monotonic())


_versions: weakref.WeakKeyDictionary[Database, dict[int, tuple[Form, float]]] = (
    weakref.WeakKeyDictionary()
)


async def ensure_shipped_form(db: Database, form_id: str) -> LiveForm | None:
    """The form, importing the shipped file first if the database does not have it yet
    (`musharaka run` imports them before it serves: residents opening a survey together on
    a fresh PostgreSQL database would otherwise each read the workbook, tens of ms, before
    all but one of them found the form already there)."""
    async with db.reader() as s:
        live = await load_form(s, form_id)
    if live is not None or form_id not in SHIPPED or not SHIPPED[form_id].exists():
        return live
    try:
        async with db.transaction() as s:
            live = await load_form(s, form_id)  # another worker may have imported it meanwhile
            if live is None:
                live, _outcome = await import_xlsform(s, SHIPPED[form_id])
    except IntegrityError:  # it did, between our read and our write (PostgreSQL)
        async with db.reader() as s:
            live = await load_form(s, form_id)
    return live


async def ensure_shipped_forms(db: Database) -> None:
    for form_id in SHIPPED:
        await ensure_shipped_form(db, form_id)
