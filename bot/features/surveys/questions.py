"""Drawing a question of each kind: its progress, group, label, hint, how to answer it, the
answer so far, and its buttons (choices, a range's values, Done and Undo, Back, Keep, Skip).
Which of the flow's question steps shows it (``screen_of``): a long list is searched by
typing, a repeat's "Add another?" is its own screen, anything else is a question.
"""

from __future__ import annotations

from bot.engine.context import Context
from bot.engine.keyboards import auto_rows, rows
from bot.engine.replies import Button, KeyboardButton
from bot.features.surveys import search
from bot.features.surveys.actions import (
    ACK,
    CHOOSE,
    DONE,
    KEEP,
    NEXT,
    PAGE,
    PREVIOUS,
    RANGE,
    RANK,
    SEARCH_AGAIN,
    SKIP,
    TO_REVIEW,
    TOGGLE,
    UNDO,
)
from bot.features.surveys.texts import answer_text, instruction
from bot.features.surveys.turn import Turn
from core.formatting import display_digits, format_number
from core.i18n import _, ngettext
from formengine.model import ANSWERED_KINDS, LINE_KINDS, Kind, Question, pick_label
from formengine.repeats import ADD_ANOTHER
from formengine.runtime import LINE_MIN_POINTS
from formengine.xpath import selected_values

CHOICES_PER_PAGE = 24  # beyond ~30 buttons a phone screen is a wall; page them
QUESTION, SEARCH, ANOTHER = "question", "search", "another"
QUESTION_SCREENS = (QUESTION, SEARCH, ANOTHER)
CHOICE_ACTIONS = {Kind.SELECT_ONE: CHOOSE, Kind.SELECT_MULTIPLE: TOGGLE, Kind.RANK: RANK}


def screen_of(turn: Turn, question: Question) -> str:
    """The step that shows ``question``."""
    if question.meta == ADD_ANOTHER:
        return ANOTHER
    return SEARCH if search.searchable(turn, question) else QUESTION


def draw(
    ctx: Context,
    turn: Turn,
    question: Question,
    *,
    notice: str = "",
    edit: bool = False,
    searched: bool = False,
) -> None:
    """Draw ``question`` (as a new message, or in place of the pressed one); ``searched``:
    its list is typed-to-search (worked out once per screen, from the filtered choices)."""
    _put_on_screen(turn, question)
    text = question_text(turn, question, notice=notice, searched=searched)
    buttons = question_buttons(ctx, turn, question, searched)
    if needs_reply_keyboard(question):
        # Telegram shows either inline buttons or a reply keyboard on one message.
        ctx.say(text, keyboard=[[KeyboardButton(_("📍 Send my location"), request="location")]])
        if buttons:
            ctx.say(_("Or:"), buttons)
    elif edit:
        ctx.edit(text, buttons)
    else:
        ctx.say(text, buttons)


def needs_reply_keyboard(question: Question) -> bool:
    """A location question: its "Send my location" key is a reply keyboard, which only a new
    message can carry."""
    return question.kind == Kind.GEOPOINT or question.kind in LINE_KINDS


def _put_on_screen(turn: Turn, question: Question) -> None:
    """The draft's question on screen; a new one starts on its first page, with no query and
    its earlier choices ticked."""
    seen = turn.draft.setdefault("seen", [])
    if question.name not in seen:
        seen.append(question.name)
    if turn.draft.get("current") != question.name:
        turn.draft["current"] = question.name
        turn.draft["page"] = 0
        search.set_query(turn, "")
        existing = turn.answer(question)
        turn.set_pending(selected_values(existing) if question.has_choices else [])


def question_text(turn: Turn, question: Question, *, notice: str, searched: bool) -> str:
    run, lang = turn.run, turn.lang
    lines = []
    if notice:
        lines += [notice, ""]
    if question.kind in ANSWERED_KINDS:
        position, total = run.progress(question)
        lines.append(display_digits(f"{position}/{total}", lang))
    group = next((pick_label(g, lang) for g in reversed(question.groups) if g), "")
    if group and question.field_list:
        # One screen in ODK, one question at a time here: its label heads the first.
        previous = run.previous_before(question.name)
        if previous is not None and previous.field_list == question.field_list:
            group = ""
    if group:
        lines.append(f"— {run.render(group)} —")
    heading = pick_label(question.heading, lang)
    if heading:  # a table's header, above its first question only
        lines += [run.render(heading), ""]
    lines.append(run.render(question.text(lang)))
    hint = pick_label(question.hint, lang)
    if hint:
        lines += ["", run.render(hint)]
    lines += _order_so_far(turn, question)
    how = search.instruction(turn, question) if searched else ""
    how = how or instruction(question, run, turn.pending)
    if how:
        lines += ["", how]
    existing = turn.answer(question)
    if existing and (searched or not question.has_choices) and question.kind != Kind.NOTE:
        lines += ["", _("Your answer so far: {answer}").format(answer=answer_text(turn, question))]
    if not run.is_required(question) and question.kind not in (Kind.NOTE, Kind.ACKNOWLEDGE):
        lines.append(_("(optional)"))
    return "\n".join(lines)


def _order_so_far(turn: Turn, question: Question) -> list[str]:
    if question.kind != Kind.RANK or not turn.pending:
        return []
    lines = ["", _("Your order so far:")]
    for n, name in enumerate(turn.pending, start=1):
        lines.append(f"{format_number(n, turn.lang)}. {turn.run.choice_label(question.name, name)}")
    return lines


def question_buttons(
    ctx: Context, turn: Turn, question: Question, searched: bool | None = None
) -> list[list[Button]]:
    """The question's buttons; ``searched``: whether its list is typed-to-search, when the
    caller already knows (it is worked out from the filtered choices)."""
    run = turn.run
    if searched is None:
        searched = search.searchable(turn, question)
    layout: list[list[Button]] = []
    if question.has_choices:
        layout += _choice_buttons(ctx, turn, question)
    elif question.kind == Kind.RANGE and run.range_values(question):
        current = turn.answer(question)
        buttons = [
            RANGE.button(
                ctx, display_digits(f"• {value}" if value == current else value, turn.lang), index=n
            )
            for n, value in enumerate(run.range_values(question))
        ]
        layout += rows(buttons, 6)
    elif question.kind in LINE_KINDS and turn.pending:
        layout.append([UNDO.button(ctx, _("↩ Undo")), DONE.button(ctx, _("Done ✔"))])
    elif question.kind == Kind.NOTE:
        layout.append([NEXT.button(ctx, _("Continue ▶"))])
    elif question.kind == Kind.ACKNOWLEDGE:
        layout.append([ACK.button(ctx, _("OK"))])
    nav = []
    if turn.mode == "edit":
        nav.append(TO_REVIEW.button(ctx, _("Back to the review")))
    elif run.previous_before(question.name) is not None:
        nav.append(PREVIOUS.button(ctx, _("◀ Back")))
    if (
        turn.answer(question)
        and (not question.has_choices or searched)
        and question.kind not in (Kind.NOTE, Kind.ACKNOWLEDGE)
    ):
        nav.append(KEEP.button(ctx, _("Keep this answer")))
    if not run.is_required(question) and question.kind not in (Kind.NOTE, Kind.ACKNOWLEDGE):
        nav.append(SKIP.button(ctx, _("Skip ⏭")))
    if nav:
        layout.append(nav)
    return layout


def _choice_buttons(ctx: Context, turn: Turn, question: Question) -> list[list[Button]]:
    """A choice question's choices (a page of them, or the matches of a search), then
    paging, Undo and Done."""
    run = turn.run
    layout: list[list[Button]] = []
    index_of = {c.name: i for i, c in enumerate(turn.form.choices_of(question))}
    shown = run.choices_for(question)
    pending = turn.pending
    if question.kind == Kind.RANK:
        most = question.max_ranked or len(shown)
        shown = [c for c in shown if c.name not in pending] if len(pending) < most else []
    page = int(turn.draft.get("page") or 0)
    pages = max(1, -(-len(shown) // CHOICES_PER_PAGE))
    page = min(page, pages - 1)
    matches = search.offered(turn, question, shown)
    if matches is not None:  # a long list, searched by typing
        shown, pages = matches, 1
    elif len(shown) > CHOICES_PER_PAGE + 6:
        shown = shown[page * CHOICES_PER_PAGE : (page + 1) * CHOICES_PER_PAGE]
    else:
        pages = 1
    current = turn.answer(question)
    buttons = []
    for choice in shown:
        label = choice.text(turn.lang)
        if "${" in label:
            label = run.render(label, question)  # a choice may name answers
        if question.kind == Kind.SELECT_MULTIPLE and choice.name in pending:
            label = f"✅ {label}"
        elif question.kind == Kind.SELECT_ONE and choice.name == current:
            label = f"• {label}"
        action = CHOICE_ACTIONS[question.kind]
        buttons.append(action.button(ctx, label, index=index_of[choice.name]))
    layout += auto_rows(buttons) if buttons else []
    if search.query(turn):
        layout.append([SEARCH_AGAIN.button(ctx, search.again_label())])
    if pages > 1:
        paging = []
        if page > 0:
            paging.append(PAGE.button(ctx, _("◀ Previous options"), page=page - 1))
        if page < pages - 1:
            paging.append(PAGE.button(ctx, _("More options ▶"), page=page + 1))
        layout.append(paging)
    tools = []
    if question.kind == Kind.RANK and pending:
        tools.append(UNDO.button(ctx, _("↩ Undo")))
    if question.kind in (Kind.SELECT_MULTIPLE, Kind.RANK):
        tools.append(DONE.button(ctx, _("Done ✔")))
    if tools:
        layout.append(tools)
    return layout


def points_text(turn: Turn, question: Question) -> str:
    """After a shared point of a geotrace/geoshape: how many, and what next."""
    count, least = len(turn.pending), LINE_MIN_POINTS[question.kind]
    lines = [_("Point {n} received.").format(n=count)]
    if count < least:
        lines.append(
            ngettext("Share {more} more point.", "Share {more} more points.", least - count).format(
                more=least - count
            )
        )
    else:
        lines.append(_("Share the next point, or press “Done” when you have finished."))
    return "\n".join(lines)
