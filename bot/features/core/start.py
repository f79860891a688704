"""/start, with or without a deep-link argument (``t.me/<bot>?start=<prefix>_<rest>``)."""

from __future__ import annotations

from bot.engine.context import Context
from bot.features.core.menu import show_menu
from core.i18n import _

DEEP_LINK_MAX = 64  # Telegram's own limit on start parameters


async def open_deep_link(ctx: Context, link: str) -> None:
    prefix, _sep, rest = link.partition("_")
    handler = ctx.engine.registry.deep_links.get(prefix)
    if handler is None:
        ctx.say(_("This link is not valid any more. Here is the menu instead."))
        await show_menu(ctx)
        return
    await handler(ctx, rest)


async def start_command(ctx: Context) -> None:
    link = ctx.event.args.strip()[:DEEP_LINK_MAX]
    onboarded = ctx.session.language is not None and ctx.session.profile.get("consent")
    if not onboarded:
        await ctx.engine.cancel_flow(ctx)
        await ctx.start("onboarding", then_link=link or None)
        return
    if link:
        await open_deep_link(ctx, link)
        return
    ctx.say(_("Welcome back!"))
    await show_menu(ctx)
