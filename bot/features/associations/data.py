"""A member's association in /mydata, and leaving it on /delete."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage import associations


async def export_association(s: AsyncSession, telegram_id: int) -> dict[str, Any]:
    return await associations.export_person(s, telegram_id)


async def erase_association(s: AsyncSession, telegram_id: int, now: datetime) -> None:
    await associations.erase_person(s, telegram_id)
