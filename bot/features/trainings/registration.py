"""Taking a place in a session: the name for the certificate and the gender for the
programme's figures (each asked once), a seat or the waiting list; "My registrations" and
cancelling a place (a freed seat is offered to the next in line at once).

The seat itself is decided by the database (storage.trainings); this module only asks,
shows and tells. The steps are declared in ``flow``.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.engine.context import Context
from bot.engine.keyboards import column
from bot.engine.steps import Flow
from bot.features.trainings.actions import (
    CANCEL,
    CANCEL_YES,
    CATALOGUE,
    GENDER,
    MY_REGISTRATIONS,
    OPEN_MINE,
)
from bot.features.trainings.offers import announce
from bot.features.trainings.reminders import (
    cancel_registration_reminders,
    schedule_registration_reminders,
)
from bot.features.trainings.texts import (
    GENDER_LABELS,
    branch_of,
    local_day,
    offer_buttons,
    session_card,
    status_text,
)
from core.formatting import format_day, format_number, format_short_day
from core.i18n import _, current_language
from core.textinput import clean_text, normalize_digits
from storage import associations, people, trainings, volunteers

NAME_MAX_CHARS = 100


class RegistrationSteps(Flow):
    """session -> (name) -> (gender) -> registered; mine -> confirm_cancel -> cancelled."""

    # --- registering ------------------------------------------------------------------------
    async def on_register(self, ctx: Context) -> None:
        name, gender = await self._known_identity(ctx)
        if not name:
            await self.show(ctx, "name")
            return
        ctx.state["name"] = name
        if not gender:
            await self.show(ctx, "gender")
            return
        await self._register(ctx, name, gender)

    async def _known_identity(self, ctx: Context) -> tuple[str, str]:
        """The name used last time (or given to the association / volunteer profile) and
        the gender on the profile: asked only once."""
        async with ctx.reader() as s:
            name = await s.scalar(
                select(trainings.Registration.participant_name)
                .where(
                    trainings.Registration.telegram_id == ctx.user_id,
                    trainings.Registration.participant_name != "",
                )
                .order_by(trainings.Registration.updated_at.desc())
                .limit(1)
            )
            if not name:
                membership = await associations.membership_of(s, ctx.user_id)
                name = membership.full_name if membership else ""
            if not name:
                volunteer = await volunteers.get_volunteer(s, ctx.user_id)
                name = volunteer.full_name if volunteer else ""
            user = await people.get_user(s, ctx.user_id)
        name = name or ctx.state.get("name") or ""
        gender = user.gender if user is not None and user.gender in trainings.GENDERS else ""
        return name, gender

    async def draw_name(self, ctx: Context) -> None:
        ctx.say(_("What name should appear on your certificate of attendance?"))

    async def on_name(self, ctx: Context) -> None:
        name = clean_text(ctx.event.text, NAME_MAX_CHARS)
        if name is None or len(name) < 3 or normalize_digits(name).isdigit():
            ctx.say(
                _(
                    "Please type your full name (first name and family name, up to {n} letters)."
                ).format(n=format_number(NAME_MAX_CHARS))
            )
            return
        ctx.state["name"] = name
        _name, gender = await self._known_identity(ctx)
        if not gender:
            await self.show(ctx, "gender")
            return
        await self._register(ctx, name, gender)

    async def draw_gender(self, ctx: Context) -> None:
        ctx.say(
            _(
                "For the programme's statistics only: are you a woman or a man? "
                "(Reports never show names.)"
            ),
            column(
                [GENDER.button(ctx, _(label), code=code) for code, label in GENDER_LABELS.items()]
            ),
        )

    async def on_gender(self, ctx: Context, code: str) -> None:
        if code not in GENDER_LABELS:
            ctx.stale_button()
            return
        async with ctx.transaction() as s:
            user = await people.ensure_user(s, ctx.user_id)
            user.gender = code
        ctx.edit(_("Thank you."))
        await self._register(ctx, str(ctx.state.get("name", "")), code)

    async def _register(self, ctx: Context, name: str, gender: str) -> None:
        session_id = int(ctx.state["session_id"])
        now = ctx.services.clock.now()
        try:
            async with ctx.transaction() as s:
                await people.ensure_user(s, ctx.user_id)
                membership = await associations.association_of(s, ctx.user_id)
                outcome = await trainings.register(
                    s,
                    session_id=session_id,
                    telegram_id=ctx.user_id,
                    now=now,
                    offer_hours=ctx.services.settings.training_offer_hours,
                    participant_name=name,
                    gender=gender,
                    association_id=membership[0].id if membership else None,
                    association_name=membership[0].name if membership else "",
                )
                session_row = await trainings.get_session(s, session_id)
        except trainings.SessionClosed:
            self.end(ctx)
            ctx.say(_("Sorry, registration for this session is closed."))
            return
        assert session_row is not None
        await announce(ctx, outcome.changes)
        await schedule_registration_reminders(ctx.services, outcome.registration, session_row)
        self.end(ctx)
        if outcome.registration.status == trainings.REGISTERED:
            text = (
                _("You are registered! Your seat is confirmed.")
                + "\n"
                + _(
                    "I will remind you the evening before. If you cannot come, please cancel "
                    "from «My registrations» so that someone else can have your seat."
                )
            )
        else:
            text = _(
                "The session is full, so you are on the waiting list: number {n}. "
                "If a seat becomes free I will tell you at once."
            ).format(n=format_number(outcome.position or 0))
        ctx.say(text, [[OPEN_MINE.global_button(ctx, _("My registrations"))]])

    # --- my registrations and cancelling ------------------------------------------------------
    async def draw_mine(self, ctx: Context) -> None:
        now = ctx.services.clock.now()
        async with ctx.reader() as s:
            rows = await trainings.my_registrations(s, ctx.user_id, now)
            positions = [await trainings.waitlist_position(s, r) for r, _s, _c in rows]
            branches = [await branch_of(s, training) for _r, training, _c in rows]
        if not rows:
            ctx.say(
                _("You have no registration for a coming training."),
                column([CATALOGUE.button(ctx, _("Course catalogue")), self.back_button(ctx)]),
            )
            return
        tz = ctx.services.settings.timezone
        blocks, buttons = [], []
        lang = current_language()
        for (registration, training, course), position, branch in zip(
            rows, positions, branches, strict=True
        ):
            blocks.append(
                session_card(course, training, branch, tz)
                + "\n➡️ "
                + status_text(registration, position, tz)
            )
            if registration.status == trainings.OFFERED:
                buttons.extend(offer_buttons(registration.id)[0])
            day = format_short_day(local_day(training, tz), lang)
            label = _("Cancel: {course} ({day})").format(course=course.title(lang)[:30], day=day)
            buttons.append(CANCEL.button(ctx, label, id=registration.id))
        buttons.append(self.back_button(ctx))
        ctx.say("\n\n".join(blocks), column(buttons))

    async def on_cancel_asked(self, ctx: Context, id: int) -> None:
        found = await self._cancellable(ctx, id)
        if found is None:
            ctx.toast(_("There is nothing to cancel here."))
            return
        ctx.state["cancel_id"] = id
        training, course = found
        await self.show(ctx, "confirm_cancel", training=training, course=course)

    async def _cancellable(
        self, ctx: Context, registration_id: int
    ) -> tuple[trainings.TrainingSession, trainings.Course] | None:
        """The session and course of this person's active registration, or None."""
        async with ctx.reader() as s:
            registration = await trainings.get_registration(s, registration_id)
            found = (
                await trainings.session_with_course(s, registration.session_id)
                if registration is not None
                else None
            )
        if (
            registration is None
            or found is None
            or registration.telegram_id != ctx.user_id
            or registration.status not in trainings.ACTIVE
        ):
            return None
        return found

    async def draw_confirm_cancel(
        self,
        ctx: Context,
        training: trainings.TrainingSession | None = None,
        course: trainings.Course | None = None,
    ) -> None:
        if training is None or course is None:  # drawn again: read what is to be cancelled
            found = await self._cancellable(ctx, int(ctx.state["cancel_id"]))
            if found is None:
                await self.show(ctx, "mine")
                return
            training, course = found
        question = _("Cancel your place in «{course}» on {day}?").format(
            course=course.title(current_language()),
            day=format_day(local_day(training, ctx.services.settings.timezone)),
        )
        ctx.say(
            question,
            [
                [
                    CANCEL_YES.button(ctx, _("Yes, cancel it")),
                    MY_REGISTRATIONS.button(ctx, _("No, keep it")),
                ]
            ],
        )

    async def redraw_mine(self, ctx: Context) -> None:
        """A message while asked to confirm: the list of registrations again."""
        ctx.say(_("Please answer with the buttons."))
        await self.show(ctx, "mine")

    async def on_cancel_confirmed(self, ctx: Context) -> None:
        registration_id = int(ctx.state["cancel_id"])
        async with ctx.transaction() as s:
            outcome = await trainings.cancel(
                s,
                registration_id=registration_id,
                telegram_id=ctx.user_id,
                now=ctx.services.clock.now(),
                offer_hours=ctx.services.settings.training_offer_hours,
            )
        await announce(ctx, outcome.changes)
        self.end(ctx)
        if outcome.registration is None:
            ctx.edit(_("There is nothing to cancel here."))
            return
        await cancel_registration_reminders(ctx.services, registration_id)
        ctx.edit(_("Your place is cancelled. Thank you for letting us know."))


async def mine_opened(ctx: Context) -> None:
    """The global "My registrations" button (after registering, in the day-before reminder)."""
    await ctx.start("training", view="mine")
