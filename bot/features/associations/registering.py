"""Registering an association (its name, district, field of work, size), and the person
questions both ways in share (name and phone): the one who registers becomes the coordinator."""

from __future__ import annotations

from bot.engine.context import Context
from bot.engine.keyboards import column
from bot.engine.widgets import ask_phone, phone_from_event
from bot.features.associations import actions
from bot.features.associations.parts import AssociationParts
from bot.features.associations.texts import district_name
from core.formatting import format_number
from core.i18n import _, current_language
from core.textinput import clean_text, normalize_digits, parse_int, read_name
from storage import associations, people, reference
from storage.associations import FIELD_LABELS, field_label

ASSOCIATION_NAME_MAX = 150


class RegisterSteps(AssociationParts):
    """The ``a_*`` and ``p_*`` steps of the association flow."""

    async def _ask_name(self, ctx: Context) -> None:
        ctx.say(_("What is the full name of your association?"), remove_keyboard=True)

    async def _on_name(self, ctx: Context) -> None:
        name = clean_text(ctx.event.text, ASSOCIATION_NAME_MAX)
        if name is None or len(name) < 3 or normalize_digits(name).isdigit():
            ctx.say(
                _("Please type the association's name (3 to {n} characters).").format(
                    n=format_number(ASSOCIATION_NAME_MAX)
                )
            )
            return
        ctx.state["a_name"] = name
        await self.show(ctx, "a_district")

    async def _ask_district(self, ctx: Context) -> None:
        async with ctx.reader() as s:
            districts = await reference.list_districts(s)
        lang = current_language()
        ctx.say(
            _("In which district is it based?"),
            column([actions.DISTRICT.button(ctx, d.name(lang), code=d.code) for d in districts]),
        )

    async def _on_district(self, ctx: Context, code: str) -> None:
        async with ctx.reader() as s:
            known = {d.code for d in await reference.list_districts(s)}
        if code not in known:
            await self.show(ctx, "a_district")
            return
        ctx.state["a_district"] = code
        await self.show(ctx, "a_field")

    async def _ask_field(self, ctx: Context) -> None:
        ctx.say(
            _("What is its main field of work?"),
            column(
                [
                    actions.FIELD.button(ctx, _(label), code=code)
                    for code, label in FIELD_LABELS.items()
                ]
            ),
        )

    async def _on_field(self, ctx: Context, code: str) -> None:
        if code not in FIELD_LABELS:
            ctx.stale_button()
            return
        ctx.state["a_field"] = code
        await self.show(ctx, "a_size")

    async def _ask_size(self, ctx: Context) -> None:
        ctx.say(_("How many members does it have (including volunteers)? Type a number."))

    async def _on_size(self, ctx: Context) -> None:
        size = parse_int(ctx.event.text)
        if size is None or not 1 <= size <= associations.MAX_MEMBERS_COUNT:
            ctx.say(_("Please type the number of members as digits, for example 25."))
            return
        ctx.state["a_size"] = size
        await self.show(ctx, "p_name")

    # --- the person (registering or joining) ----------------------------------------------
    async def _ask_person_name(self, ctx: Context) -> None:
        ctx.say(_("What is your full name?"), remove_keyboard=True)

    async def _on_person_name(self, ctx: Context) -> None:
        name = read_name(ctx.event.text)
        if name is None:
            ctx.say(_("Please type your full name in letters (first name and family name)."))
            return
        ctx.state["p_name"] = name
        await self.show(ctx, "p_phone")

    async def _ask_person_phone(self, ctx: Context) -> None:
        ask_phone(ctx, _("What phone number can your association and the programme reach you on?"))

    async def _on_person_phone(self, ctx: Context) -> None:
        phone = phone_from_event(ctx)
        if phone is None:
            return
        ctx.state["p_phone"] = phone
        ctx.say(f"✅ {phone}", remove_keyboard=True)
        if ctx.state.get("mode") == "register":
            await self.show(ctx, "a_confirm")
        else:
            await self._join(ctx)

    # --- confirming -----------------------------------------------------------------------
    async def _confirm_registration(self, ctx: Context) -> None:
        state = ctx.state
        async with ctx.reader() as s:
            district = await district_name(s, state.get("a_district"))
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
            [
                [
                    actions.CONFIRM.button(ctx, _("Register")),
                    actions.CANCEL.button(ctx, _("Cancel")),
                ]
            ],
        )

    async def _on_cancel(self, ctx: Context) -> None:
        self.end(ctx)
        ctx.edit(_("Nothing was saved. Send /association whenever you are ready."))

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
            self.end(ctx)
            ctx.edit(
                _(
                    "An association with this name is already registered in this district. "
                    "Please ask its coordinator for the join code, then send /join followed "
                    "by the code."
                )
            )
            return
        except associations.AlreadyMember:
            self.end(ctx)
            ctx.edit(_("You already belong to an association. Send /association to see it."))
            return
        ctx.edit(
            _(
                "«{name}» is registered and you are its coordinator. To add members, give "
                "them this code: {code}. They send /join {code} to the bot."
            ).format(name=association.name, code=association.join_code)
        )
        await self._show_home(ctx)
