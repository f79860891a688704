"""Who is who in a booking: the users.id of the member in front of us, and which party (the
member who booked, or the consultant) presses a global button about a booking."""

from __future__ import annotations

from bot.engine.context import Context
from bot.features.consultations.texts import BookingView, load_view
from core.i18n import _
from storage import people
from storage.people import Role, role_at_least

REQUESTER = "requester"
CONSULTANT = "consultant"


async def requester_id(ctx: Context) -> int:
    """The users.id of the person in front of us (created if this is their first booking)."""
    async with ctx.transaction() as s:
        user = await people.ensure_user(
            s, ctx.user_id, first_name=ctx.event.first_name, username=ctx.event.username
        )
        return user.id


def party(view: BookingView, telegram_id: int) -> str | None:
    if telegram_id == view.requester_telegram_id:
        return REQUESTER
    if view.consultant_telegram_id is not None and telegram_id == view.consultant_telegram_id:
        return CONSULTANT
    return None


async def view_for_button(ctx: Context, booking_id: int) -> tuple[BookingView, str] | None:
    """The booking a global button points at, if the presser is one of its two parties
    (otherwise they are told the option is not available)."""
    async with ctx.reader() as s:
        view = await load_view(s, booking_id)
    who = party(view, ctx.user_id) if view is not None else None
    if who == CONSULTANT and not role_at_least(await ctx.role(), Role.CONSULTANT):
        who = None  # no longer a consultant: the role is read at the moment of acting
    if view is None or who is None:
        ctx.toast(_("This option is not available."))
        return None
    return view, who
