"""One message of a case (the resident's, staff's, or a note) with what may be attached to it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from storage.cases.models import Case, CaseMessage
from storage.cases.vocabulary import Author

# --------------------------------------------------------------------------- residents


@dataclass(frozen=True)
class Attachment:
    photo_file_id: str = ""
    voice_file_id: str = ""
    latitude: float | None = None
    longitude: float | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Attachment:
        data = data or {}
        return cls(
            photo_file_id=str(data.get("photo") or ""),
            voice_file_id=str(data.get("voice") or ""),
            latitude=data.get("lat"),
            longitude=data.get("lon"),
        )


def add_message(
    session: AsyncSession,
    case: Case,
    request_key: str,
    author: Author,
    text: str,
    now: datetime,
    *,
    staff_id: int | None = None,
    attachment: Attachment | None = None,
    broadcast_id: int | None = None,
) -> CaseMessage:
    a = attachment or Attachment()
    message = CaseMessage(
        case_id=case.id,
        request_key=request_key,
        author=author.value,
        staff_id=staff_id,
        text=text,
        photo_file_id=a.photo_file_id,
        voice_file_id=a.voice_file_id,
        latitude=a.latitude,
        longitude=a.longitude,
        broadcast_id=broadcast_id,
        created_at=now,
    )
    session.add(message)
    return message


async def messages_of(session: AsyncSession, case_id: int) -> list[CaseMessage]:
    rows = await session.scalars(
        select(CaseMessage).where(CaseMessage.case_id == case_id).order_by(CaseMessage.id)
    )
    return list(rows)
