"""Cases: what residents write to the programme (questions, suggestions, complaints, thanks,
problems in their district), the conversation with staff about each, and canned replies.

Life of a case::

    new --assign--> assigned --staff reply--> waiting --resident reply--> assigned
    (any open status) --close, by staff--> closed

* Every change that matters to whoever answers (a reply either way, assignment, closing)
  moves ``version`` on; a staff reply or a close names the version its page showed and is
  refused when the case moved meanwhile, so two staff never answer the same message twice.
* Staff replies and the closing message reach the resident through the broadcast outbox
  (audience kind ``case``: one person), so they keep Telegram's limits and survive a crash
  like announcements do. A reply is an answer the resident asked for: it reaches them even
  with announcements off, but not when they stopped all messages, blocked the bot or erased
  their data.
* Confidential cases (complaints about staff, abuse, safety) are for the roles allowed to
  see them only; an anonymous resident's name and username are never shown to staff.
* Writes are idempotent: a case, a message and a note are keyed by a request key (the
  Telegram update, or the admin form's token), a reply by the case version it answers.
* /delete anonymises: the case stays (kind, district, times, texts for the figures and the
  follow-up), the link to the person goes, attachments and locations are dropped; open cases
  stay open for staff to close, and a reply to them is refused (nobody could receive it).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    Text,
    func,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage import broadcasts
from storage.base import Base, BigId, UTCDateTime
from storage.people import StaffMember, User
from storage.surveys import SurveySubmission

MAX_TEXT_CHARS = 2000  # a resident's message (Telegram allows 4096; a reply needs room)
MAX_REPLY_CHARS = 3500  # a staff reply, before the reference header is added
MAX_NOTE_CHARS = 2000
ANSWER_WITHIN_DAYS = 3  # the promise made to the resident
CLOSED_WITHIN_DAYS = 7  # the M&E report's share of cases closed within a week
MIN_CELL = 5


class CaseKind(StrEnum):
    QUESTION = "question"
    SUGGESTION = "suggestion"
    COMPLAINT = "complaint"
    THANKS = "thanks"
    PROBLEM = "problem"  # a problem in my district


class CaseStatus(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    WAITING = "waiting"  # for the resident
    CLOSED = "closed"


class Author(StrEnum):
    RESIDENT = "resident"
    STAFF = "staff"
    NOTE = "note"  # an internal note: never sent to the resident


OPEN = (CaseStatus.NEW, CaseStatus.ASSIGNED, CaseStatus.WAITING)


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('question', 'suggestion', 'complaint', 'thanks', 'problem')", name="kind"
        ),
        CheckConstraint("status IN ('new', 'assigned', 'waiting', 'closed')", name="status"),
        CheckConstraint("rating IS NULL OR (rating BETWEEN 1 AND 5)", name="rating"),
        Index("ix_cases_status_created_at", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    request_key: Mapped[str] = mapped_column(String(80), unique=True)
    telegram_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.telegram_id", ondelete="SET NULL"), nullable=True, index=True
    )
    kind: Mapped[str] = mapped_column(String(12))
    district_code: Mapped[str | None] = mapped_column(
        ForeignKey("districts.code", ondelete="SET NULL"), nullable=True, index=True
    )
    language: Mapped[str] = mapped_column(String(8), default="ar")
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(10), default=CaseStatus.NEW.value)
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_members.id", ondelete="SET NULL"), nullable=True
    )
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    erased: Mapped[bool] = mapped_column(Boolean, default=False)

    @property
    def reference(self) -> str:
        return reference_of(self.id)

    @property
    def is_open(self) -> bool:
        return self.status != CaseStatus.CLOSED


class CaseMessage(Base):
    __tablename__ = "case_messages"
    __table_args__ = (
        CheckConstraint("author IN ('resident', 'staff', 'note')", name="author"),
        Index("ix_case_messages_case_id_id", "case_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    request_key: Mapped[str] = mapped_column(String(80), unique=True)
    author: Mapped[str] = mapped_column(String(8))
    staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_members.id", ondelete="SET NULL"), nullable=True
    )
    text: Mapped[str] = mapped_column(Text, default="")
    photo_file_id: Mapped[str] = mapped_column(String(255), default="")
    voice_file_id: Mapped[str] = mapped_column(String(255), default="")
    latitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    longitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    broadcast_id: Mapped[int | None] = mapped_column(
        ForeignKey("broadcasts.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CannedReply(Base):
    """A reply staff keep ready, in the three languages; the reply box offers the one in
    the resident's language."""

    __tablename__ = "canned_replies"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(120))
    text_ar: Mapped[str] = mapped_column(Text, default="")
    text_en: Mapped[str] = mapped_column(Text, default="")
    text_fr: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def text(self, language: str) -> str:
        return {"ar": self.text_ar, "fr": self.text_fr}.get(language, self.text_en)


_ARABIC_INDIC_TO_LATIN = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def reference_of(case_id: int) -> str:
    return f"M-{case_id:05d}"


def parse_reference(text: str) -> int | None:
    """'M-00042', 'm42' or '42' -> 42; None for anything else."""
    raw = text.strip().upper().removeprefix("M").removeprefix("-").removeprefix("#")
    raw = raw.translate(_ARABIC_INDIC_TO_LATIN)  # 'M-٠٠٠٤٢' as shown to Arabic readers
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 12 else None


# --------------------------------------------------------------------------- the audience


def one_correspondent(values: tuple[str, ...]) -> Select[Any]:
    """The person a reply is for (values: their Telegram id), unless they stopped all
    messages, blocked the bot or erased their data."""
    ids = [int(v) for v in values[:1] if v.lstrip("-").isdigit()]
    return select(User.telegram_id).where(
        User.telegram_id.in_(ids),
        User.messages_stopped.is_(False),
        User.unreachable_at.is_(None),
        User.erased_at.is_(None),
    )


CASE_AUDIENCE = "case"
broadcasts.add_audience_kind(CASE_AUDIENCE, one_correspondent, private=True)


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
    _add_message(session, case, request_key, Author.RESIDENT, text, now, attachment=attachment)
    await session.flush()
    return case


def _add_message(
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


class Outcome(StrEnum):
    DONE = "done"
    ALREADY = "already"  # the same request was recorded before (a re-delivered update)
    NOT_YOURS = "not_yours"  # no such case, or someone else's (a forged button)
    CLOSED = "closed"
    STALE = "stale"  # the case moved since the page was loaded
    UNREACHABLE = "unreachable"  # the resident erased their data or blocked the bot
    RATED = "rated"  # rated before


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
    _add_message(session, case, request_key, Author.RESIDENT, text, now, attachment=attachment)
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


async def messages_of(session: AsyncSession, case_id: int) -> list[CaseMessage]:
    rows = await session.scalars(
        select(CaseMessage).where(CaseMessage.case_id == case_id).order_by(CaseMessage.id)
    )
    return list(rows)


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
    _add_message(session, case, request_key, Author.NOTE, text, now, staff_id=staff_id)
    await session.flush()
    return Outcome.DONE


class Sent(StrEnum):
    """What a message to the resident is (the bot draws its buttons from it)."""

    REPLY = "reply"  # a staff reply: the resident may answer
    CLOSED = "closed"  # the case was closed: the resident may rate the answer


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
    _add_message(
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


# --------------------------------------------------------------------------- canned replies


async def list_canned(session: AsyncSession) -> list[CannedReply]:
    rows = await session.scalars(
        select(CannedReply).where(CannedReply.active.is_(True)).order_by(CannedReply.title)
    )
    return list(rows)


async def save_canned(
    session: AsyncSession,
    *,
    title: str,
    text_ar: str,
    text_en: str,
    text_fr: str,
    now: datetime,
    canned_id: int | None = None,
) -> CannedReply | None:
    if canned_id is not None:
        canned = await session.get(CannedReply, canned_id)
        if canned is None:
            return None
    else:
        existing = await session.scalar(
            select(CannedReply).where(CannedReply.title == title, CannedReply.active.is_(True))
        )
        canned = existing or CannedReply(created_at=now)
        session.add(canned)
    canned.title, canned.text_ar, canned.text_en, canned.text_fr = title, text_ar, text_en, text_fr
    canned.active = True
    await session.flush()
    return canned


async def retire_canned(session: AsyncSession, canned_id: int) -> bool:
    result = await session.execute(
        update(CannedReply).where(CannedReply.id == canned_id).values(active=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- figures


@dataclass
class CaseFigures:
    """One month's cases, for the M&E report. Counts below ``MIN_CELL`` are None."""

    total: int = 0
    by_kind: dict[str, int | None] = field(default_factory=dict)
    by_district: dict[str | None, int | None] = field(default_factory=dict)
    by_gender: dict[str, int | None] = field(default_factory=dict)
    median_first_response_hours: float | None = None
    closed_within_7_days_share: float | None = None  # of the cases opened in the period


def _suppress(counts: dict[Any, int], min_cell: int) -> dict[Any, int | None]:
    return {k: (n if n >= min_cell else None) for k, n in counts.items()}


async def monthly_figures(
    session: AsyncSession, start: datetime, end: datetime, *, min_cell: int = MIN_CELL
) -> CaseFigures:
    """Cases opened in [start, end): by kind, district and gender (the resident's profile,
    else their latest survey answer; 'unspecified' when not given or erased), the median
    time to the first staff reply and the share closed within 7 days. Confidential cases
    count like the others."""
    surveyed = (
        select(SurveySubmission.gender)
        .where(SurveySubmission.respondent_id == Case.telegram_id)
        .order_by(SurveySubmission.id.desc())
        .limit(1)
        .correlate(Case)
        .scalar_subquery()
    )
    gender = func.coalesce(func.nullif(User.gender, ""), surveyed)
    rows = (
        await session.execute(
            select(
                Case.kind, Case.district_code, gender, Case.created_at,
                Case.first_response_at, Case.closed_at,
            )
            .outerjoin(User, User.telegram_id == Case.telegram_id)
            .where(Case.created_at >= start, Case.created_at < end)
        )
    ).all()  # fmt: skip
    figures = CaseFigures(total=len(rows))
    kinds: dict[str, int] = {}
    districts: dict[str | None, int] = {}
    genders: dict[str, int] = {}
    waits: list[float] = []
    closed_in_time = 0
    for kind, district, gender, created, first, closed in rows:
        kinds[kind] = kinds.get(kind, 0) + 1
        districts[district] = districts.get(district, 0) + 1
        g = gender if gender in ("male", "female") else "unspecified"
        genders[g] = genders.get(g, 0) + 1
        if first is not None:
            waits.append((first - created).total_seconds() / 3600)
        if closed is not None and closed - created <= timedelta(days=CLOSED_WITHIN_DAYS):
            closed_in_time += 1
    figures.by_kind = _suppress(kinds, min_cell)
    figures.by_district = _suppress(districts, min_cell)
    figures.by_gender = _suppress(genders, min_cell)
    if len(waits) >= min_cell:
        figures.median_first_response_hours = statistics.median(waits)
    if len(rows) >= min_cell:
        figures.closed_within_7_days_share = closed_in_time / len(rows)
    return figures


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
