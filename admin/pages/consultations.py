"""Consultation calendar: one week of bookings and free slots, by branch and consultant.

Bookings and free slots come from ``storage.consultations`` (the same slot rules the
chat offers). Who booked is personal data: staff and admins see the names, a
consultant sees them on their own sessions only, and each page that shows names is
written to the audit log.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from admin import web
from admin.forms import parse_day, parse_optional_int
from admin.permissions import Permission
from core.formatting import format_clock, format_day
from core.i18n import N_
from storage import audit, consultations
from storage.consultations import Booking, BookingKind, BookingStatus, Consultant
from storage.consultations.vocabulary import kind_label, topic_label
from storage.people import StaffMember, User
from storage.reference import Branch, list_branches

router = APIRouter(prefix="/consultations")
NAV = [web.NavItem("/consultations", N_("Consultations"), Permission.VIEW_CONSULTATIONS)]

STATUS_LABELS = {
    BookingStatus.BOOKED.value: N_("booked"),
    BookingStatus.DONE.value: N_("took place"),
    BookingStatus.MISSED.value: N_("did not take place"),
    BookingStatus.CANCELLED.value: N_("cancelled"),
}


@dataclass(frozen=True)
class ConsultantRow:
    id: int
    staff_member_id: int
    name: str


@dataclass(frozen=True)
class BookingRow:
    booking: Booking
    consultant: str
    requester: str | None  # None: this viewer may not see who booked


@dataclass
class Day:
    day: date
    bookings: list[BookingRow] = field(default_factory=list)
    free: list[consultations.Slot] = field(default_factory=list)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


async def active_consultants(session: AsyncSession) -> list[ConsultantRow]:
    rows = await session.execute(
        select(Consultant.id, StaffMember.id, StaffMember.display_name, StaffMember.username)
        .join(StaffMember, StaffMember.id == Consultant.staff_member_id)
        .where(Consultant.active.is_(True), StaffMember.active.is_(True))
        .order_by(StaffMember.display_name, Consultant.id)
    )
    return [ConsultantRow(r[0], r[1], r[2] or r[3] or f"#{r[0]}") for r in rows]


@dataclass(frozen=True)
class CalendarFilter:
    branch: str | None
    consultant: int | None
    kind: str | None


async def week_bookings(
    session: AsyncSession, since: datetime, until: datetime, where: CalendarFilter
) -> list[tuple[Booking, str, str, int]]:
    """Bookings starting in [since, until): booking, consultant name, requester name,
    the consultant's staff-member id."""
    query = (
        select(
            Booking,
            StaffMember.display_name,
            User.full_name,
            User.first_name,
            StaffMember.id,
        )
        .join(Consultant, Consultant.id == Booking.consultant_id)
        .join(StaffMember, StaffMember.id == Consultant.staff_member_id)
        .join(User, User.id == Booking.requester_id)
        .where(Booking.starts_at >= since, Booking.starts_at < until)
        .order_by(Booking.starts_at, Booking.id)
    )
    if where.branch:
        query = query.where(Booking.branch_code == where.branch)
    if where.consultant:
        query = query.where(Booking.consultant_id == where.consultant)
    if where.kind:
        query = query.where(Booking.kind == where.kind)
    rows = await session.execute(query)
    return [(r[0], r[1] or "", r[2] or r[3] or "", r[4]) for r in rows]


async def week_free_slots(
    session: AsyncSession,
    consultants: list[ConsultantRow],
    *,
    now: datetime,
    tz: ZoneInfo,
    monday: date,
    where: CalendarFilter,
) -> list[consultations.Slot]:
    today = now.astimezone(tz).date()
    first = max(monday, today)
    last = monday + timedelta(days=6)
    if first > last:
        return []
    slots: list[consultations.Slot] = []
    for row in consultants:
        if where.consultant and row.id != where.consultant:
            continue
        consultant = await session.get(Consultant, row.id)
        if consultant is None:
            continue
        slots.extend(
            await consultations.consultant_slots(
                session,
                consultant,
                now=now,
                tz=tz,
                first_day=first,
                last_day=last,
                branch_code=where.branch,
            )
        )
    return sorted(slots, key=lambda s: (s.starts_at, s.consultant_id))


@router.get("")
async def calendar_page(
    request: Request,
    week: str = "",
    branch: str = "",
    consultant: str = "",
    kind: str = "",
    user: web.StaffUser = Depends(web.require(Permission.VIEW_CONSULTATIONS)),
) -> Response:
    app = web.state(request)
    tz = ZoneInfo(app.settings.timezone)
    now = app.clock.now()
    monday = monday_of(parse_day(week) or now.astimezone(tz).date())
    since = consultations.local_moment(monday, 0, tz)
    until = consultations.local_moment(monday + timedelta(days=7), 0, tz)
    async with app.db.reader() as s:
        branches = await list_branches(s)
        consultants = await active_consultants(s)
        where = CalendarFilter(
            branch=branch if branch in {b.code for b in branches} else None,
            consultant=_known_consultant(consultant, consultants),
            kind=kind if kind in {k.value for k in BookingKind} else None,
        )
        booked = await week_bookings(s, since, until, where)
        free = await week_free_slots(s, consultants, now=now, tz=tz, monday=monday, where=where)

    may_see_all = user.can(Permission.SEE_REQUESTERS)
    days = [Day(monday + timedelta(days=n)) for n in range(7)]
    names_shown = 0
    status_counts: Counter[tuple[str, str, str]] = Counter()
    for booking, consultant_name, requester_name, staff_member_id in booked:
        visible = may_see_all or staff_member_id == user.id
        names_shown += int(visible)
        local_day = booking.starts_at.astimezone(tz).date()
        days[(local_day - monday).days].bookings.append(
            BookingRow(booking, consultant_name, requester_name if visible else None)
        )
        status_counts[(booking.branch_code, booking.kind, booking.status)] += 1
    for slot in free:
        days[(slot.starts_at.astimezone(tz).date() - monday).days].free.append(slot)
    if names_shown:
        await web.log_access(
            request,
            user,
            audit.AuditAction.VIEW,
            "consultation_bookings",
            detail=web.describe_filters(
                {
                    "week": monday.isoformat(),
                    "branch": where.branch,
                    "consultant": where.consultant,
                    "kind": where.kind,
                }
            ),
            record_count=names_shown,
        )
    language = web.language(request)
    consultant_names = {c.id: c.name for c in consultants}
    branch_names = {b.code: b.name(language) for b in branches}
    return web.render(
        request,
        "consultations.html",
        days=days,
        monday=monday,
        previous_week=(monday - timedelta(days=7)).isoformat(),
        next_week=(monday + timedelta(days=7)).isoformat(),
        this_week=monday_of(now.astimezone(tz).date()).isoformat(),
        branches=branches,
        branch_names=branch_names,
        consultants=consultants,
        consultant_names=consultant_names,
        kinds=[(k.value, kind_label(k.value)) for k in BookingKind],
        filters={
            "branch": where.branch or "",
            "consultant": str(where.consultant or ""),
            "kind": where.kind or "",
        },
        summary=_summary(status_counts, branches),
        status_labels=STATUS_LABELS,
        day_title=lambda d: format_day(d, language),
        clock=lambda moment: format_clock(moment, app.settings.timezone, language),
        topic_label=topic_label,
        kind_label=kind_label,
    )


def _known_consultant(value: str, consultants: list[ConsultantRow]) -> int | None:
    number = parse_optional_int(value)
    return number if number in {c.id for c in consultants} else None


@dataclass(frozen=True)
class SummaryRow:
    branch_code: str
    kind: str
    booked: int
    done: int
    missed: int
    cancelled: int


def _summary(counts: Counter[tuple[str, str, str]], branches: list[Branch]) -> list[SummaryRow]:
    rows = []
    codes = [b.code for b in branches] + sorted({c[0] for c in counts} - {b.code for b in branches})
    for code in codes:
        for kind in BookingKind:
            values = {status: counts[(code, kind.value, status)] for status in STATUS_LABELS}
            if any(values.values()):
                rows.append(
                    SummaryRow(
                        code,
                        kind.value,
                        values[BookingStatus.BOOKED.value],
                        values[BookingStatus.DONE.value],
                        values[BookingStatus.MISSED.value],
                        values[BookingStatus.CANCELLED.value],
                    )
                )
    return rows
