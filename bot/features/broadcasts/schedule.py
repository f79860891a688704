"""The announcement as people will see it, with the number of recipients (``preview``), and
when it goes out (``when``: now, a quick choice or a typed moment, within MAX_DAYS_AHEAD);
scheduling it ends the ``broadcast`` flow with a "Cancel this announcement" button."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.engine.context import Context
from bot.engine.keyboards import column
from bot.engine.replies import Photo
from bot.engine.steps import Flow
from bot.features.broadcasts.actions import AT, AUDIENCE_AGAIN, LATER, QUIT, REWRITE, SEND_NOW, STOP
from bot.features.broadcasts.audience import audience_text
from bot.features.broadcasts.moment import EXAMPLE, parse_local_moment, quick_moment
from core.formatting import format_moment, format_number
from core.i18n import _, current_language, ngettext
from storage import broadcasts
from storage.broadcasts import Audience
from storage.broadcasts.vocabulary import MAX_DAYS_AHEAD


class ScheduleSteps(Flow):
    """preview -> send now | when -> (scheduled)."""

    def _audience(self, ctx: Context) -> Audience:
        return Audience(ctx.state["kind"], tuple(ctx.state.get("values") or ()))

    async def draw_preview(self, ctx: Context) -> None:
        async with ctx.reader() as s:
            count = await broadcasts.count_audience(s, self._audience(ctx))
        ctx.state["count"] = count
        ctx.edit(_("Here is the announcement as people will see it:"))
        if ctx.state.get("photo"):
            ctx.send(Photo(file_id=ctx.state["photo"], caption=ctx.state["text"]))
        else:
            ctx.say(ctx.state["text"])
        summary = [
            await audience_text(ctx),
            ngettext(
                "It will go to {count} person.", "It will go to {count} people.", count
            ).format(count=format_number(count, current_language())),
        ]
        if count == 0:
            summary.append(_("Nobody in this audience can receive announcements. Choose another."))
            ctx.say(
                "\n".join(summary),
                column(
                    [
                        AUDIENCE_AGAIN.button(ctx, _("Change the audience")),
                        QUIT.button(ctx, _("✖ Stop")),
                    ]
                ),
            )
            return
        ctx.say(
            "\n".join(summary),
            column(
                [
                    SEND_NOW.button(ctx, _("📣 Send now")),
                    LATER.button(ctx, _("🕒 Send later")),
                    AUDIENCE_AGAIN.button(ctx, _("Change the audience")),
                    REWRITE.button(ctx, _("Rewrite the text")),
                    QUIT.button(ctx, _("✖ Stop")),
                ]
            ),
        )

    async def on_audience_again(self, ctx: Context) -> None:
        await self.show(ctx, "audience")

    async def on_rewrite(self, ctx: Context) -> None:
        ctx.state.pop("photo", None)
        ctx.edit(_("Let us rewrite it."))
        await self.show(ctx, "text")

    async def on_send_now(self, ctx: Context) -> None:
        await self.schedule(ctx, ctx.services.clock.now())

    async def on_later(self, ctx: Context) -> None:
        await self.show(ctx, "when")

    async def on_quit(self, ctx: Context) -> None:
        self.end(ctx)
        ctx.edit(_("Nothing was sent."))

    async def draw_when(self, ctx: Context) -> None:
        timezone = ctx.services.settings.timezone
        ctx.edit(
            _(
                "When should it go out? Choose below, or type a date and time such as "
                "{example} ({timezone} time)."
            ).format(example=EXAMPLE, timezone=timezone),
            column(
                [
                    AT.button(ctx, _("In one hour"), choice="1h"),
                    AT.button(ctx, _("Tomorrow at 09:00"), choice="t9"),
                    AT.button(ctx, _("Tomorrow at 18:00"), choice="t18"),
                    self.back_button(ctx),
                ]
            ),
        )

    async def on_at(self, ctx: Context, choice: str) -> None:
        now = ctx.services.clock.now()
        moment = quick_moment(choice, now, ctx.services.settings.timezone)
        if moment is None:
            ctx.stale_button()
            return
        await self.schedule(ctx, moment)

    async def on_moment_typed(self, ctx: Context) -> None:
        now = ctx.services.clock.now()
        moment = parse_local_moment(ctx.event.text, now, ctx.services.settings.timezone)
        if moment is None:
            ctx.say(
                _("I could not read that date. Please write it like {example}.").format(
                    example=EXAMPLE
                )
            )
            await self.show(ctx, "when")
            return
        await self.schedule(ctx, moment)

    async def schedule(self, ctx: Context, moment: datetime) -> None:
        """Create the broadcast at ``moment`` (now at the earliest) and end the flow; a moment
        past or too far ahead asks for the time again."""
        now = ctx.services.clock.now()
        timezone = ctx.services.settings.timezone
        if moment < now - timedelta(minutes=1):
            ctx.say(_("That moment has already passed. Please choose a later time."))
            await self.show(ctx, "when")
            return
        if moment > now + timedelta(days=MAX_DAYS_AHEAD):
            ctx.say(_("Please choose a time within the next three months."))
            await self.show(ctx, "when")
            return
        async with ctx.transaction() as s:
            broadcast = await broadcasts.create_broadcast(
                s,
                created_by=ctx.user_id,
                text=ctx.state["text"],
                photo_file_id=ctx.state.get("photo", ""),
                audience=self._audience(ctx),
                send_at=max(moment, now),
                request_key=f"broadcast:{ctx.user_id}:{ctx.state['draft']}",
            )
            number, send_at = broadcast.id, broadcast.send_at
        count = format_number(int(ctx.state.get("count", 0)), current_language())
        self.end(ctx)
        cancel = [[STOP.global_button(ctx, _("Cancel this announcement"), id=number)]]
        if send_at <= now + timedelta(minutes=1):
            ctx.edit(
                _(
                    "Announcement #{number} is on its way (recipients: about {count}). "
                    "I will show the progress here."
                ).format(number=number, count=count),
                cancel,
            )
        else:
            ctx.edit(
                _(
                    "Announcement #{number} will go out on {moment}, to whoever is in the "
                    "audience then (recipients today: about {count})."
                ).format(
                    number=number,
                    moment=format_moment(send_at, timezone, current_language()),
                    count=count,
                ),
                cancel,
            )
