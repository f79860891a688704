"""Audit log: who viewed or exported personal data, and who signed in to the admin module.

Every admin page that shows names, phones, gender or locations of people writes one
entry (who, when, from where, what, with which filters, how many people); every export
does too. Sign-ins, failed sign-ins and changes to staff accounts are logged in the
same table, so the failed attempts also drive the login rate limit. Admins read it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, ForeignKey, Integer, Select, String, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, BigId, UTCDateTime, utcnow

Q = TypeVar("Q", bound=Select[Any])


class AuditAction(StrEnum):
    VIEW = "view"  # a page listing personal data was shown
    EXPORT = "export"  # a file with personal data was downloaded
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGIN_BLOCKED = "login_blocked"  # refused by the rate limit; not counted as a failure
    LOGOUT = "logout"
    ACCOUNT = "account"  # a staff account was created or changed
    BROADCAST = "broadcast"  # an announcement was scheduled or cancelled
    SUBMISSION_PUSH = "submission_push"  # a refused survey submission was queued again


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_members.id", ondelete="SET NULL"), nullable=True, index=True
    )
    # Kept as text: the entry stays readable when the account is renamed or removed.
    username: Mapped[str] = mapped_column(String(100), default="", index=True)
    action: Mapped[str] = mapped_column(String(32), index=True)
    subject: Mapped[str] = mapped_column(String(100), default="")
    detail: Mapped[str] = mapped_column(String(1000), default="")
    record_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    ip: Mapped[str] = mapped_column(String(64), default="", index=True)


@dataclass(frozen=True)
class Actor:
    """Who did something: a staff account (or, for failed sign-ins, just the name typed)."""

    staff_id: int | None
    username: str
    ip: str = ""


async def record(
    session: AsyncSession,
    actor: Actor,
    action: AuditAction,
    subject: str = "",
    *,
    detail: str = "",
    record_count: int | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        at=at or utcnow(),
        staff_id=actor.staff_id,
        username=actor.username[:100],
        action=action.value,
        subject=subject[:100],
        detail=detail[:1000],
        record_count=record_count,
        ip=actor.ip[:64],
    )
    session.add(entry)
    await session.flush()
    return entry


@dataclass(frozen=True)
class AuditFilter:
    action: str | None = None
    username: str | None = None
    since: datetime | None = None
    until: datetime | None = None  # exclusive

    def apply(self, query: Q) -> Q:
        if self.action:
            query = query.where(AuditEntry.action == self.action)
        if self.username:
            query = query.where(AuditEntry.username == self.username)
        if self.since is not None:
            query = query.where(AuditEntry.at >= self.since)
        if self.until is not None:
            query = query.where(AuditEntry.at < self.until)
        return query


async def list_entries(
    session: AsyncSession, where: AuditFilter, *, limit: int = 100, offset: int = 0
) -> Sequence[AuditEntry]:
    """Newest first."""
    query = where.apply(select(AuditEntry))
    query = query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit).offset(offset)
    return (await session.scalars(query)).all()


async def count_entries(session: AsyncSession, where: AuditFilter) -> int:
    query = where.apply(select(func.count(AuditEntry.id)))
    return int(await session.scalar(query) or 0)


def _failures_of(since: datetime, username: str | None, ip: str | None) -> ColumnElement[bool]:
    who = []
    if username:
        who.append(AuditEntry.username == username[:100])
    if ip:
        who.append(AuditEntry.ip == ip[:64])
    return (
        (AuditEntry.action == AuditAction.LOGIN_FAILED.value) & (AuditEntry.at >= since) & or_(*who)
    )


async def recent_failed_logins(
    session: AsyncSession, *, since: datetime, username: str | None = None, ip: str | None = None
) -> tuple[int, datetime | None]:
    """How many sign-ins failed since a moment for one login name or one address, and
    when the oldest of them happened (to tell how long to wait)."""
    if not username and not ip:
        return 0, None
    query = select(func.count(AuditEntry.id), func.min(AuditEntry.at)).where(
        _failures_of(since, username, ip)
    )
    count, oldest = (await session.execute(query)).one()
    return int(count or 0), oldest


async def known_usernames(session: AsyncSession) -> list[str]:
    """Login names of staff accounts, for the audit page's filter: names typed by strangers at
    the sign-in page are in the log but not offered as choices."""
    from storage.people import StaffMember

    rows = await session.scalars(
        select(StaffMember.username).where(StaffMember.username.is_not(None)).distinct()
    )
    return sorted(name for name in rows if name)
