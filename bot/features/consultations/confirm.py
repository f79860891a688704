"""The end of the ``consultation`` flow: a few words on the need, the summary to confirm, and
the booking (or the move) itself, with its .ics file, its reminders and a notice to the
consultant(s). The steps are declared in ``booking``.
"""

from __future__ import annotations

from datetime import date, datetime

from bot.engine.context import Context
from bot.engine.events import EventKind
from bot.engine.keyboards import column
from bot.engine.replies import Text
from bot.engine.steps import Flow
from bot.features.consultations.actions import CONFIRM, OTHER_DAY, QUIT
from bot.features.consultations.parties import requester_id
from bot.features.consultations.reminders import schedule_reminders
from bot.features.consultations.texts import (
    BookingView,
    consultant_lines,
    ics_file,
    ics_name,
    in_language_of,
    load_view,
    recap,
    session_lines,
    timezone_of,
    when,
    zone,
)
from core.i18n import _, current_language, use_language
from core.textinput import clean_text
from storage import consultations, reference
from storage.consultations import DESCRIPTION_MAX_CHARS, BookingKind
from storage.consultations.vocabulary import kind_label, topic_label

DESCRIPTION_MIN_CHARS = 3


class ConfirmSteps(Flow):
    """describe -> confirm -> booked (or moved)."""

    # --- what the member needs --------------------------------------------------------------
    async def draw_describe(self, ctx: Context) -> None:
        ctx.edit(
            _(
                "{recap}\n{moment}\n\nIn a sentence or two, what do you need help with? "
                "(at most {limit} characters)"
            ).format(
                recap=recap(ctx),
                moment=when(datetime.fromisoformat(ctx.state["slot"][1]), timezone_of(ctx)),
                limit=DESCRIPTION_MAX_CHARS,
            ),
            [[OTHER_DAY.button(ctx, _("‹ Another time"))]],
        )

    async def on_description(self, ctx: Context) -> None:
        if ctx.event.kind != EventKind.TEXT:
            ctx.say(_("Please describe your need in a short written message."))
            await self.draw_describe(ctx)
            return
        raw = ctx.event.text
        text = clean_text(raw, DESCRIPTION_MAX_CHARS)
        another_time = [[OTHER_DAY.button(ctx, _("‹ Another time"))]]
        if text is None and raw.strip():
            ctx.say(
                _(
                    "That is {count} characters; please keep it to {limit} at most. "
                    "Details can wait for the session itself."
                ).format(count=len(raw.strip()), limit=DESCRIPTION_MAX_CHARS),
                another_time,
            )
            return
        if text is None or len(text) < DESCRIPTION_MIN_CHARS:
            ctx.say(_("Please write a few words about what you need."), another_time)
            return
        ctx.state["description"] = text
        await self.show(ctx, "confirm")

    # --- the summary ------------------------------------------------------------------------
    async def draw_confirm(self, ctx: Context) -> None:
        consultant_id, start = ctx.state["slot"]
        async with ctx.reader() as s:
            info = await consultations.consultant_info(s, int(consultant_id))
            branch = await s.get(reference.Branch, ctx.state["branch"])
        moment = datetime.fromisoformat(start)
        lines = [
            _("What: {kind} — {topic}").format(
                kind=kind_label(ctx.state["kind"]), topic=topic_label(ctx.state["topic"])
            ),
            _("When: {moment}").format(moment=when(moment, timezone_of(ctx))),
        ]
        if branch is not None:
            place = branch.name(current_language())
            lines.append(
                _("Where: {place}").format(
                    place=f"{place} — {branch.address}" if branch.address else place
                )
            )
        if info is not None and info.name:
            lines.append(_("With: {name}").format(name=info.name))
        if ctx.state.get("description"):
            lines.append(_("Your request: {text}").format(text=ctx.state["description"]))
        question = (
            _("Move your session to this time?")
            if ctx.state.get("reschedule")
            else _("Shall I book it?")
        )
        ctx.edit(
            "\n".join(lines) + "\n\n" + question,
            column(
                [
                    CONFIRM.button(ctx, _("✅ Confirm")),
                    OTHER_DAY.button(ctx, _("‹ Choose another time")),
                    QUIT.button(ctx, _("✖ Stop")),
                ]
            ),
        )

    # --- booking ------------------------------------------------------------------------------
    async def on_confirm(self, ctx: Context) -> None:
        if not ctx.state.get("slot"):
            ctx.stale_button()
            return
        consultant_id, start = (
            int(ctx.state["slot"][0]),
            datetime.fromisoformat(ctx.state["slot"][1]),
        )
        member = await requester_id(ctx)
        reschedule = ctx.state.get("reschedule")
        previous: BookingView | None = None
        if reschedule:  # read in its own session: the move below changes the same row
            async with ctx.reader() as s:
                previous = await load_view(s, int(reschedule))
        try:
            async with ctx.transaction() as s:
                if reschedule:
                    booking = await consultations.move(
                        s,
                        int(reschedule),
                        requester_id=member,
                        consultant_id=consultant_id,
                        starts_at=start,
                        now=ctx.services.clock.now(),
                        tz=zone(timezone_of(ctx)),
                    )
                else:
                    booking = await consultations.book(
                        s,
                        consultant_id=consultant_id,
                        requester_id=member,
                        kind=BookingKind(ctx.state["kind"]),
                        topic=ctx.state["topic"],
                        branch_code=ctx.state["branch"],
                        starts_at=start,
                        description=ctx.state.get("description", ""),
                        now=ctx.services.clock.now(),
                        tz=zone(timezone_of(ctx)),
                        request_key=f"consult:{ctx.user_id}:{ctx.state['draft']}",
                    )
                booking_id = booking.id
        except consultations.SlotTaken:
            ctx.toast(_("Sorry, someone has just booked this time."))
            await self.show(
                ctx,
                "slot",
                day=date.fromisoformat(ctx.state["day"]),
                notice=_("Sorry, someone booked that time a moment ago. These are still free:"),
            )
            return
        except consultations.RequesterBusy:
            await self.show(
                ctx,
                "slot",
                day=date.fromisoformat(ctx.state["day"]),
                notice=_("You already have a session at that time. Please choose another time."),
            )
            return
        except consultations.SlotUnavailable:
            await self.show(
                ctx, "day", page=0, notice=_("That time is no longer available, sorry.")
            )
            return
        except consultations.NotAllowed:
            self.end(ctx)
            ctx.edit(_("This booking can no longer be changed. Send /appointments to see yours."))
            return
        await self._booked(ctx, booking_id, previous)

    async def _booked(self, ctx: Context, booking_id: int, previous: BookingView | None) -> None:
        async with ctx.reader() as s:
            view = await load_view(s, booking_id)
        assert view is not None
        self.end(ctx)
        timezone = timezone_of(ctx)
        await schedule_reminders(ctx.services, view)
        if previous is None:
            head = _("✅ Booked! See you there.")
        else:
            head = _("✅ Your session has been moved.")
        ctx.edit(f"{head}\n\n{session_lines(view, timezone)}")
        ctx.send_file(
            ics_name(view.booking),
            ics_file(view, now=ctx.services.clock.now()),
            caption=_("Add it to your phone's calendar."),
            mime_type="text/calendar",
        )
        ctx.say(
            _(
                "I will remind you 24 hours and 1 hour before. To change the time or cancel, "
                "send /appointments."
            )
        )
        await notify_consultants(ctx, view, previous)


async def notify_consultants(ctx: Context, view: BookingView, previous: BookingView | None) -> None:
    """Tell the consultant(s) about a new, moved or reassigned booking, in their language."""
    timezone = timezone_of(ctx)
    moved_away = previous is not None and (
        previous.booking.consultant_id != view.booking.consultant_id
    )
    if previous is not None and moved_away and previous.consultant_telegram_id:
        with use_language(await in_language_of(ctx, previous.consultant_telegram_id)):
            ctx.notify(
                previous.consultant_telegram_id,
                Text(
                    _("A session was moved to a colleague; you no longer have it:")
                    + "\n\n"
                    + consultant_lines(previous, timezone)
                ),
            )
    if not view.consultant_telegram_id:
        return
    with use_language(await in_language_of(ctx, view.consultant_telegram_id)):
        if previous is None or moved_away:
            head = _("New booking:")
        else:
            head = _("A session was moved from {old} to the new time below:").format(
                old=when(previous.booking.starts_at, timezone)
            )
        ctx.notify(
            view.consultant_telegram_id, Text(f"{head}\n\n{consultant_lines(view, timezone)}")
        )
