"""Staff commands for trainings: the trainer's check-in code, the roster, suggestions.

``/checkin`` lists the sessions happening around now; choosing one shows a short code to
put on the screen or the board (participants type it with /present). ``/roster`` shows
who holds a seat, who is present and who waits. ``/suggestions`` reads what people asked
for. Their buttons are global: each press checks the staff role again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import timedelta

from bot.engine.context import Context
from bot.engine.keyboards import column
from bot.engine.replies import Button, Text
from bot.features.trainings.actions import OPEN_COURSE, STAFF_SESSION
from bot.features.trainings.reminders import cancel_registration_reminders
from bot.features.trainings.texts import (
    GENDER_LABELS,
    branch_of,
    language_of,
    local_day,
    session_label,
)
from core.formatting import format_clock, format_day, format_moment, format_number
from core.i18n import _, current_language, pgettext, use_language
from storage import trainings
from storage.people import Role, role_at_least

ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
ROSTER_SESSIONS_DAYS = 60


async def _is_staff(ctx: Context) -> bool:
    if role_at_least(await ctx.role(), Role.STAFF):
        return True
    ctx.toast(_("This is only for programme staff."))
    return False


async def _session_buttons(
    ctx: Context, op: str, days_before: float, days_after: float
) -> list[Button]:
    now = ctx.services.clock.now()
    async with ctx.reader() as s:
        found = await trainings.sessions_between(
            s, now - timedelta(days=days_before), now + timedelta(days=days_after)
        )
        branches = [await branch_of(s, training) for training, _c in found]
    tz = ctx.services.settings.timezone
    lang = current_language()
    buttons = []
    for (training, course), branch in zip(found[:30], branches, strict=False):
        label = f"{course.title(lang)[:28]} · {session_label(training, branch, 0, tz)}"
        buttons.append(STAFF_SESSION.global_button(ctx, label[:60], op=op, session=training.id))
    return buttons


async def checkin_command(ctx: Context) -> None:
    buttons = await _session_buttons(ctx, "o", days_before=0.5, days_after=1.5)
    if not buttons:
        ctx.say(_("No training session is taking place between now and tomorrow."))
        return
    ctx.say(_("Which session are you opening check-in for?"), column(buttons))


async def roster_command(ctx: Context) -> None:
    buttons = await _session_buttons(ctx, "l", days_before=7, days_after=ROSTER_SESSIONS_DAYS)
    if not buttons:
        ctx.say(_("No training session in the coming weeks."))
        return
    ctx.say(_("Which session's participants do you want to see?"), column(buttons))


def _code_for_screen(code: str) -> str:
    spaced = " ".join(code)
    if current_language() == "ar":
        return f"{spaced}   ({code.translate(ARABIC_DIGITS)})"
    return spaced


async def _show_checkin(ctx: Context, session_id: int, *, new_code: bool) -> None:
    now = ctx.services.clock.now()
    minutes = ctx.services.settings.checkin_code_minutes
    try:
        async with ctx.transaction() as s:
            training = await trainings.get_session(s, session_id)
            if training is None:
                raise trainings.SessionClosed(session_id)
            code_valid = (
                training.checkin_code is not None
                and training.checkin_expires_at is not None
                and training.checkin_expires_at > now
            )
            if new_code or not code_valid:
                training = await trainings.open_checkin(
                    s, session_id=session_id, now=now, minutes=minutes
                )
            course = await trainings.get_course(s, training.course_id)
            present, seated = await trainings.attendance_counts(s, session_id)
    except trainings.SessionClosed:
        ctx.toast(_("This session is cancelled or no longer exists."))
        return
    assert course is not None and training.checkin_code and training.checkin_expires_at
    tz = ctx.services.settings.timezone
    text = "\n\n".join(
        [
            f"📚 {course.title(current_language())}",
            _("Check-in code: {code}").format(code=_code_for_screen(training.checkin_code)),
            _("Participants send /present and type this code. It works until {time}.").format(
                time=format_clock(training.checkin_expires_at, tz)
            ),
            _("Present: {present} of {seated} confirmed participants.").format(
                present=format_number(present), seated=format_number(seated)
            ),
        ]
    )
    buttons = [
        [
            STAFF_SESSION.global_button(ctx, _("Refresh"), op="r", session=session_id),
            STAFF_SESSION.global_button(ctx, _("New code"), op="n", session=session_id),
        ],
        [
            STAFF_SESSION.global_button(ctx, _("Participants"), op="l", session=session_id),
            STAFF_SESSION.global_button(ctx, _("Close check-in"), op="c", session=session_id),
        ],
    ]
    ctx.edit(text, buttons)


async def _close_checkin(ctx: Context, session_id: int) -> None:
    async with ctx.transaction() as s:
        await trainings.close_checkin(s, session_id=session_id)
        present, seated = await trainings.attendance_counts(s, session_id)
    ctx.edit(
        _("Check-in closed. Present: {present} of {seated}.").format(
            present=format_number(present), seated=format_number(seated)
        )
    )


async def _show_roster(ctx: Context, session_id: int) -> None:
    async with ctx.reader() as s:
        found = await trainings.session_with_course(s, session_id)
        rows = await trainings.roster(s, session_id)
    if found is None:
        ctx.toast(_("This session is cancelled or no longer exists."))
        return
    training, course = found
    tz = ctx.services.settings.timezone
    seated = [r for r in rows if r.status == trainings.REGISTERED]
    offered = [r for r in rows if r.status == trainings.OFFERED]
    waiting = [r for r in rows if r.status == trainings.WAITLISTED]
    genders = Counter(r.gender or "unspecified" for r in seated)
    lines = [
        f"📚 {course.title(current_language())}",
        f"🗓 {format_moment(training.starts_at, tz)}",
        _("Confirmed: {n} of {capacity} · present: {present} · waiting: {waiting}").format(
            n=format_number(len(seated)),
            capacity=format_number(training.capacity),
            present=format_number(sum(1 for r in seated if r.attended_at)),
            waiting=format_number(len(waiting)),
        ),
        " · ".join(
            f"{_(label)}: {format_number(genders.get(code, 0))}"
            for code, label in GENDER_LABELS.items()
        ),
        "",
    ]
    for n, registration in enumerate(seated, start=1):
        mark = "✅" if registration.attended_at else "▫️"
        association = f" — {registration.association_name}" if registration.association_name else ""
        lines.append(
            f"{mark} {format_number(n)}. {registration.participant_name or '—'}{association}"
        )
    for registration in offered:
        assert registration.offer_expires_at is not None
        lines.append(
            "⏳ "
            + _("{name} (seat offered until {time})").format(
                name=registration.participant_name or "—",
                time=format_moment(registration.offer_expires_at, tz),
            )
        )
    if waiting:
        lines.append("")
        lines.append(_("Waiting list:"))
        for n, registration in enumerate(waiting, start=1):
            lines.append(f"{format_number(n)}. {registration.participant_name or '—'}")
    buttons = None
    if training.status == trainings.SCHEDULED and training.ends_at > ctx.services.clock.now():
        buttons = [
            [STAFF_SESSION.global_button(ctx, _("Cancel this session"), op="x", session=session_id)]
        ]
    ctx.say("\n".join(lines), buttons)


async def _ask_cancel_session(ctx: Context, session_id: int) -> None:
    ctx.edit(
        _(
            "Cancel this session? Everyone registered or waiting will be told at once, and "
            "this cannot be undone."
        ),
        [
            [
                STAFF_SESSION.global_button(
                    ctx, _("Yes, cancel the session"), op="xy", session=session_id
                ),
                STAFF_SESSION.global_button(
                    ctx, pgettext("session", "No, keep it"), op="l", session=session_id
                ),
            ]
        ],
    )


async def _cancel_session(ctx: Context, session_id: int) -> None:
    async with ctx.transaction() as s:
        found = await trainings.session_with_course(s, session_id)
        if found is None or found[0].status != trainings.SCHEDULED:
            ctx.toast(_("This session is cancelled or no longer exists."))
            return
        told = await trainings.cancel_session(
            s, session_id=session_id, now=ctx.services.clock.now()
        )
    training, course = found
    for registration in told:
        await cancel_registration_reminders(ctx.services, registration.id)
        if registration.telegram_id is None:
            continue
        language = await language_of(ctx.services, registration.telegram_id)
        with use_language(language):
            day = format_day(local_day(training, ctx.services.settings.timezone))
            text = _(
                "We are sorry: the session of «{course}» on {day} is cancelled. You can choose "
                "another date in the catalogue."
            ).format(course=course.title(language), day=day)
            button = OPEN_COURSE.global_button(ctx, _("Course catalogue"), id=course.id)
        ctx.notify(registration.telegram_id, Text(text, buttons=[[button]]))
    ctx.edit(
        _("The session is cancelled; {n} people were told.").format(n=format_number(len(told)))
    )


async def _show_code(ctx: Context, session_id: int) -> None:
    await _show_checkin(ctx, session_id, new_code=False)


async def _new_code(ctx: Context, session_id: int) -> None:
    await _show_checkin(ctx, session_id, new_code=True)


# What each ``op`` of a staff button does (``g:tk:<op>:<session>``: the codes live in staff's
# old messages).
STAFF_OPS: dict[str, Callable[[Context, int], Awaitable[None]]] = {
    "o": _show_code,  # open check-in (from /checkin)
    "r": _show_code,  # refresh
    "n": _new_code,
    "c": _close_checkin,
    "l": _show_roster,
    "x": _ask_cancel_session,
    "xy": _cancel_session,
}


async def session_pressed(ctx: Context, op: str, session: int) -> None:
    """A staff button on a session; the role is checked again at every press."""
    if not await _is_staff(ctx):
        return
    handler = STAFF_OPS.get(op)
    if handler is None:
        ctx.toast(_("I do not recognise this button."))
        return
    await handler(ctx, session)


async def suggestions_command(ctx: Context) -> None:
    now = ctx.services.clock.now()
    async with ctx.transaction() as s:
        latest = await trainings.latest_suggestions(s, limit=20)
        unread = {x.id for x in latest if x.read_at is None}
        await trainings.mark_suggestions_read(s, list(unread), now)
    if not latest:
        ctx.say(_("Nobody has suggested a training yet."))
        return
    tz = ctx.services.settings.timezone
    blocks = [_("The latest training suggestions (newest first):")]
    for suggestion in latest:
        new = "🆕 " if suggestion.id in unread else ""
        who = f" — {suggestion.association_name}" if suggestion.association_name else ""
        blocks.append(f"{new}{format_moment(suggestion.created_at, tz)}{who}\n{suggestion.text}")
    ctx.say("\n\n".join(blocks))
