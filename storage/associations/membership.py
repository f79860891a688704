"""Registering an association, joining it with its code, its members, the coordinator's
role (a new code, removing a member, handing over), leaving. Members' names and phones are
personal data: only the association's coordinator and programme staff may read them."""

from __future__ import annotations

import re
import secrets
import unicodedata

from sqlalchemy import (
    func,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.associations.models import (
    COORDINATOR,
    JOIN_CODE_DIGITS,
    MEMBER,
    Association,
    Membership,
)


def name_key(name: str) -> str:
    """'  جمعية   الأمل ' and 'جمعيّة الامل' compare equal: case, spaces, diacritics, alef forms."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    folded = re.sub(r"[\u064b-\u0652\u0640]", "", folded)  # harakat and tatweel
    folded = re.sub("[أإآ]", "ا", folded).replace("ة", "ه").replace("ى", "ي")
    return re.sub(r"\s+", " ", folded).strip()[:200]


def new_join_code() -> str:
    """Digits only: easy to type on any phone keyboard, Arabic-Indic digits included."""
    return "".join(secrets.choice("0123456789") for _ in range(JOIN_CODE_DIGITS))


class DuplicateAssociation(Exception):
    """An association with this name is already registered in this district."""


class AlreadyMember(Exception):
    """The person already belongs to an association."""

    def __init__(self, membership: Membership) -> None:
        super().__init__(membership.association_id)
        self.membership = membership


# --- associations and members ----------------------------------------------------------


async def membership_of(session: AsyncSession, telegram_id: int) -> Membership | None:
    return await session.scalar(select(Membership).where(Membership.telegram_id == telegram_id))


async def association_of(
    session: AsyncSession, telegram_id: int
) -> tuple[Association, Membership] | None:
    row = (
        await session.execute(
            select(Association, Membership)
            .join(Membership, Membership.association_id == Association.id)
            .where(Membership.telegram_id == telegram_id)
        )
    ).first()
    return (row[0], row[1]) if row else None


async def get_association(session: AsyncSession, association_id: int) -> Association | None:
    return await session.get(Association, association_id)


async def find_by_code(session: AsyncSession, code: str) -> Association | None:
    return await session.scalar(
        select(Association).where(Association.join_code == code, Association.active.is_(True))
    )


async def _unused_join_code(session: AsyncSession) -> str:
    for _ in range(50):
        code = new_join_code()
        if (
            await session.scalar(select(Association.id).where(Association.join_code == code))
            is None
        ):
            return code
    raise RuntimeError("could not find a free join code")


async def register_association(
    session: AsyncSession,
    *,
    telegram_id: int,
    name: str,
    district_code: str,
    field_code: str,
    members_count: int,
    full_name: str,
    phone: str,
) -> Association:
    """Create the association with this person as its coordinator (one transaction)."""
    existing = await membership_of(session, telegram_id)
    if existing is not None:
        raise AlreadyMember(existing)
    key = name_key(name)
    duplicate = await session.scalar(
        select(Association.id).where(
            Association.district_code == district_code, Association.name_key == key
        )
    )
    if duplicate is not None:
        raise DuplicateAssociation(name)
    association = Association(
        name=name,
        name_key=key,
        district_code=district_code,
        field_code=field_code,
        members_count=members_count,
        join_code=await _unused_join_code(session),
        created_by=telegram_id,
        active=True,
    )
    session.add(association)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:  # a concurrent registration of the same name
        raise DuplicateAssociation(name) from exc
    session.add(
        Membership(
            association_id=association.id,
            telegram_id=telegram_id,
            role=COORDINATOR,
            full_name=full_name,
            phone=phone,
        )
    )
    await session.flush()
    return association


async def join_association(
    session: AsyncSession, *, telegram_id: int, association_id: int, full_name: str, phone: str
) -> Membership:
    """Add a member; joining the same association again just updates the name and phone."""
    existing = await membership_of(session, telegram_id)
    if existing is not None:
        if existing.association_id != association_id:
            raise AlreadyMember(existing)
        existing.full_name, existing.phone = full_name, phone
        return existing
    membership = Membership(
        association_id=association_id,
        telegram_id=telegram_id,
        role=MEMBER,
        full_name=full_name,
        phone=phone,
    )
    session.add(membership)
    await session.flush()
    return membership


async def members(session: AsyncSession, association_id: int) -> list[Membership]:
    rows = await session.scalars(
        select(Membership)
        .where(Membership.association_id == association_id)
        .order_by(Membership.role != COORDINATOR, Membership.joined_at, Membership.id)
    )
    return list(rows)


async def member_count(session: AsyncSession, association_id: int) -> int:
    count = await session.scalar(
        select(func.count()).where(Membership.association_id == association_id)
    )
    return int(count or 0)


async def coordinator_of(session: AsyncSession, association_id: int) -> Membership | None:
    return await session.scalar(
        select(Membership).where(
            Membership.association_id == association_id, Membership.role == COORDINATOR
        )
    )


async def can_see_members(
    session: AsyncSession, association_id: int, telegram_id: int, *, is_staff: bool
) -> bool:
    """Names and phones: the association's coordinator and programme staff only."""
    if is_staff:
        return True
    membership = await membership_of(session, telegram_id)
    return (
        membership is not None
        and membership.association_id == association_id
        and membership.role == COORDINATOR
    )


async def new_code(session: AsyncSession, association_id: int) -> str:
    """Replace the join code (the old one stops working at once)."""
    association = await session.get(Association, association_id)
    if association is None:
        raise LookupError(association_id)
    association.join_code = await _unused_join_code(session)
    await session.flush()
    return association.join_code


async def leave(session: AsyncSession, telegram_id: int) -> bool:
    """A member leaves. A coordinator may leave only when nobody else is left;
    the association then stays on record without members. False if refused."""
    membership = await membership_of(session, telegram_id)
    if membership is None:
        return True
    if (
        membership.role == COORDINATOR
        and await member_count(session, membership.association_id) > 1
    ):
        return False
    await session.delete(membership)
    await session.flush()
    return True


async def remove_member(
    session: AsyncSession, *, coordinator_id: int, membership_id: int
) -> Membership | None:
    """The coordinator removes someone from their association; the removed membership,
    or None if the caller is not that association's coordinator or it is themselves."""
    coordinator = await membership_of(session, coordinator_id)
    target = await session.get(Membership, membership_id)
    if (
        coordinator is None
        or coordinator.role != COORDINATOR
        or target is None
        or target.association_id != coordinator.association_id
        or target.id == coordinator.id
    ):
        return None
    await session.delete(target)
    await session.flush()
    return target


async def hand_over(session: AsyncSession, *, coordinator_id: int, membership_id: int) -> bool:
    """Make another member the coordinator; the current coordinator becomes a member."""
    coordinator = await membership_of(session, coordinator_id)
    target = await session.get(Membership, membership_id)
    if (
        coordinator is None
        or coordinator.role != COORDINATOR
        or target is None
        or target.association_id != coordinator.association_id
        or target.id == coordinator.id
    ):
        return False
    coordinator.role = MEMBER
    await session.flush()  # the partial unique index allows one coordinator at a time
    target.role = COORDINATOR
    await session.flush()
    return True


async def list_associations(session: AsyncSession) -> list[tuple[Association, int]]:
    """Every active association with its number of members on the bot (staff)."""
    counts = (
        select(Membership.association_id, func.count().label("n"))
        .group_by(Membership.association_id)
        .subquery()
    )
    rows = await session.execute(
        select(Association, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.association_id == Association.id)
        .where(Association.active.is_(True))
        .order_by(Association.district_code, Association.name)
    )
    return [(a, int(n)) for a, n in rows.all()]
