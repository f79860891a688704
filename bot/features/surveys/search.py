"""Long choice lists in a survey (300 villages from an attached CSV): the resident types the
first letters and picks among the best matches (formengine.search), instead of paging
through screens of buttons. Such a question is the flow's ``search`` step.

A list with more choices than one screen of buttons holds (after its choice_filter, so a
cascade searches only the districts of the governorate chosen) is searched; a list that
still fits on a few pages may also be browsed. The query is kept in the draft, so ticking
a match of a select_multiple redraws the same matches; buttons of earlier matches stop
working as soon as new ones are drawn (the engine's stale-button answer).
"""

from __future__ import annotations

from bot.features.surveys.turn import Turn
from core.i18n import _, ngettext
from core.textinput import clean_text
from formengine import search
from formengine.model import Choice, Kind, Question

# More choices than this (where the question's buttons start paging) are found by typing.
SEARCH_ABOVE = 30
# Up to this many may still be browsed page by page, beside typing.
BROWSE_MAX = 72
QUERY_MAX_CHARS = 60
QUERY_KEY = "query"


def searchable(turn: Turn, question: Question) -> bool:
    return question.has_choices and len(turn.run.choices_for(question)) > SEARCH_ABOVE


def query(turn: Turn) -> str:
    return str(turn.draft.get(QUERY_KEY) or "")


def set_query(turn: Turn, text: str) -> None:
    turn.draft[QUERY_KEY] = text


def offered(turn: Turn, question: Question, choices: list[Choice]) -> list[Choice] | None:
    """The choices to draw as buttons for a searched list (None: page through them as
    usual): the best matches of the query, or none until something is typed."""
    typed = query(turn)
    if typed:
        return search.ranked(choices, typed, turn.lang)[: search.MATCHES_SHOWN]
    if len(turn.run.choices_for(question)) <= BROWSE_MAX:
        return None
    return []


def instruction(turn: Turn, question: Question) -> str:
    """What the resident reads under a searched question."""
    typed = query(turn)
    lines = []
    if turn.pending and question.kind == Kind.SELECT_MULTIPLE:
        ticked = [turn.run.choice_label(question.name, name) for name in turn.pending]
        lines.append(_("Ticked so far: {choices}").format(choices=", ".join(ticked)))
    if not typed:
        lines.append(
            _(
                "This list is long: type the first letters of your answer and I will show "
                "the closest options."
            )
        )
        if len(turn.run.choices_for(question)) <= BROWSE_MAX:
            lines.append(_("You can also browse the list with the buttons below."))
        return "\n".join(lines)
    found = len(search.ranked(_open_choices(turn, question), typed, turn.lang))
    if found > search.MATCHES_SHOWN:
        lines.append(
            ngettext(
                "{n} option matches “{query}”; here are the closest {shown}. Type more "
                "letters to narrow it down.",
                "{n} options match “{query}”; here are the closest {shown}. Type more "
                "letters to narrow it down.",
                found,
            ).format(n=found, query=typed, shown=search.MATCHES_SHOWN)
        )
    else:
        lines.append(
            _("Options matching “{query}”: press yours, or type other letters.").format(query=typed)
        )
    if question.kind == Kind.SELECT_MULTIPLE:
        lines.append(_("Tick every answer that applies, then press “Done”."))
    return "\n".join(lines)


def _open_choices(turn: Turn, question: Question) -> list[Choice]:
    choices = turn.run.choices_for(question)
    if question.kind == Kind.RANK:
        return [c for c in choices if c.name not in turn.pending]
    return choices


def typed(turn: Turn, question: Question, text: str) -> str:
    """A typed query: keep it when something matches. Returns what to say above the
    question drawn again ("" when the matches are shown)."""
    cleaned = clean_text(text, QUERY_MAX_CHARS)
    if cleaned is None:
        return (
            _(
                "Please type only the first letters of your answer (at most {most} characters)."
            ).format(most=QUERY_MAX_CHARS)
            if text.strip()
            else _("Please type the first letters of your answer.")
        )
    if not search.ranked(_open_choices(turn, question), cleaned, turn.lang):
        set_query(turn, "")
        return _("No option matches “{query}”. Check the spelling, or type fewer letters.").format(
            query=cleaned
        )
    set_query(turn, cleaned)
    return ""


def again_label() -> str:
    return _("🔎 None of these: type again")
