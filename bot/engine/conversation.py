"""The base of every guided conversation; the bot's flows are written on its subclass
``bot.engine.steps.Flow`` (declared steps), in the feature packages of ``bot/features``."""

from __future__ import annotations

from typing import Any, ClassVar

from bot.engine.context import Context
from bot.engine.events import UNREADABLE
from core.i18n import _
from storage.people import Role


class Conversation:
    """One guided conversation. State lives in ``ctx.state`` / ``ctx.step``;
    nothing is kept on the instance, which is shared by every user."""

    name: ClassVar[str]
    # Leaving a resumable conversation (another flow, /menu) keeps its answers;
    # starting it again continues at the same question.
    resumable: ClassVar[bool] = False
    # Users must have accepted the data notice before starting it.
    needs_consent: ClassVar[bool] = True
    # Staff conversations: the role is checked again on every message and button press, so
    # someone switched off or demoted half-way cannot finish what they began.
    min_role: ClassVar[Role | None] = None

    async def begin(self, ctx: Context, **kwargs: Any) -> None:
        raise NotImplementedError

    async def resume(self, ctx: Context) -> None:
        """Show the current question again (after /menu, a restart, a deep link)."""
        await self.begin(ctx)

    async def on_message(self, ctx: Context) -> None:
        """Typed text, a shared contact or location, a photo, or something unreadable."""
        if ctx.event.kind in UNREADABLE:
            ctx.say(_("I can only read text, buttons, locations and photos here."))
        else:
            ctx.say(_("Please use the buttons above, or send /cancel to stop."))

    async def on_button(self, ctx: Context, action: str, args: tuple[str, ...]) -> None:
        ctx.stale_button()

    async def on_cancel(self, ctx: Context) -> None:
        """Called before /cancel drops this conversation (release holds, etc.)."""
        return None
