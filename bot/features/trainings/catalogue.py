"""The training flow's hub, the course catalogue, a course's dates and one session's card
(with Register, or one's own place and its Cancel button); /trainings and the global button
that opens a course.

The steps are declared in ``flow``; this module draws them and handles their buttons.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine.context import Context
from bot.engine.keyboards import column
from bot.engine.replies import Button
from bot.engine.steps import Flow
from bot.features.trainings.actions import (
    CANCEL,
    CATALOGUE,
    CHECK_IN,
    COURSE,
    MY_REGISTRATIONS,
    REGISTER,
    SESSION,
    SUGGEST,
)
from bot.features.trainings.texts import (
    branch_of,
    offer_buttons,
    seats_text,
    session_card,
    session_label,
    status_text,
)
from core.formatting import format_number
from core.i18n import _, current_language
from storage import reference, trainings


@dataclass(frozen=True)
class SessionView:
    """What a session's card shows to this person."""

    training: trainings.TrainingSession
    course: trainings.Course
    branch: reference.Branch | None
    waiting: int
    mine: trainings.Registration | None
    position: int | None


class CatalogueSteps(Flow):
    """hub -> catalogue -> course -> session."""

    async def draw_hub(self, ctx: Context) -> None:
        ctx.say(
            _("Trainings for associations and residents. What would you like to do?"),
            column(
                [
                    CATALOGUE.button(ctx, _("Course catalogue")),
                    MY_REGISTRATIONS.button(ctx, _("My registrations")),
                    CHECK_IN.button(ctx, _("Check in at a training")),
                    SUGGEST.button(ctx, _("Suggest a training")),
                ]
            ),
        )

    async def draw_catalogue(self, ctx: Context, gone: bool = False) -> None:
        """The courses with dates to come; ``gone``: the course just chosen is no longer
        offered (its Back leads to the catalogue itself)."""
        if gone:
            ctx.say(
                _("This course is no longer offered."),
                column([CATALOGUE.button(ctx, _("« Back"))]),
            )
            return
        now = ctx.services.clock.now()
        async with ctx.reader() as s:
            courses = await trainings.courses_with_upcoming_sessions(s, now)
        lang = current_language()
        if not courses:
            ctx.say(
                _("No training is scheduled at the moment. You can suggest one."),
                column([SUGGEST.button(ctx, _("Suggest a training")), self.back_button(ctx)]),
            )
            return
        buttons = [COURSE.button(ctx, course.title(lang), id=course.id) for course, _n in courses]
        ctx.say(_("Choose a course to see its dates:"), column([*buttons, self.back_button(ctx)]))

    # --- a course ---------------------------------------------------------------------------
    async def on_course(self, ctx: Context, id: int) -> None:
        await self.open_course(ctx, id)

    async def open_course(self, ctx: Context, course_id: int) -> None:
        ctx.state["course_id"] = course_id
        await self.show(ctx, "course")

    async def draw_course(self, ctx: Context) -> None:
        """The course and its dates to come (a course no longer offered leads back to the
        catalogue)."""
        course_id = int(ctx.state["course_id"])
        now = ctx.services.clock.now()
        async with ctx.reader() as s:
            course = await trainings.get_course(s, course_id)
            sessions = await trainings.upcoming_sessions(s, course_id, now) if course else []
            lines = []
            for training in sessions:
                branch = await branch_of(s, training)
                waiting = await trainings.waiting_count(s, training.id)
                lines.append((training, branch, waiting))
        if course is None or not course.active:
            await self.show(ctx, "catalogue", gone=True)
            return
        lang = current_language()
        text = f"📚 {course.title(lang)}"
        if course.description(lang):
            text += f"\n\n{course.description(lang)}"
        if course.hours:
            text += "\n\n" + _("Duration: {hours} hours").format(hours=format_number(course.hours))
        if not lines:
            text += "\n\n" + _("No date is scheduled for this course at the moment.")
            ctx.say(text, column([self.back_button(ctx)]))
            return
        text += "\n\n" + _("Choose a date:")
        tz = ctx.services.settings.timezone
        buttons = [
            SESSION.button(ctx, session_label(training, branch, waiting, tz), id=training.id)
            for training, branch, waiting in lines[:20]
        ]
        ctx.say(text, column([*buttons, self.back_button(ctx)]))

    # --- a session --------------------------------------------------------------------------
    async def on_session(self, ctx: Context, id: int) -> None:
        view = await self._session_view(ctx, id)
        if view is None:
            ctx.toast(_("This session no longer exists."))
            return
        ctx.state["session_id"] = id
        await self.show(ctx, "session", view=view)

    async def _session_view(self, ctx: Context, session_id: int) -> SessionView | None:
        async with ctx.reader() as s:
            found = await trainings.session_with_course(s, session_id)
            if found is None:
                return None
            training, course = found
            branch = await branch_of(s, training)
            waiting = await trainings.waiting_count(s, session_id)
            mine = await trainings.registration_for(s, session_id, ctx.user_id)
            position = await trainings.waitlist_position(s, mine) if mine else None
        return SessionView(training, course, branch, waiting, mine, position)

    async def draw_session(self, ctx: Context, view: SessionView | None = None) -> None:
        if view is None:
            view = await self._session_view(ctx, int(ctx.state["session_id"]))
            if view is None:
                ctx.toast(_("This session no longer exists."))
                return
        training, mine = view.training, view.mine
        tz = ctx.services.settings.timezone
        now = ctx.services.clock.now()
        parts = [session_card(view.course, training, view.branch, tz)]
        buttons: list[Button] = []
        if mine is not None and mine.status in trainings.ACTIVE:
            parts.append(status_text(mine, view.position, tz))
            if mine.status == trainings.OFFERED:
                buttons.extend(offer_buttons(mine.id)[0])
            buttons.append(CANCEL.button(ctx, _("Cancel my place"), id=mine.id))
        elif training.status != trainings.SCHEDULED or training.starts_at <= now:
            parts.append(_("Registration for this session is closed."))
        else:
            parts.append("👥 " + seats_text(training, view.waiting))
            full = training.seats_taken >= training.capacity or view.waiting > 0
            label = _("Join the waiting list") if full else _("Register")
            buttons.append(REGISTER.button(ctx, label))
        buttons.append(self.back_button(ctx))
        ctx.say("\n\n".join(parts), column(buttons))


async def trainings_command(ctx: Context) -> None:
    await ctx.start("training")


async def course_opened(ctx: Context, id: int) -> None:
    """The global "Course catalogue" button under a session called off: that course's dates
    (the flow checks the course is still offered)."""
    await ctx.start("training", course=id)
