"""The associations area's buttons.

Step buttons of the ``association`` and ``capacity_assessment`` flows are valid only on the
screen they were drawn on. Global buttons live in messages people keep, so their codes and
arguments never change: ``g:as:<association>`` (an association in a staff member's
/associations list) and ``g:cabk`` (Book a consultation, under an assessment's results).
"""

from __future__ import annotations

from bot.engine.actions import Action

# --- the association flow ---------------------------------------------------------------
REGISTER = Action("reg")
JOIN = Action("join")
DISTRICT = Action("d", code=str)
FIELD = Action("f", code=str)
CONFIRM = Action("ok")
CANCEL = Action("no")
MEMBERS = Action("members")
NEW_CODE = Action("code")
ASSESS = Action("assess")
RESULTS = Action("results")
LEAVE = Action("leave")
LEAVE_YES = Action("lv")
STAY = Action("home")
REMOVE = Action("rm")  # choose whom to remove
HAND_OVER = Action("ho")  # choose who coordinates
REMOVE_MEMBER = Action("rm", id=int)  # a membership id
HAND_OVER_TO = Action("ho", id=int)
# --- the capacity self-assessment -------------------------------------------------------
START = Action("go")
ANSWER = Action("a", value=str)  # a key of storage.associations.ANSWERS
PREVIOUS = Action("prev")

# --- global buttons ---------------------------------------------------------------------
ASSOCIATION = Action("as", id=int)  # staff: one association's page
BOOK_CONSULTATION = Action("cabk")
