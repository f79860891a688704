"""How consultation bookings read: summaries for each party and the buttons under them, the
recap of the choices made so far, .ics files, and whose language a notice is written in.
(The labels of topics and kinds of session are the area's vocabulary, in
``storage.consultations.vocabulary``.)

Everything here renders in the *current* language (``core.i18n``); callers switch
language with ``use_language`` when they write to someone other than the user in front
of them (the consultant, a reminder's recipient).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.context import Context
from bot.engine.replies import Button
from bot.engine.services import Services
from bot.features.consultations.actions import CANCEL, RECORD, RESCHEDULE
from core.formatting import format_clock, format_moment
from core.i18n import _, current_language
from storage import consultations, reference
from storage.consultations import Booking
from storage.consultations.vocabulary import kind_label, topic_label
from storage.people import User

ICS_PRODUCT = "-//Musharaka//Consultations//EN"


@dataclass(frozen=True, slots=True)
class BookingView:
    """A booking with the names needed to show it (read once, rendered in any language)."""

    booking: Booking
    consultant_name: str
    consultant_telegram_id: int | None
    requester_name: str
    requester_telegram_id: int
    requester_language: str
    branch: reference.Branch | None

    def branch_name(self) -> str:
        if self.branch is None:
            return self.booking.branch_code
        return self.branch.name(current_language())

    def place(self) -> str:
        """Branch name and, when known, its address."""
        name = self.branch_name()
        if self.branch is not None and self.branch.address:
            return f"{name} — {self.branch.address}"
        return name


async def load_view(session: AsyncSession, booking_id: int) -> BookingView | None:
    booking = await consultations.get_booking(session, booking_id)
    if booking is None:
        return None
    info = await consultations.consultant_info(session, booking.consultant_id)
    requester = await session.scalar(select(User).where(User.id == booking.requester_id))
    branch = await session.get(reference.Branch, booking.branch_code)
    return BookingView(
        booking=booking,
        consultant_name=info.name if info else "",
        consultant_telegram_id=info.telegram_id if info else None,
        requester_name=(requester.full_name or requester.first_name) if requester else "",
        requester_telegram_id=requester.telegram_id if requester else 0,
        requester_language=requester.language if requester else "",
        branch=branch,
    )


async def language_of(session: AsyncSession, telegram_id: int, default: str) -> str:
    language = await session.scalar(select(User.language).where(User.telegram_id == telegram_id))
    return language or default


async def in_language_of(ctx: Context, telegram_id: int) -> str:
    """The language to write to this person in (theirs, or the programme's default)."""
    async with ctx.reader() as s:
        return await language_of(s, telegram_id, ctx.services.settings.default_language)


def timezone_of(ctx: Context | Services) -> str:
    """The programme's local time zone, which every time shown is in."""
    services = ctx.services if isinstance(ctx, Context) else ctx
    return services.settings.timezone


def recap(ctx: Context) -> str:
    """'Consultation · Strategic planning · Kasserine branch' for the choices made so far."""
    parts = [kind_label(ctx.state["kind"]), topic_label(ctx.state["topic"])]
    branch = ctx.state.get("branch")
    if branch:
        parts.append(ctx.state.get("branch_name", branch))
    return " · ".join(parts)


def when(moment: datetime, timezone: str) -> str:
    """Day (with the Hijri date in Arabic) and local time."""
    return format_moment(moment, timezone, current_language())


def session_lines(view: BookingView, timezone: str, *, with_consultant: bool = True) -> str:
    """The facts of a booking, one per line, for the requester."""
    booking = view.booking
    lines = [
        _("What: {kind} — {topic}").format(
            kind=kind_label(booking.kind), topic=topic_label(booking.topic)
        ),
        _("When: {moment} (until {end})").format(
            moment=when(booking.starts_at, timezone),
            end=format_clock(booking.ends_at, timezone, current_language()),
        ),
        _("Where: {place}").format(place=view.place()),
    ]
    if with_consultant and view.consultant_name:
        lines.append(_("With: {name}").format(name=view.consultant_name))
    if booking.description:
        lines.append(_("Your request: {text}").format(text=booking.description))
    return "\n".join(lines)


def consultant_lines(view: BookingView, timezone: str) -> str:
    """The facts of a booking for the consultant: who asked, and what for."""
    booking = view.booking
    lines = [
        _("What: {kind} — {topic}").format(
            kind=kind_label(booking.kind), topic=topic_label(booking.topic)
        ),
        _("When: {moment} (until {end})").format(
            moment=when(booking.starts_at, timezone),
            end=format_clock(booking.ends_at, timezone, current_language()),
        ),
        _("Where: {place}").format(place=view.branch_name()),
        _("Requested by: {name}").format(name=view.requester_name or "—"),
    ]
    if booking.description:
        lines.append(_("Their need: {text}").format(text=booking.description))
    return "\n".join(lines)


def appointment_buttons(booking_id: int) -> list[list[Button]]:
    """Under a member's session (in /appointments, a reminder): change the time, cancel."""
    return [
        [
            RESCHEDULE.standing_button(_("Change the time"), id=booking_id),
            CANCEL.standing_button(_("Cancel it"), id=booking_id),
        ]
    ]


def record_buttons(booking_id: int) -> list[list[Button]]:
    """Under a past session in the consultant's agenda or follow-up: did it take place?"""
    return [
        [RECORD.standing_button(_("✅ It took place"), id=booking_id, answer="y")],
        [RECORD.standing_button(_("✖ It did not take place"), id=booking_id, answer="n")],
    ]


def ics_file(view: BookingView, *, now: datetime, cancelled: bool = False) -> bytes:
    """An iCalendar file phones can add to their calendar; a later one with the same UID
    and a higher SEQUENCE moves it, a CANCEL removes it."""
    booking = view.booking
    calendar = Calendar()
    calendar.add("prodid", ICS_PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", f"consultation-{booking.id}@musharaka")
    event.add("sequence", booking.reschedule_count + (1 if cancelled else 0))
    event.add("dtstamp", now)
    event.add("dtstart", booking.starts_at)
    event.add("dtend", booking.ends_at)
    event.add("summary", f"{kind_label(booking.kind)}: {topic_label(booking.topic)}")
    event.add("location", view.place())
    description = [_("With: {name}").format(name=view.consultant_name)]
    if booking.description:
        description.append(booking.description)
    event.add("description", "\n".join(description))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()


def ics_name(booking: Booking) -> str:
    return f"consultation-{booking.id}.ics"


def zone(timezone: str) -> ZoneInfo:
    return ZoneInfo(timezone)
