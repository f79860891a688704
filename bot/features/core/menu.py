"""/menu and /help: what this user can do from here.

The menu's buttons are global and live on in old messages, so their payloads never change:
``g:m:<entry key>`` opens a menu entry, ``g:menu`` draws the menu (the engine draws "Open
the menu" with it when a message arrives outside any conversation).
"""

from __future__ import annotations

from bot.engine.actions import Action
from bot.engine.context import Context
from bot.engine.keyboards import column
from bot.engine.registry import MenuEntry
from core.i18n import _
from storage.people import role_at_least

MENU_ENTRY = Action("m", key=str)  # one entry of the menu, by its registry key
OPEN_MENU = Action("menu")  # the whole menu


async def visible_entries(ctx: Context) -> list[MenuEntry]:
    entries = sorted(ctx.engine.registry.menu.values(), key=lambda e: (e.order, e.key))
    role = None
    if any(e.min_role is not None for e in entries):
        role = await ctx.role()
    return [e for e in entries if e.min_role is None or role_at_least(role, e.min_role)]


async def show_menu(ctx: Context) -> None:
    """The menu entries this user may see, one button each."""
    entries = await visible_entries(ctx)
    if not entries:
        ctx.say(_("There is nothing to do here yet."))
        return
    buttons = [MENU_ENTRY.global_button(ctx, _(entry.label), key=entry.key) for entry in entries]
    ctx.say(_("What would you like to do?"), column(buttons))


async def menu_command(ctx: Context) -> None:
    await show_menu(ctx)


async def menu_entry_pressed(ctx: Context, key: str) -> None:
    """A press on a menu entry, valid in any old menu message: the entry must still exist
    and be one this user may see now (a role can be taken away)."""
    entry = ctx.engine.registry.menu.get(key)
    if entry is None or entry not in await visible_entries(ctx):
        ctx.toast(_("This option is not available."))
        return
    await entry.action(ctx)


async def menu_opened(ctx: Context) -> None:
    await show_menu(ctx)


async def help_command(ctx: Context) -> None:
    role = await ctx.role()
    lines = [
        _(
            "Musharaka lets you tell the programme what your district needs, volunteer, "
            "join trainings and book consultations."
        ),
        "",
    ]
    for command in ctx.engine.registry.commands.values():
        if command.min_role is None or role_at_least(role, command.min_role):
            lines.append(f"/{command.name} — {_(command.description)}")
    ctx.say("\n".join(lines))
