"""A resident's cases in /mydata, and what /delete does to them (storage.cases.personal_data)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage import cases


async def export_cases(s: AsyncSession, telegram_id: int) -> dict[str, Any]:
    return await cases.export_person(s, telegram_id)


async def erase_cases(s: AsyncSession, telegram_id: int, now: datetime) -> None:
    await cases.erase_person(s, telegram_id, now)
