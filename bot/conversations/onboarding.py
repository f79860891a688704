"""First contact: choose a language, read the short data notice, agree.

Started by /start, or by any conversation that needs consent; afterwards it
continues into what the user came for (``then``) or shows the menu.
"""

from __future__ import annotations

from typing import Any

from bot.engine.context import Context
from bot.engine.conversation import Conversation
from bot.engine.registry import Registry
from core.i18n import LANGUAGE_NAMES, N_, _, set_language, translate
from storage import people

LANGUAGE_PROMPT = N_("Please choose your language.")


def language_buttons(ctx: Context) -> list[list[Any]]:
    return [[ctx.button(name, "lang", code) for code, name in LANGUAGE_NAMES.items()]]


def trilingual(message: str) -> str:
    """One message id shown in all three languages (before we know which one to use)."""
    return "\n".join(translate(code, message) for code in LANGUAGE_NAMES)


async def remember_language(ctx: Context, code: str) -> None:
    ctx.session.language = code
    set_language(code)
    async with ctx.transaction() as s:
        await people.ensure_user(
            s,
            ctx.user_id,
            first_name=ctx.event.first_name,
            username=ctx.event.username,
            language=code,
        )
        await people.set_language(s, ctx.user_id, code)


class Onboarding(Conversation):
    name = "onboarding"
    needs_consent = False

    async def begin(self, ctx: Context, **kwargs: Any) -> None:
        ctx.state["then"] = kwargs.get("then")
        ctx.state["then_args"] = kwargs.get("then_args") or {}
        ctx.state["then_link"] = kwargs.get("then_link")
        ctx.step = "language"
        ctx.say(trilingual(LANGUAGE_PROMPT), language_buttons(ctx))

    async def resume(self, ctx: Context) -> None:
        if ctx.step == "consent":
            self._ask_consent(ctx)
        else:
            ctx.say(trilingual(LANGUAGE_PROMPT), language_buttons(ctx))

    async def on_message(self, ctx: Context) -> None:
        await self.resume(ctx)

    async def on_button(self, ctx: Context, action: str, args: tuple[str, ...]) -> None:
        if ctx.step == "language" and action == "lang" and args and args[0] in LANGUAGE_NAMES:
            await remember_language(ctx, args[0])
            ctx.edit(_("Language: {name}").format(name=LANGUAGE_NAMES[args[0]]))
            ctx.step = "consent"
            self._ask_consent(ctx)
        elif ctx.step == "consent" and action == "agree":
            await self._agree(ctx)
        elif ctx.step == "consent" and action == "decline":
            ctx.finish()
            ctx.edit(
                _(
                    "No problem. Nothing about you is stored beyond your language choice. "
                    "Send /start whenever you want to take part."
                )
            )
        else:
            await super().on_button(ctx, action, args)

    def _ask_consent(self, ctx: Context) -> None:
        ctx.say(
            _(
                "Welcome to Musharaka, the programme's channel for hearing the community.\n\n"
                "Your answers help plan services in your district. We store what you tell us "
                "and your Telegram ID; only authorised programme staff can see personal details, "
                "and published figures never identify anyone. You can see your data with /mydata "
                "and erase it with /delete at any time.\n\nDo you agree?"
            ),
            [[ctx.button(_("I agree"), "agree"), ctx.button(_("No, thanks"), "decline")]],
        )

    async def _agree(self, ctx: Context) -> None:
        ctx.session.profile["consent"] = True
        async with ctx.transaction() as s:
            await people.ensure_user(
                s,
                ctx.user_id,
                first_name=ctx.event.first_name,
                username=ctx.event.username,
                language=ctx.lang,
            )
            await people.record_consent(s, ctx.user_id, ctx.services.clock.now())
        ctx.edit(_("Thank you! You can change your language any time with /language."))
        then, then_args, then_link = (
            ctx.state.get("then"),
            ctx.state.get("then_args"),
            ctx.state.get("then_link"),
        )
        ctx.finish()
        if then_link:
            from bot.handlers.start import open_deep_link

            await open_deep_link(ctx, then_link)
        elif then:
            await ctx.start(then, **(then_args or {}))
        else:
            from bot.handlers.menu import show_menu

            await show_menu(ctx)


class LanguageChoice(Conversation):
    """/language: switch between Arabic, English and French."""

    name = "language"
    needs_consent = False

    async def begin(self, ctx: Context, **kwargs: Any) -> None:
        ctx.step = "pick"
        ctx.say(trilingual(LANGUAGE_PROMPT), language_buttons(ctx))

    async def on_message(self, ctx: Context) -> None:
        await self.begin(ctx)

    async def on_button(self, ctx: Context, action: str, args: tuple[str, ...]) -> None:
        if action != "lang" or not args or args[0] not in LANGUAGE_NAMES:
            await super().on_button(ctx, action, args)
            return
        await remember_language(ctx, args[0])
        ctx.finish()
        ctx.edit(_("Done: I will speak {name} with you.").format(name=LANGUAGE_NAMES[args[0]]))


def register(registry: Registry) -> None:
    registry.add_conversation(Onboarding())
    registry.add_conversation(LanguageChoice())
