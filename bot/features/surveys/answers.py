"""Reading a question's answer: a typed text, a shared location, a photo, a voice note or a
file (checked by the form's rules), and the question's buttons — a choice, a tick, the next
place of a ranking, a range's value, Undo, Done, Continue, OK, Keep, Skip, « Back, paging
and searching again. Every handler checks what is pressed against the question on screen
(its kind, its choices): a press the question cannot take gets the stale-button answer.
"""

from __future__ import annotations

from bot.engine.context import Context
from bot.engine.events import UNREADABLE, EventKind
from bot.features.surveys import media, search
from bot.features.surveys.moves import SurveySteps
from bot.features.surveys.questions import points_text, question_buttons
from bot.features.surveys.texts import FILE_KINDS, problem_text, typed_problem
from bot.features.surveys.turn import ASKING, REVIEWING, Turn
from core.i18n import _
from formengine.model import LINE_KINDS, Choice, Kind, Question
from formengine.runtime import LINE_MAX_POINTS, Problem, geopoint, line_value


class AnswerSteps(SurveySteps):
    """The handlers of the question steps (``question``, ``search``, ``another``)."""

    # --- a message ---------------------------------------------------------------------------
    async def on_answer_message(self, ctx: Context) -> None:
        turn = await self.turn(ctx)
        if turn is None:
            return
        question = turn.current
        if question is None or turn.mode in REVIEWING:
            await self.review(
                ctx, turn, notice=_("Please use the buttons to send or change your answers.")
            )
            return
        event = ctx.event
        value: str | Problem
        if question.kind in FILE_KINDS and event.kind != EventKind.TEXT:
            value = media.file_answer(turn, question, event)
        elif question.voice and event.kind in (EventKind.VOICE, EventKind.AUDIO):
            value = media.file_answer(turn, question, event)  # spoken instead of typed
        elif question.kind == Kind.IMAGE and (
            event.kind == EventKind.PHOTO
            or (event.kind == EventKind.DOCUMENT and event.mime_type.startswith("image/"))
        ):
            value = media.photo_answer(turn, question, event)  # also one sent as a file
        elif event.kind in UNREADABLE:
            value = Problem("unreadable")
        elif question.kind in LINE_KINDS and event.kind in (EventKind.LOCATION, EventKind.TEXT):
            await self._on_point(ctx, turn, question)
            return
        elif event.kind == EventKind.LOCATION:
            if question.kind != Kind.GEOPOINT:
                value = Problem("use_buttons" if question.has_choices else "unexpected")
            else:
                point = geopoint(event.latitude or 0.0, event.longitude or 0.0)
                value = point if point else Problem("not_a_location")
        elif event.kind in (EventKind.PHOTO, EventKind.CONTACT):
            value = Problem("unexpected")
        elif question.kind == Kind.IMAGE:
            value = Problem("need_photo")
        elif question.kind in FILE_KINDS:
            value = Problem(f"need_{question.kind.value}")
        elif search.searchable(turn, question):
            # The first letters of a choice: the matches, or why there are none.
            notice = search.typed(turn, question, event.text)
            await self.ask(ctx, turn, question, notice=notice)
            return
        elif question.kind in (Kind.NOTE, Kind.ACKNOWLEDGE, Kind.SELECT_MULTIPLE, Kind.RANK):
            value = Problem("use_buttons")
        else:
            value = turn.run.parse(question, event.text)
        if isinstance(value, Problem):
            if value.code == "use_buttons" and search.searchable(turn, question):
                value = Problem("type_letters")  # a long list is answered by typing
            await self.ask(ctx, turn, question, notice=typed_problem(value, ctx.lang))
            return
        if await self.accept(ctx, turn, question, value, pressed=False):
            if question.kind == Kind.GEOPOINT:
                ctx.say(_("Location received, thank you."), remove_keyboard=True)
            await self.after_answer(ctx, turn, question)

    async def _on_point(self, ctx: Context, turn: Turn, question: Question) -> None:
        """One more point of a geotrace/geoshape, shared or typed (the answer is kept at
        “Done”)."""
        event = ctx.event
        if event.kind == EventKind.LOCATION:
            point = geopoint(event.latitude or 0.0, event.longitude or 0.0)
        else:
            parsed = turn.run.parse(question, event.text)
            point = parsed if isinstance(parsed, str) else None
        if point is None:
            notice = problem_text(Problem("not_a_location"), ctx.lang)
            await self.ask(ctx, turn, question, notice=notice)
            return
        pending = turn.pending
        if len(pending) >= LINE_MAX_POINTS:
            notice = problem_text(Problem("too_many_points"), turn.lang)
            await self.ask(ctx, turn, question, notice=notice)
            return
        pending.append(point)
        turn.set_pending(pending)
        ctx.say(points_text(turn, question), question_buttons(ctx, turn, question))

    # --- the question's buttons ------------------------------------------------------------------
    async def _on_screen(self, ctx: Context) -> tuple[Turn, Question] | None:
        """The draft and the question on screen, or None (after the stale-button answer when
        no question is being asked)."""
        turn = await self.turn(ctx)
        if turn is None:
            return None
        question = turn.current
        if question is None or turn.mode not in ASKING:
            ctx.stale_button()
            return None
        return turn, question

    async def _choice(
        self, ctx: Context, kind: Kind, index: int
    ) -> tuple[Turn, Question, Choice] | None:
        """The question on screen and its choice ``index``, when it is a question of ``kind``."""
        found = await self._on_screen(ctx)
        if found is None:
            return None
        turn, question = found
        everything = turn.form.choices_of(question)
        if question.kind != kind or not 0 <= index < len(everything):
            ctx.stale_button()
            return None
        return turn, question, everything[index]

    async def on_choose(self, ctx: Context, index: int) -> None:
        found = await self._choice(ctx, Kind.SELECT_ONE, index)
        if found is None:
            return
        turn, question, choice = found
        if await self.accept(ctx, turn, question, choice.name, pressed=True):
            await self.after_answer(ctx, turn, question)

    async def on_toggle(self, ctx: Context, index: int) -> None:
        found = await self._choice(ctx, Kind.SELECT_MULTIPLE, index)
        if found is None:
            return
        turn, question, choice = found
        if choice.name not in {c.name for c in turn.run.choices_for(question)}:
            ctx.toast(problem_text(Problem("not_a_choice"), turn.lang))
            return
        pending = turn.pending
        if choice.name in pending:
            pending = [p for p in pending if p != choice.name]
        else:
            pending = [*pending, choice.name]
        turn.set_pending(pending)
        await self.ask(ctx, turn, question, edit=True)

    async def on_rank(self, ctx: Context, index: int) -> None:
        found = await self._choice(ctx, Kind.RANK, index)
        if found is None:
            return
        turn, question, choice = found
        pending = turn.pending
        allowed = {c.name for c in turn.run.choices_for(question)}
        most = question.max_ranked or len(allowed)
        if choice.name not in allowed or choice.name in pending:
            ctx.toast(problem_text(Problem("not_a_choice"), turn.lang))
            return
        if len(pending) >= most:
            ctx.toast(problem_text(Problem("too_many", params={"most": most}), turn.lang))
            return
        pending.append(choice.name)
        turn.set_pending(pending)
        if len(pending) == most or len(pending) == len(allowed):
            # The last place is filled: the ranking is complete.
            if await self.accept(ctx, turn, question, " ".join(pending), pressed=True):
                await self.after_answer(ctx, turn, question)
            return
        await self.ask(ctx, turn, question, edit=True)

    async def on_range(self, ctx: Context, index: int) -> None:
        found = await self._on_screen(ctx)
        if found is None:
            return
        turn, question = found
        values = turn.run.range_values(question) if question.kind == Kind.RANGE else []
        if not 0 <= index < len(values):
            ctx.stale_button()
            return
        if await self.accept(ctx, turn, question, values[index], pressed=True):
            await self.after_answer(ctx, turn, question)

    async def on_undo(self, ctx: Context) -> None:
        found = await self._on_screen(ctx)
        if found is None:
            return
        turn, question = found
        if question.kind in LINE_KINDS:
            turn.set_pending(turn.pending[:-1])
            text = points_text(turn, question) if turn.pending else _("No point shared yet.")
            ctx.edit(text, question_buttons(ctx, turn, question))
        elif question.kind == Kind.RANK:
            turn.set_pending(turn.pending[:-1])
            await self.ask(ctx, turn, question, edit=True)
        else:
            ctx.stale_button()

    async def on_done(self, ctx: Context) -> None:
        found = await self._on_screen(ctx)
        if found is None:
            return
        turn, question = found
        if question.kind in LINE_KINDS:
            value = line_value(turn.pending, closed=question.kind == Kind.GEOSHAPE)
            if await self.accept(ctx, turn, question, value, pressed=True):
                ctx.say(_("Locations received, thank you."), remove_keyboard=True)
                await self.after_answer(ctx, turn, question)
        elif question.kind in (Kind.SELECT_MULTIPLE, Kind.RANK):
            if await self.accept(
                ctx, turn, question, " ".join(_ordered(turn, question)), pressed=True
            ):
                await self.after_answer(ctx, turn, question)
        else:
            ctx.stale_button()

    async def on_continue(self, ctx: Context) -> None:
        """Continue ▶ under a note, OK under an acknowledge."""
        found = await self._on_screen(ctx)
        if found is None:
            return
        turn, question = found
        if question.kind == Kind.ACKNOWLEDGE:
            if not await self.accept(ctx, turn, question, "OK", pressed=True):
                return
        elif question.kind == Kind.NOTE:
            ctx.edit(turn.run.render(question.text(turn.lang)))
        else:
            ctx.stale_button()
            return
        await self.after_answer(ctx, turn, question)

    async def on_keep(self, ctx: Context) -> None:
        found = await self._on_screen(ctx)
        if found is None:
            return
        turn, question = found
        if await self.accept(ctx, turn, question, turn.answer(question), pressed=True):
            await self.after_answer(ctx, turn, question)

    async def on_skip(self, ctx: Context) -> None:
        found = await self._on_screen(ctx)
        if found is None:
            return
        turn, question = found
        if turn.run.is_required(question):
            ctx.stale_button()
            return
        turn.run.set(question.name, "")
        turn.set_pending([])
        ctx.edit(f"{turn.run.render(question.text(turn.lang))}\n➜ {_('(skipped)')}")
        turn.answer_shown, turn.answer_line = ctx.last_reply(), f"✓ {_('(skipped)')}"
        await self.after_answer(ctx, turn, question)

    async def on_previous(self, ctx: Context) -> None:
        """« Back to the previous relevant question (while changing an answer from the review,
        the way back is "Back to the review")."""
        found = await self._on_screen(ctx)
        if found is None:
            return
        turn, question = found
        if turn.mode != "ask":
            ctx.stale_button()
            return
        previous = turn.run.previous_before(question.name)
        if previous is None:
            ctx.toast(_("This is the first question."))
            return
        ctx.edit(turn.run.render(question.text(turn.lang)))
        await self.ask(ctx, turn, previous)

    async def on_page(self, ctx: Context, page: int) -> None:
        found = await self._on_screen(ctx)
        if found is None:
            return
        turn, question = found
        if not question.has_choices:
            ctx.stale_button()
            return
        turn.draft["page"] = page
        await self.ask(ctx, turn, question, edit=True)

    async def on_search_again(self, ctx: Context) -> None:
        found = await self._on_screen(ctx)
        if found is None:
            return
        turn, question = found
        if not question.has_choices:
            ctx.stale_button()
            return
        search.set_query(turn, "")
        await self.ask(ctx, turn, question, edit=True)


def _ordered(turn: Turn, question: Question) -> list[str]:
    """The ticked choices in the list's order; a ranking in the order given."""
    if question.kind == Kind.RANK:
        return turn.pending
    order = {c.name: i for i, c in enumerate(turn.form.choices_of(question))}
    return sorted(turn.pending, key=lambda name: order.get(name, 0))
