"""The association's page: what it is, one's role, the capacity self-assessment; for the
coordinator its members (names and phones: personal data, shown only to the association's
coordinator and to programme staff), a new join code, removing a member, handing the
coordination over; leaving."""

from __future__ import annotations

from bot.engine.context import Context
from bot.engine.keyboards import column
from bot.engine.replies import Button
from bot.features.associations import actions
from bot.features.associations.parts import AssociationParts
from bot.features.associations.results import show_latest_results
from bot.features.associations.texts import district_name, tell
from core.formatting import format_day, format_number
from core.i18n import N_, _
from storage import associations
from storage.associations import field_label, role_label

PICK_QUESTIONS = {
    "rm": N_("Who should be removed from the association?"),
    "ho": N_("Who should become the coordinator? You will stay a member."),
}


class HomeSteps(AssociationParts):
    """The ``home``, ``members``, ``pick`` and ``confirm_leave`` steps."""

    async def _show_home(self, ctx: Context) -> None:
        await self.show(ctx, "home")

    async def _draw_home(self, ctx: Context) -> None:
        async with ctx.reader() as s:
            found = await associations.association_of(s, ctx.user_id)
            if found is None:
                self.end(ctx)
                ctx.say(_("You are no longer part of an association. Send /association."))
                return
            association, membership = found
            district = await district_name(s, association.district_code)
            on_bot = await associations.member_count(s, association.id)
            latest = await associations.latest_assessment(s, association.id)
        for key in [k for k in ctx.state if k.startswith(("a_", "p_", "j"))]:
            ctx.state.pop(key)  # answers given on the way are saved; no need to keep them
        ctx.state["mode"] = "home"
        lines = [
            f"🏢 {association.name}",
            f"📍 {district} · {field_label(association.field_code)}",
            _("Members: {count} (on Musharaka: {on_bot})").format(
                count=format_number(association.members_count), on_bot=format_number(on_bot)
            ),
            _("Your role: {role}").format(role=role_label(membership.role)),
        ]
        if latest is not None:
            lines.append(
                _("Last capacity self-assessment: {day}").format(
                    day=format_day(latest[0].completed_at.date(), with_hijri=False)
                )
            )
        buttons: list[Button] = []
        if membership.role == associations.COORDINATOR:
            lines.append(
                _("Join code for your members: {code} (they send /join {code})").format(
                    code=association.join_code
                )
            )
            buttons += [
                actions.MEMBERS.button(ctx, _("Members")),
                actions.NEW_CODE.button(ctx, _("New join code")),
            ]
        buttons.append(actions.ASSESS.button(ctx, _("Capacity self-assessment")))
        if latest is not None:
            buttons.append(actions.RESULTS.button(ctx, _("Latest results")))
        buttons.append(actions.LEAVE.button(ctx, _("Leave the association")))
        ctx.say("\n".join(lines), column(buttons))

    async def _on_assess(self, ctx: Context) -> None:
        await ctx.start("capacity_assessment")

    async def _on_results(self, ctx: Context) -> None:
        await show_latest_results(ctx)

    async def _on_leave(self, ctx: Context) -> None:
        await self.show(ctx, "confirm_leave")

    async def _ask_leave(self, ctx: Context) -> None:
        ctx.say(
            _("Leave the association? Its coordinator will no longer see you as a member."),
            [
                [
                    actions.LEAVE_YES.button(ctx, _("Yes, leave")),
                    actions.STAY.button(ctx, _("No, stay")),
                ]
            ],
        )

    async def _leave(self, ctx: Context) -> None:
        async with ctx.transaction() as s:
            left = await associations.leave(s, ctx.user_id)
        if not left:
            ctx.edit(
                _(
                    "As coordinator, please hand the coordination over to another member "
                    "before you leave (Members → Hand over coordination)."
                )
            )
            await self._show_home(ctx)
            return
        self.end(ctx)
        ctx.edit(_("You have left the association."))

    # --- the coordinator's screens ---------------------------------------------------------
    async def _on_members(self, ctx: Context) -> None:
        if await self._coordinated(ctx) is not None:
            await self.show(ctx, "members")

    async def _coordinated(self, ctx: Context) -> int | None:
        """The id of the association the user coordinates, or None (and a toast)."""
        async with ctx.reader() as s:
            membership = await associations.membership_of(s, ctx.user_id)
        if membership is None or membership.role != associations.COORDINATOR:
            ctx.toast(_("Only the association's coordinator can see its members."))
            return None
        return membership.association_id

    async def _draw_members(self, ctx: Context) -> None:
        async with ctx.reader() as s:
            found = await associations.association_of(s, ctx.user_id)
            if found is None or found[1].role != associations.COORDINATOR:
                await self._show_home(ctx)
                return
            members = await associations.members(s, found[0].id)
        lines = [_("Members of «{name}» on Musharaka:").format(name=found[0].name), ""]
        for n, member in enumerate(members, start=1):
            lines.append(
                f"{format_number(n)}. {member.full_name} — {member.phone}"
                f" ({role_label(member.role)})"
            )
        buttons = [self.back_button(ctx)]
        if len(members) > 1:
            buttons[:0] = [
                actions.REMOVE.button(ctx, _("Remove a member")),
                actions.HAND_OVER.button(ctx, _("Hand over coordination")),
            ]
        ctx.say("\n".join(lines), column(buttons))

    async def _pick(self, ctx: Context, what: str) -> None:
        async with ctx.reader() as s:
            found = await associations.association_of(s, ctx.user_id)
        if found is None or found[1].role != associations.COORDINATOR:
            ctx.toast(_("Only the association's coordinator can do this."))
            return
        ctx.state["pick"] = what
        await self.show(ctx, "pick")

    async def _on_remove(self, ctx: Context) -> None:
        await self._pick(ctx, "rm")

    async def _on_hand_over(self, ctx: Context) -> None:
        await self._pick(ctx, "ho")

    async def _draw_pick(self, ctx: Context) -> None:
        what = str(ctx.state.get("pick", "rm"))
        async with ctx.reader() as s:
            found = await associations.association_of(s, ctx.user_id)
            if found is None or found[1].role != associations.COORDINATOR:
                await self._show_home(ctx)
                return
            others = [m for m in await associations.members(s, found[0].id) if m.id != found[1].id]
        action = actions.REMOVE_MEMBER if what == "rm" else actions.HAND_OVER_TO
        buttons = [action.button(ctx, m.full_name[:40], id=m.id) for m in others[:50]]
        ctx.say(_(PICK_QUESTIONS[what]), column([*buttons, self.back_button(ctx)]))

    async def _on_member_removed(self, ctx: Context, id: int) -> None:
        await self._act_on_member(ctx, "rm", id)

    async def _on_member_chosen(self, ctx: Context, id: int) -> None:
        await self._act_on_member(ctx, "ho", id)

    async def _act_on_member(self, ctx: Context, what: str, membership_id: int) -> None:
        if what != ctx.state.get("pick"):
            ctx.stale_button()
            return
        async with ctx.transaction() as s:
            found = await associations.association_of(s, ctx.user_id)
            if what == "rm":
                removed = await associations.remove_member(
                    s, coordinator_id=ctx.user_id, membership_id=membership_id
                )
                target_id = removed.telegram_id if removed else None
                done = removed is not None
            else:
                target = await s.get(associations.Membership, membership_id)
                target_id = target.telegram_id if target else None
                done = await associations.hand_over(
                    s, coordinator_id=ctx.user_id, membership_id=membership_id
                )
        if not done or found is None or target_id is None:
            ctx.toast(_("This is no longer possible."))
            await self._show_home(ctx)
            return
        name = found[0].name
        if what == "rm":
            ctx.edit(_("Done: this member was removed."))
            await tell(
                ctx,
                target_id,
                N_("You were removed from «{association}» by its coordinator."),
                association=name,
            )
        else:
            ctx.edit(_("Done: you handed the coordination over. You remain a member."))
            await tell(
                ctx,
                target_id,
                N_("You are now the coordinator of «{association}» on Musharaka."),
                association=name,
            )
        await self._show_home(ctx)

    async def _new_code(self, ctx: Context) -> None:
        async with ctx.transaction() as s:
            membership = await associations.membership_of(s, ctx.user_id)
            if membership is None or membership.role != associations.COORDINATOR:
                ctx.toast(_("Only the association's coordinator can do this."))
                return
            code = await associations.new_code(s, membership.association_id)
        ctx.say(_("New join code: {code}. The old code no longer works.").format(code=code))
        await self._show_home(ctx)
