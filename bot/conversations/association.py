"""Associations in the chat: register one's association (becoming its coordinator), join
one with the code its coordinator gives (``/join 123456``), see it, leave it.

The coordinator sees the members (names and phones: personal data, shown only to the
association's coordinator and to programme staff), gets a new join code when the old one
has leaked, removes a member, hands the coordination over, and starts the capacity
self-assessment.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine import payloads
from bot.engine.context import Context
from bot.engine.conversation import Conversation
from bot.engine.events import EventKind
from bot.engine.keyboards import column
from bot.engine.lockouts import Lockout
from bot.engine.registry import Command, MenuEntry, Registry
from bot.engine.replies import Button, Text
from bot.engine.widgets import ask_phone, phone_from_event
from core.formatting import format_day, format_number
from core.i18n import N_, _, current_language, use_language
from core.textinput import clean_text, normalize_digits, parse_int, read_name
from storage import associations, people, reference, throttles

FIELD_LABELS = {
    "social": N_("Social action"),
    "education": N_("Education"),
    "health": N_("Health"),
    "youth": N_("Youth"),
    "women": N_("Women's rights and empowerment"),
    "children": N_("Childhood"),
    "disability": N_("Disability"),
    "environment": N_("Environment"),
    "culture": N_("Culture and heritage"),
    "rural_development": N_("Local and rural development"),
    "rights": N_("Citizenship and human rights"),
    "other": N_("Other"),
}
ASSOCIATION_NAME_MAX = 150
# Wrong join codes: 5 per quarter of an hour (bot.engine.lockouts: /delete does not reset it).
JOIN_LOCKOUT = Lockout("join_code", throttles.Limit(failures=5, window=timedelta(minutes=15)))


def field_label(code: str) -> str:
    return _(FIELD_LABELS.get(code, FIELD_LABELS["other"]))


def role_label(role: str) -> str:
    return _("coordinator") if role == associations.COORDINATOR else _("member")


async def _district_name(s: AsyncSession, code: str | None) -> str:
    district = await s.get(reference.District, code) if code else None
    return district.name(current_language()) if district else "—"


def _int_arg(args: tuple[str, ...]) -> int | None:
    return payloads.int_arg(args)


class AssociationFlow(Conversation):
    name = "association"
    resumable = True

    # --- entering -----------------------------------------------------------------------------
    async def begin(self, ctx: Context, **kwargs: Any) -> None:
        code = kwargs.get("code")
        async with ctx.reader() as s:
            found = await associations.association_of(s, ctx.user_id)
        if found is not None:
            await self._show_home(ctx)
            return
        if code:
            ctx.state["mode"] = "join"
            await self._on_code(ctx, str(code))
            return
        if kwargs.get("join"):
            ctx.state["mode"] = "join"
            await self._ask(ctx, "j_code")
            return
        ctx.step = "start"
        ctx.say(
            _(
                "You are not part of an association on Musharaka yet. Register your "
                "association (you become its coordinator), or join it with the code its "
                "coordinator gives you."
            ),
            column(
                [
                    ctx.button(_("Register my association"), "reg"),
                    ctx.button(_("Join with a code"), "join"),
                ]
            ),
        )

    async def resume(self, ctx: Context) -> None:
        await self._ask(ctx, ctx.step)

    async def _ask(self, ctx: Context, step: str) -> None:
        """Ask (again) the question of ``step``."""
        ctx.step = step
        if step == "a_name":
            ctx.say(_("What is the full name of your association?"), remove_keyboard=True)
        elif step == "a_district":
            async with ctx.reader() as s:
                districts = await reference.list_districts(s)
            lang = current_language()
            ctx.say(
                _("In which district is it based?"),
                column([ctx.button(d.name(lang), "d", d.code) for d in districts]),
            )
        elif step == "a_field":
            ctx.say(
                _("What is its main field of work?"),
                column([ctx.button(_(label), "f", code) for code, label in FIELD_LABELS.items()]),
            )
        elif step == "a_size":
            ctx.say(_("How many members does it have (including volunteers)? Type a number."))
        elif step == "j_code":
            ctx.say(_("Type the join code your association's coordinator gave you (6 digits)."))
        elif step == "p_name":
            ctx.say(_("What is your full name?"), remove_keyboard=True)
        elif step == "p_phone":
            ask_phone(
                ctx, _("What phone number can your association and the programme reach you on?")
            )
        elif step == "a_confirm":
            await self._confirm_registration(ctx)
        elif step == "j_confirm":
            await self._confirm_join(ctx)
        else:
            await self.begin(ctx)

    # --- typed answers ------------------------------------------------------------------------
    async def on_message(self, ctx: Context) -> None:
        step = ctx.step
        if step == "p_phone":
            phone = phone_from_event(ctx)
            if phone is not None:
                ctx.state["p_phone"] = phone
                ctx.say(f"✅ {phone}", remove_keyboard=True)
                await self._after_person(ctx)
            return
        typed = ctx.event.kind == EventKind.TEXT
        if step in ("a_name", "a_size", "j_code", "p_name") and not typed:
            ctx.say(_("Please type your answer as a text message."))
            return
        if step == "a_name":
            name = clean_text(ctx.event.text, ASSOCIATION_NAME_MAX)
            if name is None or len(name) < 3 or normalize_digits(name).isdigit():
                ctx.say(
                    _("Please type the association's name (3 to {n} characters).").format(
                        n=format_number(ASSOCIATION_NAME_MAX)
                    )
                )
                return
            ctx.state["a_name"] = name
            await self._ask(ctx, "a_district")
        elif step == "a_size":
            size = parse_int(ctx.event.text)
            if size is None or not 1 <= size <= associations.MAX_MEMBERS_COUNT:
                ctx.say(_("Please type the number of members as digits, for example 25."))
                return
            ctx.state["a_size"] = size
            await self._ask(ctx, "p_name")
        elif step == "j_code":
            await self._on_code(ctx, ctx.event.text)
        elif step == "p_name":
            name = read_name(ctx.event.text)
            if name is None:
                ctx.say(_("Please type your full name in letters (first name and family name)."))
                return
            ctx.state["p_name"] = name
            await self._ask(ctx, "p_phone")
        elif step in ("home", "members", "pick"):
            await self._show_home(ctx)
        else:  # a question with buttons: ask it again, with buttons that work
            ctx.say(_("Please answer with the buttons."))
            await self._ask(ctx, step)

    # --- buttons ------------------------------------------------------------------------------
    async def on_button(self, ctx: Context, action: str, args: tuple[str, ...]) -> None:
        step, arg = ctx.step, (args[0] if args else "")
        if step == "start" and action == "reg":
            ctx.state["mode"] = "register"
            await self._ask(ctx, "a_name")
        elif step == "start" and action == "join":
            ctx.state["mode"] = "join"
            await self._ask(ctx, "j_code")
        elif step == "a_district" and action == "d":
            async with ctx.reader() as s:
                known = {d.code for d in await reference.list_districts(s)}
            if arg not in known:
                await self._ask(ctx, "a_district")
                return
            ctx.state["a_district"] = arg
            await self._ask(ctx, "a_field")
        elif step == "a_field" and action == "f" and arg in FIELD_LABELS:
            ctx.state["a_field"] = arg
            await self._ask(ctx, "a_size")
        elif step == "a_confirm" and action == "ok":
            await self._register(ctx)
        elif step == "j_confirm" and action == "ok":
            await self._ask(ctx, "p_name")
        elif step in ("a_confirm", "j_confirm") and action == "no":
            ctx.finish()
            ctx.edit(_("Nothing was saved. Send /association whenever you are ready."))
        elif step in ("home", "members", "pick", "confirm_leave"):
            await self._on_home_button(ctx, action, args)
        else:
            await super().on_button(ctx, action, args)

    # --- registering --------------------------------------------------------------------------
    async def _after_person(self, ctx: Context) -> None:
        if ctx.state.get("mode") == "register":
            await self._ask(ctx, "a_confirm")
        else:
            await self._join(ctx)

    async def _confirm_registration(self, ctx: Context) -> None:
        state = ctx.state
        async with ctx.reader() as s:
            district = await _district_name(s, state.get("a_district"))
        rows = [
            (_("Association"), str(state.get("a_name"))),
            (_("District"), district),
            (_("Field of work"), field_label(str(state.get("a_field")))),
            (_("Members"), format_number(int(state.get("a_size", 0)))),
            (_("Coordinator"), f"{state.get('p_name')} — {state.get('p_phone')}"),
        ]
        lines = [_("Please check:"), *(f"• {label}: {value}" for label, value in rows)]
        ctx.say(
            "\n".join(lines),
            [[ctx.button(_("Register"), "ok"), ctx.button(_("Cancel"), "no")]],
        )

    async def _register(self, ctx: Context) -> None:
        state = ctx.state
        try:
            async with ctx.transaction() as s:
                await people.ensure_user(s, ctx.user_id, first_name=ctx.event.first_name)
                association = await associations.register_association(
                    s,
                    telegram_id=ctx.user_id,
                    name=str(state["a_name"]),
                    district_code=str(state["a_district"]),
                    field_code=str(state["a_field"]),
                    members_count=int(state["a_size"]),
                    full_name=str(state["p_name"]),
                    phone=str(state["p_phone"]),
                )
        except associations.DuplicateAssociation:
            ctx.finish()
            ctx.edit(
                _(
                    "An association with this name is already registered in this district. "
                    "Please ask its coordinator for the join code, then send /join followed "
                    "by the code."
                )
            )
            return
        except associations.AlreadyMember:
            ctx.finish()
            ctx.edit(_("You already belong to an association. Send /association to see it."))
            return
        ctx.edit(
            _(
                "«{name}» is registered and you are its coordinator. To add members, give "
                "them this code: {code}. They send /join {code} to the bot."
            ).format(name=association.name, code=association.join_code)
        )
        await self._show_home(ctx)

    # --- joining ------------------------------------------------------------------------------
    async def _on_code(self, ctx: Context, text: str) -> None:
        ctx.step = "j_code"
        if await JOIN_LOCKOUT.holds(ctx):
            ctx.finish()
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
        await self._ask(ctx, "j_confirm")

    async def _confirm_join(self, ctx: Context) -> None:
        async with ctx.reader() as s:
            association = await associations.get_association(s, int(ctx.state["join_id"]))
            district = await _district_name(s, association.district_code if association else None)
        if association is None:
            ctx.finish()
            ctx.say(_("This association is no longer on Musharaka."))
            return
        ctx.say(
            _("Join «{name}» ({district})?").format(name=association.name, district=district),
            [[ctx.button(_("Yes, join"), "ok"), ctx.button(_("Cancel"), "no")]],
        )

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
            ctx.finish()
            ctx.say(_("You already belong to an association. Send /association to see it."))
            return
        assert association is not None
        ctx.say(_("Welcome to «{name}»!").format(name=association.name))
        if coordinator is not None and coordinator.telegram_id != ctx.user_id:
            await _tell(
                ctx,
                coordinator.telegram_id,
                N_("{name} joined your association «{association}» on Musharaka."),
                name=str(state["p_name"]),
                association=association.name,
            )
        await self._show_home(ctx)

    # --- the association's page ---------------------------------------------------------------
    async def _show_home(self, ctx: Context) -> None:
        async with ctx.reader() as s:
            found = await associations.association_of(s, ctx.user_id)
            if found is None:
                ctx.finish()
                ctx.say(_("You are no longer part of an association. Send /association."))
                return
            association, membership = found
            district = await _district_name(s, association.district_code)
            on_bot = await associations.member_count(s, association.id)
            latest = await associations.latest_assessment(s, association.id)
        for key in [k for k in ctx.state if k.startswith(("a_", "p_", "j"))]:
            ctx.state.pop(key)  # answers given on the way are saved; no need to keep them
        ctx.state["mode"] = "home"
        ctx.step = "home"
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
                ctx.button(_("Members"), "members"),
                ctx.button(_("New join code"), "code"),
            ]
        buttons.append(ctx.button(_("Capacity self-assessment"), "assess"))
        if latest is not None:
            buttons.append(ctx.button(_("Latest results"), "results"))
        buttons.append(ctx.button(_("Leave the association"), "leave"))
        ctx.say("\n".join(lines), column(buttons))

    async def _on_home_button(self, ctx: Context, action: str, args: tuple[str, ...]) -> None:
        if action == "home":
            await self._show_home(ctx)
        elif action == "members":
            await self._show_members(ctx)
        elif action == "code":
            await self._new_code(ctx)
        elif action == "assess":
            await ctx.start("capacity_assessment")
        elif action == "results":
            from bot.conversations.capacity_assessment import show_latest_results

            await show_latest_results(ctx)
        elif action == "leave":
            ctx.step = "confirm_leave"
            ctx.say(
                _("Leave the association? Its coordinator will no longer see you as a member."),
                [[ctx.button(_("Yes, leave"), "lv"), ctx.button(_("No, stay"), "home")]],
            )
        elif action == "lv" and ctx.step == "confirm_leave":
            await self._leave(ctx)
        elif action in ("rm", "ho") and ctx.step == "members":
            await self._pick_member(ctx, action)
        elif action in ("rm", "ho") and ctx.step == "pick":
            await self._act_on_member(ctx, action, _int_arg(args))
        else:
            ctx.stale_button()

    async def _show_members(self, ctx: Context) -> None:
        async with ctx.reader() as s:
            found = await associations.association_of(s, ctx.user_id)
            if found is None or found[1].role != associations.COORDINATOR:
                ctx.toast(_("Only the association's coordinator can see its members."))
                return
            members = await associations.members(s, found[0].id)
        ctx.step = "members"
        lines = [_("Members of «{name}» on Musharaka:").format(name=found[0].name), ""]
        for n, member in enumerate(members, start=1):
            lines.append(
                f"{format_number(n)}. {member.full_name} — {member.phone}"
                f" ({role_label(member.role)})"
            )
        buttons = [ctx.button(_("« Back"), "home")]
        if len(members) > 1:
            buttons[:0] = [
                ctx.button(_("Remove a member"), "rm"),
                ctx.button(_("Hand over coordination"), "ho"),
            ]
        ctx.say("\n".join(lines), column(buttons))

    async def _pick_member(self, ctx: Context, action: str) -> None:
        async with ctx.reader() as s:
            found = await associations.association_of(s, ctx.user_id)
            if found is None or found[1].role != associations.COORDINATOR:
                ctx.toast(_("Only the association's coordinator can do this."))
                return
            others = [m for m in await associations.members(s, found[0].id) if m.id != found[1].id]
        ctx.step = "pick"
        question = (
            _("Who should be removed from the association?")
            if action == "rm"
            else _("Who should become the coordinator? You will stay a member.")
        )
        buttons = [ctx.button(m.full_name[:40], action, m.id) for m in others[:50]]
        ctx.say(question, column([*buttons, ctx.button(_("« Back"), "home")]))

    async def _act_on_member(self, ctx: Context, action: str, membership_id: int | None) -> None:
        if membership_id is None:
            ctx.stale_button()
            return
        async with ctx.transaction() as s:
            found = await associations.association_of(s, ctx.user_id)
            if action == "rm":
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
        if action == "rm":
            ctx.edit(_("Done: this member was removed."))
            await _tell(
                ctx,
                target_id,
                N_("You were removed from «{association}» by its coordinator."),
                association=name,
            )
        else:
            ctx.edit(_("Done: you handed the coordination over. You remain a member."))
            await _tell(
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

    async def _leave(self, ctx: Context) -> None:
        async with ctx.transaction() as s:
            left = await associations.leave(s, ctx.user_id)
        if not left:
            ctx.step = "home"
            ctx.edit(
                _(
                    "As coordinator, please hand the coordination over to another member "
                    "before you leave (Members → Hand over coordination)."
                )
            )
            await self._show_home(ctx)
            return
        ctx.finish()
        ctx.edit(_("You have left the association."))


async def _tell(ctx: Context, telegram_id: int, message: str, **values: str) -> None:
    """A short notice to another person, in their language."""
    async with ctx.reader() as s:
        user = await people.get_user(s, telegram_id)
    with use_language(user.language if user else ctx.services.settings.default_language):
        ctx.notify(telegram_id, Text(_(message).format(**values)))


async def association_command(ctx: Context) -> None:
    await ctx.start("association")


async def join_command(ctx: Context) -> None:
    code = ctx.event.args.strip()
    async with ctx.reader() as s:
        found = await associations.association_of(s, ctx.user_id)
    if found is not None:
        ctx.say(
            _("You already belong to «{name}». Send /association to see it.").format(
                name=found[0].name
            )
        )
        return
    if code:
        await ctx.start("association", code=code[:20], restart=True)
    else:
        await ctx.start("association", join=True, restart=True)


async def join_link(ctx: Context, rest: str) -> None:
    """``/start join_123456`` (a link the coordinator shares)."""
    await ctx.start("association", code=rest[:20], restart=True)


async def export_association(s: AsyncSession, telegram_id: int) -> dict[str, Any]:
    return await associations.export_person(s, telegram_id)


async def erase_association(s: AsyncSession, telegram_id: int, now: datetime) -> None:
    await associations.erase_person(s, telegram_id)


def register(registry: Registry) -> None:
    registry.add_conversation(AssociationFlow())
    registry.add_command(Command("association", association_command, N_("Your association")))
    registry.add_command(Command("join", join_command, N_("Join your association with its code")))
    registry.add_menu_entry(
        MenuEntry("association", N_("My association"), association_command, order=50)
    )
    registry.add_deep_link("join", join_link)
    registry.add_personal_data("associations", export_association, erase_association)
