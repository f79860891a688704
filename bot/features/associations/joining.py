"""Joining an association with the six-digit code its coordinator gives (``/join 123456``
or a ``/start join_123456`` link); wrong codes are limited (a lockout /delete does not reset)."""

from __future__ import annotations

from datetime import timedelta

from bot.engine import payloads
from bot.engine.context import Context
from bot.engine.lockouts import Lockout
from bot.features.associations import actions
from bot.features.associations.parts import AssociationParts
from bot.features.associations.texts import district_name, tell
from core.i18n import N_, _
from core.textinput import normalize_digits
from storage import associations, people, throttles

# Wrong join codes: 5 per quarter of an hour (bot.engine.lockouts: /delete does not reset it).
JOIN_LOCKOUT = Lockout("join_code", throttles.Limit(failures=5, window=timedelta(minutes=15)))


class JoinSteps(AssociationParts):
    """The ``j_code`` and ``j_confirm`` steps, and joining once the person is known."""

    async def _ask_code(self, ctx: Context, code: str | None = None) -> None:
        """Ask for the code; one a link brought is read at once instead."""
        if code:
            await self._on_code(ctx, code)
            return
        ctx.say(_("Type the join code your association's coordinator gave you (6 digits)."))

    async def _on_typed_code(self, ctx: Context) -> None:
        await self._on_code(ctx, ctx.event.text)

    async def _on_code(self, ctx: Context, text: str) -> None:
        """A code typed or brought by a link: the association to confirm, or why not."""
        if await JOIN_LOCKOUT.holds(ctx):
            self.end(ctx)
            ctx.say(_("Too many wrong codes. Please wait a quarter of an hour and try again."))
            return
        code = normalize_digits(text).strip().replace(" ", "")
        if len(code) != associations.JOIN_CODE_DIGITS or not payloads.plain_digits(code):
            ctx.say(_("A join code has 6 digits, for example 482913. Please type it again."))
            return
        async with ctx.reader() as s:
            association = await associations.find_by_code(s, code)
        if association is None:
            await JOIN_LOCKOUT.count_failure(ctx)
            ctx.say(
                _(
                    "No association has this code. Please check it with your coordinator "
                    "(codes change when the coordinator makes a new one)."
                )
            )
            return
        ctx.state.update(mode="join", join_id=association.id)
        await self.show(ctx, "j_confirm")

    async def _confirm_join(self, ctx: Context) -> None:
        async with ctx.reader() as s:
            association = await associations.get_association(s, int(ctx.state["join_id"]))
            district = await district_name(s, association.district_code if association else None)
        if association is None:
            self.end(ctx)
            ctx.say(_("This association is no longer on Musharaka."))
            return
        ctx.say(
            _("Join «{name}» ({district})?").format(name=association.name, district=district),
            [
                [
                    actions.CONFIRM.button(ctx, _("Yes, join")),
                    actions.CANCEL.button(ctx, _("Cancel")),
                ]
            ],
        )

    async def _on_join_confirmed(self, ctx: Context) -> None:
        await self.show(ctx, "p_name")

    async def _join(self, ctx: Context) -> None:
        state = ctx.state
        try:
            async with ctx.transaction() as s:
                await people.ensure_user(s, ctx.user_id, first_name=ctx.event.first_name)
                await associations.join_association(
                    s,
                    telegram_id=ctx.user_id,
                    association_id=int(state["join_id"]),
                    full_name=str(state["p_name"]),
                    phone=str(state["p_phone"]),
                )
                association = await associations.get_association(s, int(state["join_id"]))
                coordinator = await associations.coordinator_of(s, int(state["join_id"]))
        except associations.AlreadyMember:
            self.end(ctx)
            ctx.say(_("You already belong to an association. Send /association to see it."))
            return
        assert association is not None
        ctx.say(_("Welcome to «{name}»!").format(name=association.name))
        if coordinator is not None and coordinator.telegram_id != ctx.user_id:
            await tell(
                ctx,
                coordinator.telegram_id,
                N_("{name} joined your association «{association}» on Musharaka."),
                name=str(state["p_name"]),
                association=association.name,
            )
        await self._show_home(ctx)
