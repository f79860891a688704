"""/inbox for staff on a phone (the ``staff_inbox`` flow): the open cases, one case's
messages, answer or close it.

The compact version of the admin inbox (``admin/pages/inbox.py``), with the same rules:
staff and admins only (checked again at every step), confidential cases for admins only,
an anonymous resident unnamed, every opening of a case in the audit log, and an answer or a
close refused when the case moved since it was shown. Answers go through the broadcast
outbox like the admin's, in the same words (storage.cases.texts).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from bot.engine.context import Context
from bot.engine.events import UNREADABLE, EventKind
from bot.engine.keyboards import column
from bot.engine.steps import Flow, Step
from bot.features.cases.actions import ANSWER, CLOSE, OPEN
from bot.features.cases.texts import shown_reference
from core.i18n import _, current_language
from core.textinput import clean_text
from storage import audit, cases, people, reference
from storage.cases.texts import closing_text, reply_text
from storage.cases.vocabulary import KIND_LABELS, STATUS_LABELS
from storage.people import Role, StaffMember, role_at_least

LISTED = 10
SHOWN_MESSAGES = 5
AUTHOR_MARKS = {cases.Author.RESIDENT: "👤", cases.Author.STAFF: "💬", cases.Author.NOTE: "📝"}


async def _member(ctx: Context) -> StaffMember | None:
    async with ctx.reader() as s:
        member = await s.scalar(
            select(StaffMember).where(
                StaffMember.telegram_id == ctx.user_id, StaffMember.active.is_(True)
            )
        )
        if member is not None:
            s.expunge(member)
    return member


class StaffInbox(Flow):
    """list -> case -> (answer) -> list or case."""

    name = "staff_inbox"
    min_role = Role.STAFF
    needs_consent = False
    starts = ("list",)

    def steps(self) -> Sequence[Step]:
        # Drawing the list ends the flow once no case is open.
        return [
            Step("list", self.draw_list, on={OPEN: self.on_open}, goes_to=("case",), ends=True),
            Step(
                "case",
                self.draw_case,
                on={ANSWER: self.on_answer, CLOSE: self.on_close},
                goes_to=("answer", "list"),
                back="list",
                ends=True,
            ),
            Step(
                "answer",
                self.draw_answer,
                message=self.on_answer_text,
                goes_to=("list", "case"),
                ends=True,
            ),
        ]

    async def on_buttons_only(self, ctx: Context, step: Step) -> None:
        """A message where buttons are expected: said as it always was, nothing redrawn."""
        if ctx.event.kind in UNREADABLE:
            ctx.say(_("I can only read text, buttons, locations and photos here."))
        else:
            ctx.say(_("Please use the buttons above, or send /cancel to stop."))

    async def _see_confidential(self, ctx: Context) -> bool:
        return role_at_least(await ctx.role(), Role.ADMIN)

    # --- the open cases ------------------------------------------------------------------------
    async def draw_list(self, ctx: Context) -> None:
        where = cases.CaseFilter(status="open", see_confidential=await self._see_confidential(ctx))
        lang = current_language()
        async with ctx.reader() as s:
            found = await cases.list_cases(s, where, limit=LISTED)
            total = await cases.count_cases(s, where)
            names = {d.code: d.name(lang) for d in await reference.list_districts(s)}
        if not found:
            self.end(ctx)
            ctx.say(_("No open case. Well done!"))
            return
        buttons = [
            OPEN.button(
                ctx,
                f"{shown_reference(c.id)} · {_(KIND_LABELS[cases.CaseKind(c.kind)])}"
                f" · {names.get(c.district_code or '', '—')}",
                id=c.id,
            )
            for c in found
        ]
        ctx.say(_("Open cases: {n}. The newest first:").format(n=total), column(buttons))

    async def on_open(self, ctx: Context, id: int) -> None:
        await self.show(ctx, "case", case_id=id)

    # --- one case ------------------------------------------------------------------------------
    async def draw_case(self, ctx: Context, case_id: int | None = None) -> None:
        """The case's last messages (its opening is audited); gone or not for this person:
        back to the list."""
        if case_id is None:
            case_id = int(ctx.state.get("case", 0))
        async with ctx.reader() as s:
            case = await cases.get_case(s, case_id)
            if case is None or (case.confidential and not await self._see_confidential(ctx)):
                case = None
            messages = await cases.messages_of(s, case_id) if case else []
            resident = (
                await people.get_user(s, case.telegram_id)
                if case is not None and case.telegram_id is not None and not case.anonymous
                else None
            )
        if case is None:
            ctx.toast(_("This option is not available."))
            await self.show(ctx, "list")
            return
        member = await _member(ctx)
        async with ctx.transaction() as s:
            await audit.record(
                s,
                audit.Actor(
                    member.id if member else None, (member.username or "") if member else ""
                ),
                audit.AuditAction.VIEW,
                f"case:{case.id}",
                detail=f"{case.reference} (bot)",
                record_count=1,
                at=ctx.services.clock.now(),
            )
        if case.anonymous:
            who = _("an anonymous resident")
        elif resident is None:
            who = _("a resident who erased their data")
        else:
            who = resident.full_name or resident.first_name or "—"
        lines = [
            f"{shown_reference(case.id)} · {_(KIND_LABELS[cases.CaseKind(case.kind)])}",
            _("From {who} · {status}").format(
                who=who, status=_(STATUS_LABELS[cases.CaseStatus(case.status)])
            ),
        ]
        for m in messages[-SHOWN_MESSAGES:]:
            head = AUTHOR_MARKS[cases.Author(m.author)]
            extra = " 📷" * bool(m.photo_file_id) + " 🎤" * bool(m.voice_file_id)
            extra += " 📍" * (m.latitude is not None)
            lines.append(f"{head} {m.text[:600]}{extra}")
        ctx.state.update(case=case.id, version=case.version)
        buttons = [[self.back_button(ctx, _("⬅️ All open cases"))]]
        if case.is_open:
            buttons.insert(
                0,
                [ANSWER.button(ctx, _("✍️ Answer")), CLOSE.button(ctx, _("✅ Close"))],
            )
        ctx.say("\n".join(lines), buttons)

    async def on_answer(self, ctx: Context) -> None:
        await self.show(ctx, "answer")

    async def draw_answer(self, ctx: Context) -> None:
        ctx.say(_("Type your answer. The resident receives it with the reference number."))

    async def _result(self, ctx: Context, outcome: cases.Outcome, done: str) -> None:
        if outcome in (cases.Outcome.DONE, cases.Outcome.ALREADY):
            ctx.say(done)
            await self.show(ctx, "list")
            return
        ctx.say(
            {
                cases.Outcome.STALE: _(
                    "Nothing was sent: this case changed since I showed it (someone else "
                    "answered, or the resident wrote again). Here it is again:"
                ),
                cases.Outcome.CLOSED: _("This case is already closed."),
                cases.Outcome.UNREACHABLE: _(
                    "The answer cannot reach the resident (they erased their data, stopped "
                    "all messages or blocked the bot). You can still close the case."
                ),
            }.get(outcome, _("This option is not available."))
        )
        await self.show(ctx, "case")

    def _not_staff(self, ctx: Context) -> None:
        self.end(ctx)
        ctx.say(_("This command is only for programme staff."))

    async def on_close(self, ctx: Context) -> None:
        member = await _member(ctx)
        if member is None:
            self._not_staff(ctx)
            return
        async with ctx.transaction() as s:
            case = await cases.get_case(s, int(ctx.state.get("case", 0)))
            outcome = (
                await cases.close(
                    s,
                    case_id=case.id,
                    staff=member,
                    seen_version=int(ctx.state.get("version", -1)),
                    closing_text=closing_text(case.reference, case.language),
                    now=ctx.services.clock.now(),
                )
                if case is not None
                else cases.Outcome.NOT_YOURS
            )
        await self._result(ctx, outcome, _("The case is closed; the resident is asked to rate it."))

    async def on_answer_text(self, ctx: Context) -> None:
        text = (
            clean_text(ctx.event.text, cases.MAX_REPLY_CHARS)
            if ctx.event.kind == EventKind.TEXT
            else None
        )
        if text is None:
            ctx.say(
                _("Please type an answer of 1 to {n} characters.").format(n=cases.MAX_REPLY_CHARS)
            )
            return
        member = await _member(ctx)
        if member is None:
            self._not_staff(ctx)
            return
        async with ctx.transaction() as s:
            case = await cases.get_case(s, int(ctx.state.get("case", 0)))
            outcome = (
                await cases.staff_reply(
                    s,
                    case_id=case.id,
                    staff=member,
                    seen_version=int(ctx.state.get("version", -1)),
                    text=text,
                    outgoing_text=reply_text(case.reference, text, case.language),
                    now=ctx.services.clock.now(),
                )
                if case is not None
                else cases.Outcome.NOT_YOURS
            )
        await self._result(ctx, outcome, _("Your answer is on its way to the resident."))


async def inbox_command(ctx: Context) -> None:
    """/inbox (staff)."""
    await ctx.start("staff_inbox", restart=True)
