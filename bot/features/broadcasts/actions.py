"""The broadcasts area's buttons.

Step buttons of the ``broadcast`` flow are valid only on the screen they were drawn on.
Global buttons live in messages people keep, so their codes and the order of their arguments
never change: ``g:bcx:<broadcast>`` ("Stop sending" under the progress message, "Cancel this
announcement" under the confirmation; staff only, checked against the database) and
``g:set:<ann|stop>:<0|1>`` (/settings: announcements on or off, stop all messages). A press
that fits none of them gets "This option is not available.", as it always has (``REFUSAL``).
"""

from __future__ import annotations

from bot.engine.actions import Action
from core.i18n import N_

# --- the broadcast flow's step buttons ------------------------------------------------------
NO_PHOTO = Action("nophoto")
AUDIENCE = Action("aud", kind=str)  # a key of AUDIENCE_LABELS
TOGGLE = Action("tog", index=int)  # indexes into the options the flow keeps in its state
DONE = Action("done")
AUDIENCE_AGAIN = Action("aud_again")
REWRITE = Action("rewrite")
SEND_NOW = Action("send")
LATER = Action("later")
AT = Action("at", choice=str)  # a key of moment.QUICK_CHOICES
QUIT = Action("quit")

# --- global buttons -------------------------------------------------------------------------
STOP = Action("bcx", id=int)  # drawn by the sender too (bot/workers/broadcast_sender.py)
SETTING = Action("set", what=str, on=str)  # what: "ann" or "stop"; on: "0" or "1"
GLOBAL = (STOP, SETTING)
REFUSAL = N_("This option is not available.")
