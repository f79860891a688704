"""Counters of failed attempts that survive /delete, a new session and parallel requests.

Three things must not be reset by a person who wants another try: the lockout after wrong
association join codes, the lockout after wrong training check-in codes, and the admin
sign-in limit. Their counters live here, in the database (not in the conversation state,
which /delete drops), and each check-and-count is one writing transaction on a locked row,
so forty requests at once cannot all slip under the limit.

A resident is not stored by Telegram id but by a *marker*: a keyed hash (HMAC-SHA256 with a
random key made once per installation and kept in ``app_secrets``) of the Telegram id and
a purpose. The same account always gives the same marker, so the count and "one answer
per survey round" hold after the person erased their data, while the marker alone points
back at nobody.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Integer, String, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import Executable

from storage.base import Base, UTCDateTime

MARKER_KEY_NAME = "person-marker-key"
SUBJECT_MAX = 200


class AppSecret(Base):
    """Random keys made once per installation (never shown, never exported)."""

    __tablename__ = "app_secrets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))


class AttemptCounter(Base):
    """Failures of one subject for one purpose within a window."""

    __tablename__ = "attempt_counters"

    purpose: Mapped[str] = mapped_column(String(32), primary_key=True)
    subject: Mapped[str] = mapped_column(String(SUBJECT_MAX), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    refused: Mapped[int] = mapped_column(Integer, default=0)
    next_allowed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The one audit entry that aggregates this window's refused attempts (admin sign-in).
    audit_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


def _insert_ignoring_duplicates(
    session: AsyncSession, model: type[Base], **values: object
) -> Executable:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return pg_insert(model).values(**values).on_conflict_do_nothing()
    return sqlite_insert(model).values(**values).on_conflict_do_nothing()


async def existing_marker_key(session: AsyncSession) -> bytes | None:
    """The key if it was made already (for readers: no marker can exist without it)."""
    found = await session.scalar(select(AppSecret.value).where(AppSecret.name == MARKER_KEY_NAME))
    return bytes.fromhex(found) if found is not None else None


async def marker_key(session: AsyncSession) -> bytes:
    """The installation's marker key, made on first use in a writing transaction (two
    processes racing agree)."""
    found = await session.scalar(select(AppSecret.value).where(AppSecret.name == MARKER_KEY_NAME))
    if found is None:
        await session.execute(
            _insert_ignoring_duplicates(
                session, AppSecret, name=MARKER_KEY_NAME, value=secrets.token_hex(32)
            )
        )
        found = await session.scalar(
            select(AppSecret.value).where(AppSecret.name == MARKER_KEY_NAME)
        )
    assert found is not None
    return bytes.fromhex(found)


def marker_of(key: bytes, purpose: str, telegram_id: int) -> str:
    """Hex marker of one Telegram account for one purpose."""
    message = f"{purpose}:{telegram_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def marker_number(key: bytes, purpose: str, telegram_id: int) -> int:
    """The marker as a positive 63-bit integer (for BIGINT columns)."""
    return int(marker_of(key, purpose, telegram_id)[:16], 16) >> 1


async def person_marker(session: AsyncSession, purpose: str, telegram_id: int) -> str:
    return marker_of(await marker_key(session), purpose, telegram_id)


# --- counting failures ----------------------------------------------------------------------


@dataclass(frozen=True)
class Limit:
    """At most ``failures`` within ``window``; after that, refused until the window ends."""

    failures: int
    window: timedelta


async def locked_counter(
    session: AsyncSession, purpose: str, subject: str, now: datetime, window: timedelta
) -> AttemptCounter:
    """The counter row, created if missing, locked until commit (FOR UPDATE on PostgreSQL;
    SQLite's BEGIN IMMEDIATE already serialises writers), restarted when its window ended."""
    subject = subject[:SUBJECT_MAX]
    await session.execute(
        _insert_ignoring_duplicates(
            session, AttemptCounter, purpose=purpose, subject=subject, window_start=now, failures=0
        )
    )
    query = select(AttemptCounter).where(
        AttemptCounter.purpose == purpose, AttemptCounter.subject == subject
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    counter = (await session.scalars(query.execution_options(populate_existing=True))).one()
    if now - counter.window_start >= window:
        counter.window_start = now
        counter.failures = 0
        counter.refused = 0
        counter.next_allowed_at = None
        counter.audit_id = None
    return counter


def wait_of(counter: AttemptCounter, limit: Limit, now: datetime) -> timedelta | None:
    """None when another attempt may be made now, else how long to wait."""
    if counter.failures < limit.failures:
        return None
    return max(counter.window_start + limit.window - now, timedelta(seconds=1))


async def is_locked(
    session: AsyncSession, purpose: str, subject: str, limit: Limit, now: datetime
) -> bool:
    counter = await locked_counter(session, purpose, subject, now, limit.window)
    return wait_of(counter, limit, now) is not None


async def count_failure(
    session: AsyncSession, purpose: str, subject: str, limit: Limit, now: datetime
) -> bool:
    """Count one failure; True when the subject is now locked out."""
    counter = await locked_counter(session, purpose, subject, now, limit.window)
    counter.failures += 1
    await session.flush()
    return wait_of(counter, limit, now) is not None


async def person_is_locked(
    session: AsyncSession, purpose: str, telegram_id: int, limit: Limit, now: datetime
) -> bool:
    subject = await person_marker(session, purpose, telegram_id)
    return await is_locked(session, purpose, subject, limit, now)


async def count_person_failure(
    session: AsyncSession, purpose: str, telegram_id: int, limit: Limit, now: datetime
) -> bool:
    subject = await person_marker(session, purpose, telegram_id)
    return await count_failure(session, purpose, subject, limit, now)
