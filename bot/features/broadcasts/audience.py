"""Who gets the announcement: everyone, residents of some districts, or people using a
language (the ``audience`` and ``values`` steps of the ``broadcast`` flow), and how the
chosen audience reads in the preview."""

from __future__ import annotations

from bot.engine.context import Context
from bot.engine.keyboards import column, rows
from bot.engine.steps import Flow
from bot.features.broadcasts.actions import AUDIENCE, DONE, TOGGLE
from core.i18n import LANGUAGE_NAMES, _, current_language
from storage import reference
from storage.broadcasts.vocabulary import AUDIENCE_LABELS


async def audience_options(ctx: Context, kind: str) -> list[tuple[str, str]]:
    """(code, label) of what can be chosen for ``kind``: the districts, or the languages."""
    if kind == "districts":
        async with ctx.reader() as s:
            return [(d.code, d.name(current_language())) for d in await reference.list_districts(s)]
    return list(LANGUAGE_NAMES.items())


async def audience_text(ctx: Context) -> str:
    """'Audience: residents of Kasserine, Sbeitla' as the preview shows it."""
    kind = ctx.state["kind"]
    values = ctx.state.get("values") or []
    if kind == "everyone":
        return _("Audience: everyone who accepts announcements")
    separator = "، " if current_language() == "ar" else ", "
    listed = separator.join(
        label for code, label in await audience_options(ctx, kind) if code in values
    )
    if kind == "districts":
        return _("Audience: residents of {names}").format(names=listed)
    return _("Audience: people using the bot in {names}").format(names=listed)


class AudienceSteps(Flow):
    """audience -> (everyone) preview | values -> preview."""

    async def draw_audience(self, ctx: Context) -> None:
        ctx.edit(
            _("Who should receive it?"),
            column(
                [
                    AUDIENCE.button(ctx, _(label), kind=kind)
                    for kind, label in AUDIENCE_LABELS.items()
                ]
            ),
        )

    async def on_audience(self, ctx: Context, kind: str) -> None:
        if kind not in AUDIENCE_LABELS:
            ctx.stale_button()
            return
        ctx.state["kind"] = kind
        ctx.state["values"] = []
        if kind == "everyone":
            await self.show(ctx, "preview")
        else:
            await self.show(ctx, "values")

    async def draw_values(self, ctx: Context) -> None:
        kind = ctx.state["kind"]
        options = await audience_options(ctx, kind)
        ctx.state["options"] = [code for code, _label in options]
        chosen = set(ctx.state.get("values") or [])
        buttons = [
            TOGGLE.button(ctx, ("✅ " if code in chosen else "") + label, index=index)
            for index, (code, label) in enumerate(options)
        ]
        layout = rows(buttons, per_row=2)
        layout.append([DONE.button(ctx, _("Done")), self.back_button(ctx)])
        question = (
            _("Which districts? Tap to select or unselect, then press Done.")
            if kind == "districts"
            else _("Which languages? Tap to select or unselect, then press Done.")
        )
        ctx.edit(question, layout)

    async def on_toggle(self, ctx: Context, index: int) -> None:
        options = ctx.state.get("options") or []
        if not 0 <= index < len(options):
            ctx.stale_button()
            return
        chosen = set(ctx.state.get("values") or [])
        chosen ^= {options[index]}
        ctx.state["values"] = [code for code in options if code in chosen]  # in list order
        await self.show(ctx, "values")

    async def on_done(self, ctx: Context) -> None:
        if not ctx.state.get("values"):
            ctx.toast(_("Please choose at least one."), alert=True)
            return
        await self.show(ctx, "preview")
