"""After a session: the consultant says whether it took place (a button in the follow-up
message or in /sessions) and may write a note (the ``consultation_note`` flow); when it
took place, the member is asked how useful it was (1-5) and may add a comment (the
``consultation_feedback`` flow).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.engine.context import Context
from bot.engine.events import EventKind
from bot.engine.replies import Text
from bot.engine.steps import Flow, Step
from bot.features.consultations.actions import RATE, SKIP
from bot.features.consultations.parties import (
    CONSULTANT,
    REQUESTER,
    requester_id,
    view_for_button,
)
from bot.features.consultations.texts import (
    BookingView,
    consultant_lines,
    in_language_of,
    timezone_of,
    when,
)
from core.formatting import format_number
from core.i18n import _, use_language
from core.textinput import clean_text
from storage import consultations
from storage.consultations import COMMENT_MAX_CHARS, NOTE_MAX_CHARS, BookingStatus
from storage.consultations.vocabulary import topic_label
from storage.people import Role


async def recorded(ctx: Context, id: int, answer: str) -> None:
    """The consultant says whether the session took place; then a note, then feedback."""
    found = await view_for_button(ctx, id)
    if found is None:
        return
    view, party = found
    if party != CONSULTANT or answer not in ("y", "n"):
        ctx.toast(_("This option is not available."))
        return
    if view.booking.starts_at > ctx.services.clock.now():
        ctx.toast(_("This session has not started yet."), alert=True)
        return
    if view.booking.status == BookingStatus.CANCELLED:
        ctx.edit(_("This session was cancelled."))
        return
    took_place = answer == "y"
    before = view.booking.status
    async with ctx.transaction() as s:
        booking = await consultations.record_outcome(
            s,
            view.booking.id,
            consultant_id=view.booking.consultant_id,
            took_place=took_place,
            now=ctx.services.clock.now(),
        )
        status = booking.status
    if status == before:
        ctx.toast(_("Already recorded."))
        return
    ctx.edit(
        (
            _("Recorded: the session took place.")
            if took_place
            else _("Recorded: it did not take place.")
        )
        + "\n\n"
        + consultant_lines(view, timezone_of(ctx))
    )
    if took_place and before == BookingStatus.BOOKED and view.requester_telegram_id:
        await _ask_for_feedback(ctx, view)
    await ctx.start("consultation_note", booking_id=view.booking.id)


async def _ask_for_feedback(ctx: Context, view: BookingView) -> None:
    with use_language(await in_language_of(ctx, view.requester_telegram_id)):
        ctx.notify(
            view.requester_telegram_id,
            Text(
                _(
                    "Thank you for coming to your session on {topic} ({moment}). "
                    "How useful was it? 1 = not useful, 5 = very useful."
                ).format(
                    topic=topic_label(view.booking.topic),
                    moment=when(view.booking.starts_at, timezone_of(ctx)),
                ),
                [
                    [
                        RATE.global_button(
                            ctx, f"{format_number(n)} ⭐", id=view.booking.id, rating=n
                        )
                        for n in range(1, 6)
                    ]
                ],
            ),
        )


async def rated(ctx: Context, id: int, rating: int) -> None:
    """The member's rating (1-5) of a session that took place; then the comment question."""
    found = await view_for_button(ctx, id)
    if found is None:
        return
    view, party = found
    if party != REQUESTER or not 1 <= rating <= 5:
        ctx.toast(_("This option is not available."))
        return
    try:
        async with ctx.transaction() as s:
            await consultations.record_feedback(
                s,
                view.booking.id,
                requester_id=view.booking.requester_id,
                now=ctx.services.clock.now(),
                rating=rating,
            )
    except consultations.NotAllowed:
        ctx.toast(_("This option is not available."))
        return
    ctx.edit(_("Thank you! You rated the session {rating} out of 5.").format(rating=rating))
    await ctx.start("consultation_feedback", booking_id=view.booking.id)


class _FreeTextAfterSession(Flow):
    """A short optional text about a past session (the consultant's note, the member's
    comment): written, or skipped with a button."""

    starts = ("write",)
    limit = NOTE_MAX_CHARS

    def steps(self) -> Sequence[Step]:
        return [
            Step("write", self._ask, on={SKIP: self._on_skip}, message=self._on_text, ends=True)
        ]

    def prompt(self) -> str:
        raise NotImplementedError

    def saved(self) -> str:
        raise NotImplementedError

    def skipped(self) -> str:
        raise NotImplementedError

    async def store(self, ctx: Context, booking_id: int, text: str) -> None:
        raise NotImplementedError

    async def enter(self, ctx: Context, **kwargs: Any) -> None:
        ctx.state["booking_id"] = int(kwargs["booking_id"])
        await self.show(ctx, "write")

    async def _ask(self, ctx: Context) -> None:
        ctx.say(self.prompt(), [[SKIP.button(ctx, _("Skip"))]])

    async def _on_text(self, ctx: Context) -> None:
        if ctx.event.kind != EventKind.TEXT:
            ctx.say(_("Please write it as a text message, or press Skip."))
            await self._ask(ctx)
            return
        text = clean_text(ctx.event.text, self.limit)
        if text is None:
            ctx.say(_("Please keep it to {limit} characters at most.").format(limit=self.limit))
            return
        try:
            await self.store(ctx, int(ctx.state["booking_id"]), text)
        except consultations.NotAllowed:
            self.end(ctx)
            ctx.say(_("This option is not available."))
            return
        self.end(ctx)
        ctx.say(self.saved())

    async def _on_skip(self, ctx: Context) -> None:
        self.end(ctx)
        ctx.edit(self.skipped())


class ConsultantNote(_FreeTextAfterSession):
    name = "consultation_note"
    needs_consent = False  # staff
    min_role = Role.CONSULTANT
    limit = NOTE_MAX_CHARS

    def prompt(self) -> str:
        return _(
            "Please write a short note about the session: what you covered and any next "
            "steps (at most {limit} characters). Only programme staff can read it."
        ).format(limit=self.limit)

    def saved(self) -> str:
        return _("Note saved. Thank you!")

    def skipped(self) -> str:
        return _("No note added. You can send /sessions later to see your sessions.")

    async def store(self, ctx: Context, booking_id: int, text: str) -> None:
        async with ctx.reader() as s:
            consultant = await consultations.consultant_for_staff(s, ctx.user_id)
        if consultant is None:
            raise consultations.NotAllowed("not a consultant")
        async with ctx.transaction() as s:
            await consultations.record_note(s, booking_id, consultant_id=consultant.id, note=text)


class FeedbackComment(_FreeTextAfterSession):
    name = "consultation_feedback"
    limit = COMMENT_MAX_CHARS

    def prompt(self) -> str:
        return _("Would you like to tell us more? Write a comment, or press Skip.")

    def saved(self) -> str:
        return _("Thank you! Your comment helps us improve our support.")

    def skipped(self) -> str:
        return _("Thank you for your rating!")

    async def store(self, ctx: Context, booking_id: int, text: str) -> None:
        member = await requester_id(ctx)
        async with ctx.transaction() as s:
            await consultations.record_feedback(
                s, booking_id, requester_id=member, now=ctx.services.clock.now(), comment=text
            )
