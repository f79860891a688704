"""The message itself in the ``contact`` flow: one text (``text``), then one photo, voice
note or location and Send (``attach``), which files the case and gives its reference; and a
resident's answer about a case they have (``reply``)."""

from __future__ import annotations

from typing import Any

from bot.engine.context import Context
from bot.engine.events import EventKind
from bot.engine.steps import Flow
from bot.features.cases.actions import CANCEL, SEND
from bot.features.cases.texts import closed_text, promise, request_key, shown_reference
from core.i18n import _
from core.textinput import clean_text
from storage import cases, people


def attachment_from(ctx: Context) -> dict[str, Any] | None:
    event = ctx.event
    if event.kind == EventKind.PHOTO:
        return {"photo": event.photo_file_id}
    if event.kind == EventKind.VOICE:
        return {"voice": event.voice_file_id}
    if event.kind == EventKind.LOCATION and event.latitude is not None:
        return {"lat": event.latitude, "lon": event.longitude}
    return None


def _ask_for_text(ctx: Context) -> None:
    ctx.say(
        _("Please write your message in one text message (up to {n} characters).").format(
            n=cases.MAX_TEXT_CHARS
        )
    )


class MessageSteps(Flow):
    """text -> attach -> (sent); reply -> (added to the case)."""

    # --- the text ----------------------------------------------------------------------------
    async def draw_text(self, ctx: Context) -> None:
        _ask_for_text(ctx)

    async def on_text(self, ctx: Context) -> None:
        if ctx.event.kind != EventKind.TEXT:
            ctx.say(
                _(
                    "Please write your message as text first; you can attach a photo, a "
                    "voice note or a location just after."
                )
            )
            return
        text = clean_text(ctx.event.text, cases.MAX_TEXT_CHARS)
        if text is None:
            _ask_for_text(ctx)
            return
        ctx.state["text"] = text
        await self.show(ctx, "attach")

    # --- one attachment, then Send ------------------------------------------------------------
    async def draw_attach(self, ctx: Context, *, attached: bool = False) -> None:
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
                [SEND.button(ctx, _("📨 Send"))],
                [CANCEL.button(ctx, _("Cancel"))],
            ],
        )

    async def on_attachment(self, ctx: Context) -> None:
        attachment = attachment_from(ctx)
        if attachment is None:
            ctx.say(_("I can attach a photo, a voice note or a location. Or press Send."))
            await self.show(ctx, "attach", attached="attachment" in ctx.state)
            return
        ctx.state["attachment"] = attachment
        await self.show(ctx, "attach", attached=True)

    async def on_cancel_pressed(self, ctx: Context) -> None:
        self.end(ctx)
        ctx.edit(_("Nothing was sent. You can write to us whenever you like with /contact."))

    async def on_send(self, ctx: Context) -> None:
        state = ctx.state
        key = state.setdefault("key", request_key(ctx, "case"))
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
        self.end(ctx)
        ctx.edit(_("✅ Sent. Your reference number is {ref}.").format(ref=ref) + "\n" + promise())

    # --- an answer about a case ---------------------------------------------------------------
    async def draw_reply(self, ctx: Context) -> None:
        ctx.say(
            _(
                "Write your answer about {ref}. You can also send a photo, a voice note or "
                "a location. Send /cancel to stop."
            ).format(ref=shown_reference(int(ctx.state["case"])))
        )

    async def on_reply(self, ctx: Context) -> None:
        event = ctx.event
        attachment = attachment_from(ctx)
        text = ""
        if event.kind == EventKind.TEXT or (event.kind == EventKind.PHOTO and event.text):
            cleaned = clean_text(event.text, cases.MAX_TEXT_CHARS)
            if cleaned is None:
                _ask_for_text(ctx)
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
                request_key=request_key(ctx, "case-msg"),
                text=text,
                now=ctx.services.clock.now(),
                attachment=cases.Attachment.from_json(attachment),
            )
        ref = shown_reference(case_id)
        self.end(ctx)
        if outcome in (cases.Outcome.DONE, cases.Outcome.ALREADY):
            ctx.say(_("✅ Your answer was added to {ref}. Thank you.").format(ref=ref))
        elif outcome == cases.Outcome.CLOSED:
            ctx.say(closed_text(ref))
        else:
            ctx.say(_("This option is not available."))
