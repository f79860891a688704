"""First contact: choose a language, read the short data notice, agree.

Started by /start, or by the engine before any conversation that needs consent; afterwards
it continues into what the user came for (``then``, or the deep link ``then_link``) or shows
the menu.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.engine.actions import Action
from bot.engine.context import Context
from bot.engine.steps import Flow, Step
from bot.features.core.language import LANGUAGE, ask_language, remember_language
from bot.features.core.menu import show_menu
from bot.features.core.start import open_deep_link
from core.i18n import LANGUAGE_NAMES, _
from storage import people

AGREE = Action("agree")
DECLINE = Action("decline")


class Onboarding(Flow):
    name = "onboarding"
    needs_consent = False
    starts = ("language",)

    def steps(self) -> Sequence[Step]:
        return [
            Step(
                "language",
                self._ask_language,
                on={LANGUAGE: self._on_language},
                message=self._again,
                goes_to=("consent",),
            ),
            Step(
                "consent",
                self._ask_consent,
                on={AGREE: self._on_agree, DECLINE: self._on_decline},
                message=self._again,
                ends=True,
            ),
        ]

    async def enter(self, ctx: Context, **kwargs: Any) -> None:
        ctx.state["then"] = kwargs.get("then")
        ctx.state["then_args"] = kwargs.get("then_args") or {}
        ctx.state["then_link"] = kwargs.get("then_link")
        await self.show(ctx, "language")

    async def _again(self, ctx: Context) -> None:
        """Anything typed: the current question again."""
        await self.resume(ctx)

    # --- the language ---------------------------------------------------------------------------
    async def _ask_language(self, ctx: Context) -> None:
        ask_language(ctx)

    async def _on_language(self, ctx: Context, code: str) -> None:
        if code not in LANGUAGE_NAMES:
            ctx.stale_button()
            return
        await remember_language(ctx, code)
        ctx.edit(_("Language: {name}").format(name=LANGUAGE_NAMES[code]))
        await self.show(ctx, "consent")

    # --- the data notice ------------------------------------------------------------------------
    async def _ask_consent(self, ctx: Context) -> None:
        ctx.say(
            _(
                "Welcome to Musharaka, the programme's channel for hearing the community.\n\n"
                "Your answers help plan services in your district. We store what you tell us "
                "and your Telegram ID; only authorised programme staff can see personal details, "
                "and published figures never identify anyone. You can see your data with /mydata "
                "and erase it with /delete at any time.\n\nDo you agree?"
            ),
            [[AGREE.button(ctx, _("I agree")), DECLINE.button(ctx, _("No, thanks"))]],
        )

    async def _on_decline(self, ctx: Context) -> None:
        self.end(ctx)
        ctx.edit(
            _(
                "No problem. Nothing about you is stored beyond your language choice. "
                "Send /start whenever you want to take part."
            )
        )

    async def _on_agree(self, ctx: Context) -> None:
        ctx.session.profile["consent"] = True
        async with ctx.transaction() as s:
            await people.record_consent(
                s,
                ctx.user_id,
                ctx.services.clock.now(),
                first_name=ctx.event.first_name,
                username=ctx.event.username,
                language=ctx.lang,
            )
        ctx.edit(_("Thank you! You can change your language any time with /language."))
        then, then_args, then_link = (
            ctx.state.get("then"),
            ctx.state.get("then_args"),
            ctx.state.get("then_link"),
        )
        self.end(ctx)
        if then_link:
            await open_deep_link(ctx, then_link)
        elif then:
            await ctx.start(then, **(then_args or {}))
        else:
            await show_menu(ctx)
