"""A volunteer's own data for /mydata and /delete."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage import volunteers


async def export_volunteer(s: AsyncSession, telegram_id: int) -> dict[str, Any]:
    return await volunteers.export_person(s, telegram_id)


async def erase_volunteer(s: AsyncSession, telegram_id: int, now: datetime) -> None:
    await volunteers.erase_person(s, telegram_id)
