"""A survey (any imported XLSForm) as a conversation: the ``survey`` flow.

One question per message, with its progress ("3/12"), Back (to the previous *relevant*
question), Skip for optional questions, a review of every answer before sending (any
answer can be changed, then the review comes back), and resume: a resident who leaves —
/menu, another flow, a restart — continues at the same question with every answer kept.
Drafts of other surveys started meanwhile are kept too (in the session profile), so
switching between two surveys loses nothing.

The steps are the screens: a ``question`` of the form, a long list searched by typing
(``search``), a repeat's "Add another?" (``another``), the ``review`` (where Send is) and
which answer to change (``pick``). The question itself comes from the form (formengine);
which one is on screen, the answers and the mode stay in the draft (``ctx.state["d"]``,
see ``turn``). Any step may end the survey: sending it, or its form deleted meanwhile.

The answers live in the session until Send; then one transaction stores the submission,
keyed by a uuid chosen when the survey started, so a retried or re-delivered Send stores it
once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.engine.context import Context
from bot.engine.steps import Step
from bot.features.surveys.actions import (
    ACK,
    CHANGE,
    CHOOSE,
    DONE,
    EDIT,
    KEEP,
    NEXT,
    PAGE,
    PREVIOUS,
    RANGE,
    RANK,
    SEARCH_AGAIN,
    SEND,
    SKIP,
    TO_REVIEW,
    TOGGLE,
    UNDO,
)
from bot.features.surveys.answers import AnswerSteps
from bot.features.surveys.questions import ANOTHER, QUESTION, QUESTION_SCREENS, SEARCH
from bot.features.surveys.review import ReviewSteps
from bot.features.surveys.send import SendStep, priorities_button
from bot.features.surveys.texts import already_answered, welcome
from bot.features.surveys.turn import DRAFTS_KEY, NAME, REVIEWING, Turn, new_draft
from core.i18n import _
from formengine.model import Kind
from formengine.store import NEEDS_SURVEY, LiveForm, ensure_shipped_form, remember_version
from storage import surveys, throttles


class Survey(AnswerSteps, ReviewSteps, SendStep):
    name = NAME
    resumable = True
    starts = (*QUESTION_SCREENS, "review")

    def steps(self) -> Sequence[Step]:
        onward = (*QUESTION_SCREENS, "review")  # the next question, whatever its screen
        answering = {
            PREVIOUS: self.on_previous,
            SKIP: self.on_skip,
            KEEP: self.on_keep,
            TO_REVIEW: self.on_to_review,
        }
        return [
            Step(
                QUESTION,
                self.draw_question,
                on={
                    CHOOSE: self.on_choose,
                    TOGGLE: self.on_toggle,
                    RANK: self.on_rank,
                    RANGE: self.on_range,
                    UNDO: self.on_undo,
                    DONE: self.on_done,
                    NEXT: self.on_continue,
                    ACK: self.on_continue,
                    **answering,
                },
                message=self.on_answer_message,
                goes_to=onward,
                ends=True,
            ),
            Step(
                SEARCH,
                self.draw_search,
                on={
                    CHOOSE: self.on_choose,
                    TOGGLE: self.on_toggle,
                    RANK: self.on_rank,
                    UNDO: self.on_undo,
                    DONE: self.on_done,
                    PAGE: self.on_page,
                    SEARCH_AGAIN: self.on_search_again,
                    **answering,
                },
                message=self.on_answer_message,
                goes_to=onward,
                ends=True,
            ),
            Step(
                ANOTHER,
                self.draw_question,
                # Yes or No, always required: no Skip, no Keep.
                on={
                    CHOOSE: self.on_choose,
                    PREVIOUS: self.on_previous,
                    TO_REVIEW: self.on_to_review,
                },
                message=self.on_answer_message,
                goes_to=onward,
                ends=True,
            ),
            Step(
                "review",
                self.draw_review,
                on={SEND: self.on_send, CHANGE: self.on_change},
                message=self.on_review_message,
                goes_to=(*QUESTION_SCREENS, "pick"),
                ends=True,
            ),
            Step(
                "pick",
                self.draw_pick,
                on={EDIT: self.on_edit, TO_REVIEW: self.on_to_review},
                message=self.on_review_message,
                goes_to=(*QUESTION_SCREENS, "review"),
                ends=True,
            ),
        ]

    # --- opening -------------------------------------------------------------------------------
    async def enter(self, ctx: Context, **kwargs: Any) -> None:
        form_id = str(kwargs.get("form_id") or NEEDS_SURVEY)
        live = await ensure_shipped_form(ctx.db, form_id)
        if live is None or not live.stored.active:
            self.end(ctx)
            ctx.say(_("This survey is closed. Thank you for your interest!"))
            return
        if live.form.one_per_resident and await self._already_answered(ctx, live):
            self.end(ctx)
            ctx.say(already_answered(), priorities_button(ctx, live.form_id))
            return
        saved = (ctx.session.profile.get(DRAFTS_KEY) or {}).pop(form_id, None)
        if saved and saved.get("version") and saved.get("round") == live.round:
            ctx.state["d"] = saved
            await self.resume(ctx)
            return
        remember_version(ctx.db, live.stored.version_pk, live.form)
        draft = new_draft(ctx, live, kwargs.get("district"), kwargs.get("campaign"))
        if any(q.kind == Kind.META and q.meta == "username" for q in live.form.questions):
            async with ctx.transaction() as s:  # the key is made on first use
                marker = await throttles.person_marker(
                    s, f"survey-username:{live.form_id}", ctx.user_id
                )
            draft["username"] = f"telegram:{marker[:16]}"
        ctx.state["d"] = draft
        turn = Turn(ctx, draft, live.form)
        first = turn.first_question()
        # One message, not two: the welcome heads the first question (and stays above it
        # when its answer is shown), so the resident's phone gets one notification.
        if first is None:
            await self.review(ctx, turn, notice=welcome(turn))
        else:
            draft["intro"] = first.name  # the question the welcome heads, until answered
            await self.ask(ctx, turn, first, notice=welcome(turn))

    async def _already_answered(self, ctx: Context, live: LiveForm) -> bool:
        async with ctx.reader() as s:
            return await surveys.has_answered(s, live.stored.pk, live.round, ctx.user_id)

    async def resume(self, ctx: Context) -> None:
        """Back after /menu, another flow or a restart: the same screen, answers kept."""
        turn = await self.turn(ctx)
        if turn is None:
            return
        ctx.say(_("Welcome back! Let us continue where you stopped."))
        current = turn.current
        if turn.mode in REVIEWING or current is None:
            if current is None and turn.mode == "ask":
                first = turn.run.next_after(None)
                if first is not None:
                    await self.ask(ctx, turn, first)
                    return
            await self.review(ctx, turn)
            return
        await self.ask(ctx, turn, current)  # the same question: choices ticked so far stay ticked

    async def on_cancel(self, ctx: Context) -> None:
        ctx.say(_("Your unsent survey answers were deleted."))

    # --- a survey begun before its steps were declared ----------------------------------------
    async def on_button(self, ctx: Context, action: str, args: tuple[str, ...]) -> None:
        if ctx.step not in self.step_names():  # its one step was "ask": draw the screen again
            await self.resume(ctx)
            return
        await super().on_button(ctx, action, args)

    async def on_message(self, ctx: Context) -> None:
        if ctx.step not in self.step_names():
            await self.resume(ctx)
            return
        await super().on_message(ctx)
