"""Volunteering: sign up (name, phone, district, skills, availability, languages, consent),
see and edit one's profile, stop volunteering, come back.

Started from the menu, with /volunteer, or by the needs survey when a resident says they
would help: ``ctx.start("volunteer", district="thala")`` skips the district question.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.conversations.contact_details import ask_phone, multi_select, phone_from_event, read_name
from bot.engine.context import Context
from bot.engine.conversation import Conversation
from bot.engine.events import EventKind
from bot.engine.keyboards import column
from bot.engine.registry import Command, MenuEntry, Registry
from bot.engine.replies import Buttons
from core.i18n import N_, _, current_language
from core.textinput import clean_text
from storage import people, reference, volunteers

DAY_LABELS = {
    "mon": N_("Monday"),
    "tue": N_("Tuesday"),
    "wed": N_("Wednesday"),
    "thu": N_("Thursday"),
    "fri": N_("Friday"),
    "sat": N_("Saturday"),
    "sun": N_("Sunday"),
}
TIME_LABELS = {"morning": N_("Mornings"), "afternoon": N_("Afternoons"), "evening": N_("Evenings")}
LANGUAGE_LABELS = {
    "ar": N_("Arabic"),
    "fr": N_("French"),
    "en": N_("English"),
    "ber": N_("Tamazight"),
}
# The multiple-choice questions after the skills: state key -> the labels of its options.
CHOICES = {"days": DAY_LABELS, "times": TIME_LABELS, "langs": LANGUAGE_LABELS}
SIGNUP_ORDER = ("name", "phone", "district", "skills", "days", "times", "langs", "consent")
EDITABLE = {
    "name": N_("Name"),
    "phone": N_("Phone"),
    "district": N_("District"),
    "skills": N_("Skills"),
    "days": N_("Days"),
    "times": N_("Times of day"),
    "langs": N_("Languages"),
}


def _join(items: list[str]) -> str:
    return ("، " if current_language() == "ar" else ", ").join(items) or "—"


def _labels(codes: list[str], labels: dict[str, str]) -> str:
    return _join([_(labels[c]) for c in labels if c in codes])


class Volunteer(Conversation):
    name = "volunteer"
    resumable = True

    # --- entering -----------------------------------------------------------------------------
    async def begin(self, ctx: Context, **kwargs: Any) -> None:
        async with ctx.reader() as s:
            existing = await volunteers.get_volunteer(s, ctx.user_id)
            skills = await volunteers.skills_of(s, existing.id) if existing else []
            districts = {d.code for d in await reference.list_districts(s)}
        if existing is not None:
            ctx.state.update(
                mode="profile",
                name=existing.full_name,
                phone=existing.phone,
                district=existing.district_code,
                skills=skills,
                other=existing.other_skills,
                days=list(existing.days),
                times=list(existing.times),
                langs=list(existing.languages),
                active=existing.active,
            )
            await self._show_profile(ctx)
            return
        ctx.state.update(mode="signup", skills=[], other="", days=[], times=[], langs=[])
        district = kwargs.get("district")
        if district in districts:
            ctx.state.update(district=district, district_given=True)
        ctx.say(
            _(
                "Thank you for wanting to volunteer in your community! I will ask you a few "
                "short questions (about two minutes). You can stop at any time with /cancel."
            )
        )
        await self._ask(ctx, "name")

    async def resume(self, ctx: Context) -> None:
        if ctx.step in ("profile", "stop", ""):
            await self._show_profile(ctx)
        else:
            await self._ask(ctx, ctx.step)

    # --- the questions ------------------------------------------------------------------------
    async def _ask(self, ctx: Context, step: str) -> None:
        ctx.step = step
        if step == "name":
            ctx.say(_("What is your full name?"), remove_keyboard=True)
        elif step == "phone":
            ask_phone(ctx, _("What phone number can the programme call you on?"))
        elif step == "district":
            async with ctx.reader() as s:
                districts = await reference.list_districts(s)
            lang = current_language()
            ctx.say(
                _("Which district do you live in?"),
                column([ctx.button(d.name(lang), "d", d.code) for d in districts]),
            )
        elif step == "skills":
            ctx.say(_skills_question(), await self._skills_buttons(ctx))
        elif step == "other":
            ctx.say(_("Type your other skills in a few words (for example: sewing, plumbing)."))
        elif step in CHOICES:
            ctx.say(_choice_question(step), self._choice_buttons(ctx, step))
        elif step == "consent":
            ctx.say(
                await self._summary(ctx)
                + "\n\n"
                + _(
                    "Programme staff will see these details to contact you about volunteering "
                    "opportunities. They are never published. You can see them with /mydata "
                    "and erase them with /delete. Do you agree?"
                ),
                [[ctx.button(_("I agree, save"), "agree"), ctx.button(_("No, cancel"), "no")]],
            )

    async def _next(self, ctx: Context, done: str) -> None:
        """After answering ``done``: the next sign-up question, or (when editing) save."""
        if ctx.state.get("mode") != "signup":
            await self._save(ctx)
            ctx.state["mode"] = "profile"
            await self._show_profile(ctx, saved=True)
            return
        following = SIGNUP_ORDER[SIGNUP_ORDER.index(done) + 1 :]
        for step in following:
            if step == "district" and ctx.state.get("district_given"):
                continue
            await self._ask(ctx, step)
            return

    # --- typed answers ------------------------------------------------------------------------
    async def on_message(self, ctx: Context) -> None:
        step, kind = ctx.step, ctx.event.kind
        if step == "phone":
            phone = phone_from_event(ctx)
            if phone is not None:
                ctx.state["phone"] = phone
                ctx.say(f"✅ {phone}", remove_keyboard=True)
                await self._next(ctx, "phone")
            return
        if step in ("name", "other", "skills") and kind != EventKind.TEXT:
            ctx.say(_("Please type your answer as a text message."))
            return
        if step == "name":
            name = read_name(ctx.event.text)
            if name is None:
                ctx.say(_("Please type your full name in letters (first name and family name)."))
                return
            ctx.state["name"] = name
            await self._next(ctx, "name")
        elif step in ("other", "skills"):
            await self._on_other_skills(ctx)
        elif step in ("profile", "stop"):
            await self._show_profile(ctx)
        else:  # a question answered with buttons: ask it again, with buttons that work
            ctx.say(_("Please answer with the buttons."))
            await self._ask(ctx, step)

    async def _on_other_skills(self, ctx: Context) -> None:
        other = clean_text(ctx.event.text, volunteers.MAX_OTHER_SKILLS_CHARS)
        if other is None or len(other) < 2:
            ctx.say(
                _(
                    "Please describe your other skills in a few words (up to {n} characters)."
                ).format(n=volunteers.MAX_OTHER_SKILLS_CHARS)
            )
            return
        ctx.state["other"] = other
        await self._ask(ctx, "skills")

    # --- buttons ------------------------------------------------------------------------------
    async def on_button(self, ctx: Context, action: str, args: tuple[str, ...]) -> None:
        step = ctx.step
        arg = args[0] if args else ""
        if step == "district" and action == "d":
            await self._on_district(ctx, arg)
        elif step == "skills" and action == "sk":
            await self._toggle(ctx, "skills", arg, {s.code for s in await self._skills(ctx)})
        elif step == "skills" and action == "oth":
            await self._ask(ctx, "other")
        elif step == "skills" and action == "done":
            if not ctx.state.get("skills") and not ctx.state.get("other"):
                ctx.toast(_("Please choose at least one skill, or type another one."), alert=True)
                ctx.edit(_skills_question(), await self._skills_buttons(ctx))  # fresh buttons
                return
            await self._next(ctx, "skills")
        elif step in CHOICES and action == "ch":
            await self._toggle(ctx, step, arg, set(CHOICES[step]))
        elif step in CHOICES and action == "done":
            if not ctx.state.get(step):
                ctx.toast(_("Please choose at least one option."), alert=True)
                ctx.edit(_choice_question(step), self._choice_buttons(ctx, step))
                return
            await self._next(ctx, step)
        elif step == "consent" and action == "agree":
            await self._save(ctx)
            ctx.state["mode"] = "profile"
            ctx.edit(
                _(
                    "Thank you! You are now registered as a volunteer. The programme team will "
                    "contact you when an opportunity matches your skills and your time."
                )
            )
            ctx.finish()
        elif step == "consent" and action == "no":
            ctx.finish()
            ctx.edit(_("Nothing was saved. You can sign up whenever you like with /volunteer."))
        elif step == "profile":
            await self._on_profile_button(ctx, action, arg)
        elif step == "stop" and action == "stopy":
            await self._stop(ctx)
        elif step == "stop" and action == "stopn":
            await self._show_profile(ctx)
        else:
            await super().on_button(ctx, action, args)

    async def _on_district(self, ctx: Context, code: str) -> None:
        async with ctx.reader() as s:
            districts = {d.code: d for d in await reference.list_districts(s)}
        if code not in districts:
            ctx.toast(_("This district is not in the list any more. Please choose again."))
            await self._ask(ctx, "district")
            return
        ctx.state["district"] = code
        ctx.edit(_("District: {name}").format(name=districts[code].name(current_language())))
        await self._next(ctx, "district")

    async def _toggle(self, ctx: Context, key: str, code: str, allowed: set[str]) -> None:
        if code not in allowed:
            ctx.toast(_("This option is no longer available."))
            return
        chosen: list[str] = list(ctx.state.get(key) or [])
        if code in chosen:
            chosen.remove(code)
        else:
            chosen.append(code)
        ctx.state[key] = chosen
        if key == "skills":
            ctx.edit(_skills_question(), await self._skills_buttons(ctx))
        else:
            ctx.edit(_choice_question(key), self._choice_buttons(ctx, key))

    # --- drawing the choices ------------------------------------------------------------------
    async def _skills(self, ctx: Context) -> list[volunteers.Skill]:
        async with ctx.reader() as s:
            return await volunteers.list_skills(s)

    async def _skills_buttons(self, ctx: Context) -> Buttons:
        lang = current_language()
        options = [(s.code, s.name(lang)) for s in await self._skills(ctx)]
        other = ctx.state.get("other") or ""
        other_label = (
            _("✏️ Other: {skills}").format(skills=other[:30]) if other else _("✏️ Other skills")
        )
        return multi_select(
            ctx,
            options,
            ctx.state.get("skills") or [],
            "sk",
            extra=[ctx.button(other_label, "oth"), ctx.button(_("Done ✔"), "done")],
        )

    def _choice_buttons(self, ctx: Context, key: str) -> Buttons:
        options = [(code, _(label)) for code, label in CHOICES[key].items()]
        return multi_select(
            ctx,
            options,
            ctx.state.get(key) or [],
            "ch",
            extra=[ctx.button(_("Done ✔"), "done")],
            per_row=3 if key == "times" else 2,
        )

    # --- profile ------------------------------------------------------------------------------
    async def _summary(self, ctx: Context) -> str:
        lang = current_language()
        async with ctx.reader() as s:
            skills = {x.code: x.name(lang) for x in await volunteers.list_skills(s)}
            district = (
                await s.get(reference.District, ctx.state["district"])
                if ctx.state.get("district")
                else None
            )
        chosen = [skills[c] for c in ctx.state.get("skills") or [] if c in skills]
        if ctx.state.get("other"):
            chosen.append(str(ctx.state["other"]))
        rows = [
            (_("Name"), str(ctx.state.get("name", ""))),
            (_("Phone"), str(ctx.state.get("phone", ""))),
            (_("District"), district.name(lang) if district else "—"),
            (_("Skills"), _join(chosen)),
            (_("Days"), _labels(ctx.state.get("days") or [], DAY_LABELS)),
            (_("Times of day"), _labels(ctx.state.get("times") or [], TIME_LABELS)),
            (_("Languages"), _labels(ctx.state.get("langs") or [], LANGUAGE_LABELS)),
        ]
        return "\n".join(f"• {label}: {value}" for label, value in rows)

    async def _show_profile(self, ctx: Context, saved: bool = False) -> None:
        ctx.step = "profile"
        active = bool(ctx.state.get("active", True))
        head = _("Your volunteer profile") if active else _("Your volunteer profile (paused)")
        text = f"🙋 {head}\n\n{await self._summary(ctx)}"
        if saved:
            text = _("Saved.") + "\n\n" + text
        buttons = [
            ctx.button(_("Change: {field}").format(field=_(label)), "edit", field)
            for field, label in EDITABLE.items()
        ]
        if active:
            buttons.append(ctx.button(_("Stop volunteering"), "stop"))
        else:
            buttons.append(ctx.button(_("Volunteer again"), "again"))
        ctx.say(text, [buttons[i : i + 2] for i in range(0, len(buttons), 2)])

    async def _on_profile_button(self, ctx: Context, action: str, field: str) -> None:
        if action == "edit" and field in EDITABLE:
            ctx.state["mode"] = "edit"
            await self._ask(ctx, field)
        elif action == "stop":
            ctx.step = "stop"
            ctx.say(
                _("Stop volunteering? The programme will no longer contact you about it."),
                [
                    [
                        ctx.button(_("Yes, stop"), "stopy"),
                        ctx.button(_("No, keep volunteering"), "stopn"),
                    ]
                ],
            )
        elif action == "again":
            await self._save(ctx)
            ctx.state["active"] = True
            await self._show_profile(ctx, saved=True)
        else:
            ctx.stale_button()

    async def _stop(self, ctx: Context) -> None:
        async with ctx.transaction() as s:
            await volunteers.stop_volunteering(s, ctx.user_id, ctx.services.clock.now())
        ctx.finish()
        ctx.edit(
            _(
                "You are no longer listed as a volunteer. Thank you for your help! Your details "
                "are kept so that you can come back with /volunteer; /delete erases them."
            )
        )

    async def _save(self, ctx: Context) -> None:
        state = ctx.state
        async with ctx.transaction() as s:
            await _ensure_user(s, ctx)
            await volunteers.save_volunteer(
                s,
                telegram_id=ctx.user_id,
                full_name=str(state.get("name", "")),
                phone=str(state.get("phone", "")),
                district_code=state.get("district"),
                skills=list(state.get("skills") or []),
                other_skills=str(state.get("other") or ""),
                days=list(state.get("days") or []),
                times=list(state.get("times") or []),
                languages=list(state.get("langs") or []),
                now=ctx.services.clock.now(),
            )
        state["active"] = True


async def _ensure_user(s: AsyncSession, ctx: Context) -> None:
    await people.ensure_user(
        s, ctx.user_id, first_name=ctx.event.first_name, username=ctx.event.username
    )


def _skills_question() -> str:
    return _(
        "What can you help with? Tap every skill that applies, then press Done. "
        "You can also type other skills."
    )


def _choice_question(key: str) -> str:
    return {
        "days": _("Which days are you usually free? Tap all that apply, then press Done."),
        "times": _("At what times of day? Tap all that apply, then press Done."),
        "langs": _("Which languages do you speak? Tap all that apply, then press Done."),
    }[key]


async def volunteer_command(ctx: Context) -> None:
    await ctx.start("volunteer")


async def export_volunteer(s: AsyncSession, telegram_id: int) -> dict[str, Any]:
    return await volunteers.export_person(s, telegram_id)


async def erase_volunteer(s: AsyncSession, telegram_id: int, now: datetime) -> None:
    await volunteers.erase_person(s, telegram_id)


def register(registry: Registry) -> None:
    registry.add_conversation(Volunteer())
    registry.add_command(Command("volunteer", volunteer_command, N_("Volunteer in your community")))
    registry.add_menu_entry(MenuEntry("volunteer", N_("Volunteer"), volunteer_command, order=40))
    registry.add_personal_data("volunteers", export_volunteer, erase_volunteer)
