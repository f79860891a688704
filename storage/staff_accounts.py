"""Staff accounts as the admin module manages them (the model is ``people.StaffMember``).

Creating, re-roling, re-keying and switching accounts off. The rules that protect the
programme from locking itself out live here, next to the data: the last active admin
can be neither demoted nor switched off.
"""

from __future__ import annotations

from collections.abc import Sequence

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
