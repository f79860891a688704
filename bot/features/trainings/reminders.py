"""Reminders around a registration: the evening before the session, and after it the
certificate with the rating question (attendees only). Their renderers run in the
recipient's language when the moment comes and check the registration again, so a place
cancelled or never confirmed simply gets nothing. (The reminders of a seat offered from
the waiting list are in ``offers``.)"""

from __future__ import annotations

import asyncio
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.engine.reminders import cancel_reminders, remind_at
from bot.engine.replies import Photo, Reply, Text
from bot.engine.services import Services
from bot.features.trainings.actions import OPEN_MINE, RATE
from bot.features.trainings.certificate import CertificateText, certificate_png
from bot.features.trainings.texts import details, place_text, session_card
from core.formatting import format_day, format_number
from core.i18n import _, current_language
from storage import trainings
from storage.reminders import Reminder

DAY_BEFORE = "training-day-before"
FOLLOWUP = "training-followup"

DAY_BEFORE_LOCAL_TIME = time(18, 0)
FOLLOWUP_DELAY = timedelta(minutes=15)


def day_before_moment(starts_at: datetime, timezone: str) -> datetime:
    """18:00 local time on the day before the session."""
    zone = ZoneInfo(timezone)
    day = starts_at.astimezone(zone).date() - timedelta(days=1)
    return datetime.combine(day, DAY_BEFORE_LOCAL_TIME, tzinfo=zone)


async def schedule_registration_reminders(
    services: Services, registration: trainings.Registration, training: trainings.TrainingSession
) -> None:
    """The evening-before reminder and the after-session message."""
    if registration.telegram_id is None:
        return
    eve = day_before_moment(training.starts_at, services.settings.timezone)
    if eve > services.clock.now():
        await remind_at(
            services,
            key=f"training:{registration.id}:day-before",
            kind=DAY_BEFORE,
            ref=registration.id,
            chat_id=registration.telegram_id,
            due_at=eve,
        )
    await remind_at(
        services,
        key=f"training:{registration.id}:followup",
        kind=FOLLOWUP,
        ref=registration.id,
        chat_id=registration.telegram_id,
        due_at=training.ends_at + FOLLOWUP_DELAY,
    )


async def cancel_registration_reminders(services: Services, registration_id: int) -> None:
    await cancel_reminders(services, f"training:{registration_id}:")


async def render_day_before(services: Services, reminder: Reminder) -> Reply | None:
    found = await details(services, reminder.ref)
    if found is None:
        return None
    registration, training, course, branch = found
    if (
        registration.status != trainings.REGISTERED
        or training.status != trainings.SCHEDULED
        or registration.telegram_id != reminder.chat_id
    ):
        return None
    tz = services.settings.timezone
    text = "\n\n".join(
        [
            _("Reminder: your training is tomorrow."),
            session_card(course, training, branch, tz),
            _(
                "If you can no longer come, please cancel your place so that someone on the "
                "waiting list can have it."
            ),
        ]
    )
    return Text(text, buttons=[[OPEN_MINE.standing_button(_("My registrations"))]])


async def render_followup(services: Services, reminder: Reminder) -> Reply | None:
    """After the session: the certificate and the feedback question, to attendees only."""
    found = await details(services, reminder.ref)
    if found is None:
        return None
    registration, training, course, branch = found
    if not trainings.attended(registration) or registration.telegram_id != reminder.chat_id:
        return None
    lang = current_language()
    tz = services.settings.timezone
    day = format_day(training.starts_at.astimezone(ZoneInfo(tz)).date())
    text = "\n\n".join(
        [
            _("Congratulations! You attended «{course}» on {day}.").format(
                course=course.title(lang), day=day
            ),
            _(
                "Here is your certificate of attendance, in the name: {name}. The support "
                "centre can also give you a printed copy."
            ).format(name=registration.participant_name or "—"),
            _("How would you rate this training? (1 = poor, 5 = excellent)"),
        ]
    )
    buttons = [
        [
            RATE.standing_button(f"{format_number(n)} ⭐", id=registration.id, rating=n)
            for n in range(1, 6)
        ]
    ]
    certificate = CertificateText(
        participant=registration.participant_name or "—",
        course=course.title(lang),
        day=day,
        hours=course.hours,
        place=place_text(training, branch),
        number=f"{training.starts_at.year}-{registration.id:06d}",
        gender=registration.gender,
    )
    # Drawing takes a moment of CPU: off the event loop (the language context goes along).
    png = await asyncio.to_thread(certificate_png, certificate)
    return Photo(data=png, caption=text, buttons=buttons)
