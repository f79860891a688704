"""A member's bookings for /mydata and /delete."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage import consultations


async def export_consultations(s: AsyncSession, telegram_id: int) -> dict[str, Any]:
    return await consultations.export_personal_data(s, telegram_id)


async def erase_consultations(s: AsyncSession, telegram_id: int, now: datetime) -> None:
    """/delete: future sessions are cancelled (their reminders with them) and the free texts
    blanked; the anonymous counts stay."""
    await consultations.erase_personal_data(s, telegram_id, now)
