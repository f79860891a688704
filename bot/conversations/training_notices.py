"""What the trainings area tells people outside their own conversation: waitlist offers,
the reminder the day before, the certificate and feedback questions after the session,
and the scheduler's side of offer deadlines.

Every message to someone else is written in *their* language. Offers made while
handling an event go out with ``ctx.notify`` (after the event's state is saved); offers
made by the scheduler (a deadline passed) go out through ``services.messenger``.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.conversations.training_certificate import CertificateText, certificate_png
from bot.engine import payloads
from bot.engine.context import Context
from bot.engine.messenger import DeliveryError, RecipientUnreachable
from bot.engine.registry import Registry
from bot.engine.reminders import cancel_reminders, remind_at
from bot.engine.replies import Button, Photo, Reply, Text
from bot.engine.services import Services
from core.formatting import format_clock, format_day, format_moment, format_number
from core.i18n import N_, _, current_language, ngettext, use_language
from storage import people, reference, reminders, trainings
from storage.reminders import Reminder

log = logging.getLogger(__name__)

DAY_BEFORE = "training-day-before"
OFFER_NUDGE = "training-offer-nudge"
OFFER_NOTICE = "training-offer"
OFFER_EXPIRY = "training-offer-expiry"
FOLLOWUP = "training-followup"

# Global button routes (their handlers check ownership and state in the database).
OFFER_ROUTE = "tw"  # tw:y|n:<registration id>
RATING_ROUTE = "tr"  # tr:<registration id>:<1..5>
MINE_ROUTE = "tm"  # tm  (open "my registrations")
COURSE_ROUTE = "tc"  # tc:<course id>

DAY_BEFORE_LOCAL_TIME = time(18, 0)
FOLLOWUP_DELAY = timedelta(minutes=15)
NUDGE_MIN_WINDOW = timedelta(hours=2)

LANGUAGE_LABELS = {"ar": N_("Arabic"), "fr": N_("French"), "en": N_("English")}


# --- describing a session ---------------------------------------------------------------------


async def branch_of(
    s: AsyncSession, training: trainings.TrainingSession
) -> reference.Branch | None:
    if not training.branch_code:
        return None
    return await s.get(reference.Branch, training.branch_code)


def place_text(training: trainings.TrainingSession, branch: reference.Branch | None) -> str:
    lang = current_language()
    parts = []
    if branch is not None:
        parts.append(branch.name(lang))
        if branch.address:
            parts.append(branch.address)
    if training.place:
        parts.append(training.place)
    return " — ".join(parts) if parts else _("place to be announced")


def when_text(training: trainings.TrainingSession, timezone: str) -> str:
    start = format_moment(training.starts_at, timezone)
    return f"{start}–{format_clock(training.ends_at, timezone)}"


def seats_text(training: trainings.TrainingSession, waiting: int) -> str:
    free = training.capacity - training.seats_taken
    if free > 0 and waiting == 0:
        return ngettext("{n} seat left of {total}", "{n} seats left of {total}", free).format(
            n=format_number(free), total=format_number(training.capacity)
        )
    if waiting == 0:
        return _("Full: you can join the waiting list.")
    return ngettext(
        "Full: {n} person on the waiting list.", "Full: {n} people on the waiting list.", waiting
    ).format(n=format_number(waiting))


def session_card(
    course: trainings.Course,
    training: trainings.TrainingSession,
    branch: reference.Branch | None,
    timezone: str,
) -> str:
    lang = current_language()
    lines = [
        f"📚 {course.title(lang)}",
        f"🗓 {when_text(training, timezone)}",
        f"📍 {place_text(training, branch)}",
        "🗣 "
        + _("Language: {language}").format(
            language=_(LANGUAGE_LABELS.get(training.language, training.language))
        ),
    ]
    if training.trainer_name:
        lines.append("👤 " + _("Trainer: {name}").format(name=training.trainer_name))
    return "\n".join(lines)


def status_text(registration: trainings.Registration, position: int | None, timezone: str) -> str:
    if registration.status == trainings.REGISTERED:
        return _("Your seat is confirmed.")
    if registration.status == trainings.WAITLISTED and position is not None:
        return _("You are number {n} on the waiting list.").format(n=format_number(position))
    if registration.status == trainings.OFFERED and registration.offer_expires_at is not None:
        return _("A seat is held for you until {deadline}: please confirm it.").format(
            deadline=format_moment(registration.offer_expires_at, timezone)
        )
    return _("You are not registered for this session.")


def offer_buttons(registration_id: int) -> list[list[Button]]:
    return [
        [
            Button(_("Yes, I will attend"), payloads.global_(OFFER_ROUTE, "y", registration_id)),
            Button(
                _("No, give it to someone else"),
                payloads.global_(OFFER_ROUTE, "n", registration_id),
            ),
        ]
    ]


# --- who speaks which language -----------------------------------------------------------------


async def language_of(services: Services, telegram_id: int) -> str:
    async with services.reader() as s:
        user = await people.get_user(s, telegram_id)
    return user.language if user is not None else services.settings.default_language


async def _details(
    services: Services, registration_id: int
) -> (
    tuple[
        trainings.Registration,
        trainings.TrainingSession,
        trainings.Course,
        reference.Branch | None,
    ]
    | None
):
    async with services.reader() as s:
        registration = await trainings.get_registration(s, registration_id)
        if registration is None:
            return None
        found = await trainings.session_with_course(s, registration.session_id)
        if found is None:
            return None
        training, course = found
        branch = await branch_of(s, training)
    return registration, training, course, branch


# --- waitlist offers ---------------------------------------------------------------------------


def offer_message(
    registration: trainings.Registration,
    training: trainings.TrainingSession,
    course: trainings.Course,
    branch: reference.Branch | None,
    timezone: str,
    *,
    nudge: bool = False,
) -> Text:
    assert registration.offer_expires_at is not None
    deadline = format_moment(registration.offer_expires_at, timezone)
    if nudge:
        head = _("Reminder: a seat is still held for you until {deadline}.").format(
            deadline=deadline
        )
    else:
        head = _(
            "Good news! A seat has become free in a training you were waiting for. "
            "It is held for you until {deadline}."
        ).format(deadline=deadline)
    text = "\n\n".join(
        [
            head,
            session_card(course, training, branch, timezone),
            _("Will you attend?"),
        ]
    )
    return Text(text, buttons=offer_buttons(registration.id))


async def schedule_offer_reminders(
    services: Services, registration: trainings.Registration
) -> None:
    """The deadline of an offer (it passes to the next in line) and, for long offers,
    a nudge halfway."""
    if registration.telegram_id is None or registration.offer_expires_at is None:
        return
    key = f"training:{registration.id}:offer{registration.offers_made}"
    now = services.clock.now()
    await remind_at(
        services,
        key=f"{key}:expiry",
        kind=OFFER_EXPIRY,
        ref=registration.id,
        chat_id=registration.telegram_id,
        due_at=registration.offer_expires_at,
    )
    window = registration.offer_expires_at - now
    if window >= NUDGE_MIN_WINDOW:
        await remind_at(
            services,
            key=f"{key}:nudge",
            kind=OFFER_NUDGE,
            ref=registration.id,
            chat_id=registration.telegram_id,
            due_at=now + window / 2,
        )


async def queue_offer_notices(s: AsyncSession, changes: trainings.Changes, now: datetime) -> None:
    """Offers made where no one can be told directly (e.g. /delete): the offer message and
    its deadline become reminder rows in the same transaction; the scheduler's sweep sends
    them within a minute."""
    for registration in changes.offered:
        if registration.telegram_id is None or registration.offer_expires_at is None:
            continue
        key = f"training:{registration.id}:offer{registration.offers_made}"
        for suffix, kind, due in (
            ("notice", OFFER_NOTICE, now),
            ("expiry", OFFER_EXPIRY, registration.offer_expires_at),
        ):
            await reminders.schedule(
                s,
                key=f"{key}:{suffix}",
                kind=kind,
                ref=registration.id,
                chat_id=registration.telegram_id,
                due_at=due,
            )


async def _render_offer(services: Services, registration_id: int, telegram_id: int) -> Text | None:
    details = await _details(services, registration_id)
    if details is None:
        return None
    registration, training, course, branch = details
    if registration.status != trainings.OFFERED:
        return None
    with use_language(await language_of(services, telegram_id)):
        return offer_message(registration, training, course, branch, services.settings.timezone)


async def announce(ctx: Context, changes: trainings.Changes) -> None:
    """Tell the people this event's work offered a seat to, in their language, at once.
    (People whose offer expired are told by the offer's own deadline reminder.)"""
    for registration in changes.offered:
        if registration.telegram_id is None:
            continue
        await schedule_offer_reminders(ctx.services, registration)
        message = await _render_offer(ctx.services, registration.id, registration.telegram_id)
        if message is not None:
            ctx.notify(registration.telegram_id, message, kind="training-offer")


async def send_offers(services: Services, changes: trainings.Changes) -> None:
    """The same, outside any event (the scheduler): straight through the messenger."""
    for registration in changes.offered:
        if registration.telegram_id is None:
            continue
        await schedule_offer_reminders(services, registration)
        message = await _render_offer(services, registration.id, registration.telegram_id)
        if message is None or services.messenger is None:
            continue
        try:
            await services.messenger.send(registration.telegram_id, message)
        except RecipientUnreachable:
            async with services.transaction() as s:
                await people.mark_unreachable(s, registration.telegram_id)
        except DeliveryError as exc:  # the nudge and "my registrations" still show the offer
            log.warning("offer to %s not delivered: %s", registration.telegram_id, exc)


# --- reminders around a registration -------------------------------------------------------------


def day_before_moment(starts_at: datetime, timezone: str) -> datetime:
    """18:00 local time on the day before the session."""
    zone = ZoneInfo(timezone)
    day = starts_at.astimezone(zone).date() - timedelta(days=1)
    return datetime.combine(day, DAY_BEFORE_LOCAL_TIME, tzinfo=zone)


async def schedule_registration_reminders(
    services: Services, registration: trainings.Registration, training: trainings.TrainingSession
) -> None:
    """The evening-before reminder and the after-session message. Their renderers check the
    registration again when the moment comes, so a place that is cancelled or never
    confirmed simply gets nothing."""
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


# --- reminder renderers (called by the scheduler in the recipient's language) ---------------------


async def render_day_before(services: Services, reminder: Reminder) -> Reply | None:
    details = await _details(services, reminder.ref)
    if details is None:
        return None
    registration, training, course, branch = details
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
    return Text(text, buttons=[[Button(_("My registrations"), payloads.global_(MINE_ROUTE))]])


async def render_offer_nudge(services: Services, reminder: Reminder) -> Reply | None:
    details = await _details(services, reminder.ref)
    if details is None:
        return None
    registration, training, course, branch = details
    if registration.status != trainings.OFFERED or registration.telegram_id != reminder.chat_id:
        return None
    return offer_message(
        registration,
        training,
        course,
        branch,
        services.settings.timezone,
        nudge=reminder.kind == OFFER_NUDGE,
    )


async def render_offer_expiry(services: Services, reminder: Reminder) -> Reply | None:
    """The deadline of an offer: the seat goes to the next in line (told at once), and the
    person who let it pass is told too."""
    now = services.clock.now()
    async with services.transaction() as s:
        changes = await trainings.expire_offer(
            s,
            registration_id=reminder.ref,
            now=now,
            offer_hours=services.settings.training_offer_hours,
        )
    await send_offers(services, changes)
    details = await _details(services, reminder.ref)
    if details is None:
        return None
    registration, _training, course, _branch = details
    if registration.status != trainings.EXPIRED or registration.telegram_id != reminder.chat_id:
        return None
    return Text(
        _(
            "The time to confirm your seat in «{course}» has passed, so it went to the next "
            "person on the waiting list. You can register again from the training catalogue."
        ).format(course=course.title(current_language()))
    )


async def render_followup(services: Services, reminder: Reminder) -> Reply | None:
    """After the session: the certificate and the feedback question, to attendees only."""
    details = await _details(services, reminder.ref)
    if details is None:
        return None
    registration, training, course, branch = details
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
            Button(f"{format_number(n)} ⭐", payloads.global_(RATING_ROUTE, registration.id, n))
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


def register_reminders(registry: Registry) -> None:
    registry.add_reminder_kind(DAY_BEFORE, render_day_before)
    registry.add_reminder_kind(OFFER_NUDGE, render_offer_nudge)
    registry.add_reminder_kind(OFFER_NOTICE, render_offer_nudge)
    registry.add_reminder_kind(OFFER_EXPIRY, render_offer_expiry)
    registry.add_reminder_kind(FOLLOWUP, render_followup)
