"""What residents do: write to the programme, answer about a case, rate the answer; and
finding a case."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from storage.cases.messages import Attachment, add_message
from storage.cases.models import Case, CaseMessage
from storage.cases.vocabulary import MAX_TEXT_CHARS, Author, CaseKind, CaseStatus, Outcome


async def create_case(
    session: AsyncSession,
    *,
    request_key: str,
    telegram_id: int,
    kind: str,
    text: str,
    now: datetime,
    district_code: str | None = None,
    language: str = "ar",
    confidential: bool = False,
    anonymous: bool = False,
    attachment: Attachment | None = None,
) -> Case:
    """A new case with the resident's first message; the same request key gives back the
    same case."""
    existing = await session.scalar(select(Case).where(Case.request_key == request_key))
    if existing is not None:
        return existing
    if kind not in set(CaseKind) or not text.strip() or len(text) > MAX_TEXT_CHARS:
        raise ValueError("bad case")
    case = Case(
        request_key=request_key,
        telegram_id=telegram_id,
        kind=kind,
        district_code=district_code,
        language=language,
        confidential=confidential,
        anonymous=anonymous and confidential,
        status=CaseStatus.NEW.value,
        version=0,
        created_at=now,
        updated_at=now,
    )
    session.add(case)
    await session.flush()
    add_message(session, case, request_key, Author.RESIDENT, text, now, attachment=attachment)
    await session.flush()
    return case


async def cases_of(session: AsyncSession, telegram_id: int) -> list[Case]:
    rows = await session.scalars(
        select(Case).where(Case.telegram_id == telegram_id).order_by(Case.id.desc())
    )
    return list(rows)


async def get_case(session: AsyncSession, case_id: int, *, lock: bool = False) -> Case | None:
    query = select(Case).where(Case.id == case_id)
    if lock:
        query = query.with_for_update()
    return await session.scalar(query)


async def resident_reply(
    session: AsyncSession,
    *,
    case_id: int,
    telegram_id: int,
    request_key: str,
    text: str,
    now: datetime,
    attachment: Attachment | None = None,
) -> Outcome:
    if await session.scalar(select(CaseMessage.id).where(CaseMessage.request_key == request_key)):
        return Outcome.ALREADY
    case = await get_case(session, case_id, lock=True)
    if case is None or case.telegram_id != telegram_id:
        return Outcome.NOT_YOURS
    if not case.is_open:
        return Outcome.CLOSED
    add_message(session, case, request_key, Author.RESIDENT, text, now, attachment=attachment)
    case.status = (
        CaseStatus.ASSIGNED.value if case.assignee_id is not None else CaseStatus.NEW.value
    )
    case.version += 1
    case.updated_at = now
    await session.flush()
    return Outcome.DONE


async def rate(
    session: AsyncSession, *, case_id: int, telegram_id: int, score: int, now: datetime
) -> Outcome:
    case = await get_case(session, case_id, lock=True)
    if case is None or case.telegram_id != telegram_id or not 1 <= score <= 5:
        return Outcome.NOT_YOURS
    if case.is_open:
        return Outcome.STALE
    if case.rating is not None:
        return Outcome.RATED
    case.rating = score
    case.updated_at = now
    await session.flush()
    return Outcome.DONE
