"""Staff accounts as the admin module manages them (the model is ``people.StaffMember``).

Creating, re-roling, re-keying and switching accounts off. The rules that protect the
programme from locking itself out live here, next to the data: the last active admin
can be neither demoted nor switched off.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.people import Role, StaffMember


class LastAdminError(Exception):
    """The change would leave the programme without an active admin."""


class UsernameTakenError(Exception):
    pass


async def list_staff(session: AsyncSession) -> Sequence[StaffMember]:
    rows = await session.scalars(
        select(StaffMember).order_by(
            StaffMember.active.desc(), StaffMember.role, StaffMember.display_name, StaffMember.id
        )
    )
    return rows.all()


async def get_staff(session: AsyncSession, staff_id: int) -> StaffMember | None:
    return await session.get(StaffMember, staff_id)


async def find_login(session: AsyncSession, username: str) -> StaffMember | None:
    """The account that signs in with this name (case-insensitive), active or not."""
    name = normalize_username(username)
    if not name:
        return None
    return await session.scalar(select(StaffMember).where(func.lower(StaffMember.username) == name))


def normalize_username(username: str) -> str:
    return username.strip().lower()[:100]


async def count_active_admins(session: AsyncSession) -> int:
    count = await session.scalar(
        select(func.count(StaffMember.id)).where(
            StaffMember.role == Role.ADMIN.value, StaffMember.active.is_(True)
        )
    )
    return int(count or 0)


async def create_login(
    session: AsyncSession,
    *,
    username: str,
    display_name: str,
    role: Role,
    password_hash: str,
    telegram_id: int | None = None,
) -> StaffMember:
    name = normalize_username(username)
    if await find_login(session, name) is not None:
        raise UsernameTakenError(name)
    if telegram_id is not None:
        existing = await session.scalar(
            select(StaffMember).where(StaffMember.telegram_id == telegram_id)
        )
        if existing is not None:
            raise UsernameTakenError(str(telegram_id))
    member = StaffMember(
        username=name,
        display_name=display_name.strip()[:200],
        role=role.value,
        password_hash=password_hash,
        telegram_id=telegram_id,
        active=True,
    )
    session.add(member)
    await session.flush()
    return member


async def _ensure_another_admin(session: AsyncSession, member: StaffMember) -> None:
    """Refuse to demote or switch off the last active admin.

    The admins' rows are locked (PostgreSQL) so that two admins demoting each other at
    the same moment cannot both succeed; SQLite writers are already serialised.
    """
    if member.role != Role.ADMIN.value or not member.active:
        return
    admins = await session.scalars(
        select(StaffMember.id)
        .where(StaffMember.role == Role.ADMIN.value, StaffMember.active.is_(True))
        .with_for_update()
    )
    if len(admins.all()) <= 1:
        raise LastAdminError(member.username or str(member.id))


async def change_role(session: AsyncSession, member: StaffMember, role: Role) -> None:
    if role != Role.ADMIN:
        await _ensure_another_admin(session, member)
    member.role = role.value
    await session.flush()


async def set_active(session: AsyncSession, member: StaffMember, active: bool) -> None:
    if not active:
        await _ensure_another_admin(session, member)
        member.session_generation += 1
    member.active = active
    await session.flush()


async def set_password_hash(session: AsyncSession, member: StaffMember, password_hash: str) -> None:
    """A new password ends every session of the account (the caller may start a new one)."""
    member.password_hash = password_hash
    member.session_generation += 1
    await session.flush()


async def end_sessions(session: AsyncSession, staff_id: int) -> None:
    """Sign the account out everywhere: every cookie issued so far stops working."""
    member = await session.get(StaffMember, staff_id)
    if member is not None:
        member.session_generation += 1
        await session.flush()


# --- the password rule (admin pages and `musharaka staff add` alike) --------------------------

MIN_PASSWORD_LENGTH = 10

# Passwords of 10+ characters that guessing lists try first (compared without case).
COMMON_PASSWORDS = frozenset(
    {
        "0123456789",
        "1234567890",
        "0987654321",
        "9876543210",
        "1234512345",
        "123456789a",
        "a123456789",
        "abcd123456",
        "123123123123",
        "1q2w3e4r5t",
        "1qaz2wsx3edc",
        "qwertyuiop",
        "azertyuiop",
        "qwerty1234",
        "qwerty12345",
        "password12",
        "password123",
        "password1234",
        "passw0rd123",
        "p@ssw0rd123",
        "motdepasse",
        "motdepasse123",
        "administrator",
        "admin12345",
        "admin123456",
        "welcome123",
        "changeme123",
        "letmein1234",
        "iloveyou12",
        "football123",
        "abcdefghij",
        "abcdefghijk",
        "musharaka1",
        "musharaka123",
        "musharaka-demo",
    }
)


class PasswordWeakness(StrEnum):
    TOO_SHORT = "too_short"
    ONE_CHARACTER = "one_character"  # "aaaaaaaaaa", or only spaces
    COMMON = "common"


def password_weakness(password: str) -> PasswordWeakness | None:
    """Why this password may not be used, or None when it may."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return PasswordWeakness.TOO_SHORT
    if len(set(password)) == 1 or not password.strip():
        return PasswordWeakness.ONE_CHARACTER
    if password.strip().lower() in COMMON_PASSWORDS:
        return PasswordWeakness.COMMON
    return None
