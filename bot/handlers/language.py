"""/language: change the language the bot speaks with you."""

from __future__ import annotations

from bot.engine.context import Context
from bot.engine.registry import Command, MenuEntry, Registry
from core.i18n import N_


async def language_command(ctx: Context) -> None:
    await ctx.start("language")


def register(registry: Registry) -> None:
    registry.add_command(Command("language", language_command, N_("Change the language")))
    registry.add_menu_entry(MenuEntry("language", N_("Language"), language_command, order=900))
