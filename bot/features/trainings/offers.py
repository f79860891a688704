"""A seat freed in a full session is offered to the next person on the waiting list: the
offer message (in *their* language), its deadline and a nudge halfway, and the Yes / No
global buttons under it.

Offers made while handling an event go out with ``ctx.notify`` (after the event's state is
saved); offers made by the scheduler (a deadline passed) go out through
``services.messenger``; offers made where nobody can be told at once (/delete) become
reminder rows that the scheduler's sweep sends.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.context import Context
from bot.engine.messenger import DeliveryError, RecipientUnreachable
from bot.engine.reminders import cancel_reminders, remind_at
from bot.engine.replies import Reply, Text
from bot.engine.services import Services
from bot.features.trainings.reminders import (
    cancel_registration_reminders,
    schedule_registration_reminders,
)
from bot.features.trainings.texts import details, language_of, offer_buttons, session_card
from core.formatting import format_moment
from core.i18n import _, current_language, use_language
from storage import people, reference, reminders, trainings
from storage.reminders import Reminder

log = logging.getLogger(__name__)

OFFER_NUDGE = "training-offer-nudge"
OFFER_NOTICE = "training-offer"
OFFER_EXPIRY = "training-offer-expiry"

NUDGE_MIN_WINDOW = timedelta(hours=2)


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
    found = await details(services, registration_id)
    if found is None:
        return None
    registration, training, course, branch = found
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


# --- the Yes / No buttons under an offer ----------------------------------------------------------


async def offer_answered(ctx: Context, answer: str, id: int) -> None:
    """Confirm ("y") or decline ("n") the seat offered to registration ``id``; whose offer it
    is, and whether it is still open, is decided by the database."""
    if answer not in ("y", "n"):
        ctx.toast(_("I do not recognise this button."))
        return
    async with ctx.transaction() as s:
        outcome = await trainings.answer_offer(
            s,
            registration_id=id,
            telegram_id=ctx.user_id,
            accept=answer == "y",
            now=ctx.services.clock.now(),
            offer_hours=ctx.services.settings.training_offer_hours,
        )
        training = (
            await trainings.get_session(s, outcome.registration.session_id)
            if outcome.registration is not None
            else None
        )
    await announce(ctx, outcome.changes)
    if outcome.result == "not_yours":
        ctx.toast(_("This offer is not for you."))
    elif outcome.result == "confirmed":
        assert outcome.registration is not None and training is not None
        await cancel_reminders(
            ctx.services,
            f"training:{outcome.registration.id}:offer{outcome.registration.offers_made}:",
        )
        await schedule_registration_reminders(ctx.services, outcome.registration, training)
        ctx.edit(_("Your seat is confirmed. See you at the training!"))
    elif outcome.result == "declined":
        assert outcome.registration is not None
        await cancel_registration_reminders(ctx.services, outcome.registration.id)
        ctx.edit(_("Thank you for letting us know. The seat goes to the next person in line."))
    elif outcome.result == "expired":
        ctx.edit(
            _(
                "Sorry, the time to confirm this seat has passed and it went to the next "
                "person. You can register again from the catalogue."
            )
        )
    elif outcome.registration is not None and outcome.registration.status == trainings.REGISTERED:
        ctx.toast(_("Your seat is already confirmed."))
    else:
        ctx.toast(_("This offer is no longer open."))


# --- the offer's reminders (called by the scheduler in the recipient's language) ------------------


async def render_offer_nudge(services: Services, reminder: Reminder) -> Reply | None:
    """The offer itself (``OFFER_NOTICE``, queued by /delete) or the nudge halfway."""
    found = await details(services, reminder.ref)
    if found is None:
        return None
    registration, training, course, branch = found
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
    found = await details(services, reminder.ref)
    if found is None:
        return None
    registration, _training, course, _branch = found
    if registration.status != trainings.EXPIRED or registration.telegram_id != reminder.chat_id:
        return None
    return Text(
        _(
            "The time to confirm your seat in «{course}» has passed, so it went to the next "
            "person on the waiting list. You can register again from the training catalogue."
        ).format(course=course.title(current_language()))
    )
