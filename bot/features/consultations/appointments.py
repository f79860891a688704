"""A member's appointments: /appointments lists the upcoming sessions, each with buttons to
change the time (the ``consultation`` flow, from the day on) or cancel; cancelling asks
first. A consultant cancels from their agenda with the same buttons, and the member is told,
with a button to book another time.

Every handler here answers a global button (``actions``): the booking it names is read
again and the presser must be one of its two parties (``parties.view_for_button``).
"""

from __future__ import annotations

from bot.engine.context import Context
from bot.engine.replies import Text
from bot.features.consultations.actions import (
    CANCEL,
    CANCEL_YES,
    KEEP,
    KIND_CODES,
    NEW_BOOKING,
    NEW_BOOKING_OF_KIND,
)
from bot.features.consultations.parties import (
    CONSULTANT,
    REQUESTER,
    requester_id,
    view_for_button,
)
from bot.features.consultations.texts import (
    BookingView,
    appointment_buttons,
    consultant_lines,
    ics_file,
    ics_name,
    in_language_of,
    load_view,
    session_lines,
    timezone_of,
)
from core.i18n import _, pgettext, use_language
from storage import consultations
from storage.consultations import BookingKind, BookingStatus


async def appointments_command(ctx: Context) -> None:
    """/appointments: the member's upcoming sessions, each with change / cancel buttons."""
    member = await requester_id(ctx)
    async with ctx.reader() as s:
        upcoming = await consultations.upcoming_for_requester(s, member, ctx.services.clock.now())
        views = [await load_view(s, b.id) for b in upcoming]
    if not views:
        ctx.say(
            _("You have no upcoming sessions."),
            [[NEW_BOOKING.global_button(ctx, _("Book a consultation"))]],
        )
        return
    ctx.say(_("Your upcoming sessions:"))
    for view in views:
        if view is not None:
            ctx.say(session_lines(view, timezone_of(ctx)), appointment_buttons(view.booking.id))


async def new_booking_pressed(ctx: Context) -> None:
    """ "Book a consultation" under "You have no upcoming sessions."."""
    await ctx.start("consultation")


async def new_booking_of_kind_pressed(ctx: Context, kind: str) -> None:
    """ "Book another time" under a cancellation notice: the same kind of session."""
    code = KIND_CODES.get(kind)
    await ctx.start("consultation", **({"kind": code} if code else {}))


def _is_active_future(ctx: Context, view: BookingView) -> bool:
    """Say why not, when a booking can no longer be changed or cancelled."""
    booking = view.booking
    if booking.status != BookingStatus.BOOKED:
        ctx.edit(_("This session is no longer booked."))
        return False
    if booking.starts_at <= ctx.services.clock.now():
        ctx.edit(_("This session has already started, so it can no longer be changed."))
        return False
    return True


async def reschedule_pressed(ctx: Context, id: int) -> None:
    found = await view_for_button(ctx, id)
    if found is None:
        return
    view, party = found
    if party != REQUESTER:
        ctx.toast(_("Only the person who booked can change the time."))
        return
    if _is_active_future(ctx, view):
        await ctx.start("consultation", reschedule=view.booking.id)


async def cancel_pressed(ctx: Context, id: int) -> None:
    found = await view_for_button(ctx, id)
    if found is None:
        return
    view, party = found
    if not _is_active_future(ctx, view):
        return
    lines = (
        session_lines(view, timezone_of(ctx))
        if party == REQUESTER
        else consultant_lines(view, timezone_of(ctx))
    )
    ctx.edit(
        _("Cancel this session?") + "\n\n" + lines,
        [
            [
                CANCEL_YES.global_button(
                    ctx, pgettext("session", "Yes, cancel it"), id=view.booking.id
                ),
                KEEP.global_button(ctx, pgettext("session", "No, keep it"), id=view.booking.id),
            ]
        ],
    )


async def keep_pressed(ctx: Context, id: int) -> None:
    found = await view_for_button(ctx, id)
    if found is None:
        return
    view, party = found
    if not _is_active_future(ctx, view):
        return
    if party == REQUESTER:
        ctx.edit(
            _("Kept.") + "\n\n" + session_lines(view, timezone_of(ctx)),
            appointment_buttons(view.booking.id),
        )
    else:
        ctx.edit(
            _("Kept.") + "\n\n" + consultant_lines(view, timezone_of(ctx)),
            [[CANCEL.global_button(ctx, _("Cancel it"), id=view.booking.id)]],
        )


async def cancel_confirmed(ctx: Context, id: int) -> None:
    found = await view_for_button(ctx, id)
    if found is None:
        return
    view, party = found
    if not _is_active_future(ctx, view):
        return
    async with ctx.transaction() as s:
        cancelled = await consultations.cancel(
            s, view.booking.id, by=party, now=ctx.services.clock.now()
        )
    if cancelled is None:
        ctx.edit(_("This session is no longer booked."))
        return
    async with ctx.reader() as s:
        fresh = await load_view(s, view.booking.id)
    assert fresh is not None
    ctx.edit(_("Cancelled. The time is free again for someone else."))
    if party == REQUESTER:
        ctx.send_file(
            ics_name(fresh.booking),
            ics_file(fresh, now=ctx.services.clock.now(), cancelled=True),
            caption=_("Open this to remove the session from your phone's calendar."),
            mime_type="text/calendar",
        )
    await _tell_the_other_party(ctx, fresh, party)


async def _tell_the_other_party(ctx: Context, view: BookingView, by: str) -> None:
    timezone = timezone_of(ctx)
    if by == REQUESTER and view.consultant_telegram_id:
        with use_language(await in_language_of(ctx, view.consultant_telegram_id)):
            ctx.notify(
                view.consultant_telegram_id,
                Text(
                    _("This session was cancelled by the person who booked it:")
                    + "\n\n"
                    + consultant_lines(view, timezone)
                ),
            )
    elif by == CONSULTANT and view.requester_telegram_id:
        kind = "t" if view.booking.kind == BookingKind.TECHNICAL_SUPPORT else "c"
        with use_language(await in_language_of(ctx, view.requester_telegram_id)):
            ctx.notify(
                view.requester_telegram_id,
                Text(
                    _(
                        "We are sorry: the consultant had to cancel your session. "
                        "Please choose another time."
                    )
                    + "\n\n"
                    + session_lines(view, timezone),
                    [[NEW_BOOKING_OF_KIND.global_button(ctx, _("Book another time"), kind=kind)]],
                ),
            )
