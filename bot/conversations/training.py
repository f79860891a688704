"""Trainings for association members and residents: the catalogue, registering (or joining
the waiting list), cancelling, "my registrations", checking in with the trainer's code,
rating a training afterwards, and suggesting a training.

The seat itself is decided by the database (storage.trainings); this module only asks,
shows and tells.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.conversations import training_notices as notices
from bot.engine import payloads
from bot.engine.context import Context
from bot.engine.conversation import Conversation
from bot.engine.events import EventKind
from bot.engine.keyboards import column
from bot.engine.lockouts import Lockout
from bot.engine.registry import Command, MenuEntry, Registry
from bot.engine.replies import Button
from core.config import get_settings
from core.formatting import format_day, format_number, format_short_day
from core.i18n import N_, _, current_language
from core.textinput import clean_text, normalize_digits
from storage import associations, people, throttles, trainings, volunteers
from storage.reference import Branch

NAME_MAX_CHARS = 100
SUGGESTION_MAX_CHARS = 1000
COMMENT_MAX_CHARS = 1000
# Wrong check-in codes: 5 per quarter of an hour (bot.engine.lockouts: /delete does not reset it).
CHECKIN_LOCKOUT = Lockout("checkin_code", throttles.Limit(failures=5, window=timedelta(minutes=15)))

GENDER_LABELS = {
    "female": N_("Female"),
    "male": N_("Male"),
    "unspecified": N_("Prefer not to say"),
}


def local_day(training: trainings.TrainingSession, timezone: str) -> date:
    return training.starts_at.astimezone(ZoneInfo(timezone)).date()


def session_label(
    training: trainings.TrainingSession, branch: Branch | None, waiting: int, timezone: str
) -> str:
    """'Tue 8 Dec · Kasserine branch · places left' (short enough for a phone)."""
    lang = current_language()
    day = format_short_day(local_day(training, timezone), lang)
    where = branch.name(lang) if branch is not None else ""
    full = training.seats_taken >= training.capacity or waiting > 0
    state = _("full") if full else _("places left")
    return " · ".join(p for p in (day, where, state) if p)


def _int_arg(args: tuple[str, ...], index: int = 0) -> int | None:
    return payloads.int_arg(args, index)


class Training(Conversation):
    name = "training"

    # --- entering ---------------------------------------------------------------------------
    async def begin(self, ctx: Context, **kwargs: Any) -> None:
        view = kwargs.get("view")
        if kwargs.get("course") is not None:
            await self._show_course(ctx, int(kwargs["course"]))
        elif kwargs.get("feedback") is not None:
            self._ask_comment(ctx, int(kwargs["feedback"]))
        elif view == "mine":
            await self._show_mine(ctx)
        elif view == "checkin":
            self._ask_code(ctx)
        elif view == "suggest":
            self._ask_suggestion(ctx)
        elif view == "catalogue":
            await self._show_catalogue(ctx)
        else:
            self._show_hub(ctx)

    def _show_hub(self, ctx: Context) -> None:
        ctx.step = "hub"
        ctx.say(
            _("Trainings for associations and residents. What would you like to do?"),
            column(
                [
                    ctx.button(_("Course catalogue"), "cat"),
                    ctx.button(_("My registrations"), "mine"),
                    ctx.button(_("Check in at a training"), "chk"),
                    ctx.button(_("Suggest a training"), "sug"),
                ]
            ),
        )

    # --- buttons ----------------------------------------------------------------------------
    async def on_button(self, ctx: Context, action: str, args: tuple[str, ...]) -> None:
        handlers = {
            "cat": lambda: self._show_catalogue(ctx),
            "mine": lambda: self._show_mine(ctx),
            "hub": lambda: self._hub_async(ctx),
            "chk": lambda: self._ask_code_async(ctx),
            "sug": lambda: self._ask_suggestion_async(ctx),
            "course": lambda: self._on_course(ctx, args),
            "sess": lambda: self._on_session(ctx, args),
            "reg": lambda: self._on_register(ctx),
            "gender": lambda: self._on_gender(ctx, args),
            "cx": lambda: self._on_cancel_asked(ctx, args),
            "cxy": lambda: self._on_cancel_confirmed(ctx),
            "skip": lambda: self._on_skip_comment(ctx),
        }
        handler = handlers.get(action)
        if handler is None:
            await super().on_button(ctx, action, args)
            return
        await handler()

    async def _hub_async(self, ctx: Context) -> None:
        self._show_hub(ctx)

    async def _ask_code_async(self, ctx: Context) -> None:
        self._ask_code(ctx)

    async def _ask_suggestion_async(self, ctx: Context) -> None:
        self._ask_suggestion(ctx)

    # --- typed messages ---------------------------------------------------------------------
    async def on_message(self, ctx: Context) -> None:
        step = ctx.step
        if ctx.event.kind != EventKind.TEXT and step in ("name", "checkin", "suggest", "comment"):
            ctx.say(_("Please type your answer as a text message."))
            return
        if step == "name":
            await self._on_name(ctx)
        elif step == "checkin":
            await self._on_code(ctx)
        elif step == "suggest":
            await self._on_suggestion(ctx)
        elif step == "comment":
            await self._on_comment(ctx)
        else:  # the buttons above are now out of date: show this screen again
            ctx.say(_("Please answer with the buttons."))
            await self._redraw(ctx)

    async def _redraw(self, ctx: Context) -> None:
        step, state = ctx.step, ctx.state
        if step == "course" and "course_id" in state:
            await self._show_course(ctx, int(state["course_id"]))
        elif step == "session" and "session_id" in state:
            await self._show_session(ctx, int(state["session_id"]))
        elif step == "gender":
            self._ask_gender(ctx)
        elif step in ("mine", "confirm_cancel"):
            await self._show_mine(ctx)
        elif step == "catalogue":
            await self._show_catalogue(ctx)
        else:
            self._show_hub(ctx)

    # --- catalogue --------------------------------------------------------------------------
    async def _show_catalogue(self, ctx: Context) -> None:
        now = ctx.services.clock.now()
        async with ctx.reader() as s:
            courses = await trainings.courses_with_upcoming_sessions(s, now)
        ctx.step = "catalogue"
        lang = current_language()
        if not courses:
            ctx.say(
                _("No training is scheduled at the moment. You can suggest one."),
                column([ctx.button(_("Suggest a training"), "sug"), self._back(ctx)]),
            )
            return
        buttons = [ctx.button(course.title(lang), "course", course.id) for course, _n in courses]
        ctx.say(_("Choose a course to see its dates:"), column([*buttons, self._back(ctx)]))

    def _back(self, ctx: Context, action: str = "hub") -> Button:
        return ctx.button(_("« Back"), action)

    async def _on_course(self, ctx: Context, args: tuple[str, ...]) -> None:
        course_id = _int_arg(args)
        if course_id is None:
            ctx.stale_button()
            return
        await self._show_course(ctx, course_id)

    async def _show_course(self, ctx: Context, course_id: int) -> None:
        now = ctx.services.clock.now()
        async with ctx.reader() as s:
            course = await trainings.get_course(s, course_id)
            sessions = await trainings.upcoming_sessions(s, course_id, now) if course else []
            lines = []
            for training in sessions:
                branch = await notices.branch_of(s, training)
                waiting = await trainings.waiting_count(s, training.id)
                lines.append((training, branch, waiting))
        if course is None or not course.active:
            ctx.step = "catalogue"
            ctx.say(_("This course is no longer offered."), column([self._back(ctx, "cat")]))
            return
        ctx.step = "course"
        ctx.state["course_id"] = course.id
        lang = current_language()
        text = f"📚 {course.title(lang)}"
        if course.description(lang):
            text += f"\n\n{course.description(lang)}"
        if course.hours:
            text += "\n\n" + _("Duration: {hours} hours").format(hours=format_number(course.hours))
        if not lines:
            text += "\n\n" + _("No date is scheduled for this course at the moment.")
            ctx.say(text, column([self._back(ctx, "cat")]))
            return
        text += "\n\n" + _("Choose a date:")
        tz = ctx.services.settings.timezone
        buttons = [
            ctx.button(session_label(training, branch, waiting, tz), "sess", training.id)
            for training, branch, waiting in lines[:20]
        ]
        ctx.say(text, column([*buttons, self._back(ctx, "cat")]))

    async def _on_session(self, ctx: Context, args: tuple[str, ...]) -> None:
        session_id = _int_arg(args)
        if session_id is None:
            ctx.stale_button()
            return
        await self._show_session(ctx, session_id)

    async def _show_session(self, ctx: Context, session_id: int) -> None:
        async with ctx.reader() as s:
            found = await trainings.session_with_course(s, session_id)
            if found is None:
                ctx.toast(_("This session no longer exists."))
                return
            training, course = found
            branch = await notices.branch_of(s, training)
            waiting = await trainings.waiting_count(s, session_id)
            mine = await trainings.registration_for(s, session_id, ctx.user_id)
            position = await trainings.waitlist_position(s, mine) if mine else None
        tz = ctx.services.settings.timezone
        now = ctx.services.clock.now()
        ctx.step = "session"
        ctx.state["session_id"] = session_id
        parts = [notices.session_card(course, training, branch, tz)]
        buttons: list[Button] = []
        if mine is not None and mine.status in trainings.ACTIVE:
            parts.append(notices.status_text(mine, position, tz))
            if mine.status == trainings.OFFERED:
                buttons.extend(notices.offer_buttons(mine.id)[0])
            buttons.append(ctx.button(_("Cancel my place"), "cx", mine.id))
        elif training.status != trainings.SCHEDULED or training.starts_at <= now:
            parts.append(_("Registration for this session is closed."))
        else:
            parts.append("👥 " + notices.seats_text(training, waiting))
            full = training.seats_taken >= training.capacity or waiting > 0
            label = _("Join the waiting list") if full else _("Register")
            buttons.append(ctx.button(label, "reg"))
        buttons.append(ctx.button(_("« Back"), "course", course.id))
        ctx.say("\n\n".join(parts), column(buttons))

    # --- registering ------------------------------------------------------------------------
    async def _on_register(self, ctx: Context) -> None:
        if ctx.step != "session" or "session_id" not in ctx.state:
            await super().on_button(ctx, "reg", ())
            return
        name, gender = await self._known_identity(ctx)
        if not name:
            ctx.step = "name"
            ctx.say(_("What name should appear on your certificate of attendance?"))
            return
        ctx.state["name"] = name
        if not gender:
            self._ask_gender(ctx)
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

    async def _on_name(self, ctx: Context) -> None:
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
            self._ask_gender(ctx)
            return
        await self._register(ctx, name, gender)

    def _ask_gender(self, ctx: Context) -> None:
        ctx.step = "gender"
        ctx.say(
            _(
                "For the programme's statistics only: are you a woman or a man? "
                "(Reports never show names.)"
            ),
            column([ctx.button(_(label), "gender", code) for code, label in GENDER_LABELS.items()]),
        )

    async def _on_gender(self, ctx: Context, args: tuple[str, ...]) -> None:
        if ctx.step != "gender" or not args or args[0] not in GENDER_LABELS:
            await super().on_button(ctx, "gender", args)
            return
        async with ctx.transaction() as s:
            user = await people.ensure_user(s, ctx.user_id)
            user.gender = args[0]
        ctx.edit(_("Thank you."))
        await self._register(ctx, str(ctx.state.get("name", "")), args[0])

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
            ctx.finish()
            ctx.say(_("Sorry, registration for this session is closed."))
            return
        assert session_row is not None
        await notices.announce(ctx, outcome.changes)
        await notices.schedule_registration_reminders(
            ctx.services, outcome.registration, session_row
        )
        ctx.finish()
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
        ctx.say(text, [[ctx.global_button(_("My registrations"), notices.MINE_ROUTE)]])

    # --- my registrations and cancelling ------------------------------------------------------
    async def _show_mine(self, ctx: Context) -> None:
        now = ctx.services.clock.now()
        async with ctx.reader() as s:
            rows = await trainings.my_registrations(s, ctx.user_id, now)
            positions = [await trainings.waitlist_position(s, r) for r, _s, _c in rows]
            branches = [await notices.branch_of(s, training) for _r, training, _c in rows]
        ctx.step = "mine"
        if not rows:
            ctx.say(
                _("You have no registration for a coming training."),
                column([ctx.button(_("Course catalogue"), "cat"), self._back(ctx)]),
            )
            return
        tz = ctx.services.settings.timezone
        blocks, buttons = [], []
        lang = current_language()
        for (registration, training, course), position, branch in zip(
            rows, positions, branches, strict=True
        ):
            blocks.append(
                notices.session_card(course, training, branch, tz)
                + "\n➡️ "
                + notices.status_text(registration, position, tz)
            )
            if registration.status == trainings.OFFERED:
                buttons.extend(notices.offer_buttons(registration.id)[0])
            day = format_short_day(local_day(training, tz), lang)
            label = _("Cancel: {course} ({day})").format(course=course.title(lang)[:30], day=day)
            buttons.append(ctx.button(label, "cx", registration.id))
        buttons.append(self._back(ctx))
        ctx.say("\n\n".join(blocks), column(buttons))

    async def _on_cancel_asked(self, ctx: Context, args: tuple[str, ...]) -> None:
        registration_id = _int_arg(args)
        if registration_id is None:
            ctx.stale_button()
            return
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
            ctx.toast(_("There is nothing to cancel here."))
            return
        training, course = found
        ctx.step = "confirm_cancel"
        ctx.state["cancel_id"] = registration_id
        question = _("Cancel your place in «{course}» on {day}?").format(
            course=course.title(current_language()),
            day=format_day(local_day(training, ctx.services.settings.timezone)),
        )
        ctx.say(
            question,
            [[ctx.button(_("Yes, cancel it"), "cxy"), ctx.button(_("No, keep it"), "mine")]],
        )

    async def _on_cancel_confirmed(self, ctx: Context) -> None:
        registration_id = ctx.state.get("cancel_id")
        if ctx.step != "confirm_cancel" or registration_id is None:
            await super().on_button(ctx, "cxy", ())
            return
        async with ctx.transaction() as s:
            outcome = await trainings.cancel(
                s,
                registration_id=int(registration_id),
                telegram_id=ctx.user_id,
                now=ctx.services.clock.now(),
                offer_hours=ctx.services.settings.training_offer_hours,
            )
        await notices.announce(ctx, outcome.changes)
        ctx.finish()
        if outcome.registration is None:
            ctx.edit(_("There is nothing to cancel here."))
            return
        await notices.cancel_registration_reminders(ctx.services, int(registration_id))
        ctx.edit(_("Your place is cancelled. Thank you for letting us know."))

    # --- check-in ---------------------------------------------------------------------------
    def _ask_code(self, ctx: Context) -> None:
        ctx.step = "checkin"
        ctx.say(_("Type the check-in code the trainer shows in the room."))

    async def _on_code(self, ctx: Context) -> None:
        if await CHECKIN_LOCKOUT.holds(ctx):
            ctx.finish()
            ctx.say(_("Too many wrong codes. Please wait a few minutes or ask the trainer."))
            return
        code = normalize_digits(ctx.event.text).strip().replace(" ", "")
        if len(code) != trainings.CHECKIN_CODE_DIGITS or not payloads.plain_digits(code):
            ctx.say(
                _("The code has {n} digits. Please type it as shown, for example 4821.").format(
                    n=format_number(trainings.CHECKIN_CODE_DIGITS)
                )
            )
            return
        async with ctx.transaction() as s:
            result = await trainings.check_in(
                s, telegram_id=ctx.user_id, code=code, now=ctx.services.clock.now()
            )
            course = None
            if result.training is not None:
                course = await trainings.get_course(s, result.training.course_id)
        title = course.title(current_language()) if course else ""
        if result.result == "wrong_code":
            await CHECKIN_LOCKOUT.count_failure(ctx)
            ctx.say(
                _("This code is not valid (or no longer valid). Please check it and try again.")
            )
            return
        ctx.finish()
        if result.result == "present":
            ctx.say(_("Welcome! You are marked present at «{course}».").format(course=title))
        elif result.result == "already":
            ctx.say(_("You are already marked present at «{course}».").format(course=title))
        else:
            ctx.say(
                _(
                    "You do not hold a confirmed seat in «{course}», so I cannot mark you "
                    "present. Please speak to the trainer."
                ).format(course=title)
            )

    # --- feedback ---------------------------------------------------------------------------
    def _ask_comment(self, ctx: Context, registration_id: int) -> None:
        ctx.step = "comment"
        ctx.state["feedback_id"] = registration_id
        ctx.say(
            _(
                "Thank you for your rating! Would you like to add a comment: what was useful, "
                "what could be better? Type it, or press Skip."
            ),
            [[ctx.button(_("Skip"), "skip")]],
        )

    async def _on_comment(self, ctx: Context) -> None:
        comment = clean_text(ctx.event.text, COMMENT_MAX_CHARS)
        if comment is None:
            ctx.say(
                _("Please keep your comment under {n} characters.").format(
                    n=format_number(COMMENT_MAX_CHARS)
                )
            )
            return
        async with ctx.transaction() as s:
            saved = await trainings.record_comment(
                s,
                registration_id=int(ctx.state.get("feedback_id", 0)),
                telegram_id=ctx.user_id,
                comment=comment,
                now=ctx.services.clock.now(),
            )
        ctx.finish()
        ctx.say(
            _("Thank you, your comment will help us improve our trainings.")
            if saved
            else _("Sorry, I could not save this comment.")
        )

    async def _on_skip_comment(self, ctx: Context) -> None:
        ctx.finish()
        ctx.edit(_("Thank you for your feedback!"))

    # --- suggestions ------------------------------------------------------------------------
    def _ask_suggestion(self, ctx: Context) -> None:
        ctx.step = "suggest"
        ctx.say(
            _(
                "Which training would be useful to you or your association? Describe the topic "
                "in a few words (and, if you like, who would attend)."
            )
        )

    async def _on_suggestion(self, ctx: Context) -> None:
        text = clean_text(ctx.event.text, SUGGESTION_MAX_CHARS)
        if text is None or len(text) < 3:
            ctx.say(
                _("Please describe your suggestion in up to {n} characters.").format(
                    n=format_number(SUGGESTION_MAX_CHARS)
                )
            )
            return
        async with ctx.transaction() as s:
            await people.ensure_user(s, ctx.user_id)
            found = await associations.association_of(s, ctx.user_id)
            await trainings.add_suggestion(
                s,
                telegram_id=ctx.user_id,
                text=text,
                association_name=found[0].name if found else "",
                now=ctx.services.clock.now(),
            )
        ctx.finish()
        ctx.say(_("Thank you! The training team reads every suggestion."))


# --- global buttons: offers, ratings, shortcuts --------------------------------------------------


async def offer_button(ctx: Context, args: tuple[str, ...]) -> None:
    """Confirm / decline a seat offered from the waiting list (``tw:y|n:<registration>``)."""
    registration_id = _int_arg(args, 1)
    if registration_id is None or args[0] not in ("y", "n"):
        ctx.toast(_("I do not recognise this button."))
        return
    async with ctx.transaction() as s:
        answer = await trainings.answer_offer(
            s,
            registration_id=registration_id,
            telegram_id=ctx.user_id,
            accept=args[0] == "y",
            now=ctx.services.clock.now(),
            offer_hours=ctx.services.settings.training_offer_hours,
        )
        training = (
            await trainings.get_session(s, answer.registration.session_id)
            if answer.registration is not None
            else None
        )
    await notices.announce(ctx, answer.changes)
    if answer.result == "not_yours":
        ctx.toast(_("This offer is not for you."))
    elif answer.result == "confirmed":
        assert answer.registration is not None and training is not None
        await notices.cancel_reminders(
            ctx.services,
            f"training:{answer.registration.id}:offer{answer.registration.offers_made}:",
        )
        await notices.schedule_registration_reminders(ctx.services, answer.registration, training)
        ctx.edit(_("Your seat is confirmed. See you at the training!"))
    elif answer.result == "declined":
        assert answer.registration is not None
        await notices.cancel_registration_reminders(ctx.services, answer.registration.id)
        ctx.edit(_("Thank you for letting us know. The seat goes to the next person in line."))
    elif answer.result == "expired":
        ctx.edit(
            _(
                "Sorry, the time to confirm this seat has passed and it went to the next "
                "person. You can register again from the catalogue."
            )
        )
    elif answer.registration is not None and answer.registration.status == trainings.REGISTERED:
        ctx.toast(_("Your seat is already confirmed."))
    else:
        ctx.toast(_("This offer is no longer open."))


async def rating_button(ctx: Context, args: tuple[str, ...]) -> None:
    """A rating after the session (``tr:<registration>:<1..5>``): attendees only, once."""
    registration_id, rating = _int_arg(args, 0), _int_arg(args, 1)
    if registration_id is None or rating is None:
        ctx.toast(_("I do not recognise this button."))
        return
    async with ctx.transaction() as s:
        result = await trainings.record_rating(
            s,
            registration_id=registration_id,
            telegram_id=ctx.user_id,
            rating=rating,
            now=ctx.services.clock.now(),
        )
    if result == "refused":
        ctx.toast(_("This button is not for you."))
    elif result == "already":
        ctx.toast(_("Thank you, we already have your rating."))
    else:
        await ctx.start("training", feedback=registration_id)


async def mine_button(ctx: Context, args: tuple[str, ...]) -> None:
    await ctx.start("training", view="mine")


async def course_button(ctx: Context, args: tuple[str, ...]) -> None:
    course_id = _int_arg(args)
    if course_id is None:
        ctx.toast(_("I do not recognise this button."))
        return
    await ctx.start("training", course=course_id)


async def trainings_command(ctx: Context) -> None:
    await ctx.start("training")


async def checkin_code_command(ctx: Context) -> None:
    await ctx.start("training", view="checkin")


async def export_trainings(s: AsyncSession, telegram_id: int) -> dict[str, Any]:
    return await trainings.export_person(s, telegram_id)


async def erase_trainings(s: AsyncSession, telegram_id: int, now: datetime) -> None:
    """/delete: give up every place (the next in line is offered it, by the scheduler's
    next sweep) and unlink the person from the anonymous training figures."""
    changes = await trainings.erase_person(
        s, telegram_id, now=now, offer_hours=get_settings().training_offer_hours
    )
    await notices.queue_offer_notices(s, changes, now)


def register(registry: Registry) -> None:
    registry.add_conversation(Training())
    registry.add_command(Command("trainings", trainings_command, N_("Trainings and registrations")))
    registry.add_command(
        Command(
            "present", checkin_code_command, N_("Check in at a training with the trainer's code")
        )
    )
    registry.add_menu_entry(MenuEntry("trainings", N_("Trainings"), trainings_command, order=30))
    registry.add_button(notices.OFFER_ROUTE, offer_button)
    registry.add_button(notices.RATING_ROUTE, rating_button)
    registry.add_button(notices.MINE_ROUTE, mine_button)
    registry.add_button(notices.COURSE_ROUTE, course_button)
    registry.add_personal_data("trainings", export_trainings, erase_trainings)
    notices.register_reminders(registry)
