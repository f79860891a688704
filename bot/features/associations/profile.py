"""The ``association`` flow: register one's association (becoming its coordinator), join one
with the code its coordinator gives, and the association's page. Its parts are drawn by
``registering``, ``joining`` and ``home``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.engine.context import Context
from bot.engine.keyboards import column
from bot.engine.steps import Step
from bot.features.associations import actions
from bot.features.associations.home import HomeSteps
from bot.features.associations.joining import JoinSteps
from bot.features.associations.registering import RegisterSteps
from core.i18n import _
from storage import associations


class AssociationFlow(RegisterSteps, JoinSteps, HomeSteps):
    name = "association"
    resumable = True
    starts = ("start", "home", "j_code", "j_confirm")

    def steps(self) -> Sequence[Step]:
        person = ("a_confirm", "home")  # after the phone: confirm a registration, or joined
        return [
            Step(
                "start",
                self._draw_start,
                on={actions.REGISTER: self._on_register, actions.JOIN: self._on_join},
                goes_to=("a_name", "j_code"),
            ),
            # registering
            Step(
                "a_name",
                self._ask_name,
                message=self._on_name,
                text_only=True,
                goes_to=("a_district",),
            ),
            Step(
                "a_district",
                self._ask_district,
                on={actions.DISTRICT: self._on_district},
                goes_to=("a_field",),
            ),
            Step(
                "a_field", self._ask_field, on={actions.FIELD: self._on_field}, goes_to=("a_size",)
            ),
            Step(
                "a_size", self._ask_size, message=self._on_size, text_only=True, goes_to=("p_name",)
            ),
            Step(
                "a_confirm",
                self._confirm_registration,
                on={actions.CONFIRM: self._register, actions.CANCEL: self._on_cancel},
                goes_to=("home",),
                ends=True,
            ),
            # joining
            Step(
                "j_code",
                self._ask_code,
                message=self._on_typed_code,
                text_only=True,
                goes_to=("j_confirm",),
                ends=True,
            ),
            Step(
                "j_confirm",
                self._confirm_join,
                on={actions.CONFIRM: self._on_join_confirmed, actions.CANCEL: self._on_cancel},
                goes_to=("p_name",),
                ends=True,
            ),
            # the person, both ways
            Step(
                "p_name",
                self._ask_person_name,
                message=self._on_person_name,
                text_only=True,
                goes_to=("p_phone",),
            ),
            Step(
                "p_phone",
                self._ask_person_phone,
                message=self._on_person_phone,
                goes_to=person,
                ends=True,
            ),
            # the association's page
            Step(
                "home",
                self._draw_home,
                on={
                    actions.MEMBERS: self._on_members,
                    actions.NEW_CODE: self._new_code,
                    actions.ASSESS: self._on_assess,
                    actions.RESULTS: self._on_results,
                    actions.LEAVE: self._on_leave,
                },
                message=self._show_home,
                goes_to=("members", "confirm_leave"),
                ends=True,
            ),
            Step(
                "members",
                self._draw_members,
                on={actions.REMOVE: self._on_remove, actions.HAND_OVER: self._on_hand_over},
                message=self._show_home,
                goes_to=("pick", "home"),
                back="home",
            ),
            Step(
                "pick",
                self._draw_pick,
                on={
                    actions.REMOVE_MEMBER: self._on_member_removed,
                    actions.HAND_OVER_TO: self._on_member_chosen,
                },
                message=self._show_home,
                goes_to=("home",),
                back="home",
                ends=True,
            ),
            Step(
                "confirm_leave",
                self._ask_leave,
                on={actions.LEAVE_YES: self._leave, actions.STAY: self._show_home},
                message=self._buttons_then_home,
                goes_to=("home",),
                ends=True,
            ),
        ]

    async def enter(self, ctx: Context, **kwargs: Any) -> None:
        async with ctx.reader() as s:
            found = await associations.association_of(s, ctx.user_id)
        if found is not None:
            await self._show_home(ctx)
        elif kwargs.get("code"):
            ctx.state["mode"] = "join"
            await self.show(ctx, "j_code", code=str(kwargs["code"]))
        elif kwargs.get("join"):
            ctx.state["mode"] = "join"
            await self.show(ctx, "j_code")
        else:
            await self.show(ctx, "start")

    async def resume(self, ctx: Context) -> None:
        """Coming back (/association, the menu): the first screen or the association's page
        as they are now; a question on the way is asked again."""
        if ctx.step in ("start", "home", "members", "pick", "confirm_leave"):
            await self.enter(ctx)
        else:
            await super().resume(ctx)

    async def _draw_start(self, ctx: Context) -> None:
        ctx.say(
            _(
                "You are not part of an association on Musharaka yet. Register your "
                "association (you become its coordinator), or join it with the code its "
                "coordinator gives you."
            ),
            column(
                [
                    actions.REGISTER.button(ctx, _("Register my association")),
                    actions.JOIN.button(ctx, _("Join with a code")),
                ]
            ),
        )

    async def _buttons_then_home(self, ctx: Context) -> None:
        """A message instead of Yes or No to leaving: the page again, as it always was."""
        ctx.say(_("Please answer with the buttons."))
        await self._show_home(ctx)

    async def _on_register(self, ctx: Context) -> None:
        ctx.state["mode"] = "register"
        await self.show(ctx, "a_name")

    async def _on_join(self, ctx: Context) -> None:
        ctx.state["mode"] = "join"
        await self.show(ctx, "j_code")
