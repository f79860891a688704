"""Consultants' /sessions: the sessions waiting for their record (did it take place?) and
their agenda for the next two weeks, each session with a button to cancel it."""

from __future__ import annotations

from datetime import timedelta

from bot.engine.context import Context
from bot.features.consultations.actions import CANCEL
from bot.features.consultations.texts import (
    consultant_lines,
    load_view,
    record_buttons,
    timezone_of,
)
from core.i18n import _
from storage import consultations

AGENDA_DAYS = 14


async def sessions_command(ctx: Context) -> None:
    """/sessions: a consultant's next two weeks, and past sessions waiting for a record."""
    now = ctx.services.clock.now()
    async with ctx.reader() as s:
        consultant = await consultations.consultant_for_staff(s, ctx.user_id)
        if consultant is None:
            ctx.say(
                _(
                    "You do not have a consultant profile yet. Please ask the programme "
                    "coordinator to set your topics and hours."
                )
            )
            return
        waiting = await consultations.awaiting_record(s, consultant.id, now)
        upcoming = await consultations.upcoming_for_consultant(
            s, consultant.id, now, now + timedelta(days=AGENDA_DAYS)
        )
        waiting_views = [await load_view(s, b.id) for b in waiting]
        upcoming_views = [
            await load_view(s, b.id) for b in upcoming if b.id not in {w.id for w in waiting}
        ]
    timezone = timezone_of(ctx)
    if waiting_views:
        ctx.say(_("Sessions waiting for your record:"))
        for view in filter(None, waiting_views):
            ctx.say(consultant_lines(view, timezone), record_buttons(view.booking.id))
    if not upcoming_views:
        ctx.say(_("You have no sessions in the next two weeks."))
        return
    ctx.say(_("Your sessions in the next two weeks:"))
    for view in filter(None, upcoming_views):
        ctx.say(
            consultant_lines(view, timezone),
            [[CANCEL.global_button(ctx, _("Cancel it"), id=view.booking.id)]],
        )
