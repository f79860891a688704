"""A booking's reminders: 24 hours and 1 hour before for the member, 1 hour before for the
consultant, and after the session a question to the consultant: did it take place?

They are planned again whenever the booking moves (their keys carry the reschedule count,
``storage.consultations.reminder_key``) and disappear with it when it is cancelled.
"""

from __future__ import annotations

from datetime import timedelta

from bot.engine.reminders import cancel_reminders, remind_at
from bot.engine.replies import Reply, Text
from bot.engine.services import Services
from bot.features.consultations.texts import (
    BookingView,
    appointment_buttons,
    consultant_lines,
    load_view,
    record_buttons,
    session_lines,
)
from core.i18n import _
from storage import consultations
from storage.consultations import BookingStatus
from storage.reminders import Reminder

REMINDER_KIND = "consultation-reminder"
FOLLOW_UP_KIND = "consultation-followup"
FOLLOW_UP_AFTER = timedelta(minutes=10)
# (key label, how long before the start, who) — "requester" or "consultant".
REMINDERS = (
    ("24h", timedelta(hours=24), "requester"),
    ("1h", timedelta(hours=1), "requester"),
    ("c1h", timedelta(hours=1), "consultant"),
)


async def schedule_reminders(services: Services, view: BookingView) -> None:
    """(Re)plan the reminders of an active booking; earlier ones of the booking are dropped."""
    booking = view.booking
    await cancel_reminders(services, consultations.reminder_prefix(booking.id))
    now = services.clock.now()
    chats = {"requester": view.requester_telegram_id, "consultant": view.consultant_telegram_id}
    for label, before, who in REMINDERS:
        due = booking.starts_at - before
        chat_id = chats[who]
        if due > now and chat_id:
            await remind_at(
                services,
                key=consultations.reminder_key(booking, label),
                kind=REMINDER_KIND,
                ref=booking.id,
                chat_id=chat_id,
                due_at=due,
            )
    if view.consultant_telegram_id:
        await remind_at(
            services,
            key=consultations.reminder_key(booking, "after"),
            kind=FOLLOW_UP_KIND,
            ref=booking.id,
            chat_id=view.consultant_telegram_id,
            due_at=booking.ends_at + FOLLOW_UP_AFTER,
        )


async def render_reminder(services: Services, reminder: Reminder) -> Reply | None:
    """24 h and 1 h before, for the member; 1 h before, for the consultant."""
    async with services.reader() as s:
        view = await load_view(s, reminder.ref)
    if view is None or view.booking.status != BookingStatus.BOOKED:
        return None
    booking = view.booking
    lead = booking.starts_at - reminder.due_at
    if lead <= timedelta(0) or services.clock.now() - reminder.due_at > lead / 2:
        return None  # moved, or too late to be useful (a "tomorrow" sent the same day)
    timezone = services.settings.timezone
    soon = lead <= timedelta(hours=2)
    if reminder.chat_id == view.requester_telegram_id:
        head = (
            _("Reminder: your session starts in one hour.")
            if soon
            else _("Reminder: your session is tomorrow.")
        )
        return Text(f"{head}\n\n{session_lines(view, timezone)}", appointment_buttons(booking.id))
    if reminder.chat_id == view.consultant_telegram_id:
        return Text(_("In one hour:") + "\n\n" + consultant_lines(view, timezone))
    return None


async def render_follow_up(services: Services, reminder: Reminder) -> Reply | None:
    """After the session, ask the consultant to record it (unless they already did)."""
    async with services.reader() as s:
        view = await load_view(s, reminder.ref)
    if view is None or view.booking.status != BookingStatus.BOOKED:
        return None
    if reminder.chat_id != view.consultant_telegram_id:
        return None
    return Text(
        _("Did this session take place?")
        + "\n\n"
        + consultant_lines(view, services.settings.timezone),
        record_buttons(view.booking.id),
    )
