"""/cancel: stop the conversation in progress."""

from __future__ import annotations

from bot.engine.context import Context
from core.i18n import _


async def cancel_command(ctx: Context) -> None:
    if await ctx.engine.cancel_flow(ctx):
        ctx.say(_("Stopped. Send /menu when you want to do something else."), remove_keyboard=True)
    else:
        ctx.say(_("There is nothing to stop. Send /menu to see what you can do."))
