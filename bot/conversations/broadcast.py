"""/broadcast: staff compose an announcement, choose who gets it, see it, and send it.

Text (or a photo with a caption) → audience (everyone, residents of some districts, by
language) → a preview exactly as recipients will see it, with the number of recipients
→ send now or at a chosen time. The broadcast sender (bot/workers/broadcast_sender.py) delivers
it within Telegram's limits and shows its progress in this chat; "Stop sending" on that
message (or "Cancel this announcement" before it starts) stops it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

from bot.engine import payloads
from bot.engine.context import Context
from bot.engine.conversation import Conversation
from bot.engine.events import EventKind
from bot.engine.keyboards import column, rows
from bot.engine.registry import Command, MenuEntry, Registry
from bot.engine.replies import Photo
from core.formatting import format_moment, format_number
from core.i18n import LANGUAGE_NAMES, N_, _, current_language, ngettext
from core.textinput import clean_text, normalize_digits
from storage import broadcasts, reference
from storage.broadcasts import CAPTION_MAX_CHARS, TEXT_MAX_CHARS, Audience
from storage.people import Role, role_at_least

MAX_DAYS_AHEAD = 90
AUDIENCE_LABELS = {
    "everyone": N_("Everyone"),
    "districts": N_("Residents of some districts"),
    "languages": N_("People using a language"),
}
# 2026-12-05 09:30 · 05/12/2026 09:30 · 05/12 09:30 (digits in any script)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[ T]+(\d{1,2})[:h.](\d{2})$")
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}))?[ ]+(\d{1,2})[:h.](\d{2})$")


def parse_local_moment(text: str, now: datetime, timezone: str) -> datetime | None:
    """A date and time typed by staff, in the programme's timezone, as aware UTC."""
    cleaned = normalize_digits(text).strip()
    zone = ZoneInfo(timezone)
    year_given = True
    if match := _ISO.match(cleaned):
        year, month, day, hour, minute = (int(g) for g in match.groups())
    elif match := _DMY.match(cleaned):
        day, month, hour, minute = int(match[1]), int(match[2]), int(match[4]), int(match[5])
        year_given = match[3] is not None
        year = int(match[3]) if year_given else now.astimezone(zone).year
    else:
        return None
    try:
        local = datetime(year, month, day, hour, minute, tzinfo=zone)
        if not year_given and local < now:  # "05/01 09:00" typed in December: next January
            local = local.replace(year=year + 1)
    except ValueError:
        return None
    return local.astimezone(UTC)


class ComposeBroadcast(Conversation):
    name = "broadcast"
    needs_consent = False  # staff
    min_role = Role.STAFF

    async def begin(self, ctx: Context, **kwargs: Any) -> None:
        ctx.state["draft"] = uuid4().hex[:16]
        self._ask_text(ctx)

    async def resume(self, ctx: Context) -> None:
        await self._ask_again(ctx)

    # --- questions ------------------------------------------------------------------------
    def _ask_text(self, ctx: Context) -> None:
        ctx.step = "text"
        ctx.say(
            _(
                "Write the announcement exactly as people should read it (up to {limit} "
                "characters). You can also send a photo with a caption. Send /cancel to stop."
            ).format(limit=format_number(TEXT_MAX_CHARS, current_language()))
        )

    def _ask_photo(self, ctx: Context) -> None:
        ctx.step = "photo"
        ctx.say(
            _("Would you like to add a photo? Send it now, or press No photo."),
            [[ctx.button(_("No photo"), "nophoto")]],
        )

    def _ask_caption(self, ctx: Context) -> None:
        ctx.step = "caption"
        ctx.say(
            _("Now write the text to go with the photo (up to {limit} characters).").format(
                limit=format_number(CAPTION_MAX_CHARS, current_language())
            )
        )

    def _ask_audience(self, ctx: Context) -> None:
        ctx.step = "audience"
        ctx.edit(
            _("Who should receive it?"),
            column([ctx.button(_(label), "aud", kind) for kind, label in AUDIENCE_LABELS.items()]),
        )

    async def _options(self, ctx: Context, kind: str) -> list[tuple[str, str]]:
        if kind == "districts":
            async with ctx.reader() as s:
                return [
                    (d.code, d.name(current_language())) for d in await reference.list_districts(s)
                ]
        return list(LANGUAGE_NAMES.items())

    async def _ask_values(self, ctx: Context) -> None:
        kind = ctx.state["kind"]
        options = await self._options(ctx, kind)
        ctx.state["options"] = [code for code, _label in options]
        chosen = set(ctx.state.get("values") or [])
        ctx.step = "values"
        buttons = [
            ctx.button(("✅ " if code in chosen else "") + label, "tog", index)
            for index, (code, label) in enumerate(options)
        ]
        layout = rows(buttons, per_row=2)
        layout.append([ctx.button(_("Done"), "done"), ctx.button(_("« Back"), "back")])
        question = (
            _("Which districts? Tap to select or unselect, then press Done.")
            if kind == "districts"
            else _("Which languages? Tap to select or unselect, then press Done.")
        )
        ctx.edit(question, layout)

    async def _audience_text(self, ctx: Context) -> str:
        kind = ctx.state["kind"]
        values = ctx.state.get("values") or []
        if kind == "everyone":
            return _("Audience: everyone who accepts announcements")
        separator = "، " if current_language() == "ar" else ", "
        listed = separator.join(
            label for code, label in await self._options(ctx, kind) if code in values
        )
        if kind == "districts":
            return _("Audience: residents of {names}").format(names=listed)
        return _("Audience: people using the bot in {names}").format(names=listed)

    async def _preview(self, ctx: Context) -> None:
        audience = Audience(ctx.state["kind"], tuple(ctx.state.get("values") or ()))
        async with ctx.reader() as s:
            count = await broadcasts.count_audience(s, audience)
        ctx.state["count"] = count
        ctx.step = "preview"
        ctx.edit(_("Here is the announcement as people will see it:"))
        if ctx.state.get("photo"):
            ctx.send(Photo(file_id=ctx.state["photo"], caption=ctx.state["text"]))
        else:
            ctx.say(ctx.state["text"])
        summary = [
            await self._audience_text(ctx),
            ngettext(
                "It will go to {count} person.", "It will go to {count} people.", count
            ).format(count=format_number(count, current_language())),
        ]
        if count == 0:
            summary.append(_("Nobody in this audience can receive announcements. Choose another."))
            ctx.say(
                "\n".join(summary),
                column(
                    [
                        ctx.button(_("Change the audience"), "aud_again"),
                        ctx.button(_("✖ Stop"), "quit"),
                    ]
                ),
            )
            return
        ctx.say(
            "\n".join(summary),
            column(
                [
                    ctx.button(_("📣 Send now"), "send"),
                    ctx.button(_("🕒 Send later"), "later"),
                    ctx.button(_("Change the audience"), "aud_again"),
                    ctx.button(_("Rewrite the text"), "rewrite"),
                    ctx.button(_("✖ Stop"), "quit"),
                ]
            ),
        )

    def _ask_time(self, ctx: Context) -> None:
        ctx.step = "when"
        timezone = ctx.services.settings.timezone
        ctx.edit(
            _(
                "When should it go out? Choose below, or type a date and time such as "
                "{example} ({timezone} time)."
            ).format(example="2026-12-05 09:30", timezone=timezone),
            column(
                [
                    ctx.button(_("In one hour"), "at", "1h"),
                    ctx.button(_("Tomorrow at 09:00"), "at", "t9"),
                    ctx.button(_("Tomorrow at 18:00"), "at", "t18"),
                    ctx.button(_("« Back"), "back"),
                ]
            ),
        )

    async def _ask_again(self, ctx: Context) -> None:
        step = ctx.step
        if step == "photo":
            self._ask_photo(ctx)
        elif step == "caption":
            self._ask_caption(ctx)
        elif step == "audience":
            self._ask_audience(ctx)
        elif step == "values":
            await self._ask_values(ctx)
        elif step == "preview":
            await self._preview(ctx)
        elif step == "when":
            self._ask_time(ctx)
        else:
            self._ask_text(ctx)

    # --- typed input ------------------------------------------------------------------------
    async def on_message(self, ctx: Context) -> None:
        kind = ctx.event.kind
        step = ctx.step
        if step == "text" and kind == EventKind.TEXT:
            await self._take_text(ctx, TEXT_MAX_CHARS, then_photo=True)
        elif step == "text" and kind == EventKind.PHOTO:
            ctx.state["photo"] = ctx.event.photo_file_id
            if ctx.event.text.strip():
                await self._take_text(ctx, CAPTION_MAX_CHARS, then_photo=False)
            else:
                self._ask_caption(ctx)
        elif step == "caption" and kind == EventKind.TEXT:
            await self._take_text(ctx, CAPTION_MAX_CHARS, then_photo=False)
        elif step == "photo" and kind == EventKind.PHOTO:
            await self._take_photo(ctx)
        elif step == "when" and kind == EventKind.TEXT:
            await self._take_time(ctx)
        else:
            if step in ("text", "caption"):
                ctx.say(_("Please send the announcement as text, or as a photo with a caption."))
                return
            ctx.say(_("Please use the buttons below, or send /cancel to stop."))
            await self._ask_again(ctx)

    async def _take_text(self, ctx: Context, limit: int, *, then_photo: bool) -> None:
        text = clean_text(ctx.event.text, limit)
        if text is None:
            ctx.say(
                _("That is {count} characters; the limit is {limit}. Please shorten it.").format(
                    count=format_number(len(ctx.event.text.strip()), current_language()),
                    limit=format_number(limit, current_language()),
                )
            )
            return
        ctx.state["text"] = text
        if then_photo:
            self._ask_photo(ctx)
        else:
            self._ask_audience(ctx)

    async def _take_photo(self, ctx: Context) -> None:
        text = ctx.state.get("text", "")
        if len(text) > CAPTION_MAX_CHARS:
            ctx.say(
                _(
                    "With a photo the text can have at most {limit} characters, and yours has "
                    "{count}. Press No photo, or /cancel and start again with a shorter text."
                ).format(
                    limit=format_number(CAPTION_MAX_CHARS, current_language()),
                    count=format_number(len(text), current_language()),
                ),
                [[ctx.button(_("No photo"), "nophoto")]],
            )
            return
        ctx.state["photo"] = ctx.event.photo_file_id
        self._ask_audience(ctx)

    async def _take_time(self, ctx: Context) -> None:
        now = ctx.services.clock.now()
        moment = parse_local_moment(ctx.event.text, now, ctx.services.settings.timezone)
        if moment is None:
            ctx.say(
                _("I could not read that date. Please write it like {example}.").format(
                    example="2026-12-05 09:30"
                )
            )
            self._ask_time(ctx)
            return
        await self._schedule(ctx, moment)

    # --- buttons ------------------------------------------------------------------------------
    async def on_button(self, ctx: Context, action: str, args: tuple[str, ...]) -> None:
        step = ctx.step
        if action == "nophoto" and step == "photo":
            self._ask_audience(ctx)
        elif action == "aud" and step == "audience" and args and args[0] in AUDIENCE_LABELS:
            ctx.state["kind"] = args[0]
            ctx.state["values"] = []
            if args[0] == "everyone":
                await self._preview(ctx)
            else:
                await self._ask_values(ctx)
        elif action == "tog" and step == "values":
            await self._toggle(ctx, args)
        elif action == "done" and step == "values":
            if not ctx.state.get("values"):
                ctx.toast(_("Please choose at least one."), alert=True)
                return
            await self._preview(ctx)
        elif action == "back" and step in ("values", "when"):
            if step == "values":
                self._ask_audience(ctx)
            else:
                await self._preview(ctx)
        elif action == "aud_again" and step == "preview":
            self._ask_audience(ctx)
        elif action == "rewrite" and step == "preview":
            ctx.state.pop("photo", None)
            ctx.edit(_("Let us rewrite it."))
            self._ask_text(ctx)
        elif action == "send" and step == "preview":
            await self._schedule(ctx, ctx.services.clock.now())
        elif action == "later" and step == "preview":
            self._ask_time(ctx)
        elif action == "at" and step == "when" and args:
            await self._quick_time(ctx, args[0])
        elif action == "quit":
            ctx.finish()
            ctx.edit(_("Nothing was sent."))
        else:
            await super().on_button(ctx, action, args)

    async def _toggle(self, ctx: Context, args: tuple[str, ...]) -> None:
        options = ctx.state.get("options") or []
        found = payloads.int_arg(args, max_digits=4)
        index = found if found is not None else -1
        if not 0 <= index < len(options):
            ctx.stale_button()
            return
        chosen = set(ctx.state.get("values") or [])
        chosen ^= {options[index]}
        ctx.state["values"] = [code for code in options if code in chosen]  # in list order
        await self._ask_values(ctx)

    async def _quick_time(self, ctx: Context, choice: str) -> None:
        now = ctx.services.clock.now()
        zone = ZoneInfo(ctx.services.settings.timezone)
        tomorrow = now.astimezone(zone).date() + timedelta(days=1)
        moments = {
            "1h": now + timedelta(hours=1),
            "t9": datetime.combine(tomorrow, time(9), tzinfo=zone),
            "t18": datetime.combine(tomorrow, time(18), tzinfo=zone),
        }
        if choice not in moments:
            ctx.stale_button()
            return
        await self._schedule(ctx, moments[choice])

    async def _schedule(self, ctx: Context, moment: datetime) -> None:
        now = ctx.services.clock.now()
        timezone = ctx.services.settings.timezone
        if moment < now - timedelta(minutes=1):
            ctx.say(_("That moment has already passed. Please choose a later time."))
            self._ask_time(ctx)
            return
        if moment > now + timedelta(days=MAX_DAYS_AHEAD):
            ctx.say(_("Please choose a time within the next three months."))
            self._ask_time(ctx)
            return
        async with ctx.transaction() as s:
            broadcast = await broadcasts.create_broadcast(
                s,
                created_by=ctx.user_id,
                text=ctx.state["text"],
                photo_file_id=ctx.state.get("photo", ""),
                audience=Audience(ctx.state["kind"], tuple(ctx.state.get("values") or ())),
                send_at=max(moment, now),
                request_key=f"broadcast:{ctx.user_id}:{ctx.state['draft']}",
            )
            number, send_at = broadcast.id, broadcast.send_at
        count = format_number(int(ctx.state.get("count", 0)), current_language())
        ctx.finish()
        cancel = [[ctx.global_button(_("Cancel this announcement"), "bcx", number)]]
        if send_at <= now + timedelta(minutes=1):
            ctx.edit(
                _(
                    "Announcement #{number} is on its way (recipients: about {count}). "
                    "I will show the progress here."
                ).format(number=number, count=count),
                cancel,
            )
        else:
            ctx.edit(
                _(
                    "Announcement #{number} will go out on {moment}, to whoever is in the "
                    "audience then (recipients today: about {count})."
                ).format(
                    number=number,
                    moment=format_moment(send_at, timezone, current_language()),
                    count=count,
                ),
                cancel,
            )


async def broadcast_command(ctx: Context) -> None:
    await ctx.start("broadcast")


async def stop_broadcast_button(ctx: Context, args: tuple[str, ...]) -> None:
    """'Stop sending' / 'Cancel this announcement': staff only; checked against the DB."""
    if not role_at_least(await ctx.role(), Role.STAFF):
        ctx.toast(_("This option is not available."))
        return
    number = payloads.int_arg(args)
    if number is None:
        ctx.toast(_("This option is not available."))
        return
    now = ctx.services.clock.now()
    async with ctx.transaction() as s:
        broadcast = await s.get(broadcasts.Broadcast, number)
        if broadcast is None or broadcasts.is_private(broadcast):
            # An answer to a resident's case travels as a private broadcast: a forged
            # number must not stop it (nor tell that it exists).
            ctx.toast(_("This option is not available."))
            return
        stopped = await broadcasts.cancel_broadcast(s, number, now)
        figures = await broadcasts.progress(s, number)
    if not stopped:
        ctx.toast(_("This announcement has already finished or been stopped."), alert=True)
        return
    ctx.edit(
        _("Announcement #{number} stopped. Already delivered: {sent}.").format(
            number=number, sent=format_number(figures.sent, current_language())
        )
    )


def register(registry: Registry) -> None:
    registry.add_conversation(ComposeBroadcast())
    registry.add_command(
        Command(
            "broadcast",
            broadcast_command,
            N_("Send an announcement (staff)"),
            min_role=Role.STAFF,
            listed=False,
        )
    )
    registry.add_menu_entry(
        MenuEntry(
            "broadcast",
            N_("Send an announcement"),
            broadcast_command,
            order=70,
            min_role=Role.STAFF,
        )
    )
    registry.add_button("bcx", stop_broadcast_button)
