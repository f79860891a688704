"""The replies staff keep ready, in the three languages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from storage.cases.models import CannedReply

# --------------------------------------------------------------------------- canned replies


async def list_canned(session: AsyncSession) -> list[CannedReply]:
    rows = await session.scalars(
        select(CannedReply).where(CannedReply.active.is_(True)).order_by(CannedReply.title)
    )
    return list(rows)


async def save_canned(
    session: AsyncSession,
    *,
    title: str,
    text_ar: str,
    text_en: str,
    text_fr: str,
    now: datetime,
    canned_id: int | None = None,
) -> CannedReply | None:
    if canned_id is not None:
        canned = await session.get(CannedReply, canned_id)
        if canned is None:
            return None
    else:
        existing = await session.scalar(
            select(CannedReply).where(CannedReply.title == title, CannedReply.active.is_(True))
        )
        canned = existing or CannedReply(created_at=now)
        session.add(canned)
    canned.title, canned.text_ar, canned.text_en, canned.text_fr = title, text_ar, text_en, text_fr
    canned.active = True
    await session.flush()
    return canned


async def retire_canned(session: AsyncSession, canned_id: int) -> bool:
    result = await session.execute(
        update(CannedReply).where(CannedReply.id == canned_id).values(active=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
