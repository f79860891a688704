"""The survey's buttons.

Step buttons are valid only on the screen they were drawn on (the engine's epoch). A
choice is named by its index in the question's whole list (an attached CSV can hold
thousands), never by its label. The global buttons live on in residents' messages, so
their codes and arguments never change: ``g:sv:<form_id>`` opens a survey,
``g:sp:<form_id>`` shows the resident's district's priorities (handled by
``bot.features.priorities``: features do not import each other, the payload is the
contract, and the stories that press it keep the two together).
"""

from __future__ import annotations

from bot.engine.actions import Action
from bot.engine.steps import BACK

# --- a question -------------------------------------------------------------------------------
CHOOSE = Action("a", index=int)  # select_one: this choice is the answer
TOGGLE = Action("t", index=int)  # select_multiple: tick or untick
RANK = Action("r", index=int)  # rank: the next place goes to this choice
RANGE = Action("rg", index=int)  # range: the n-th value of the range
PAGE = Action("pg", page=int)  # a long list, page by page
UNDO = Action("u")  # the last ranked choice, or the last point of a line
DONE = Action("ok")  # the ticked choices, the ranking, the points of a line
NEXT = Action("nx")  # a note: go on
ACK = Action("ack")  # acknowledge: OK
KEEP = Action("keep")  # the answer given earlier stays
SKIP = Action("skip")  # an optional question
PREVIOUS = BACK  # ◀ Back: the previous relevant question
SEARCH_AGAIN = Action("sq")  # a searched list: none of these, type again

# --- the review --------------------------------------------------------------------------------
SEND = Action("submit")
CHANGE = Action("pe")  # change an answer: which one?
EDIT = Action("e", number=int)  # the answer numbered so in the review
TO_REVIEW = Action("rv")  # back to the review (while changing an answer)

# --- global buttons ----------------------------------------------------------------------------
OPEN_SURVEY = Action("sv", form_id=str)
SEE_PRIORITIES = Action("sp", form_id=str)
