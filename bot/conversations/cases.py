"""Writing to the programme: a resident asks, suggests, complains, thanks or reports a
problem in their district, and follows the answers.

Started from the menu ("Write to the programme") or with /contact. The resident chooses a
kind, (for a complaint) whether it is confidential and anonymous, their district when the
bot does not know it, writes the message, may attach one photo, voice note or location,
and gets a reference number and the promise of an answer within a few days.

Staff answers arrive in the same chat (through the broadcast outbox, see storage.cases)
with a "Reply" button (``g:cr:<case>``); when a case is closed the resident is asked to
rate the answer (``g:crt:<case>:<1-5>``). Both are global buttons: their case id is checked
against the database (it must be this person's case).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.context import Context
from bot.engine.conversation import Conversation
from bot.engine.events import EventKind
from bot.engine.keyboards import column
from bot.engine.payloads import global_, int_arg
from bot.engine.registry import Command, MenuEntry, Registry
from bot.engine.replies import Button, Buttons
from bot.engine.widgets import add_audience_buttons
from core.formatting import display_digits
from core.i18n import N_, _, current_language, ngettext, translate, use_language
from core.textinput import clean_text
from storage import cases, people, reference
from storage.broadcasts import Broadcast

REPLY_ROUTE = "cr"
REPLY_LABEL = N_("↩️ Reply")
RATE_ROUTE = "crt"
KIND_LABELS = {
    cases.CaseKind.QUESTION: N_("❓ A question"),
    cases.CaseKind.SUGGESTION: N_("💡 A suggestion"),
    cases.CaseKind.COMPLAINT: N_("⚠️ A complaint"),
    cases.CaseKind.THANKS: N_("🙏 Thanks"),
    cases.CaseKind.PROBLEM: N_("🏘 A problem in my district"),
}
STATUS_LABELS = {
    cases.CaseStatus.NEW: N_("received"),
    cases.CaseStatus.ASSIGNED: N_("being handled"),
    cases.CaseStatus.WAITING: N_("waiting for your answer"),
    cases.CaseStatus.CLOSED: N_("closed"),
}


def _request_key(ctx: Context, what: str) -> str:
    """Stable for one update, so a handler run again writes nothing twice."""
    marker = ctx.event.update_id
    if marker is None:
        marker = int(ctx.services.clock.now().timestamp() * 1000)
    return f"{what}:{ctx.user_id}:{marker}"


def _promise() -> str:
    days = cases.ANSWER_WITHIN_DAYS
    return ngettext(
        "The programme team will answer you here, in this chat, within {n} working day.",
        "The programme team will answer you here, in this chat, within {n} working days.",
        days,
    ).format(n=days)


def _attachment_from(ctx: Context) -> dict[str, Any] | None:
    event = ctx.event
    if event.kind == EventKind.PHOTO:
        return {"photo": event.photo_file_id}
    if event.kind == EventKind.VOICE:
        return {"voice": event.voice_file_id}
    if event.kind == EventKind.LOCATION and event.latitude is not None:
        return {"lat": event.latitude, "lon": event.longitude}
    return None


class WriteToProgramme(Conversation):
    name = "contact"

    async def begin(self, ctx: Context, **kwargs: Any) -> None:
        reply_to = kwargs.get("reply_to")
        if isinstance(reply_to, int):
            ctx.state.update(case=reply_to)
            ctx.step = "reply"
            ctx.say(
                _(
                    "Write your answer about {ref}. You can also send a photo, a voice note or "
                    "a location. Send /cancel to stop."
                ).format(ref=shown_reference(reply_to))
            )
            return
        async with ctx.reader() as s:
            mine = [c for c in await cases.cases_of(s, ctx.user_id) if c.is_open]
        if mine:
            lines = [_("Your open messages:")]
            lines += [
                f"• {shown_reference(c.id)} — {_(STATUS_LABELS[cases.CaseStatus(c.status)])}"
                for c in mine[:5]
            ]
            buttons = [
                [
                    ctx.global_button(
                        _("↩️ Reply to {ref}").format(ref=shown_reference(c.id)), REPLY_ROUTE, c.id
                    )
                ]
                for c in mine[:5]
            ]
            ctx.say("\n".join(lines), buttons)
        self._ask_kind(ctx)

    def _ask_kind(self, ctx: Context) -> None:
        ctx.step = "kind"
        ctx.say(
            _("What would you like to write to the programme about?"),
            column([ctx.button(_(label), "k", kind.value) for kind, label in KIND_LABELS.items()]),
        )

    async def _after_kind(self, ctx: Context) -> None:
        if ctx.state.get("kind") == cases.CaseKind.COMPLAINT and "confidential" not in ctx.state:
            ctx.step = "conf"
            ctx.say(
                _(
                    "Is your complaint about a member of staff, abuse or someone's safety? "
                    "A confidential complaint is read only by the programme's senior staff."
                ),
                [
                    [ctx.button(_("🔒 Yes, keep it confidential"), "conf", "y")],
                    [ctx.button(_("No, an ordinary complaint"), "conf", "n")],
                ],
            )
            return
        if ctx.state.get("confidential") and "anonymous" not in ctx.state:
            ctx.step = "anon"
            ctx.say(
                _(
                    "Do you want to stay anonymous? Staff will not see your name; the answer "
                    "will still reach you here."
                ),
                [
                    [ctx.button(_("Stay anonymous"), "anon", "y")],
                    [ctx.button(_("Show my name"), "anon", "n")],
                ],
            )
            return
        if "district" not in ctx.state:
            async with ctx.reader() as s:
                user = await people.get_user(s, ctx.user_id)
                districts = await reference.list_districts(s)
            if user is not None and user.district_code:
                ctx.state["district"] = user.district_code
            else:
                ctx.step = "district"
                lang = current_language()
                buttons = [ctx.button(d.name(lang), "d", d.code) for d in districts]
                buttons.append(ctx.button(_("I prefer not to say"), "d", "-"))
                ctx.say(_("Which district do you live in?"), column(buttons))
                return
        ctx.step = "text"
        ctx.say(
            _("Please write your message in one text message (up to {n} characters).").format(
                n=cases.MAX_TEXT_CHARS
            )
        )

    def _ask_attachment(self, ctx: Context, *, attached: bool = False) -> None:
        ctx.step = "attach"
        text = (
            _("Attached. Press Send when you are ready.")
            if attached
            else _(
                "You can attach one photo, voice note or location (send it now), or send your "
                "message as it is."
            )
        )
        ctx.say(
            text,
            [
                [ctx.button(_("📨 Send"), "send")],
                [ctx.button(_("Cancel"), "cancel")],
            ],
        )

    # --- buttons ------------------------------------------------------------------------------
    async def on_button(self, ctx: Context, action: str, args: tuple[str, ...]) -> None:
        step, arg = ctx.step, (args[0] if args else "")
        if step == "kind" and action == "k" and arg in set(cases.CaseKind):
            ctx.state["kind"] = arg
            ctx.edit(_(KIND_LABELS[cases.CaseKind(arg)]))
            await self._after_kind(ctx)
        elif step == "conf" and action == "conf" and arg in ("y", "n"):
            ctx.state["confidential"] = arg == "y"
            if arg == "n":
                ctx.state["anonymous"] = False
            ctx.edit(_("🔒 Confidential") if arg == "y" else _("An ordinary complaint"))
            await self._after_kind(ctx)
        elif step == "anon" and action == "anon" and arg in ("y", "n"):
            ctx.state["anonymous"] = arg == "y"
            ctx.edit(_("Anonymous") if arg == "y" else _("With my name"))
            await self._after_kind(ctx)
        elif step == "district" and action == "d":
            async with ctx.reader() as s:
                codes = {d.code: d for d in await reference.list_districts(s)}
            if arg != "-" and arg not in codes:
                ctx.toast(_("This district is not in the list any more. Please choose again."))
                return
            ctx.state["district"] = None if arg == "-" else arg
            if arg != "-":
                ctx.edit(_("District: {name}").format(name=codes[arg].name(current_language())))
            await self._after_kind(ctx)
        elif step == "attach" and action == "send":
            await self._send(ctx)
        elif step == "attach" and action == "cancel":
            ctx.finish()
            ctx.edit(_("Nothing was sent. You can write to us whenever you like with /contact."))
        else:
            await super().on_button(ctx, action, args)

    async def _send(self, ctx: Context) -> None:
        state = ctx.state
        key = state.setdefault("key", _request_key(ctx, "case"))
        async with ctx.transaction() as s:
            await people.ensure_user(
                s, ctx.user_id, first_name=ctx.event.first_name, username=ctx.event.username
            )
            case = await cases.create_case(
                s,
                request_key=key,
                telegram_id=ctx.user_id,
                kind=str(state["kind"]),
                text=str(state["text"]),
                now=ctx.services.clock.now(),
                district_code=state.get("district"),
                language=ctx.lang,
                confidential=bool(state.get("confidential")),
                anonymous=bool(state.get("anonymous")),
                attachment=cases.Attachment.from_json(state.get("attachment")),
            )
            ref = shown_reference(case.id)
        ctx.finish()
        ctx.edit(_("✅ Sent. Your reference number is {ref}.").format(ref=ref) + "\n" + _promise())

    # --- messages -----------------------------------------------------------------------------
    async def on_message(self, ctx: Context) -> None:
        step, kind = ctx.step, ctx.event.kind
        if step == "text":
            if kind != EventKind.TEXT:
                ctx.say(
                    _(
                        "Please write your message as text first; you can attach a photo, a "
                        "voice note or a location just after."
                    )
                )
                return
            text = clean_text(ctx.event.text, cases.MAX_TEXT_CHARS)
            if text is None:
                ctx.say(
                    _(
                        "Please write your message in one text message (up to {n} characters)."
                    ).format(n=cases.MAX_TEXT_CHARS)
                )
                return
            ctx.state["text"] = text
            self._ask_attachment(ctx)
        elif step == "attach":
            attachment = _attachment_from(ctx)
            if attachment is None:
                ctx.say(_("I can attach a photo, a voice note or a location. Or press Send."))
                self._ask_attachment(ctx, attached="attachment" in ctx.state)
                return
            ctx.state["attachment"] = attachment
            self._ask_attachment(ctx, attached=True)
        elif step == "reply":
            await self._on_reply(ctx)
        elif step in ("kind", "conf", "anon", "district"):
            ctx.say(_("Please answer with the buttons."))
            if step == "kind":
                self._ask_kind(ctx)
            else:
                await self._after_kind(ctx)
        else:
            await super().on_message(ctx)

    async def _on_reply(self, ctx: Context) -> None:
        event = ctx.event
        attachment = _attachment_from(ctx)
        text = ""
        if event.kind == EventKind.TEXT or (event.kind == EventKind.PHOTO and event.text):
            cleaned = clean_text(event.text, cases.MAX_TEXT_CHARS)
            if cleaned is None:
                ctx.say(
                    _(
                        "Please write your message in one text message (up to {n} characters)."
                    ).format(n=cases.MAX_TEXT_CHARS)
                )
                return
            text = cleaned
        elif attachment is None:
            ctx.say(_("I can read text, photos, voice notes and locations here."))
            return
        case_id = int(ctx.state.get("case", 0))
        async with ctx.transaction() as s:
            outcome = await cases.resident_reply(
                s,
                case_id=case_id,
                telegram_id=ctx.user_id,
                request_key=_request_key(ctx, "case-msg"),
                text=text,
                now=ctx.services.clock.now(),
                attachment=cases.Attachment.from_json(attachment),
            )
        ref = shown_reference(case_id)
        ctx.finish()
        if outcome in (cases.Outcome.DONE, cases.Outcome.ALREADY):
            ctx.say(_("✅ Your answer was added to {ref}. Thank you.").format(ref=ref))
        elif outcome == cases.Outcome.CLOSED:
            ctx.say(_closed_text(ref))
        else:
            ctx.say(_("This option is not available."))


def shown_reference(case_id: int) -> str:
    """'M-00042' as the reader writes digits ('M-٠٠٠٤٢' in Arabic); typing either finds it."""
    return display_digits(cases.reference_of(case_id))


def _closed_text(ref: str) -> str:
    return _("{ref} is closed. To write to the programme again, send /contact.").format(ref=ref)


# --- global buttons ---------------------------------------------------------------------------


async def _own_case(ctx: Context, args: tuple[str, ...]) -> cases.Case | None:
    case_id = int_arg(args, 0)
    if case_id is None:
        return None
    async with ctx.reader() as s:
        case = await cases.get_case(s, case_id)
    return case if case is not None and case.telegram_id == ctx.user_id else None


async def reply_button(ctx: Context, args: tuple[str, ...]) -> None:
    case = await _own_case(ctx, args)
    if case is None:
        ctx.stale_button()
        return
    if not case.is_open:
        ctx.say(_closed_text(shown_reference(case.id)))
        return
    await ctx.start("contact", reply_to=case.id, restart=True)


async def rate_button(ctx: Context, args: tuple[str, ...]) -> None:
    case = await _own_case(ctx, args)
    score = int_arg(args, 1, max_digits=1)
    if case is None or score is None or not 1 <= score <= 5:
        ctx.stale_button()
        return
    async with ctx.transaction() as s:
        outcome = await cases.rate(
            s, case_id=case.id, telegram_id=ctx.user_id, score=score, now=ctx.services.clock.now()
        )
    if outcome == cases.Outcome.DONE:
        ctx.edit(
            _("Thank you for rating the answer to {ref}.").format(ref=shown_reference(case.id))
        )
    elif outcome == cases.Outcome.RATED:
        ctx.toast(_("You have already rated this answer. Thank you!"))
    else:
        ctx.stale_button()


# --- what staff send, in the resident's language (the admin and the bot's /inbox) ------------


def reply_text(ref: str, text: str, language: str) -> str:
    with use_language(language):
        shown = display_digits(ref)
        return _("💬 The programme's answer about {ref}:").format(ref=shown) + "\n\n" + text


def closing_text(ref: str, language: str) -> str:
    with use_language(language):
        return _(
            "✅ {ref} is now closed. How useful was the answer you received? "
            "(1 star: not at all, 5 stars: very)"
        ).format(ref=display_digits(ref))


def _case_buttons(broadcast: Broadcast) -> Buttons | None:
    values = list((broadcast.audience or {}).get("values") or [])
    if len(values) < 4 or not str(values[1]).isdigit():
        return None
    case_id, language, what = int(values[1]), str(values[2]), str(values[3])
    if what == cases.Sent.REPLY:
        label = translate(language, REPLY_LABEL)
        return [[Button(label, global_(REPLY_ROUTE, case_id))]]
    if what == cases.Sent.CLOSED:
        return [[Button("⭐" * n, global_(RATE_ROUTE, case_id, n))] for n in range(5, 0, -1)]
    return None


add_audience_buttons(cases.CASE_AUDIENCE, _case_buttons)


# --- registration -----------------------------------------------------------------------------


async def contact_command(ctx: Context) -> None:
    await ctx.start("contact", restart=True)


async def export_cases(s: AsyncSession, telegram_id: int) -> dict[str, Any]:
    return await cases.export_person(s, telegram_id)


async def erase_cases(s: AsyncSession, telegram_id: int, now: datetime) -> None:
    await cases.erase_person(s, telegram_id, now)


def register(registry: Registry) -> None:
    registry.add_conversation(WriteToProgramme())
    registry.add_command(
        Command("contact", contact_command, N_("Write to the programme: ask, suggest, complain"))
    )
    registry.add_menu_entry(
        MenuEntry("contact", N_("Write to the programme"), contact_command, order=60)
    )
    registry.add_button(REPLY_ROUTE, reply_button)
    registry.add_button(RATE_ROUTE, rate_button)
    registry.add_personal_data("cases", export_cases, erase_cases)
