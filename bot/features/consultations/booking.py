"""Booking a consultation or a technical-support session (the ``consultation`` flow): what
kind, which topic, which branch (asked only where the topic has several), a free day, a free
time, a short description, then the summary to confirm. Moving a booking is the same flow
from the day on (``ctx.start("consultation", reschedule=<booking id>)``); ``kind=`` opens
it on the topics (``ctx.start("consultation", kind="consultation")``).

The steps are declared here; the calendar is drawn by ``calendar``, the description, the
summary and the booking itself by ``confirm``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import uuid4

from bot.engine.context import Context
from bot.engine.events import UNREADABLE
from bot.engine.keyboards import column
from bot.engine.steps import BACK, Step
from bot.features.consultations.actions import (
    BRANCH,
    CONFIRM,
    DAY,
    KIND,
    KIND_CODES,
    OTHER_DAY,
    PAGE,
    QUIT,
    SLOT,
    TOPIC,
)
from bot.features.consultations.calendar import CalendarSteps, pick
from bot.features.consultations.confirm import ConfirmSteps
from bot.features.consultations.parties import requester_id
from bot.features.consultations.texts import load_view, recap, timezone_of, when
from core.i18n import _, current_language
from storage import consultations, reference
from storage.consultations import BookingStatus
from storage.consultations.vocabulary import KIND_LABELS, kind_label, topic_label


class BookConsultation(CalendarSteps, ConfirmSteps):
    """kind -> topic -> branch -> day -> slot -> describe -> confirm (or, to move a
    booking, day -> slot -> confirm)."""

    name = "consultation"
    starts = ("kind", "topic", "day", "no_days")

    def steps(self) -> Sequence[Step]:
        # Where nobody offers a topic any more, drawing the topics ends the flow: the steps
        # that can lead back to them may end it.
        return [
            Step("kind", self.draw_kind, on={KIND: self.on_kind}, goes_to=("topic",), ends=True),
            Step(
                "topic",
                self.draw_topic,
                on={TOPIC: self.on_topic},
                goes_to=("branch", "day", "no_days"),
                back="kind",
                ends=True,
            ),
            Step(
                "branch",
                self.draw_branch,
                on={BRANCH: self.on_branch},
                goes_to=("day", "no_days"),
                back="topic",
                ends=True,
            ),
            Step(
                "day",
                self.draw_days,
                # « Back leads to the branches, or to the topics where there was one branch.
                on={DAY: self.on_day, PAGE: self.on_page, BACK: self.on_back_from_days},
                goes_to=("slot", "no_days", "branch", "topic"),
                ends=True,
            ),
            Step(
                "no_days",
                self.draw_days,
                on={BACK: self.on_back_from_days},
                goes_to=("day", "branch", "topic"),
                ends=True,
            ),
            Step(
                "slot",
                self.draw_slot,
                on={SLOT: self.on_slot, OTHER_DAY: self.on_other_day},
                goes_to=("describe", "confirm", "day", "no_days"),
            ),
            Step(
                "describe",
                self.draw_describe,
                on={OTHER_DAY: self.on_other_day},
                message=self.on_description,
                goes_to=("confirm", "day", "no_days"),
            ),
            Step(
                "confirm",
                self.draw_confirm,
                on={CONFIRM: self.on_confirm, OTHER_DAY: self.on_other_day, QUIT: self.on_quit},
                goes_to=("slot", "day", "no_days"),
                ends=True,
            ),
        ]

    async def enter(self, ctx: Context, **kwargs: Any) -> None:
        ctx.state["draft"] = uuid4().hex[:16]
        reschedule = kwargs.get("reschedule")
        if reschedule is not None:
            await self._enter_reschedule(ctx, int(reschedule))
            return
        if kwargs.get("kind") in KIND_LABELS:
            ctx.state["kind"] = kwargs["kind"]
            await self.show(ctx, "topic")
            return
        await self.show(ctx, "kind")

    async def _enter_reschedule(self, ctx: Context, booking_id: int) -> None:
        member = await requester_id(ctx)
        async with ctx.reader() as s:
            view = await load_view(s, booking_id)
        if (
            view is None
            or view.booking.requester_id != member
            or view.booking.status != BookingStatus.BOOKED
            or view.booking.starts_at <= ctx.services.clock.now()
        ):
            self.end(ctx)
            ctx.edit(_("This booking can no longer be changed. Send /appointments to see yours."))
            return
        booking = view.booking
        ctx.state.update(
            reschedule=booking.id,
            kind=booking.kind,
            topic=booking.topic,
            branch=booking.branch_code,
            branch_name=view.branch_name(),
            branches=[booking.branch_code],
            current_start=booking.starts_at.isoformat(),
        )
        notice = _(
            "Let us find a new time. Your session stays booked at its current time "
            "({moment}) until you confirm a new one."
        ).format(moment=when(booking.starts_at, timezone_of(ctx)))
        await self.show(ctx, "day", page=0, notice=notice)

    async def on_buttons_only(self, ctx: Context, step: Step) -> None:
        """A message where a button is expected: say so, and ask again."""
        if ctx.event.kind in UNREADABLE:
            ctx.say(_("I can only read text and buttons here. Please choose below."))
        else:
            ctx.say(_("Please choose one of the buttons below, or send /cancel to stop."))
        await step.render(ctx)

    # --- what kind, which topic, which branch ------------------------------------------------
    async def draw_kind(self, ctx: Context) -> None:
        ctx.edit(
            _(
                "What would you like to book?\n\n"
                "• Consultation: advice from a specialist on one topic.\n"
                "• Technical support: hands-on help with a concrete task, such as a budget, "
                "a report or a funding proposal."
            ),
            column(
                [
                    KIND.button(ctx, _("Consultation"), code="c"),
                    KIND.button(ctx, _("Technical support"), code="t"),
                ]
            ),
        )

    async def on_kind(self, ctx: Context, code: str) -> None:
        if code not in KIND_CODES:
            ctx.stale_button()
            return
        ctx.state["kind"] = KIND_CODES[code]
        await self.show(ctx, "topic")

    async def draw_topic(self, ctx: Context) -> None:
        """The topics someone offers; none: the flow ends with an apology."""
        async with ctx.reader() as s:
            topics = await consultations.offered_topics(s)
        if not topics:
            self.end(ctx)
            ctx.edit(
                _("No consultant is taking bookings at the moment. Please try again in a few days.")
            )
            return
        ctx.state["topics"] = topics
        buttons = [TOPIC.button(ctx, topic_label(t), index=i) for i, t in enumerate(topics)]
        buttons.append(self.back_button(ctx))
        ctx.edit(
            _("{kind}: which topic is it about?").format(kind=kind_label(ctx.state["kind"])),
            column(buttons),
        )

    async def on_topic(self, ctx: Context, index: int) -> None:
        topic = pick(ctx, "topics", index)
        if topic is None:
            return
        ctx.state["topic"] = topic
        ctx.state.pop("branch", None)
        await self.show(ctx, "branch")

    async def _branch_names(self, ctx: Context, codes: list[str]) -> dict[str, str]:
        async with ctx.reader() as s:
            branches = await reference.list_branches(s)
        return {b.code: b.name(current_language()) for b in branches if b.code in codes}

    async def draw_branch(self, ctx: Context) -> None:
        """The branches where the topic is offered; with only one, straight to its days;
        with none any more, back to the topics."""
        async with ctx.reader() as s:
            codes = await consultations.branches_for_topic(s, ctx.state["topic"])
        names = await self._branch_names(ctx, codes)
        codes = [c for c in codes if c in names]
        if not codes:
            ctx.say(_("No consultant for this topic is taking bookings right now."))
            await self.show(ctx, "topic")
            return
        ctx.state["branches"] = codes
        if len(codes) == 1:
            ctx.state["branch"] = codes[0]
            ctx.state["branch_name"] = names[codes[0]]
            await self.show(ctx, "day", page=0)
            return
        buttons = [BRANCH.button(ctx, names[c], index=i) for i, c in enumerate(codes)]
        buttons.append(self.back_button(ctx))
        ctx.edit(
            _("{recap}\n\nWhich branch suits you best?").format(recap=recap(ctx)),
            column(buttons),
        )

    async def on_branch(self, ctx: Context, index: int) -> None:
        branch = pick(ctx, "branches", index)
        if branch is None:
            return
        ctx.state["branch"] = branch
        ctx.state["branch_name"] = (await self._branch_names(ctx, [branch])).get(branch, branch)
        await self.show(ctx, "day", page=0)

    async def on_back_from_days(self, ctx: Context) -> None:
        if ctx.state.get("reschedule"):  # moving a booking keeps its topic and branch
            ctx.stale_button()
        elif len(ctx.state.get("branches") or []) > 1:
            await self.show(ctx, "branch")
        else:
            await self.show(ctx, "topic")

    async def on_quit(self, ctx: Context) -> None:
        self.end(ctx)
        # The state is gone once the flow has ended, so this has always said "Nothing was
        # booked", also when moving a booking.
        if ctx.state.get("reschedule"):
            ctx.edit(_("Nothing changed: your session stays at its current time."))
        else:
            ctx.edit(_("Nothing was booked. Send /consult whenever you want to book."))


async def consult_command(ctx: Context) -> None:
    """/consult and the menu's "Book a consultation"."""
    await ctx.start("consultation")
