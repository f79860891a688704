"""The trainings area's buttons.

Step buttons of the ``training`` flow are valid only on the screen they were drawn on.
Global buttons live in messages people keep (a seat offered, a reminder, the certificate, a
trainer's check-in screen), so their codes and the order of their arguments never change:
``g:tw:y|n:<registration>``, ``g:tr:<registration>:<1..5>``, ``g:tm``, ``g:tc:<course>``,
``g:tk:<op>:<session>``. Their handlers check every value against the database.
"""

from __future__ import annotations

from bot.engine.actions import Action

# --- the training flow's step buttons ------------------------------------------------------------
CATALOGUE = Action("cat")
MY_REGISTRATIONS = Action("mine")
CHECK_IN = Action("chk")
SUGGEST = Action("sug")
COURSE = Action("course", id=int)
SESSION = Action("sess", id=int)
REGISTER = Action("reg")
GENDER = Action("gender", code=str)
CANCEL = Action("cx", id=int)
CANCEL_YES = Action("cxy")
SKIP = Action("skip")

# --- global buttons -------------------------------------------------------------------------------
OFFER_ANSWER = Action("tw", answer=str, id=int)  # answer: "y" (I will attend) or "n"
RATE = Action("tr", id=int, rating=int)  # after the session, 1..5
OPEN_MINE = Action("tm")  # "My registrations"
OPEN_COURSE = Action("tc", id=int)  # a course's dates (after a session is called off)
STAFF_SESSION = Action("tk", op=str, session=int)  # a trainer's check-in and roster screens
