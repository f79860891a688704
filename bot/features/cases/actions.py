"""The cases area's buttons.

Step buttons of the ``contact`` flow (writing to the programme) and of staff's
``staff_inbox`` are valid only on the screen they were drawn on. Global buttons live in
messages people keep (their open messages, a staff answer, the closing message), so their
codes and the order of their arguments never change: ``g:cr:<case>`` ("Reply") and
``g:crt:<case>:<1..5>`` (the rating stars). Their handlers check the case against the
database (it must be the presser's own); a press that fits none of them gets "This button
is no longer active.", as it always has (``REFUSAL``).
"""

from __future__ import annotations

from bot.engine.actions import Action
from bot.engine.context import STALE_BUTTON

# --- the contact flow's step buttons ----------------------------------------------------------
KIND = Action("k", kind=str)  # a CaseKind value
CONFIDENTIAL = Action("conf", answer=str)  # "y" or "n"
ANONYMOUS = Action("anon", answer=str)  # "y" or "n"
DISTRICT = Action("d", code=str)  # a district code, or "-" (I prefer not to say)
SEND = Action("send")
CANCEL = Action("cancel")
# --- staff's /inbox ---------------------------------------------------------------------------
OPEN = Action("o", id=int)
ANSWER = Action("answer")
CLOSE = Action("close")

# --- global buttons ---------------------------------------------------------------------------
REPLY = Action("cr", id=int)
RATE = Action("crt", id=int, rating=int)  # 1..5
GLOBAL = (REPLY, RATE)
REFUSAL = STALE_BUTTON
