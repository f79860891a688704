"""A member's association data for /mydata and /delete."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    delete,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from storage.associations.membership import association_of, membership_of
from storage.associations.models import COORDINATOR, Membership

# --- personal data -------------------------------------------------------------------------


async def export_person(session: AsyncSession, telegram_id: int) -> dict[str, Any]:
    found = await association_of(session, telegram_id)
    if found is None:
        return {}
    association, membership = found
    return {
        "association": association.name,
        "role": membership.role,
        "full_name": membership.full_name,
        "phone": membership.phone,
        "joined_at": membership.joined_at.isoformat(),
    }


async def erase_person(session: AsyncSession, telegram_id: int) -> None:
    """Leave the association; a coordinator's role passes to the longest-standing member."""
    membership = await membership_of(session, telegram_id)
    if membership is None:
        return
    association_id, was_coordinator = membership.association_id, membership.role == COORDINATOR
    await session.execute(delete(Membership).where(Membership.id == membership.id))
    await session.flush()
    if was_coordinator:
        successor = await session.scalar(
            select(Membership)
            .where(Membership.association_id == association_id)
            .order_by(Membership.joined_at, Membership.id)
            .limit(1)
        )
        if successor is not None:
            successor.role = COORDINATOR
            await session.flush()
