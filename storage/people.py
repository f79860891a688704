"""People: bot users (residents, members, volunteers) and staff accounts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, BigId, UTCDateTime, utcnow


class Role(StrEnum):
    ADMIN = "admin"
    STAFF = "staff"
    CONSULTANT = "consultant"


# Which roles may do what: admin > staff > consultant.
ROLE_RANK = {Role.CONSULTANT: 1, Role.STAFF: 2, Role.ADMIN: 3}


def role_at_least(role: Role | str | None, needed: Role) -> bool:
    if role is None:
        return False
    return ROLE_RANK.get(Role(role), 0) >= ROLE_RANK[needed]


class User(Base):
    """Anyone who talked to the bot. Personal fields are blanked by ``erase_user``."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True, index=True)
    first_name: Mapped[str] = mapped_column(String(200), default="")
    username: Mapped[str] = mapped_column(String(100), default="")
    full_name: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    gender: Mapped[str] = mapped_column(String(16), default="")
    district_code: Mapped[str | None] = mapped_column(
        ForeignKey("districts.code", ondelete="SET NULL"), nullable=True, index=True
    )
    language: Mapped[str] = mapped_column(String(8), default="ar")
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    announcements_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    messages_stopped: Mapped[bool] = mapped_column(Boolean, default=False)
    unreachable_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StaffMember(Base):
    """A staff account: bot staff commands (by telegram_id) and admin login (by username)."""

    __tablename__ = "staff_members"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, unique=True, nullable=True)
    username: Mapped[str | None] = mapped_column(String(100), unique=True, nullable=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(16), default=Role.STAFF.value)
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Every admin sign-in carries the generation it began in; signing out, a new password
    # or switching the account off moves it on, and every older session (a copied cookie
    # included) stops working.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


async def get_user(session: AsyncSession, telegram_id: int) -> User | None:
    return await session.scalar(select(User).where(User.telegram_id == telegram_id))


async def ensure_user(
    session: AsyncSession,
    telegram_id: int,
    *,
    first_name: str = "",
    username: str = "",
    language: str | None = None,
) -> User:
    """The user row for this Telegram id, created on first contact.

    Safe when two workers meet a new user at the same moment: the insert does nothing if the
    other one's row arrived first (PostgreSQL waits for it), and that row is returned.
    """
    user = await get_user(session, telegram_id)
    if user is None:
        values = {"telegram_id": telegram_id, "first_name": first_name[:200],
                  "username": username[:100]}  # fmt: skip
        if language:
            values["language"] = language
        insert = _insert_for(session)(User).values(**values)
        await session.execute(insert.on_conflict_do_nothing(index_elements=["telegram_id"]))
        user = await get_user(session, telegram_id)
        assert user is not None
    return user


def _insert_for(session: AsyncSession) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT DO NOTHING (SQLite and PostgreSQL)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


async def set_language(
    session: AsyncSession,
    telegram_id: int,
    language: str,
    *,
    first_name: str = "",
    username: str = "",
) -> None:
    """The user's language (the user is created on first contact, with these names)."""
    user = await ensure_user(
        session, telegram_id, first_name=first_name, username=username, language=language
    )
    user.language = language


async def record_consent(
    session: AsyncSession,
    telegram_id: int,
    now: datetime | None = None,
    *,
    first_name: str = "",
    username: str = "",
    language: str | None = None,
) -> None:
    """The moment the user agreed to the data notice (the user is created on first contact,
    with these names and language)."""
    user = await ensure_user(
        session, telegram_id, first_name=first_name, username=username, language=language
    )
    if user.consent_at is None:
        user.consent_at = now or utcnow()


async def staff_role(session: AsyncSession, telegram_id: int) -> Role | None:
    role = await session.scalar(
        select(StaffMember.role).where(
            StaffMember.telegram_id == telegram_id, StaffMember.active.is_(True)
        )
    )
    return Role(role) if role else None


async def add_staff(
    session: AsyncSession,
    *,
    role: Role,
    telegram_id: int | None = None,
    username: str | None = None,
    display_name: str = "",
    password_hash: str | None = None,
) -> StaffMember:
    """Create or update a staff account found by telegram id or username."""
    member: StaffMember | None = None
    if telegram_id is not None:
        member = await session.scalar(
            select(StaffMember).where(StaffMember.telegram_id == telegram_id)
        )
    if member is None and username:
        member = await session.scalar(select(StaffMember).where(StaffMember.username == username))
    if member is None:
        member = StaffMember()
        session.add(member)
    if telegram_id is not None:
        member.telegram_id = telegram_id
    if username:
        member.username = username
    if display_name:
        member.display_name = display_name
    if password_hash:
        member.password_hash = password_hash
    member.role = role.value
    member.active = True
    await session.flush()
    return member


async def mark_unreachable(session: AsyncSession, telegram_id: int) -> None:
    """The user blocked the bot (403): stop sending them anything until they write again."""
    user = await get_user(session, telegram_id)
    if user is not None and user.unreachable_at is None:
        user.unreachable_at = utcnow()
