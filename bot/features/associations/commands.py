"""/association, /join (with or without the code) and the ``/start join_<code>`` link."""

from __future__ import annotations

from bot.engine.context import Context
from core.i18n import _
from storage import associations


async def association_command(ctx: Context) -> None:
    await ctx.start("association")


async def join_command(ctx: Context) -> None:
    code = ctx.event.args.strip()
    async with ctx.reader() as s:
        found = await associations.association_of(s, ctx.user_id)
    if found is not None:
        ctx.say(
            _("You already belong to «{name}». Send /association to see it.").format(
                name=found[0].name
            )
        )
        return
    if code:
        await ctx.start("association", code=code[:20], restart=True)
    else:
        await ctx.start("association", join=True, restart=True)


async def join_link(ctx: Context, rest: str) -> None:
    """``/start join_123456`` (a link the coordinator shares)."""
    await ctx.start("association", code=rest[:20], restart=True)
