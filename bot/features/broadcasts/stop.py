"""'Stop sending' (under the sender's progress message) and 'Cancel this announcement'
(under the confirmation): ``g:bcx:<broadcast>``, staff only, checked against the database."""

from __future__ import annotations

from bot.engine.context import Context
from core.formatting import format_number
from core.i18n import _, current_language
from storage import broadcasts
from storage.people import Role, role_at_least


async def stop_pressed(ctx: Context, id: int) -> None:
    if not role_at_least(await ctx.role(), Role.STAFF):
        ctx.toast(_("This option is not available."))
        return
    number = id
    now = ctx.services.clock.now()
    async with ctx.transaction() as s:
        broadcast = await s.get(broadcasts.Broadcast, number)
        if broadcast is None or broadcasts.is_private(broadcast):
            # An answer to a resident's case travels as a private broadcast: a forged
            # number must not stop it (nor tell that it exists).
            ctx.toast(_("This option is not available."))
            return
        stopped = await broadcasts.cancel_broadcast(s, number, now)
        figures = await broadcasts.progress(s, number)
    if not stopped:
        ctx.toast(_("This announcement has already finished or been stopped."), alert=True)
        return
    ctx.edit(
        _("Announcement #{number} stopped. Already delivered: {sent}.").format(
            number=number, sent=format_number(figures.sent, current_language())
        )
    )
