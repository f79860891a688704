"""/language: change the language the bot speaks with you (the ``language`` flow), and the
language question onboarding asks first."""

from __future__ import annotations

from collections.abc import Sequence

from bot.engine.actions import Action
from bot.engine.context import Context
from bot.engine.replies import Buttons
from bot.engine.steps import Flow, Step
from core.i18n import LANGUAGE_NAMES, N_, _, set_language, translate
from storage import people

LANGUAGE_PROMPT = N_("Please choose your language.")
LANGUAGE = Action("lang", code=str)  # code: one of LANGUAGE_NAMES


def language_buttons(ctx: Context) -> Buttons:
    return [[LANGUAGE.button(ctx, name, code=code) for code, name in LANGUAGE_NAMES.items()]]


def trilingual(message: str) -> str:
    """One message id shown in all three languages (before we know which one to use)."""
    return "\n".join(translate(code, message) for code in LANGUAGE_NAMES)


def ask_language(ctx: Context) -> None:
    ctx.say(trilingual(LANGUAGE_PROMPT), language_buttons(ctx))


async def remember_language(ctx: Context, code: str) -> None:
    ctx.session.language = code
    set_language(code)
    async with ctx.transaction() as s:
        await people.set_language(
            s, ctx.user_id, code, first_name=ctx.event.first_name, username=ctx.event.username
        )


class LanguageChoice(Flow):
    """/language: switch between Arabic, English and French."""

    name = "language"
    needs_consent = False
    starts = ("pick",)

    def steps(self) -> Sequence[Step]:
        return [
            Step(
                "pick",
                self._ask,
                on={LANGUAGE: self._on_language},
                message=self._ask,  # anything typed: the question again
                ends=True,
            ),
        ]

    async def _ask(self, ctx: Context) -> None:
        ask_language(ctx)

    async def _on_language(self, ctx: Context, code: str) -> None:
        if code not in LANGUAGE_NAMES:
            ctx.stale_button()
            return
        await remember_language(ctx, code)
        self.end(ctx)
        ctx.edit(_("Done: I will speak {name} with you.").format(name=LANGUAGE_NAMES[code]))


async def language_command(ctx: Context) -> None:
    await ctx.start(LanguageChoice.name)
