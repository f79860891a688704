"""A person's trainings for /mydata and /delete."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.trainings.offers import queue_offer_notices
from core.config import get_settings
from storage import trainings


async def export_trainings(s: AsyncSession, telegram_id: int) -> dict[str, Any]:
    return await trainings.export_person(s, telegram_id)


async def erase_trainings(s: AsyncSession, telegram_id: int, now: datetime) -> None:
    """/delete: give up every place (the next in line is offered it, by the scheduler's
    next sweep) and unlink the person from the anonymous training figures."""
    changes = await trainings.erase_person(
        s, telegram_id, now=now, offer_hours=get_settings().training_offer_hours
    )
    await queue_offer_notices(s, changes, now)
