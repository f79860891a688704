"""/settings: announcements on or off, and stopping every message from the bot.

"Stop all messages" means no announcements, no reminders and no notices until the person
allows them again here; the bot still answers what they write to it. Its buttons are global
(``g:set:ann:0|1``, ``g:set:stop:0|1``) and only ever change the presser's own row.
"""

from __future__ import annotations

from bot.engine.context import Context
from bot.engine.replies import Buttons
from bot.features.broadcasts.actions import SETTING
from core.i18n import _
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
        buttons = [[SETTING.global_button(ctx, _("Allow messages again"), what="stop", on="0")]]
        return text, buttons
    if user.announcements_enabled:
        status = _("Announcements (workshops, trainings, news): on.")
        toggle = SETTING.global_button(ctx, _("Turn announcements off"), what="ann", on="0")
    else:
        status = _("Announcements (workshops, trainings, news): off.")
        toggle = SETTING.global_button(ctx, _("Turn announcements on"), what="ann", on="1")
    text = status + "\n" + _("Reminders of your bookings and trainings still reach you.")
    buttons = [
        [toggle],
        [SETTING.global_button(ctx, _("Stop all messages"), what="stop", on="1")],
    ]
    return text, buttons


async def settings_command(ctx: Context) -> None:
    """/settings and the menu's "Message settings"."""
    user = await _user(ctx)
    text, buttons = _describe(ctx, user)
    ctx.say(text, buttons)


async def setting_pressed(ctx: Context, what: str, on: str) -> None:
    if what not in ("ann", "stop") or on not in ("0", "1"):
        ctx.toast(_("This option is not available."))
        return
    enabled = on == "1"
    async with ctx.transaction() as s:
        user = await people.ensure_user(s, ctx.user_id)
        if what == "ann":
            user.announcements_enabled = enabled
        else:
            user.messages_stopped = enabled
        user.unreachable_at = None
    text, buttons = _describe(ctx, user)
    ctx.edit(text, buttons)
    ctx.toast(_("Saved."))
