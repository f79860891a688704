"""The review: every answer, numbered as the form numbers them, with “Send my answers” and
“Change an answer”; then which answer to change (its number), and back to the review. A
changed answer may open questions never asked: they are asked before the review comes back
(``moves.after_answer``)."""

from __future__ import annotations

from bot.engine.context import Context
from bot.engine.keyboards import rows
from bot.features.surveys.actions import CHANGE, EDIT, SEND, TO_REVIEW
from bot.features.surveys.moves import SurveySteps
from bot.features.surveys.texts import answer_text, own_number
from bot.features.surveys.turn import REVIEW, Turn
from core.formatting import format_number
from core.i18n import _
from formengine.model import pick_label


def summary(turn: Turn) -> list[str]:
    """Each answer under its (numbered) question."""
    lines = []
    for n, question in enumerate(turn.review_items(), start=1):
        label = turn.run.render(question.text(turn.lang))
        if question.repeat and question.groups:  # which member, visit...
            label = f"{turn.run.render(pick_label(question.groups[-1], turn.lang))} · {label}"
        numbered = label if own_number(label) else f"{format_number(n, turn.lang)}. {label}"
        lines.append(f"{numbered}\n   ➜ {answer_text(turn, question)}")
    return lines


def item_numbers(turn: Turn) -> list[str]:
    """What the review numbers each answer (a label's own number when it has one)."""
    numbers = []
    for n, question in enumerate(turn.review_items(), start=1):
        label = turn.run.render(question.text(turn.lang))
        numbers.append(own_number(label) or format_number(n, turn.lang))
    return numbers


class ReviewSteps(SurveySteps):
    """The ``review`` and ``pick`` steps (Send is in ``send``)."""

    async def draw_review(
        self, ctx: Context, turn: Turn | None = None, notice: str = "", edit: bool = False
    ) -> None:
        turn = turn or await self.turn(ctx)
        if turn is None:
            return
        turn.draft["mode"] = "review"
        turn.draft["current"] = REVIEW
        lines = [notice, ""] if notice else []
        lines.append(_("Please check your answers:"))
        lines.append("")
        lines += summary(turn)
        lines += ["", _("Send them, or change an answer first.")]
        buttons = [
            [SEND.button(ctx, _("✅ Send my answers"))],
            [CHANGE.button(ctx, _("✏️ Change an answer"))],
        ]
        if edit:
            ctx.edit("\n".join(lines), buttons)
        else:
            ctx.say("\n".join(lines), buttons, remove_keyboard=False)

    async def draw_pick(self, ctx: Context, turn: Turn | None = None) -> None:
        turn = turn or await self.turn(ctx)
        if turn is None:
            return
        turn.draft["mode"] = "pick"
        buttons = [
            EDIT.button(ctx, shown, number=n) for n, shown in enumerate(item_numbers(turn), start=1)
        ]
        layout = rows(buttons, 6) if buttons else []
        layout.append([TO_REVIEW.button(ctx, _("Back to the review"))])
        ctx.edit(_("Which answer would you like to change? Press its number."), layout)

    async def on_change(self, ctx: Context) -> None:
        turn = await self.turn(ctx)
        if turn is None:
            return
        await self.show(ctx, "pick", turn=turn)

    async def on_edit(self, ctx: Context, number: int) -> None:
        turn = await self.turn(ctx)
        if turn is None:
            return
        items = turn.review_items()
        if not 1 <= number <= len(items):
            ctx.stale_button()
            return
        turn.draft["mode"] = "edit"
        ctx.edit(_("Changing answer {n}.").format(n=number))
        turn.draft["current"] = ""
        await self.ask(ctx, turn, items[number - 1])

    async def on_to_review(self, ctx: Context) -> None:
        """“Back to the review”, from the numbers or from an answer being changed."""
        turn = await self.turn(ctx)
        if turn is None:
            return
        if turn.mode not in ("pick", "edit"):
            ctx.stale_button()
            return
        ctx.edit(_("Back to the review."))
        await self.review(ctx, turn)

    async def on_review_message(self, ctx: Context) -> None:
        """A message while the review is on screen: the buttons are the way on."""
        turn = await self.turn(ctx)
        if turn is None:
            return
        await self.review(
            ctx, turn, notice=_("Please use the buttons to send or change your answers.")
        )
