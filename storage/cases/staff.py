"""What staff do: list and filter cases, assign one, add a note, answer the resident and
close the case (both through the broadcast outbox), and follow the delivery."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Select,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from storage import broadcasts
from storage.cases.audience import CASE_AUDIENCE
from storage.cases.messages import add_message
from storage.cases.models import Case, CaseMessage
from storage.cases.residents import get_case
from storage.cases.vocabulary import OPEN, Author, CaseStatus, Outcome, Sent
from storage.people import StaffMember

# --------------------------------------------------------------------------- staff


@dataclass(frozen=True)
class CaseFilter:
    status: str | None = None  # a CaseStatus, or "open"
    kind: str | None = None
    district: str | None = None
    language: str | None = None
    assignee_id: int | None = None
    see_confidential: bool = False

    def apply(self, query: Select[Any]) -> Select[Any]:
        if not self.see_confidential:
            query = query.where(Case.confidential.is_(False))
        if self.status == "open":
            query = query.where(Case.status.in_([s.value for s in OPEN]))
        elif self.status:
            query = query.where(Case.status == self.status)
        if self.kind:
            query = query.where(Case.kind == self.kind)
        if self.district:
            query = query.where(Case.district_code == self.district)
        if self.language:
            query = query.where(Case.language == self.language)
        if self.assignee_id is not None:
            query = query.where(Case.assignee_id == self.assignee_id)
        return query


async def list_cases(
    session: AsyncSession, where: CaseFilter, *, limit: int = 50, offset: int = 0
) -> list[Case]:
    query = where.apply(select(Case)).order_by(Case.updated_at.desc(), Case.id.desc())
    return list(await session.scalars(query.limit(limit).offset(offset)))


async def count_cases(session: AsyncSession, where: CaseFilter) -> int:
    query = where.apply(select(func.count(Case.id)))
    return int(await session.scalar(query) or 0)


async def assign(
    session: AsyncSession, case_id: int, staff_id: int | None, now: datetime
) -> Outcome:
    case = await get_case(session, case_id, lock=True)
    if case is None:
        return Outcome.NOT_YOURS
    if not case.is_open:
        return Outcome.CLOSED
    if case.assignee_id == staff_id:
        return Outcome.ALREADY
    case.assignee_id = staff_id
    if case.status == CaseStatus.NEW and staff_id is not None:
        case.status = CaseStatus.ASSIGNED.value
    case.version += 1
    case.updated_at = now
    await session.flush()
    return Outcome.DONE


async def add_note(
    session: AsyncSession,
    *,
    case_id: int,
    staff_id: int,
    request_key: str,
    text: str,
    now: datetime,
) -> Outcome:
    if await session.scalar(select(CaseMessage.id).where(CaseMessage.request_key == request_key)):
        return Outcome.ALREADY
    case = await get_case(session, case_id)
    if case is None:
        return Outcome.NOT_YOURS
    add_message(session, case, request_key, Author.NOTE, text, now, staff_id=staff_id)
    await session.flush()
    return Outcome.DONE


async def _send_to_resident(
    session: AsyncSession,
    case: Case,
    *,
    staff_telegram_id: int,
    text: str,
    key: str,
    what: Sent,
    now: datetime,
) -> int | None:
    """Queue ``text`` for the resident in the broadcast outbox; its broadcast id, or None
    when they can no longer be reached. The audience's values are (Telegram id, case id,
    the case's language, what it is)."""
    if case.telegram_id is None or case.erased:
        return None
    audience = broadcasts.Audience(
        CASE_AUDIENCE, (str(case.telegram_id), str(case.id), case.language, what.value)
    )
    if await broadcasts.count_audience(session, audience) == 0:
        return None
    broadcast = await broadcasts.create_broadcast(
        session,
        created_by=staff_telegram_id,
        text=text,
        audience=audience,
        send_at=now,
        request_key=key,
    )
    broadcast.progress_chat_id = None  # one message: no progress report to anyone
    await session.flush()
    return broadcast.id


async def staff_reply(
    session: AsyncSession,
    *,
    case_id: int,
    staff: StaffMember,
    seen_version: int,
    text: str,
    outgoing_text: str,
    now: datetime,
) -> Outcome:
    """Answer the resident. ``text`` is kept in the case, ``outgoing_text`` (the reference
    header and the text, in the resident's language) is what they receive."""
    key = f"case-reply:{case_id}:{seen_version}:{staff.id}"
    if await session.scalar(select(CaseMessage.id).where(CaseMessage.request_key == key)):
        return Outcome.ALREADY
    case = await get_case(session, case_id, lock=True)
    if case is None:
        return Outcome.NOT_YOURS
    if not case.is_open:
        return Outcome.CLOSED
    if case.version != seen_version:
        return Outcome.STALE
    broadcast_id = await _send_to_resident(
        session,
        case,
        staff_telegram_id=staff.telegram_id or 0,
        text=outgoing_text,
        key=key,
        what=Sent.REPLY,
        now=now,
    )
    if broadcast_id is None:
        return Outcome.UNREACHABLE
    add_message(
        session, case, key, Author.STAFF, text, now, staff_id=staff.id, broadcast_id=broadcast_id
    )
    case.status = CaseStatus.WAITING.value
    if case.assignee_id is None:
        case.assignee_id = staff.id
    case.first_response_at = case.first_response_at or now
    case.version += 1
    case.updated_at = now
    await session.flush()
    return Outcome.DONE


async def close(
    session: AsyncSession,
    *,
    case_id: int,
    staff: StaffMember,
    seen_version: int,
    closing_text: str,
    now: datetime,
) -> Outcome:
    """Close the case and ask the resident to rate the answer (``closing_text``)."""
    case = await get_case(session, case_id, lock=True)
    if case is None:
        return Outcome.NOT_YOURS
    if not case.is_open:
        return Outcome.CLOSED
    if case.version != seen_version:
        return Outcome.STALE
    await _send_to_resident(
        session,
        case,
        staff_telegram_id=staff.telegram_id or 0,
        text=closing_text,
        key=f"case-close:{case_id}:{seen_version}",
        what=Sent.CLOSED,
        now=now,
    )
    case.status = CaseStatus.CLOSED.value
    case.closed_at = now
    case.version += 1
    case.updated_at = now
    await session.flush()
    return Outcome.DONE


async def delivery_of(session: AsyncSession, broadcast_ids: list[int]) -> dict[int, str]:
    """{broadcast id: the outbox status of its one message} ('pending' until launched)."""
    if not broadcast_ids:
        return {}
    rows = await session.execute(
        select(broadcasts.OutboxMessage.broadcast_id, broadcasts.OutboxMessage.status).where(
            broadcasts.OutboxMessage.broadcast_id.in_(broadcast_ids)
        )
    )
    found = {int(b): str(status) for b, status in rows}
    return {b: found.get(b, broadcasts.OutboxStatus.PENDING.value) for b in broadcast_ids}
