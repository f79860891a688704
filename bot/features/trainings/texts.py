"""How a training session is described wherever it is shown: its card (course, when, where,
language, trainer), the seats left, a person's status, the short label of a date button,
the offer's two buttons; and the reads these need (the branch, a registration's details,
the language a person reads)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.replies import Button
from bot.engine.services import Services
from bot.features.trainings.actions import OFFER_ANSWER
from core.formatting import format_clock, format_moment, format_number, format_short_day
from core.i18n import N_, _, current_language, ngettext
from storage import people, reference, trainings

LANGUAGE_LABELS = {"ar": N_("Arabic"), "fr": N_("French"), "en": N_("English")}
GENDER_LABELS = {
    "female": N_("Female"),
    "male": N_("Male"),
    "unspecified": N_("Prefer not to say"),
}

Details = tuple[
    trainings.Registration, trainings.TrainingSession, trainings.Course, reference.Branch | None
]


def local_day(training: trainings.TrainingSession, timezone: str) -> date:
    return training.starts_at.astimezone(ZoneInfo(timezone)).date()


def session_label(
    training: trainings.TrainingSession,
    branch: reference.Branch | None,
    waiting: int,
    timezone: str,
) -> str:
    """'Tue 8 Dec · Kasserine branch · places left' (short enough for a phone)."""
    lang = current_language()
    day = format_short_day(local_day(training, timezone), lang)
    where = branch.name(lang) if branch is not None else ""
    full = training.seats_taken >= training.capacity or waiting > 0
    state = _("full") if full else _("places left")
    return " · ".join(p for p in (day, where, state) if p)


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
    """Yes / No under a seat offered from the waiting list (global: the offer outlives the
    screen it is shown on)."""
    return [
        [
            OFFER_ANSWER.standing_button(_("Yes, I will attend"), answer="y", id=registration_id),
            OFFER_ANSWER.standing_button(
                _("No, give it to someone else"), answer="n", id=registration_id
            ),
        ]
    ]


async def language_of(services: Services, telegram_id: int) -> str:
    async with services.reader() as s:
        user = await people.get_user(s, telegram_id)
    return user.language if user is not None else services.settings.default_language


async def details(services: Services, registration_id: int) -> Details | None:
    """A registration with its session, course and branch (None when any is gone)."""
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
