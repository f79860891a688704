"""How a case reads to the resident: its reference number in their digits, the promise of
an answer, the answer to a closed case; and the request keys that make a handler run again
write nothing twice."""

from __future__ import annotations

from bot.engine.context import Context
from core.formatting import display_digits
from core.i18n import _, ngettext
from storage import cases


def shown_reference(case_id: int) -> str:
    """'M-00042' as the reader writes digits ('M-٠٠٠٤٢' in Arabic); typing either finds it."""
    return display_digits(cases.reference_of(case_id))


def promise() -> str:
    days = cases.ANSWER_WITHIN_DAYS
    return ngettext(
        "The programme team will answer you here, in this chat, within {n} working day.",
        "The programme team will answer you here, in this chat, within {n} working days.",
        days,
    ).format(n=days)


def closed_text(ref: str) -> str:
    return _("{ref} is closed. To write to the programme again, send /contact.").format(ref=ref)


def request_key(ctx: Context, what: str) -> str:
    """Stable for one update, so a handler run again writes nothing twice."""
    marker = ctx.event.update_id
    if marker is None:
        marker = int(ctx.services.clock.now().timestamp() * 1000)
    return f"{what}:{ctx.user_id}:{marker}"
