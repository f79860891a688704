"""Writing to the programme (the ``contact`` flow): a resident asks, suggests, complains,
thanks or reports a problem in their district, and follows the answers.

Started from the menu ("Write to the programme") or with /contact. The resident chooses a
kind, (for a complaint) whether it is confidential and anonymous, their district when the
bot does not know it, writes the message, may attach one photo, voice note or location,
and gets a reference number and the promise of an answer within a few days (``message``).
``ctx.start("contact", reply_to=<case>)`` opens it on an answer about one of their cases.

Staff answers arrive in the same chat (through the broadcast outbox, see storage.cases)
with a "Reply" button and, once the case is closed, the rating stars (``followup``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.engine.context import Context
from bot.engine.keyboards import column
from bot.engine.steps import Step
from bot.features.cases.actions import (
    ANONYMOUS,
    CANCEL,
    CONFIDENTIAL,
    DISTRICT,
    KIND,
    REPLY,
    SEND,
)
from bot.features.cases.message import MessageSteps
from bot.features.cases.texts import shown_reference
from core.i18n import _, current_language
from storage import cases, people, reference
from storage.cases.vocabulary import KIND_LABELS, STATUS_LABELS

SHOWN_OPEN = 5


class WriteToProgramme(MessageSteps):
    """kind -> (conf -> anon) -> (district) -> text -> attach; or reply."""

    name = "contact"
    starts = ("kind", "reply")

    def steps(self) -> Sequence[Step]:
        return [
            Step(
                "kind",
                self.draw_kind,
                on={KIND: self.on_kind},
                goes_to=("conf", "anon", "district", "text"),
            ),
            Step(
                "conf",
                self.draw_confidential,
                on={CONFIDENTIAL: self.on_confidential},
                goes_to=("anon", "district", "text"),
            ),
            Step(
                "anon",
                self.draw_anonymous,
                on={ANONYMOUS: self.on_anonymous},
                goes_to=("district", "text"),
            ),
            Step(
                "district", self.draw_district, on={DISTRICT: self.on_district}, goes_to=("text",)
            ),
            Step("text", self.draw_text, message=self.on_text, goes_to=("attach",)),
            Step(
                "attach",
                self.draw_attach,
                on={SEND: self.on_send, CANCEL: self.on_cancel_pressed},
                message=self.on_attachment,
                ends=True,
            ),
            Step("reply", self.draw_reply, message=self.on_reply, ends=True),
        ]

    async def enter(self, ctx: Context, **kwargs: Any) -> None:
        reply_to = kwargs.get("reply_to")
        if isinstance(reply_to, int):
            ctx.state.update(case=reply_to)
            await self.show(ctx, "reply")
            return
        async with ctx.reader() as s:
            mine = [c for c in await cases.cases_of(s, ctx.user_id) if c.is_open]
        if mine:
            lines = [_("Your open messages:")]
            lines += [
                f"• {shown_reference(c.id)} — {_(STATUS_LABELS[cases.CaseStatus(c.status)])}"
                for c in mine[:SHOWN_OPEN]
            ]
            buttons = [
                [
                    REPLY.global_button(
                        ctx, _("↩️ Reply to {ref}").format(ref=shown_reference(c.id)), id=c.id
                    )
                ]
                for c in mine[:SHOWN_OPEN]
            ]
            ctx.say("\n".join(lines), buttons)
        await self.show(ctx, "kind")

    async def advance(self, ctx: Context) -> None:
        """The next question the answers so far call for."""
        if ctx.state.get("kind") == cases.CaseKind.COMPLAINT and "confidential" not in ctx.state:
            await self.show(ctx, "conf")
        elif ctx.state.get("confidential") and "anonymous" not in ctx.state:
            await self.show(ctx, "anon")
        elif "district" not in ctx.state:
            await self.show(ctx, "district")
        else:
            await self.show(ctx, "text")

    # --- what kind ------------------------------------------------------------------------------
    async def draw_kind(self, ctx: Context) -> None:
        ctx.say(
            _("What would you like to write to the programme about?"),
            column([KIND.button(ctx, _(label), kind=k.value) for k, label in KIND_LABELS.items()]),
        )

    async def on_kind(self, ctx: Context, kind: str) -> None:
        if kind not in set(cases.CaseKind):
            ctx.stale_button()
            return
        ctx.state["kind"] = kind
        ctx.edit(_(KIND_LABELS[cases.CaseKind(kind)]))
        await self.advance(ctx)

    # --- a complaint: confidential? anonymous? -------------------------------------------------
    async def draw_confidential(self, ctx: Context) -> None:
        ctx.say(
            _(
                "Is your complaint about a member of staff, abuse or someone's safety? "
                "A confidential complaint is read only by the programme's senior staff."
            ),
            [
                [CONFIDENTIAL.button(ctx, _("🔒 Yes, keep it confidential"), answer="y")],
                [CONFIDENTIAL.button(ctx, _("No, an ordinary complaint"), answer="n")],
            ],
        )

    async def on_confidential(self, ctx: Context, answer: str) -> None:
        if answer not in ("y", "n"):
            ctx.stale_button()
            return
        ctx.state["confidential"] = answer == "y"
        if answer == "n":
            ctx.state["anonymous"] = False
        ctx.edit(_("🔒 Confidential") if answer == "y" else _("An ordinary complaint"))
        await self.advance(ctx)

    async def draw_anonymous(self, ctx: Context) -> None:
        ctx.say(
            _(
                "Do you want to stay anonymous? Staff will not see your name; the answer "
                "will still reach you here."
            ),
            [
                [ANONYMOUS.button(ctx, _("Stay anonymous"), answer="y")],
                [ANONYMOUS.button(ctx, _("Show my name"), answer="n")],
            ],
        )

    async def on_anonymous(self, ctx: Context, answer: str) -> None:
        if answer not in ("y", "n"):
            ctx.stale_button()
            return
        ctx.state["anonymous"] = answer == "y"
        ctx.edit(_("Anonymous") if answer == "y" else _("With my name"))
        await self.advance(ctx)

    # --- the district, when the bot does not know it -------------------------------------------
    async def draw_district(self, ctx: Context) -> None:
        async with ctx.reader() as s:
            user = await people.get_user(s, ctx.user_id)
            districts = await reference.list_districts(s)
        if user is not None and user.district_code:
            ctx.state["district"] = user.district_code
            await self.show(ctx, "text")
            return
        lang = current_language()
        buttons = [DISTRICT.button(ctx, d.name(lang), code=d.code) for d in districts]
        buttons.append(DISTRICT.button(ctx, _("I prefer not to say"), code="-"))
        ctx.say(_("Which district do you live in?"), column(buttons))

    async def on_district(self, ctx: Context, code: str) -> None:
        async with ctx.reader() as s:
            codes = {d.code: d for d in await reference.list_districts(s)}
        if code != "-" and code not in codes:
            ctx.toast(_("This district is not in the list any more. Please choose again."))
            return
        ctx.state["district"] = None if code == "-" else code
        if code != "-":
            ctx.edit(_("District: {name}").format(name=codes[code].name(current_language())))
        await self.advance(ctx)


async def contact_command(ctx: Context) -> None:
    """/contact and the menu's "Write to the programme"."""
    await ctx.start("contact", restart=True)
