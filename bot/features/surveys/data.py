"""/mydata and /delete: a resident's submissions (and the files they sent with them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage import files, surveys


async def export_survey_data(session: AsyncSession, telegram_id: int) -> dict[str, Any]:
    return await surveys.export_personal_data(session, telegram_id)


async def erase_survey_data(session: AsyncSession, telegram_id: int, now: datetime) -> None:
    prefixes = await surveys.file_prefixes(session, telegram_id)
    await surveys.erase_personal_data(session, telegram_id)
    store = files.current()
    if store is not None:
        for prefix in prefixes:
            await store.delete_prefix(prefix)  # recordings, videos and documents they sent
