"""The consultations area's buttons.

Step buttons of the ``consultation`` flow and of the two notes after a session are valid only
on the screen they were drawn on. Global buttons live in messages people keep (their
appointments, a cancellation notice, reminders, a consultant's agenda and follow-up), so their
codes and the order of their arguments never change: ``g:ccnew`` and ``g:ccnew:<c|t>``,
``g:ccr:<booking>``, ``g:ccx:<booking>``, ``g:ccy:<booking>``, ``g:cck:<booking>``,
``g:ccrec:<booking>:<y|n>``, ``g:ccfb:<booking>:<1..5>``. Their handlers check every value
against the database; a press that fits none of them gets "This option is not available.",
as it always has (``REFUSAL``).
"""

from __future__ import annotations

from bot.engine.actions import Action
from core.i18n import N_
from storage.consultations import BookingKind

# --- the consultation flow's step buttons ---------------------------------------------------------
KIND = Action("k", code=str)  # a key of KIND_CODES
TOPIC = Action("t", index=int)  # indexes into the lists the flow keeps in its state
BRANCH = Action("b", index=int)
DAY = Action("d", index=int)
PAGE = Action("pg", page=int)
SLOT = Action("s", index=int)
OTHER_DAY = Action("days")  # back to the days, from a time, the description or the summary
CONFIRM = Action("ok")
QUIT = Action("quit")
# --- the notes after a session --------------------------------------------------------------------
SKIP = Action("skip")

# --- global buttons -------------------------------------------------------------------------------
NEW_BOOKING = Action("ccnew")  # "Book a consultation" under "You have no upcoming sessions."
NEW_BOOKING_OF_KIND = Action("ccnew", kind=str)  # "Book another time" (a key of KIND_CODES)
RESCHEDULE = Action("ccr", id=int)
CANCEL = Action("ccx", id=int)  # asks first
CANCEL_YES = Action("ccy", id=int)
KEEP = Action("cck", id=int)
RECORD = Action("ccrec", id=int, answer=str)  # answer: "y" (it took place) or "n"
RATE = Action("ccfb", id=int, rating=int)  # 1..5
GLOBAL = (NEW_BOOKING, NEW_BOOKING_OF_KIND, RESCHEDULE, CANCEL, CANCEL_YES, KEEP, RECORD, RATE)
REFUSAL = N_("This option is not available.")

# The one-letter codes of the kinds of session in buttons.
KIND_CODES = {"c": BookingKind.CONSULTATION.value, "t": BookingKind.TECHNICAL_SUPPORT.value}
