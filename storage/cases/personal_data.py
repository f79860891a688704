"""A resident's cases in /mydata, and what /delete does to them (the case stays,
anonymised; the link to the person and the attachments go)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from storage.cases.messages import messages_of
from storage.cases.models import Case, CaseMessage
from storage.cases.residents import cases_of
from storage.cases.vocabulary import Author

# --------------------------------------------------------------------------- personal data


async def export_person(session: AsyncSession, telegram_id: int) -> dict[str, Any]:
    out = []
    for case in await cases_of(session, telegram_id):
        messages = [
            {
                "from": m.author,
                "text": m.text,
                "photo": m.photo_file_id or None,
                "voice": m.voice_file_id or None,
                "location": [m.latitude, m.longitude] if m.latitude is not None else None,
                "at": m.created_at.isoformat(),
            }
            for m in await messages_of(session, case.id)
            if m.author != Author.NOTE  # staff's internal notes are the programme's
        ]
        out.append(
            {
                "reference": case.reference,
                "kind": case.kind,
                "status": case.status,
                "confidential": case.confidential,
                "anonymous": case.anonymous,
                "rating": case.rating,
                "opened_at": case.created_at.isoformat(),
                "messages": messages,
            }
        )
    return {"cases": out}


async def erase_person(session: AsyncSession, telegram_id: int, now: datetime) -> None:
    ids: Sequence[int] = list(
        await session.scalars(select(Case.id).where(Case.telegram_id == telegram_id))
    )
    if not ids:
        return
    await session.execute(
        update(CaseMessage)
        .where(CaseMessage.case_id.in_(ids), CaseMessage.author == Author.RESIDENT.value)
        .values(photo_file_id="", voice_file_id="", latitude=None, longitude=None)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(Case)
        .where(Case.id.in_(ids))
        .values(erased=True, anonymous=True, updated_at=now, version=Case.version + 1)
        .execution_options(synchronize_session=False)
    )
