"""/settings: announcements on or off, and stopping every message from the bot.

"Stop all messages" means no announcements, no reminders and no notices until the person
allows them again here; the bot still answers what they write to it.
"""

from __future__ import annotations

from bot.engine.context import Context
from bot.engine.registry import Command, MenuEntry, Registry
from bot.engine.replies import Buttons
from core.i18n import N_, _
from storage import people


async def _user(ctx: Context) -> people.User:
    """This person's row; opening /settings also shows they can be reached again."""
    async with ctx.transaction() as s:
        user = await people.ensure_user(
            s, ctx.user_id, first_name=ctx.event.first_name, username=ctx.event.username
        )
        user.unreachable_at = None
        return user


def _describe(ctx: Context, user: people.User) -> tuple[str, Buttons]:
    if user.messages_stopped:
        text = _(
            "All messages from the bot are stopped: no announcements, no reminders. "
            "I still answer when you write to me."
        )
        buttons = [[ctx.global_button(_("Allow messages again"), "set", "stop", "0")]]
        return text, buttons
    if user.announcements_enabled:
        status = _("Announcements (workshops, trainings, news): on.")
        toggle = ctx.global_button(_("Turn announcements off"), "set", "ann", "0")
    else:
        status = _("Announcements (workshops, trainings, news): off.")
        toggle = ctx.global_button(_("Turn announcements on"), "set", "ann", "1")
    text = status + "\n" + _("Reminders of your bookings and trainings still reach you.")
    buttons = [[toggle], [ctx.global_button(_("Stop all messages"), "set", "stop", "1")]]
    return text, buttons


async def settings_command(ctx: Context) -> None:
    user = await _user(ctx)
    text, buttons = _describe(ctx, user)
    ctx.say(text, buttons)


async def settings_button(ctx: Context, args: tuple[str, ...]) -> None:
    """``g:set:ann:0|1`` and ``g:set:stop:0|1``: only ever changes the presser's own row."""
    if len(args) != 2 or args[0] not in ("ann", "stop") or args[1] not in ("0", "1"):
        ctx.toast(_("This option is not available."))
        return
    on = args[1] == "1"
    async with ctx.transaction() as s:
        user = await people.ensure_user(s, ctx.user_id)
        if args[0] == "ann":
            user.announcements_enabled = on
        else:
            user.messages_stopped = on
        user.unreachable_at = None
    text, buttons = _describe(ctx, user)
    ctx.edit(text, buttons)
    ctx.toast(_("Saved."))


def register(registry: Registry) -> None:
    registry.add_command(
        Command("settings", settings_command, N_("Announcements and messages: on or off"))
    )
    registry.add_menu_entry(MenuEntry("settings", N_("Message settings"), settings_command, 890))
    registry.add_button("set", settings_button)
