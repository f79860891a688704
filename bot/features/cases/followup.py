"""After writing: the "Reply" button (``g:cr:<case>``) under a staff answer and in the
resident's open messages, and the rating stars (``g:crt:<case>:<1-5>``) under the closing
message. Both are global buttons: the case must be the presser's own.

Staff answers reach the resident through the broadcast outbox; the buttons under them are
drawn here from the outbox audience (``case_buttons``, registered with the sender through
bot.engine.widgets when this module is imported)."""

from __future__ import annotations

from bot.engine.context import Context
from bot.engine.replies import Buttons
from bot.engine.widgets import add_audience_buttons
from bot.features.cases.actions import RATE, REPLY
from bot.features.cases.texts import closed_text, shown_reference
from core.i18n import N_, _, translate
from storage import cases
from storage.broadcasts import Broadcast

REPLY_LABEL = N_("↩️ Reply")


async def _own_case(ctx: Context, case_id: int) -> cases.Case | None:
    async with ctx.reader() as s:
        case = await cases.get_case(s, case_id)
    return case if case is not None and case.telegram_id == ctx.user_id else None


async def reply_pressed(ctx: Context, id: int) -> None:
    case = await _own_case(ctx, id)
    if case is None:
        ctx.stale_button()
        return
    if not case.is_open:
        ctx.say(closed_text(shown_reference(case.id)))
        return
    await ctx.start("contact", reply_to=case.id, restart=True)


async def rate_pressed(ctx: Context, id: int, rating: int) -> None:
    case = await _own_case(ctx, id)
    if case is None or not 1 <= rating <= 5:
        ctx.stale_button()
        return
    async with ctx.transaction() as s:
        outcome = await cases.rate(
            s, case_id=case.id, telegram_id=ctx.user_id, score=rating, now=ctx.services.clock.now()
        )
    if outcome == cases.Outcome.DONE:
        ctx.edit(
            _("Thank you for rating the answer to {ref}.").format(ref=shown_reference(case.id))
        )
    elif outcome == cases.Outcome.RATED:
        ctx.toast(_("You have already rated this answer. Thank you!"))
    else:
        ctx.stale_button()


def case_buttons(broadcast: Broadcast) -> Buttons | None:
    """The buttons under a message to a resident: "Reply" under an answer, the stars under
    the closing message (audience values: Telegram id, case id, language, what it is)."""
    values = list((broadcast.audience or {}).get("values") or [])
    if len(values) < 4 or not str(values[1]).isdigit():
        return None
    case_id, language, what = int(values[1]), str(values[2]), str(values[3])
    if what == cases.Sent.REPLY:
        return [[REPLY.standing_button(translate(language, REPLY_LABEL), id=case_id)]]
    if what == cases.Sent.CLOSED:
        return [[RATE.standing_button("⭐" * n, id=case_id, rating=n)] for n in range(5, 0, -1)]
    return None


add_audience_buttons(cases.CASE_AUDIENCE, case_buttons)
