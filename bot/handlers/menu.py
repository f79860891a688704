"""/menu and /help: what this user can do from here."""

from __future__ import annotations

from bot.engine.context import Context
from bot.engine.keyboards import column
from bot.engine.registry import Command, MenuEntry, Registry
from core.i18n import N_, _
from storage.people import role_at_least


async def visible_entries(ctx: Context) -> list[MenuEntry]:
    entries = sorted(ctx.engine.registry.menu.values(), key=lambda e: (e.order, e.key))
    role = None
    if any(e.min_role is not None for e in entries):
        role = await ctx.role()
    return [e for e in entries if e.min_role is None or role_at_least(role, e.min_role)]


async def show_menu(ctx: Context) -> None:
    entries = await visible_entries(ctx)
    if not entries:
        ctx.say(_("There is nothing to do here yet."))
        return
    buttons = [ctx.global_button(_(entry.label), "m", entry.key) for entry in entries]
    ctx.say(_("What would you like to do?"), column(buttons))


async def menu_command(ctx: Context) -> None:
    await show_menu(ctx)


async def menu_button(ctx: Context, args: tuple[str, ...]) -> None:
    """A press on a menu entry (``g:m:<key>``), valid in any old menu message."""
    entry = ctx.engine.registry.menu.get(args[0]) if args else None
    if entry is None or entry not in await visible_entries(ctx):
        ctx.toast(_("This option is not available."))
        return
    await entry.action(ctx)


async def open_menu_button(ctx: Context, args: tuple[str, ...]) -> None:
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


def register(registry: Registry) -> None:
    registry.add_command(Command("menu", menu_command, N_("Show the main menu")))
    registry.add_command(Command("help", help_command, N_("What this bot can do")))
    registry.add_button("m", menu_button)
    registry.add_button("menu", open_menu_button)
