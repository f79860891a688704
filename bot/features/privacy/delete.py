"""/delete: confirm, then erase (the ``delete_my_data`` flow).

Every area's eraser and the core one run in a single transaction: personal details go,
anonymous counts stay (survey answers without the person, bookings and registrations as
figures).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.actions import Action
from bot.engine.context import Context
from bot.engine.registry import Registry
from bot.engine.steps import Flow, Step
from core.i18n import _

PROFILE_AREA = "profile"

YES = Action("yes")
NO = Action("no")


async def erase_everything(
    s: AsyncSession, registry: Registry, telegram_id: int, now: datetime
) -> None:
    """Every area's eraser, then the core profile last (the areas find rows through it)."""
    for area, (_exporter, eraser) in registry.personal_data.items():
        if area != PROFILE_AREA:
            await eraser(s, telegram_id, now)
    _exporter, core_eraser = registry.personal_data[PROFILE_AREA]
    await core_eraser(s, telegram_id, now)


class DeleteMyData(Flow):
    """Confirm, then erase. Works before consent too: anyone may ask to be forgotten."""

    name = "delete_my_data"
    needs_consent = False
    starts = ("confirm",)

    def steps(self) -> Sequence[Step]:
        return [
            Step(
                "confirm",
                self._ask,
                on={YES: self._on_yes, NO: self._on_no},
                message=self._on_message,
                ends=True,
            ),
        ]

    async def _ask(self, ctx: Context) -> None:
        _ask(ctx)

    async def _on_message(self, ctx: Context) -> None:
        """Anything typed: the question again, with buttons that work."""
        _ask(ctx, _("Please answer with the buttons below: erase your data, or keep it."))

    async def _on_no(self, ctx: Context) -> None:
        self.end(ctx)
        ctx.edit(_("Nothing was erased. Your data stays as it was."))

    async def _on_yes(self, ctx: Context) -> None:
        async with ctx.transaction() as s:
            await erase_everything(s, ctx.engine.registry, ctx.user_id, ctx.services.clock.now())
        ctx.edit(
            _(
                "Your personal data has been erased. Thank you for taking part. "
                "If you write to me again, you will start afresh."
            )
        )
        ctx.drop_session()


def _ask(ctx: Context, notice: str = "") -> None:
    lines = [notice, ""] if notice else []
    lines += [
        _("Do you want to erase your personal data?"),
        "",
        _(
            "Your name, phone number, Telegram ID, free-text answers, locations and photos, "
            "and any answers not yet sent will be erased. Future consultations and training "
            "places will be cancelled."
        ),
        _(
            "What you answered in surveys, and the sessions you booked or attended, stay "
            "only as anonymous figures that nobody can link back to you."
        ),
        _("This cannot be undone."),
    ]
    ctx.say(
        "\n".join(lines),
        [
            [YES.button(ctx, _("Yes, erase my data"))],
            [NO.button(ctx, _("No, keep my data"))],
        ],
    )


async def delete_command(ctx: Context) -> None:
    await ctx.start(DeleteMyData.name)
