"""What every step of the survey flow does the same way: read the draft into a Turn, ask a
question (on the step that shows it), check and keep an answer, go on to the next relevant
question or back to the review."""

from __future__ import annotations

from bot.engine.context import Context
from bot.engine.steps import Flow
from bot.features.surveys import questions
from bot.features.surveys.questions import screen_of
from bot.features.surveys.texts import answer_text, problem_text, welcome
from bot.features.surveys.turn import Turn
from core.i18n import _
from formengine.model import Question
from formengine.store import version_in_use


class SurveySteps(Flow):
    """The moves the survey's steps share; the steps are declared in ``interview``."""

    async def turn(self, ctx: Context) -> Turn | None:
        """This update's view of the draft; None when there is none, or when its form was
        deleted under the resident (the survey ends, saying so)."""
        draft = ctx.state.get("d")
        if not draft:
            return None
        form = await version_in_use(ctx.db, int(draft["version"]))
        if form is None:
            self.end(ctx)
            ctx.say(_("This survey is closed. Thank you for your interest!"))
            return None
        return Turn(ctx, draft, form)

    # --- moving --------------------------------------------------------------------------------
    async def ask(
        self, ctx: Context, turn: Turn, question: Question, *, notice: str = "", edit: bool = False
    ) -> None:
        """Show ``question`` on its step (as a new message, or in place of the pressed one)."""
        in_place = not questions.needs_reply_keyboard(question)
        edit, notice = self.in_place_of_answer(ctx, turn, in_place, edit, notice)
        await self.show(
            ctx, screen_of(turn, question), turn=turn, question=question, notice=notice, edit=edit
        )

    async def review(
        self, ctx: Context, turn: Turn, *, notice: str = "", edit: bool = False
    ) -> None:
        edit, notice = self.in_place_of_answer(ctx, turn, True, edit, notice)
        await self.show(ctx, "review", turn=turn, notice=notice, edit=edit)

    @staticmethod
    def in_place_of_answer(
        ctx: Context, turn: Turn, possible: bool, edit: bool, notice: str
    ) -> tuple[bool, str]:
        """After a pressed answer, the next screen replaces the pressed message, headed by
        a line with the answer, instead of the answer edited in and the next screen sent as
        a new message: one message for the resident (and one Bot API call less per tap,
        which a campaign's peak counts). Not for a screen that needs a reply keyboard (a
        location), which must be a new message."""
        shown, turn.answer_shown = turn.answer_shown, None
        if edit or not possible or not ctx.take_back(shown):
            return edit, notice
        return True, "\n\n".join(line for line in (turn.answer_line, notice) if line)

    async def after_answer(self, ctx: Context, turn: Turn, question: Question) -> None:
        """Go on from ``question``: the next relevant one, or back to the review."""
        run = turn.run
        if turn.mode == "edit":
            # A changed answer may open questions never shown yet: ask them, then review.
            seen = set(turn.draft.get("seen") or ())
            unseen = next((q for q in run.relevant_questions() if q.name not in seen), None)
            gap = run.first_gap()
            if unseen is not None and (gap is None or turn.before(unseen, gap[0])):
                await self.ask(ctx, turn, unseen)
            elif gap is not None:
                await self.ask(ctx, turn, gap[0], notice=problem_text(gap[1], turn.lang))
            else:
                await self.review(ctx, turn)
            return
        following = run.next_after(question.name)
        prefilled = set(turn.draft.get("prefilled") or ())
        while following is not None and following.name in prefilled:
            following = run.next_after(following.name)  # answered by the link
        if following is not None:
            await self.ask(ctx, turn, following)
            return
        gap = run.first_gap()
        if gap is not None:
            await self.ask(ctx, turn, gap[0], notice=problem_text(gap[1], turn.lang))
        else:
            await self.review(ctx, turn)

    async def accept(
        self, ctx: Context, turn: Turn, question: Question, value: str, *, pressed: bool
    ) -> bool:
        """Check and keep an answer; on a problem, say why and ask again. True if kept."""
        problem = turn.run.check(question, value)
        if problem is not None:
            notice = problem_text(problem, turn.lang)
            if pressed:
                ctx.toast(notice, alert=True)
                await self.ask(ctx, turn, question, notice=notice, edit=True)
            else:
                await self.ask(ctx, turn, question, notice=notice)
            return False
        turn.run.set(question.name, value)
        turn.set_pending([])
        label = turn.run.render(question.text(turn.lang))
        intro = turn.draft.pop("intro", None)
        if isinstance(intro, list):  # a survey begun before the welcome was derived
            intro = intro[0]
        if intro == question.name:
            label = f"{welcome(turn)}\n\n{label}"
        if pressed:
            answer = answer_text(turn, question)
            ctx.edit(f"{label}\n➜ {answer}")
            turn.answer_shown, turn.answer_line = ctx.last_reply(), f"✓ {answer}"
        return True

    # --- drawing the question steps ------------------------------------------------------------
    async def draw_question(
        self,
        ctx: Context,
        turn: Turn | None = None,
        question: Question | None = None,
        notice: str = "",
        edit: bool = False,
    ) -> None:
        await self._draw(ctx, turn, question, notice, edit, searched=False)

    async def draw_search(
        self,
        ctx: Context,
        turn: Turn | None = None,
        question: Question | None = None,
        notice: str = "",
        edit: bool = False,
    ) -> None:
        await self._draw(ctx, turn, question, notice, edit, searched=True)

    async def _draw(
        self,
        ctx: Context,
        turn: Turn | None,
        question: Question | None,
        notice: str,
        edit: bool,
        *,
        searched: bool,
    ) -> None:
        turn = turn or await self.turn(ctx)
        question = question or (turn.current if turn is not None else None)
        if turn is None or question is None:
            return
        questions.draw(ctx, turn, question, notice=notice, edit=edit, searched=searched)
