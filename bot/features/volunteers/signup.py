"""Volunteering: sign up (name, phone, district, skills, availability, languages, consent),
see and edit one's profile, stop volunteering, come back.

Started from the menu, with /volunteer, or by the needs survey when a resident says they
would help: ``ctx.start("volunteer", district="thala")`` skips the district question.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.actions import Action
from bot.engine.context import Context
from bot.engine.keyboards import column
from bot.engine.replies import Buttons
from bot.engine.steps import Flow, Step
from bot.engine.widgets import ask_phone, multi_select, phone_from_event
from core.i18n import N_, _, current_language
from core.textinput import clean_text, read_name
from storage import people, reference, volunteers
from storage.volunteers import DAY_LABELS, LANGUAGE_LABELS, TIME_LABELS

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

DISTRICT = Action("d", code=str)
SKILL = Action("sk", code=str)
OTHER_SKILLS = Action("oth")
CHOICE = Action("ch", code=str)
DONE = Action("done")
AGREE = Action("agree")
DECLINE = Action("no")
EDIT = Action("edit", field=str)
STOP = Action("stop")
AGAIN = Action("again")
STOP_YES = Action("stopy")
STOP_NO = Action("stopn")


def _join(items: list[str]) -> str:
    return ("، " if current_language() == "ar" else ", ").join(items) or "—"


def _labels(codes: list[str], labels: dict[str, str]) -> str:
    return _join([_(labels[c]) for c in labels if c in codes])


def _following(done: str) -> tuple[str, ...]:
    return SIGNUP_ORDER[SIGNUP_ORDER.index(done) + 1 :]


class Volunteer(Flow):
    name = "volunteer"
    resumable = True
    starts = ("name", "profile")

    def steps(self) -> Sequence[Step]:
        return [
            Step(
                "name",
                self._ask_name,
                message=self._on_name,
                text_only=True,
                goes_to=("phone", "profile"),
            ),
            Step(
                "phone",
                self._ask_phone,
                message=self._on_phone,
                goes_to=("district", "skills", "profile"),
            ),
            Step(
                "district",
                self._ask_district,
                on={DISTRICT: self._on_district},
                goes_to=("skills", "profile"),
            ),
            Step(
                "skills",
                self._ask_skills,
                on={SKILL: self._on_skill, OTHER_SKILLS: self._on_other, DONE: self._skills_done},
                message=self._on_other_skills,
                text_only=True,
                goes_to=("other", "days", "profile"),
            ),
            Step(
                "other",
                self._ask_other_skills,
                message=self._on_other_skills,
                text_only=True,
                goes_to=("skills",),
            ),
            self._choice_step("days", goes_to=("times", "profile")),
            self._choice_step("times", goes_to=("langs", "profile")),
            self._choice_step("langs", goes_to=("consent", "profile")),
            Step(
                "consent",
                self._ask_consent,
                on={AGREE: self._on_agree, DECLINE: self._on_decline},
                ends=True,
            ),
            Step(
                "profile",
                self._show_profile,
                on={EDIT: self._on_edit, STOP: self._on_stop_asked, AGAIN: self._on_again},
                message=self._show_profile_again,
                goes_to=("stop", *EDITABLE),
            ),
            Step(
                "stop",
                self._ask_stop,
                on={STOP_YES: self._on_stop, STOP_NO: self._show_profile_again},
                message=self._show_profile_again,
                goes_to=("profile",),
                ends=True,
            ),
        ]

    def _choice_step(self, key: str, goes_to: tuple[str, ...]) -> Step:
        async def ask(ctx: Context) -> None:
            ctx.say(_choice_question(key), self._choice_buttons(ctx, key))

        async def toggle(ctx: Context, code: str) -> None:
            await self._toggle(ctx, key, code, set(CHOICES[key]))

        async def done(ctx: Context) -> None:
            if not ctx.state.get(key):
                ctx.toast(_("Please choose at least one option."), alert=True)
                ctx.edit(_choice_question(key), self._choice_buttons(ctx, key))
                return
            await self._next(ctx, key)

        return Step(key, ask, on={CHOICE: toggle, DONE: done}, goes_to=goes_to)

    # --- entering -----------------------------------------------------------------------------
    async def enter(self, ctx: Context, **kwargs: Any) -> None:
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
            await self.show(ctx, "profile")
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
        await self.show(ctx, "name")

    async def resume(self, ctx: Context) -> None:
        if ctx.step in ("stop", ""):
            await self.show(ctx, "profile")
        else:
            await super().resume(ctx)

    # --- the questions ------------------------------------------------------------------------
    async def _ask_name(self, ctx: Context) -> None:
        ctx.say(_("What is your full name?"), remove_keyboard=True)

    async def _ask_phone(self, ctx: Context) -> None:
        ask_phone(ctx, _("What phone number can the programme call you on?"))

    async def _ask_district(self, ctx: Context) -> None:
        async with ctx.reader() as s:
            districts = await reference.list_districts(s)
        lang = current_language()
        ctx.say(
            _("Which district do you live in?"),
            column([DISTRICT.button(ctx, d.name(lang), code=d.code) for d in districts]),
        )

    async def _ask_skills(self, ctx: Context) -> None:
        ctx.say(_skills_question(), await self._skills_buttons(ctx))

    async def _ask_other_skills(self, ctx: Context) -> None:
        ctx.say(_("Type your other skills in a few words (for example: sewing, plumbing)."))

    async def _ask_consent(self, ctx: Context) -> None:
        ctx.say(
            await self._summary(ctx)
            + "\n\n"
            + _(
                "Programme staff will see these details to contact you about volunteering "
                "opportunities. They are never published. You can see them with /mydata "
                "and erase them with /delete. Do you agree?"
            ),
            [[AGREE.button(ctx, _("I agree, save")), DECLINE.button(ctx, _("No, cancel"))]],
        )

    async def _next(self, ctx: Context, done: str) -> None:
        """After answering ``done``: the next sign-up question, or (when editing) save."""
        if ctx.state.get("mode") != "signup":
            await self._save(ctx)
            ctx.state["mode"] = "profile"
            await self.show(ctx, "profile", saved=True)
            return
        for step in _following(done):
            if step == "district" and ctx.state.get("district_given"):
                continue
            await self.show(ctx, step)
            return

    # --- typed answers ------------------------------------------------------------------------
    async def _on_name(self, ctx: Context) -> None:
        name = read_name(ctx.event.text)
        if name is None:
            ctx.say(_("Please type your full name in letters (first name and family name)."))
            return
        ctx.state["name"] = name
        await self._next(ctx, "name")

    async def _on_phone(self, ctx: Context) -> None:
        phone = phone_from_event(ctx)
        if phone is not None:
            ctx.state["phone"] = phone
            ctx.say(f"✅ {phone}", remove_keyboard=True)
            await self._next(ctx, "phone")

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
        await self.show(ctx, "skills")

    # --- buttons ------------------------------------------------------------------------------
    async def _on_district(self, ctx: Context, code: str) -> None:
        async with ctx.reader() as s:
            districts = {d.code: d for d in await reference.list_districts(s)}
        if code not in districts:
            ctx.toast(_("This district is not in the list any more. Please choose again."))
            await self.show(ctx, "district")
            return
        ctx.state["district"] = code
        ctx.edit(_("District: {name}").format(name=districts[code].name(current_language())))
        await self._next(ctx, "district")

    async def _on_skill(self, ctx: Context, code: str) -> None:
        await self._toggle(ctx, "skills", code, {s.code for s in await self._skills(ctx)})

    async def _on_other(self, ctx: Context) -> None:
        await self.show(ctx, "other")

    async def _skills_done(self, ctx: Context) -> None:
        if not ctx.state.get("skills") and not ctx.state.get("other"):
            ctx.toast(_("Please choose at least one skill, or type another one."), alert=True)
            ctx.edit(_skills_question(), await self._skills_buttons(ctx))  # fresh buttons
            return
        await self._next(ctx, "skills")

    async def _on_agree(self, ctx: Context) -> None:
        await self._save(ctx)
        ctx.state["mode"] = "profile"
        ctx.edit(
            _(
                "Thank you! You are now registered as a volunteer. The programme team will "
                "contact you when an opportunity matches your skills and your time."
            )
        )
        self.end(ctx)

    async def _on_decline(self, ctx: Context) -> None:
        self.end(ctx)
        ctx.edit(_("Nothing was saved. You can sign up whenever you like with /volunteer."))

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
            SKILL,
            extra=[OTHER_SKILLS.button(ctx, other_label), DONE.button(ctx, _("Done ✔"))],
        )

    def _choice_buttons(self, ctx: Context, key: str) -> Buttons:
        options = [(code, _(label)) for code, label in CHOICES[key].items()]
        return multi_select(
            ctx,
            options,
            ctx.state.get(key) or [],
            CHOICE,
            extra=[DONE.button(ctx, _("Done ✔"))],
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
        active = bool(ctx.state.get("active", True))
        head = _("Your volunteer profile") if active else _("Your volunteer profile (paused)")
        text = f"🙋 {head}\n\n{await self._summary(ctx)}"
        if saved:
            text = _("Saved.") + "\n\n" + text
        buttons = [
            EDIT.button(ctx, _("Change: {field}").format(field=_(label)), field=field)
            for field, label in EDITABLE.items()
        ]
        if active:
            buttons.append(STOP.button(ctx, _("Stop volunteering")))
        else:
            buttons.append(AGAIN.button(ctx, _("Volunteer again")))
        ctx.say(text, [buttons[i : i + 2] for i in range(0, len(buttons), 2)])

    async def _show_profile_again(self, ctx: Context) -> None:
        await self.show(ctx, "profile")

    async def _on_edit(self, ctx: Context, field: str) -> None:
        if field not in EDITABLE:
            ctx.stale_button()
            return
        ctx.state["mode"] = "edit"
        await self.show(ctx, field)

    async def _on_stop_asked(self, ctx: Context) -> None:
        await self.show(ctx, "stop")

    async def _ask_stop(self, ctx: Context) -> None:
        ctx.say(
            _("Stop volunteering? The programme will no longer contact you about it."),
            [
                [
                    STOP_YES.button(ctx, _("Yes, stop")),
                    STOP_NO.button(ctx, _("No, keep volunteering")),
                ]
            ],
        )

    async def _on_again(self, ctx: Context) -> None:
        await self._save(ctx)
        ctx.state["active"] = True
        await self.show(ctx, "profile", saved=True)

    async def _on_stop(self, ctx: Context) -> None:
        async with ctx.transaction() as s:
            await volunteers.stop_volunteering(s, ctx.user_id, ctx.services.clock.now())
        self.end(ctx)
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
