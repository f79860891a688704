"""/broadcast: staff compose an announcement, choose who gets it, see it, and send it (the
``broadcast`` flow).

Text (or a photo with a caption) → audience (everyone, residents of some districts, by
language; ``audience``) → a preview exactly as recipients will see it, with the number of
recipients → send now or at a chosen time (``schedule``). The broadcast sender
(bot/workers/broadcast_sender.py) delivers it within Telegram's limits and shows its
progress in this chat; "Stop sending" on that message (or "Cancel this announcement" before
it starts) stops it (``stop``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import uuid4

from bot.engine.context import Context
from bot.engine.events import EventKind
from bot.engine.steps import Step
from bot.features.broadcasts.actions import (
    AT,
    AUDIENCE,
    AUDIENCE_AGAIN,
    DONE,
    LATER,
    NO_PHOTO,
    QUIT,
    REWRITE,
    SEND_NOW,
    TOGGLE,
)
from bot.features.broadcasts.audience import AudienceSteps
from bot.features.broadcasts.schedule import ScheduleSteps
from core.formatting import format_number
from core.i18n import _, current_language
from core.textinput import clean_text
from storage.broadcasts import CAPTION_MAX_CHARS, TEXT_MAX_CHARS
from storage.people import Role


class ComposeBroadcast(AudienceSteps, ScheduleSteps):
    """text -> (photo | caption) -> audience -> (values) -> preview -> (when) -> scheduled."""

    name = "broadcast"
    needs_consent = False  # staff
    min_role = Role.STAFF
    starts = ("text",)

    def steps(self) -> Sequence[Step]:
        return [
            Step(
                "text",
                self.draw_text,
                message=self.on_text,
                goes_to=("photo", "caption", "audience"),
            ),
            Step(
                "photo",
                self.draw_photo,
                on={NO_PHOTO: self.on_no_photo},
                message=self.on_photo,
                goes_to=("audience",),
            ),
            Step("caption", self.draw_caption, message=self.on_caption, goes_to=("audience",)),
            Step(
                "audience",
                self.draw_audience,
                on={AUDIENCE: self.on_audience},
                goes_to=("preview", "values"),
            ),
            Step(
                "values",
                self.draw_values,
                on={TOGGLE: self.on_toggle, DONE: self.on_done},
                goes_to=("preview",),
                back="audience",
            ),
            Step(
                "preview",
                self.draw_preview,
                on={
                    SEND_NOW: self.on_send_now,
                    LATER: self.on_later,
                    AUDIENCE_AGAIN: self.on_audience_again,
                    REWRITE: self.on_rewrite,
                    QUIT: self.on_quit,
                },
                goes_to=("when", "audience", "text"),
                ends=True,
            ),
            Step(
                "when",
                self.draw_when,
                on={AT: self.on_at},
                message=self.on_when_message,
                back="preview",
                ends=True,
            ),
        ]

    async def enter(self, ctx: Context, **kwargs: Any) -> None:
        ctx.state["draft"] = uuid4().hex[:16]
        await self.show(ctx, "text")

    async def on_buttons_only(self, ctx: Context, step: Step) -> None:
        ctx.say(_("Please use the buttons below, or send /cancel to stop."))
        await step.render(ctx)

    # --- the text, a photo, its caption --------------------------------------------------------
    async def draw_text(self, ctx: Context) -> None:
        ctx.say(
            _(
                "Write the announcement exactly as people should read it (up to {limit} "
                "characters). You can also send a photo with a caption. Send /cancel to stop."
            ).format(limit=format_number(TEXT_MAX_CHARS, current_language()))
        )

    async def draw_photo(self, ctx: Context) -> None:
        ctx.say(
            _("Would you like to add a photo? Send it now, or press No photo."),
            [[NO_PHOTO.button(ctx, _("No photo"))]],
        )

    async def draw_caption(self, ctx: Context) -> None:
        ctx.say(
            _("Now write the text to go with the photo (up to {limit} characters).").format(
                limit=format_number(CAPTION_MAX_CHARS, current_language())
            )
        )

    def _not_a_text(self, ctx: Context) -> None:
        ctx.say(_("Please send the announcement as text, or as a photo with a caption."))

    async def on_text(self, ctx: Context) -> None:
        kind = ctx.event.kind
        if kind == EventKind.TEXT:
            await self._take_text(ctx, TEXT_MAX_CHARS, then_photo=True)
        elif kind == EventKind.PHOTO:
            ctx.state["photo"] = ctx.event.photo_file_id
            if ctx.event.text.strip():
                await self._take_text(ctx, CAPTION_MAX_CHARS, then_photo=False)
            else:
                await self.show(ctx, "caption")
        else:
            self._not_a_text(ctx)

    async def on_caption(self, ctx: Context) -> None:
        if ctx.event.kind == EventKind.TEXT:
            await self._take_text(ctx, CAPTION_MAX_CHARS, then_photo=False)
        else:
            self._not_a_text(ctx)

    async def _take_text(self, ctx: Context, limit: int, *, then_photo: bool) -> None:
        text = clean_text(ctx.event.text, limit)
        if text is None:
            ctx.say(
                _("That is {count} characters; the limit is {limit}. Please shorten it.").format(
                    count=format_number(len(ctx.event.text.strip()), current_language()),
                    limit=format_number(limit, current_language()),
                )
            )
            return
        ctx.state["text"] = text
        await self.show(ctx, "photo" if then_photo else "audience")

    async def on_no_photo(self, ctx: Context) -> None:
        await self.show(ctx, "audience")

    async def on_photo(self, ctx: Context) -> None:
        step = self.step_named("photo")
        if ctx.event.kind != EventKind.PHOTO:
            await self.on_buttons_only(ctx, step)
            return
        text = ctx.state.get("text", "")
        if len(text) > CAPTION_MAX_CHARS:
            ctx.say(
                _(
                    "With a photo the text can have at most {limit} characters, and yours has "
                    "{count}. Press No photo, or /cancel and start again with a shorter text."
                ).format(
                    limit=format_number(CAPTION_MAX_CHARS, current_language()),
                    count=format_number(len(text), current_language()),
                ),
                [[NO_PHOTO.button(ctx, _("No photo"))]],
            )
            return
        ctx.state["photo"] = ctx.event.photo_file_id
        await self.show(ctx, "audience")

    async def on_when_message(self, ctx: Context) -> None:
        if ctx.event.kind != EventKind.TEXT:
            await self.on_buttons_only(ctx, self.step_named("when"))
            return
        await self.on_moment_typed(ctx)


async def broadcast_command(ctx: Context) -> None:
    """/broadcast and the menu's "Send an announcement"."""
    await ctx.start("broadcast")
