"""Checking in with the code the trainer shows in the room (/present), the comment after a
rating, and suggesting a training; the global rating buttons under the certificate.

The steps are declared in ``flow``.
"""

from __future__ import annotations

from datetime import timedelta

from bot.engine import payloads
from bot.engine.context import Context
from bot.engine.lockouts import Lockout
from bot.engine.steps import Flow
from bot.features.trainings.actions import SKIP
from core.formatting import format_number
from core.i18n import _, current_language
from core.textinput import clean_text, normalize_digits
from storage import associations, people, throttles, trainings

SUGGESTION_MAX_CHARS = 1000
COMMENT_MAX_CHARS = 1000
# Wrong check-in codes: 5 per quarter of an hour (bot.engine.lockouts: /delete does not reset it).
CHECKIN_LOCKOUT = Lockout("checkin_code", throttles.Limit(failures=5, window=timedelta(minutes=15)))


class CheckinSteps(Flow):
    """checkin, comment (after a rating) and suggest: one typed answer each."""

    # --- check-in ---------------------------------------------------------------------------
    async def draw_checkin(self, ctx: Context) -> None:
        ctx.say(_("Type the check-in code the trainer shows in the room."))

    async def on_code(self, ctx: Context) -> None:
        if await CHECKIN_LOCKOUT.holds(ctx):
            self.end(ctx)
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
        self.end(ctx)
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
    async def draw_comment(self, ctx: Context) -> None:
        ctx.say(
            _(
                "Thank you for your rating! Would you like to add a comment: what was useful, "
                "what could be better? Type it, or press Skip."
            ),
            [[SKIP.button(ctx, _("Skip"))]],
        )

    async def on_comment(self, ctx: Context) -> None:
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
        self.end(ctx)
        ctx.say(
            _("Thank you, your comment will help us improve our trainings.")
            if saved
            else _("Sorry, I could not save this comment.")
        )

    async def on_skip(self, ctx: Context) -> None:
        self.end(ctx)
        ctx.edit(_("Thank you for your feedback!"))

    # --- suggestions ------------------------------------------------------------------------
    async def draw_suggest(self, ctx: Context) -> None:
        ctx.say(
            _(
                "Which training would be useful to you or your association? Describe the topic "
                "in a few words (and, if you like, who would attend)."
            )
        )

    async def on_suggestion(self, ctx: Context) -> None:
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
        self.end(ctx)
        ctx.say(_("Thank you! The training team reads every suggestion."))


async def checkin_code_command(ctx: Context) -> None:
    await ctx.start("training", view="checkin")


async def rated(ctx: Context, id: int, rating: int) -> None:
    """A rating under the certificate: attendees only, once; then the comment question."""
    async with ctx.transaction() as s:
        result = await trainings.record_rating(
            s,
            registration_id=id,
            telegram_id=ctx.user_id,
            rating=rating,
            now=ctx.services.clock.now(),
        )
    if result == "refused":
        ctx.toast(_("This button is not for you."))
    elif result == "already":
        ctx.toast(_("Thank you, we already have your rating."))
    else:
        await ctx.start("training", feedback=id)
