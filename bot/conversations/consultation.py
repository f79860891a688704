"""Booking a consultation or a technical-support session, and everything that follows.

A member chooses what they need (consultation or technical support), a topic, a branch,
a free day, a free time, and writes a short description; after confirming they get the
booking with an .ics file, the consultant is told in their chat, and reminders go out
24 hours and 1 hour before. ``/appointments`` lists upcoming bookings with buttons to
change the time or cancel; reminders move or disappear with the booking.

After the session the consultant is asked whether it took place and for a short note;
when it did, the member is asked how useful it was (1-5) and may add a comment.
Consultants see their agenda with ``/sessions``.

Buttons on messages that outlive the conversation (appointments, notices, reminders) are
global: every press is checked against the database (whose booking, which state).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import uuid4

from bot.conversations.consultation_texts import (
    BookingView,
    consultant_lines,
    ics_file,
    ics_name,
    language_of,
    load_view,
    session_lines,
    when,
    zone,
)
from bot.engine import payloads
from bot.engine.context import Context
from bot.engine.conversation import Conversation
from bot.engine.events import UNREADABLE, EventKind
from bot.engine.keyboards import column, rows
from bot.engine.registry import Command, MenuEntry, Registry
from bot.engine.reminders import cancel_reminders, remind_at
from bot.engine.replies import Button, Reply, Text
from bot.engine.services import Services
from core.formatting import format_clock, format_number, format_short_day
from core.i18n import N_, _, current_language, pgettext, use_language
from core.textinput import clean_text
from storage import consultations, people, reference
from storage.consultations import (
    COMMENT_MAX_CHARS,
    DESCRIPTION_MAX_CHARS,
    NOTE_MAX_CHARS,
    BookingKind,
    BookingStatus,
    Slot,
)
from storage.consultations.vocabulary import KIND_LABELS, kind_label, topic_label
from storage.people import Role, role_at_least
from storage.reminders import Reminder

DAYS_PER_PAGE = 8
DESCRIPTION_MIN_CHARS = 3
AGENDA_DAYS = 14
FOLLOW_UP_AFTER = timedelta(minutes=10)
REMINDER_KIND = "consultation-reminder"
FOLLOW_UP_KIND = "consultation-followup"
# (key label, how long before the start, who) — "requester" or "consultant".
REMINDERS = (
    ("24h", timedelta(hours=24), "requester"),
    ("1h", timedelta(hours=1), "requester"),
    ("c1h", timedelta(hours=1), "consultant"),
)


# --------------------------------------------------------------------------- small helpers


def _timezone(ctx: Context | Services) -> str:
    services = ctx.services if isinstance(ctx, Context) else ctx
    return services.settings.timezone


def _now(ctx: Context) -> datetime:
    return ctx.services.clock.now()


async def _requester_id(ctx: Context) -> int:
    """The users.id of the person in front of us (created if this is their first booking)."""
    async with ctx.transaction() as s:
        user = await people.ensure_user(
            s, ctx.user_id, first_name=ctx.event.first_name, username=ctx.event.username
        )
        return user.id


async def _branch_names(ctx: Context, codes: list[str]) -> dict[str, str]:
    async with ctx.reader() as s:
        branches = await reference.list_branches(s)
    return {b.code: b.name(current_language()) for b in branches if b.code in codes}


def _recap(ctx: Context, names: dict[str, str] | None = None) -> str:
    """'Consultation · Strategic planning · Kasserine branch' for the choices made so far."""
    parts = [kind_label(ctx.state["kind"]), topic_label(ctx.state["topic"])]
    branch = ctx.state.get("branch")
    if branch:
        parts.append((names or {}).get(branch, ctx.state.get("branch_name", branch)))
    return " · ".join(parts)


# --------------------------------------------------------------------------- the booking flow


class BookConsultation(Conversation):
    """Kind → topic → branch → day → time → description → confirm (or, to reschedule,
    day → time → confirm)."""

    name = "consultation"

    async def begin(self, ctx: Context, **kwargs: Any) -> None:
        ctx.state["draft"] = uuid4().hex[:16]
        reschedule = kwargs.get("reschedule")
        if reschedule is not None:
            await self._begin_reschedule(ctx, int(reschedule))
            return
        if kwargs.get("kind") in KIND_LABELS:
            ctx.state["kind"] = kwargs["kind"]
            await self._ask_topic(ctx)
            return
        self._ask_kind(ctx)

    async def resume(self, ctx: Context) -> None:
        await self._ask_again(ctx)

    async def _begin_reschedule(self, ctx: Context, booking_id: int) -> None:
        requester_id = await _requester_id(ctx)
        async with ctx.reader() as s:
            view = await load_view(s, booking_id)
        if (
            view is None
            or view.booking.requester_id != requester_id
            or view.booking.status != BookingStatus.BOOKED
            or view.booking.starts_at <= _now(ctx)
        ):
            ctx.finish()
            ctx.edit(_("This booking can no longer be changed. Send /appointments to see yours."))
            return
        booking = view.booking
        ctx.state.update(
            reschedule=booking.id,
            kind=booking.kind,
            topic=booking.topic,
            branch=booking.branch_code,
            branch_name=view.branch_name(),
            branches=[booking.branch_code],
            current_start=booking.starts_at.isoformat(),
        )
        notice = _(
            "Let us find a new time. Your session stays booked at its current time "
            "({moment}) until you confirm a new one."
        ).format(moment=when(booking.starts_at, _timezone(ctx)))
        await self._ask_day(ctx, notice=notice)

    # --- steps -------------------------------------------------------------------------
    def _ask_kind(self, ctx: Context) -> None:
        ctx.step = "kind"
        ctx.edit(
            _(
                "What would you like to book?\n\n"
                "• Consultation: advice from a specialist on one topic.\n"
                "• Technical support: hands-on help with a concrete task, such as a budget, "
                "a report or a funding proposal."
            ),
            column(
                [
                    ctx.button(_("Consultation"), "k", "c"),
                    ctx.button(_("Technical support"), "k", "t"),
                ]
            ),
        )

    async def _ask_topic(self, ctx: Context) -> None:
        async with ctx.reader() as s:
            topics = await consultations.offered_topics(s)
        if not topics:
            ctx.finish()
            ctx.edit(
                _("No consultant is taking bookings at the moment. Please try again in a few days.")
            )
            return
        ctx.state["topics"] = topics
        ctx.step = "topic"
        buttons = [ctx.button(topic_label(t), "t", i) for i, t in enumerate(topics)]
        buttons.append(ctx.button(_("« Back"), "back"))
        ctx.edit(
            _("{kind}: which topic is it about?").format(kind=kind_label(ctx.state["kind"])),
            column(buttons),
        )

    async def _ask_branch(self, ctx: Context) -> None:
        async with ctx.reader() as s:
            codes = await consultations.branches_for_topic(s, ctx.state["topic"])
        names = await _branch_names(ctx, codes)
        codes = [c for c in codes if c in names]
        if not codes:
            ctx.say(_("No consultant for this topic is taking bookings right now."))
            await self._ask_topic(ctx)
            return
        ctx.state["branches"] = codes
        if len(codes) == 1:
            ctx.state["branch"] = codes[0]
            ctx.state["branch_name"] = names[codes[0]]
            await self._ask_day(ctx)
            return
        ctx.step = "branch"
        buttons = [ctx.button(names[c], "b", i) for i, c in enumerate(codes)]
        buttons.append(ctx.button(_("« Back"), "back"))
        ctx.edit(
            _("{recap}\n\nWhich branch suits you best?").format(recap=_recap(ctx)),
            column(buttons),
        )

    async def _free(self, ctx: Context, day: date | None = None) -> list[Slot]:
        requester_id = await _requester_id(ctx)
        async with ctx.reader() as s:
            return await consultations.free_slots(
                s,
                topic=ctx.state["topic"],
                branch_code=ctx.state["branch"],
                now=_now(ctx),
                tz=zone(_timezone(ctx)),
                first_day=day,
                last_day=day,
                requester_id=requester_id,
                ignore_booking=ctx.state.get("reschedule"),
            )

    async def _ask_day(self, ctx: Context, page: int = 0, notice: str = "") -> None:
        tz = zone(_timezone(ctx))
        slots = await self._free(ctx)
        if ctx.state.get("reschedule"):
            current = ctx.state["current_start"]
            slots = [s for s in slots if s.starts_at.isoformat() != current]
        days = consultations.free_days(slots, tz)
        head = f"{notice}\n\n" if notice else ""
        if not days:
            ctx.step = "no_days"
            buttons = [] if ctx.state.get("reschedule") else [ctx.button(_("« Back"), "back")]
            ctx.edit(
                head
                + _(
                    "{recap}\n\nThere are no free times for this in the coming weeks. "
                    "Please try another branch or topic, or try again in a few days."
                ).format(recap=_recap(ctx)),
                column(buttons) if buttons else None,
            )
            return
        ctx.state["days"] = [d.isoformat() for d in days]
        last_page = (len(days) - 1) // DAYS_PER_PAGE
        page = max(0, min(page, last_page))
        ctx.state["page"] = page
        ctx.step = "day"
        shown = days[page * DAYS_PER_PAGE : (page + 1) * DAYS_PER_PAGE]
        first = page * DAYS_PER_PAGE
        layout = rows(
            [
                ctx.button(format_short_day(d, current_language()), "d", first + i)
                for i, d in enumerate(shown)
            ],
            per_row=2,
        )
        nav: list[Button] = []
        if page > 0:
            nav.append(ctx.button(_("‹ Earlier days"), "pg", page - 1))
        if page < last_page:
            nav.append(ctx.button(_("Later days ›"), "pg", page + 1))
        if nav:
            layout.append(nav)
        if not ctx.state.get("reschedule"):
            layout.append([ctx.button(_("« Back"), "back")])
        ctx.edit(
            head + _("{recap}\n\nChoose a day with free times:").format(recap=_recap(ctx)), layout
        )

    async def _ask_slot(self, ctx: Context, day: date, notice: str = "") -> None:
        slots = await self._free(ctx, day)
        if ctx.state.get("reschedule"):
            slots = [s for s in slots if s.starts_at.isoformat() != ctx.state["current_start"]]
        if not slots:
            await self._ask_day(
                ctx, notice=_("The last free time on that day has just been taken, sorry.")
            )
            return
        ctx.state["day"] = day.isoformat()
        ctx.state["slots"] = [[s.consultant_id, s.starts_at.isoformat()] for s in slots]
        ctx.step = "slot"
        timezone = _timezone(ctx)
        layout = rows(
            [
                ctx.button(format_clock(s.starts_at, timezone, current_language()), "s", i)
                for i, s in enumerate(slots)
            ],
            per_row=3,
        )
        layout.append([ctx.button(_("‹ Another day"), "days")])
        head = f"{notice}\n\n" if notice else ""
        ctx.edit(
            head
            + _("{recap}\n\n{day}: choose a time.").format(
                recap=_recap(ctx), day=format_short_day(day, current_language())
            ),
            layout,
        )

    def _ask_description(self, ctx: Context) -> None:
        ctx.step = "describe"
        ctx.edit(
            _(
                "{recap}\n{moment}\n\nIn a sentence or two, what do you need help with? "
                "(at most {limit} characters)"
            ).format(
                recap=_recap(ctx),
                moment=when(datetime.fromisoformat(ctx.state["slot"][1]), _timezone(ctx)),
                limit=DESCRIPTION_MAX_CHARS,
            ),
            [[ctx.button(_("‹ Another time"), "days")]],
        )

    async def _ask_confirm(self, ctx: Context) -> None:
        ctx.step = "confirm"
        consultant_id, start = ctx.state["slot"]
        async with ctx.reader() as s:
            info = await consultations.consultant_info(s, int(consultant_id))
            branch = await s.get(reference.Branch, ctx.state["branch"])
        moment = datetime.fromisoformat(start)
        lines = [
            _("What: {kind} — {topic}").format(
                kind=kind_label(ctx.state["kind"]), topic=topic_label(ctx.state["topic"])
            ),
            _("When: {moment}").format(moment=when(moment, _timezone(ctx))),
        ]
        if branch is not None:
            place = branch.name(current_language())
            lines.append(
                _("Where: {place}").format(
                    place=f"{place} — {branch.address}" if branch.address else place
                )
            )
        if info is not None and info.name:
            lines.append(_("With: {name}").format(name=info.name))
        if ctx.state.get("description"):
            lines.append(_("Your request: {text}").format(text=ctx.state["description"]))
        question = (
            _("Move your session to this time?")
            if ctx.state.get("reschedule")
            else _("Shall I book it?")
        )
        ctx.edit(
            "\n".join(lines) + "\n\n" + question,
            column(
                [
                    ctx.button(_("✅ Confirm"), "ok"),
                    ctx.button(_("‹ Choose another time"), "days"),
                    ctx.button(_("✖ Stop"), "quit"),
                ]
            ),
        )

    async def _ask_again(self, ctx: Context) -> None:
        """Show the current question again, with fresh buttons."""
        step = ctx.step
        if step == "kind":
            self._ask_kind(ctx)
        elif step == "topic":
            await self._ask_topic(ctx)
        elif step == "branch":
            await self._ask_branch(ctx)
        elif step in ("day", "no_days"):
            await self._ask_day(ctx, int(ctx.state.get("page", 0)))
        elif step == "slot":
            await self._ask_slot(ctx, date.fromisoformat(ctx.state["day"]))
        elif step == "describe":
            self._ask_description(ctx)
        elif step == "confirm":
            await self._ask_confirm(ctx)
        else:
            self._ask_kind(ctx)

    # --- input ---------------------------------------------------------------------------
    async def on_message(self, ctx: Context) -> None:
        if ctx.step == "describe":
            await self._on_description(ctx)
            return
        if ctx.event.kind in UNREADABLE:
            ctx.say(_("I can only read text and buttons here. Please choose below."))
        else:
            ctx.say(_("Please choose one of the buttons below, or send /cancel to stop."))
        await self._ask_again(ctx)

    async def _on_description(self, ctx: Context) -> None:
        if ctx.event.kind != EventKind.TEXT:
            ctx.say(_("Please describe your need in a short written message."))
            self._ask_description(ctx)
            return
        raw = ctx.event.text
        text = clean_text(raw, DESCRIPTION_MAX_CHARS)
        another_time = [[ctx.button(_("‹ Another time"), "days")]]
        if text is None and raw.strip():
            ctx.say(
                _(
                    "That is {count} characters; please keep it to {limit} at most. "
                    "Details can wait for the session itself."
                ).format(count=len(raw.strip()), limit=DESCRIPTION_MAX_CHARS),
                another_time,
            )
            return
        if text is None or len(text) < DESCRIPTION_MIN_CHARS:
            ctx.say(_("Please write a few words about what you need."), another_time)
            return
        ctx.state["description"] = text
        await self._ask_confirm(ctx)

    async def on_button(self, ctx: Context, action: str, args: tuple[str, ...]) -> None:
        handler = {
            "k": self._on_kind,
            "t": self._on_topic,
            "b": self._on_branch,
            "d": self._on_day,
            "pg": self._on_page,
            "s": self._on_slot,
            "days": self._on_other_day,
            "back": self._on_back,
            "ok": self._on_confirm,
            "quit": self._on_quit,
        }.get(action)
        if handler is None:
            await super().on_button(ctx, action, args)
            return
        await handler(ctx, args)

    def _pick(self, ctx: Context, key: str, args: tuple[str, ...]) -> Any | None:
        """The item a button index points at in a list kept in the state, or None."""
        index = payloads.int_arg(args)
        options = ctx.state.get(key) or []
        if index is None or index >= len(options):
            ctx.stale_button()
            return None
        return options[index]

    async def _on_kind(self, ctx: Context, args: tuple[str, ...]) -> None:
        code = {"c": BookingKind.CONSULTATION.value, "t": BookingKind.TECHNICAL_SUPPORT.value}
        if ctx.step != "kind" or not args or args[0] not in code:
            ctx.stale_button()
            return
        ctx.state["kind"] = code[args[0]]
        await self._ask_topic(ctx)

    async def _on_topic(self, ctx: Context, args: tuple[str, ...]) -> None:
        topic = self._pick(ctx, "topics", args) if ctx.step == "topic" else None
        if topic is None:
            return
        ctx.state["topic"] = topic
        ctx.state.pop("branch", None)
        await self._ask_branch(ctx)

    async def _on_branch(self, ctx: Context, args: tuple[str, ...]) -> None:
        branch = self._pick(ctx, "branches", args) if ctx.step == "branch" else None
        if branch is None:
            return
        ctx.state["branch"] = branch
        ctx.state["branch_name"] = (await _branch_names(ctx, [branch])).get(branch, branch)
        await self._ask_day(ctx)

    async def _on_day(self, ctx: Context, args: tuple[str, ...]) -> None:
        day = self._pick(ctx, "days", args) if ctx.step == "day" else None
        if day is None:
            return
        await self._ask_slot(ctx, date.fromisoformat(day))

    async def _on_page(self, ctx: Context, args: tuple[str, ...]) -> None:
        page = payloads.int_arg(args)
        if ctx.step != "day" or page is None:
            ctx.stale_button()
            return
        await self._ask_day(ctx, page)

    async def _on_slot(self, ctx: Context, args: tuple[str, ...]) -> None:
        slot = self._pick(ctx, "slots", args) if ctx.step == "slot" else None
        if slot is None:
            return
        ctx.state["slot"] = slot
        if ctx.state.get("reschedule") or ctx.state.get("description"):
            await self._ask_confirm(ctx)
        else:
            self._ask_description(ctx)

    async def _on_other_day(self, ctx: Context, args: tuple[str, ...]) -> None:
        if ctx.step not in ("slot", "describe", "confirm"):
            ctx.stale_button()
            return
        await self._ask_day(ctx, int(ctx.state.get("page", 0)))

    async def _on_back(self, ctx: Context, args: tuple[str, ...]) -> None:
        if ctx.step == "topic":
            self._ask_kind(ctx)
        elif ctx.step == "branch":
            await self._ask_topic(ctx)
        elif ctx.step in ("day", "no_days") and not ctx.state.get("reschedule"):
            if len(ctx.state.get("branches") or []) > 1:
                await self._ask_branch(ctx)
            else:
                await self._ask_topic(ctx)
        else:
            ctx.stale_button()

    async def _on_quit(self, ctx: Context, args: tuple[str, ...]) -> None:
        ctx.finish()
        if ctx.state.get("reschedule"):
            ctx.edit(_("Nothing changed: your session stays at its current time."))
        else:
            ctx.edit(_("Nothing was booked. Send /consult whenever you want to book."))

    # --- booking ---------------------------------------------------------------------------
    async def _on_confirm(self, ctx: Context, args: tuple[str, ...]) -> None:
        if ctx.step != "confirm" or not ctx.state.get("slot"):
            ctx.stale_button()
            return
        consultant_id, start = (
            int(ctx.state["slot"][0]),
            datetime.fromisoformat(ctx.state["slot"][1]),
        )
        requester_id = await _requester_id(ctx)
        reschedule = ctx.state.get("reschedule")
        previous: BookingView | None = None
        if reschedule:  # read in its own session: the move below changes the same row
            async with ctx.reader() as s:
                previous = await load_view(s, int(reschedule))
        try:
            async with ctx.transaction() as s:
                if reschedule:
                    booking = await consultations.move(
                        s,
                        int(reschedule),
                        requester_id=requester_id,
                        consultant_id=consultant_id,
                        starts_at=start,
                        now=_now(ctx),
                        tz=zone(_timezone(ctx)),
                    )
                else:
                    booking = await consultations.book(
                        s,
                        consultant_id=consultant_id,
                        requester_id=requester_id,
                        kind=BookingKind(ctx.state["kind"]),
                        topic=ctx.state["topic"],
                        branch_code=ctx.state["branch"],
                        starts_at=start,
                        description=ctx.state.get("description", ""),
                        now=_now(ctx),
                        tz=zone(_timezone(ctx)),
                        request_key=f"consult:{ctx.user_id}:{ctx.state['draft']}",
                    )
                booking_id = booking.id
        except consultations.SlotTaken:
            ctx.toast(_("Sorry, someone has just booked this time."))
            await self._ask_slot(
                ctx,
                date.fromisoformat(ctx.state["day"]),
                notice=_("Sorry, someone booked that time a moment ago. These are still free:"),
            )
            return
        except consultations.RequesterBusy:
            await self._ask_slot(
                ctx,
                date.fromisoformat(ctx.state["day"]),
                notice=_("You already have a session at that time. Please choose another time."),
            )
            return
        except consultations.SlotUnavailable:
            await self._ask_day(ctx, notice=_("That time is no longer available, sorry."))
            return
        except consultations.NotAllowed:
            ctx.finish()
            ctx.edit(_("This booking can no longer be changed. Send /appointments to see yours."))
            return
        await self._after_booking(ctx, booking_id, previous)

    async def _after_booking(
        self, ctx: Context, booking_id: int, previous: BookingView | None
    ) -> None:
        async with ctx.reader() as s:
            view = await load_view(s, booking_id)
        assert view is not None
        ctx.finish()
        timezone = _timezone(ctx)
        await schedule_reminders(ctx.services, view)
        if previous is None:
            head = _("✅ Booked! See you there.")
        else:
            head = _("✅ Your session has been moved.")
        ctx.edit(f"{head}\n\n{session_lines(view, timezone)}")
        ctx.send_file(
            ics_name(view.booking),
            ics_file(view, now=_now(ctx)),
            caption=_("Add it to your phone's calendar."),
            mime_type="text/calendar",
        )
        ctx.say(
            _(
                "I will remind you 24 hours and 1 hour before. To change the time or cancel, "
                "send /appointments."
            )
        )
        await notify_consultants(ctx, view, previous)


# --------------------------------------------------------------------------- after the flow


async def schedule_reminders(services: Services, view: BookingView) -> None:
    """(Re)plan the reminders of an active booking; earlier ones of the booking are dropped."""
    booking = view.booking
    await cancel_reminders(services, consultations.reminder_prefix(booking.id))
    now = services.clock.now()
    chats = {"requester": view.requester_telegram_id, "consultant": view.consultant_telegram_id}
    for label, before, who in REMINDERS:
        due = booking.starts_at - before
        chat_id = chats[who]
        if due > now and chat_id:
            await remind_at(
                services,
                key=consultations.reminder_key(booking, label),
                kind=REMINDER_KIND,
                ref=booking.id,
                chat_id=chat_id,
                due_at=due,
            )
    if view.consultant_telegram_id:
        await remind_at(
            services,
            key=consultations.reminder_key(booking, "after"),
            kind=FOLLOW_UP_KIND,
            ref=booking.id,
            chat_id=view.consultant_telegram_id,
            due_at=booking.ends_at + FOLLOW_UP_AFTER,
        )


async def _in_language_of(ctx: Context, telegram_id: int) -> str:
    async with ctx.reader() as s:
        return await language_of(s, telegram_id, ctx.services.settings.default_language)


async def notify_consultants(ctx: Context, view: BookingView, previous: BookingView | None) -> None:
    """Tell the consultant(s) about a new, moved or reassigned booking, in their language."""
    timezone = _timezone(ctx)
    moved_away = previous is not None and (
        previous.booking.consultant_id != view.booking.consultant_id
    )
    if previous is not None and moved_away and previous.consultant_telegram_id:
        with use_language(await _in_language_of(ctx, previous.consultant_telegram_id)):
            ctx.notify(
                previous.consultant_telegram_id,
                Text(
                    _("A session was moved to a colleague; you no longer have it:")
                    + "\n\n"
                    + consultant_lines(previous, timezone)
                ),
            )
    if not view.consultant_telegram_id:
        return
    with use_language(await _in_language_of(ctx, view.consultant_telegram_id)):
        if previous is None or moved_away:
            head = _("New booking:")
        else:
            head = _("A session was moved from {old} to the new time below:").format(
                old=when(previous.booking.starts_at, timezone)
            )
        ctx.notify(
            view.consultant_telegram_id, Text(f"{head}\n\n{consultant_lines(view, timezone)}")
        )


def _party(view: BookingView, telegram_id: int) -> str | None:
    if telegram_id == view.requester_telegram_id:
        return "requester"
    if view.consultant_telegram_id is not None and telegram_id == view.consultant_telegram_id:
        return "consultant"
    return None


async def _view_for_button(ctx: Context, args: tuple[str, ...]) -> tuple[BookingView, str] | None:
    """The booking a global button points at, if the presser is one of its two parties."""
    booking_id = payloads.int_arg(args)
    view = None
    if booking_id is not None:
        async with ctx.reader() as s:
            view = await load_view(s, booking_id)
    party = _party(view, ctx.user_id) if view is not None else None
    if party == "consultant" and not role_at_least(await ctx.role(), Role.CONSULTANT):
        party = None  # no longer a consultant: the role is read at the moment of acting
    if view is None or party is None:
        ctx.toast(_("This option is not available."))
        return None
    return view, party


def _appointment_buttons(ctx: Context, booking_id: int) -> list[list[Button]]:
    return [
        [
            ctx.global_button(_("Change the time"), "ccr", booking_id),
            ctx.global_button(_("Cancel it"), "ccx", booking_id),
        ]
    ]


async def show_appointments(ctx: Context) -> None:
    """/appointments: the member's upcoming sessions, each with change / cancel buttons."""
    requester_id = await _requester_id(ctx)
    async with ctx.reader() as s:
        upcoming = await consultations.upcoming_for_requester(s, requester_id, _now(ctx))
        views = [await load_view(s, b.id) for b in upcoming]
    if not views:
        ctx.say(
            _("You have no upcoming sessions."),
            [[ctx.global_button(_("Book a consultation"), "ccnew")]],
        )
        return
    ctx.say(_("Your upcoming sessions:"))
    for view in views:
        if view is not None:
            ctx.say(session_lines(view, _timezone(ctx)), _appointment_buttons(ctx, view.booking.id))


async def appointments_command(ctx: Context) -> None:
    await show_appointments(ctx)


async def consult_command(ctx: Context) -> None:
    await ctx.start("consultation")


async def new_booking_button(ctx: Context, args: tuple[str, ...]) -> None:
    """'Book again' under a cancellation notice: args may carry the kind."""
    kind = {"c": BookingKind.CONSULTATION.value, "t": BookingKind.TECHNICAL_SUPPORT.value}.get(
        args[0] if args else ""
    )
    await ctx.start("consultation", **({"kind": kind} if kind else {}))


def _is_active_future(ctx: Context, view: BookingView) -> bool:
    """Say why not, when a booking can no longer be changed or cancelled."""
    booking = view.booking
    if booking.status != BookingStatus.BOOKED:
        ctx.edit(_("This session is no longer booked."))
        return False
    if booking.starts_at <= _now(ctx):
        ctx.edit(_("This session has already started, so it can no longer be changed."))
        return False
    return True


async def reschedule_button(ctx: Context, args: tuple[str, ...]) -> None:
    found = await _view_for_button(ctx, args)
    if found is None:
        return
    view, party = found
    if party != "requester":
        ctx.toast(_("Only the person who booked can change the time."))
        return
    if _is_active_future(ctx, view):
        await ctx.start("consultation", reschedule=view.booking.id)


async def cancel_ask_button(ctx: Context, args: tuple[str, ...]) -> None:
    found = await _view_for_button(ctx, args)
    if found is None:
        return
    view, party = found
    if not _is_active_future(ctx, view):
        return
    lines = (
        session_lines(view, _timezone(ctx))
        if party == "requester"
        else consultant_lines(view, _timezone(ctx))
    )
    ctx.edit(
        _("Cancel this session?") + "\n\n" + lines,
        [
            [
                ctx.global_button(pgettext("session", "Yes, cancel it"), "ccy", view.booking.id),
                ctx.global_button(pgettext("session", "No, keep it"), "cck", view.booking.id),
            ]
        ],
    )


async def keep_button(ctx: Context, args: tuple[str, ...]) -> None:
    found = await _view_for_button(ctx, args)
    if found is None:
        return
    view, party = found
    if not _is_active_future(ctx, view):
        return
    if party == "requester":
        ctx.edit(
            _("Kept.") + "\n\n" + session_lines(view, _timezone(ctx)),
            _appointment_buttons(ctx, view.booking.id),
        )
    else:
        ctx.edit(
            _("Kept.") + "\n\n" + consultant_lines(view, _timezone(ctx)),
            [[ctx.global_button(_("Cancel it"), "ccx", view.booking.id)]],
        )


async def cancel_confirm_button(ctx: Context, args: tuple[str, ...]) -> None:
    found = await _view_for_button(ctx, args)
    if found is None:
        return
    view, party = found
    if not _is_active_future(ctx, view):
        return
    async with ctx.transaction() as s:
        cancelled = await consultations.cancel(s, view.booking.id, by=party, now=_now(ctx))
    if cancelled is None:
        ctx.edit(_("This session is no longer booked."))
        return
    async with ctx.reader() as s:
        fresh = await load_view(s, view.booking.id)
    assert fresh is not None
    ctx.edit(_("Cancelled. The time is free again for someone else."))
    if party == "requester":
        ctx.send_file(
            ics_name(fresh.booking),
            ics_file(fresh, now=_now(ctx), cancelled=True),
            caption=_("Open this to remove the session from your phone's calendar."),
            mime_type="text/calendar",
        )
    await _tell_other_party_of_cancellation(ctx, fresh, party)


async def _tell_other_party_of_cancellation(ctx: Context, view: BookingView, by: str) -> None:
    timezone = _timezone(ctx)
    if by == "requester" and view.consultant_telegram_id:
        with use_language(await _in_language_of(ctx, view.consultant_telegram_id)):
            ctx.notify(
                view.consultant_telegram_id,
                Text(
                    _("This session was cancelled by the person who booked it:")
                    + "\n\n"
                    + consultant_lines(view, timezone)
                ),
            )
    elif by == "consultant" and view.requester_telegram_id:
        kind = "t" if view.booking.kind == BookingKind.TECHNICAL_SUPPORT else "c"
        with use_language(await _in_language_of(ctx, view.requester_telegram_id)):
            ctx.notify(
                view.requester_telegram_id,
                Text(
                    _(
                        "We are sorry: the consultant had to cancel your session. "
                        "Please choose another time."
                    )
                    + "\n\n"
                    + session_lines(view, timezone),
                    [[ctx.global_button(_("Book another time"), "ccnew", kind)]],
                ),
            )


# --------------------------------------------------------------------------- consultants


async def sessions_command(ctx: Context) -> None:
    """/sessions: a consultant's next two weeks, and past sessions waiting for a record."""
    now = _now(ctx)
    async with ctx.reader() as s:
        consultant = await consultations.consultant_for_staff(s, ctx.user_id)
        if consultant is None:
            ctx.say(
                _(
                    "You do not have a consultant profile yet. Please ask the programme "
                    "coordinator to set your topics and hours."
                )
            )
            return
        waiting = await consultations.awaiting_record(s, consultant.id, now)
        upcoming = await consultations.upcoming_for_consultant(
            s, consultant.id, now, now + timedelta(days=AGENDA_DAYS)
        )
        waiting_views = [await load_view(s, b.id) for b in waiting]
        upcoming_views = [
            await load_view(s, b.id) for b in upcoming if b.id not in {w.id for w in waiting}
        ]
    timezone = _timezone(ctx)
    if waiting_views:
        ctx.say(_("Sessions waiting for your record:"))
        for view in filter(None, waiting_views):
            ctx.say(consultant_lines(view, timezone), _record_buttons(ctx, view.booking.id))
    if not upcoming_views:
        ctx.say(_("You have no sessions in the next two weeks."))
        return
    ctx.say(_("Your sessions in the next two weeks:"))
    for view in filter(None, upcoming_views):
        ctx.say(
            consultant_lines(view, timezone),
            [[ctx.global_button(_("Cancel it"), "ccx", view.booking.id)]],
        )


def _record_buttons(ctx: Context, booking_id: int) -> list[list[Button]]:
    return [
        [ctx.global_button(_("✅ It took place"), "ccrec", booking_id, "y")],
        [ctx.global_button(_("✖ It did not take place"), "ccrec", booking_id, "n")],
    ]


async def record_button(ctx: Context, args: tuple[str, ...]) -> None:
    """The consultant says whether the session took place; then a note, then feedback."""
    found = await _view_for_button(ctx, args)
    if found is None:
        return
    view, party = found
    if party != "consultant" or len(args) < 2 or args[1] not in ("y", "n"):
        ctx.toast(_("This option is not available."))
        return
    if view.booking.starts_at > _now(ctx):
        ctx.toast(_("This session has not started yet."), alert=True)
        return
    if view.booking.status == BookingStatus.CANCELLED:
        ctx.edit(_("This session was cancelled."))
        return
    took_place = args[1] == "y"
    before = view.booking.status
    async with ctx.transaction() as s:
        booking = await consultations.record_outcome(
            s,
            view.booking.id,
            consultant_id=view.booking.consultant_id,
            took_place=took_place,
            now=_now(ctx),
        )
        status = booking.status
    if status == before:
        ctx.toast(_("Already recorded."))
        return
    ctx.edit(
        (
            _("Recorded: the session took place.")
            if took_place
            else _("Recorded: it did not take place.")
        )
        + "\n\n"
        + consultant_lines(view, _timezone(ctx))
    )
    if took_place and before == BookingStatus.BOOKED and view.requester_telegram_id:
        await _ask_for_feedback(ctx, view)
    await ctx.start("consultation_note", booking_id=view.booking.id)


async def _ask_for_feedback(ctx: Context, view: BookingView) -> None:
    with use_language(await _in_language_of(ctx, view.requester_telegram_id)):
        ctx.notify(
            view.requester_telegram_id,
            Text(
                _(
                    "Thank you for coming to your session on {topic} ({moment}). "
                    "How useful was it? 1 = not useful, 5 = very useful."
                ).format(
                    topic=topic_label(view.booking.topic),
                    moment=when(view.booking.starts_at, _timezone(ctx)),
                ),
                [
                    [
                        ctx.global_button(f"{format_number(n)} ⭐", "ccfb", view.booking.id, n)
                        for n in range(1, 6)
                    ]
                ],
            ),
        )


async def feedback_button(ctx: Context, args: tuple[str, ...]) -> None:
    found = await _view_for_button(ctx, args)
    rating = payloads.int_arg(args, 1)
    if found is None:
        return
    view, party = found
    if party != "requester" or rating is None or not 1 <= rating <= 5:
        ctx.toast(_("This option is not available."))
        return
    try:
        async with ctx.transaction() as s:
            await consultations.record_feedback(
                s,
                view.booking.id,
                requester_id=view.booking.requester_id,
                now=_now(ctx),
                rating=rating,
            )
    except consultations.NotAllowed:
        ctx.toast(_("This option is not available."))
        return
    ctx.edit(_("Thank you! You rated the session {rating} out of 5.").format(rating=rating))
    await ctx.start("consultation_feedback", booking_id=view.booking.id)


class _FreeTextAfterSession(Conversation):
    """A short optional text about a past session (the consultant's note, the member's
    comment): written, or skipped with a button."""

    limit = NOTE_MAX_CHARS

    def prompt(self) -> str:
        raise NotImplementedError

    def saved(self) -> str:
        raise NotImplementedError

    def skipped(self) -> str:
        raise NotImplementedError

    async def store(self, ctx: Context, booking_id: int, text: str) -> None:
        raise NotImplementedError

    async def begin(self, ctx: Context, **kwargs: Any) -> None:
        ctx.state["booking_id"] = int(kwargs["booking_id"])
        ctx.step = "write"
        ctx.say(self.prompt(), [[ctx.button(_("Skip"), "skip")]])

    async def on_message(self, ctx: Context) -> None:
        if ctx.event.kind != EventKind.TEXT:
            ctx.say(_("Please write it as a text message, or press Skip."))
            await self.begin(ctx, booking_id=ctx.state["booking_id"])
            return
        text = clean_text(ctx.event.text, self.limit)
        if text is None:
            ctx.say(_("Please keep it to {limit} characters at most.").format(limit=self.limit))
            return
        try:
            await self.store(ctx, int(ctx.state["booking_id"]), text)
        except consultations.NotAllowed:
            ctx.finish()
            ctx.say(_("This option is not available."))
            return
        ctx.finish()
        ctx.say(self.saved())

    async def on_button(self, ctx: Context, action: str, args: tuple[str, ...]) -> None:
        if action != "skip":
            await super().on_button(ctx, action, args)
            return
        ctx.finish()
        ctx.edit(self.skipped())


class ConsultantNote(_FreeTextAfterSession):
    name = "consultation_note"
    needs_consent = False  # staff
    min_role = Role.CONSULTANT
    limit = NOTE_MAX_CHARS

    def prompt(self) -> str:
        return _(
            "Please write a short note about the session: what you covered and any next "
            "steps (at most {limit} characters). Only programme staff can read it."
        ).format(limit=self.limit)

    def saved(self) -> str:
        return _("Note saved. Thank you!")

    def skipped(self) -> str:
        return _("No note added. You can send /sessions later to see your sessions.")

    async def store(self, ctx: Context, booking_id: int, text: str) -> None:
        async with ctx.reader() as s:
            consultant = await consultations.consultant_for_staff(s, ctx.user_id)
        if consultant is None:
            raise consultations.NotAllowed("not a consultant")
        async with ctx.transaction() as s:
            await consultations.record_note(s, booking_id, consultant_id=consultant.id, note=text)


class FeedbackComment(_FreeTextAfterSession):
    name = "consultation_feedback"
    limit = COMMENT_MAX_CHARS

    def prompt(self) -> str:
        return _("Would you like to tell us more? Write a comment, or press Skip.")

    def saved(self) -> str:
        return _("Thank you! Your comment helps us improve our support.")

    def skipped(self) -> str:
        return _("Thank you for your rating!")

    async def store(self, ctx: Context, booking_id: int, text: str) -> None:
        requester_id = await _requester_id(ctx)
        async with ctx.transaction() as s:
            await consultations.record_feedback(
                s, booking_id, requester_id=requester_id, now=_now(ctx), comment=text
            )


# --------------------------------------------------------------------------- reminders


async def render_reminder(services: Services, reminder: Reminder) -> Reply | None:
    """24 h and 1 h before, for the member; 1 h before, for the consultant."""
    async with services.reader() as s:
        view = await load_view(s, reminder.ref)
    if view is None or view.booking.status != BookingStatus.BOOKED:
        return None
    booking = view.booking
    lead = booking.starts_at - reminder.due_at
    if lead <= timedelta(0) or services.clock.now() - reminder.due_at > lead / 2:
        return None  # moved, or too late to be useful (a "tomorrow" sent the same day)
    timezone = services.settings.timezone
    soon = lead <= timedelta(hours=2)
    if reminder.chat_id == view.requester_telegram_id:
        head = (
            _("Reminder: your session starts in one hour.")
            if soon
            else _("Reminder: your session is tomorrow.")
        )
        return Text(
            f"{head}\n\n{session_lines(view, timezone)}",
            [
                [
                    Button(_("Change the time"), payloads.global_("ccr", booking.id)),
                    Button(_("Cancel it"), payloads.global_("ccx", booking.id)),
                ]
            ],
        )
    if reminder.chat_id == view.consultant_telegram_id:
        return Text(_("In one hour:") + "\n\n" + consultant_lines(view, timezone))
    return None


async def render_follow_up(services: Services, reminder: Reminder) -> Reply | None:
    """After the session, ask the consultant to record it (unless they already did)."""
    async with services.reader() as s:
        view = await load_view(s, reminder.ref)
    if view is None or view.booking.status != BookingStatus.BOOKED:
        return None
    if reminder.chat_id != view.consultant_telegram_id:
        return None
    booking_id = view.booking.id
    return Text(
        _("Did this session take place?")
        + "\n\n"
        + consultant_lines(view, services.settings.timezone),
        [
            [Button(_("✅ It took place"), payloads.global_("ccrec", booking_id, "y"))],
            [Button(_("✖ It did not take place"), payloads.global_("ccrec", booking_id, "n"))],
        ],
    )


def register(registry: Registry) -> None:
    registry.add_conversation(BookConsultation())
    registry.add_conversation(ConsultantNote())
    registry.add_conversation(FeedbackComment())
    registry.add_command(
        Command("consult", consult_command, N_("Book a consultation or technical support"))
    )
    registry.add_command(
        Command("appointments", appointments_command, N_("Your booked consultations"))
    )
    registry.add_command(
        Command(
            "sessions",
            sessions_command,
            N_("Your consultation sessions (consultants)"),
            min_role=Role.CONSULTANT,
            listed=False,
        )
    )
    registry.add_menu_entry(MenuEntry("consult", N_("Book a consultation"), consult_command, 40))
    registry.add_menu_entry(
        MenuEntry("appointments", N_("My appointments"), appointments_command, 41)
    )
    registry.add_menu_entry(
        MenuEntry(
            "sessions",
            N_("My consultation sessions"),
            sessions_command,
            60,
            min_role=Role.CONSULTANT,
        )
    )
    registry.add_button("ccnew", new_booking_button)
    registry.add_button("ccr", reschedule_button)
    registry.add_button("ccx", cancel_ask_button)
    registry.add_button("ccy", cancel_confirm_button)
    registry.add_button("cck", keep_button)
    registry.add_button("ccrec", record_button)
    registry.add_button("ccfb", feedback_button)
    registry.add_reminder_kind(REMINDER_KIND, render_reminder)
    registry.add_reminder_kind(FOLLOW_UP_KIND, render_follow_up)
    registry.add_personal_data(
        "consultations", consultations.export_personal_data, consultations.erase_personal_data
    )
