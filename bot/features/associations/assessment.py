"""The capacity self-assessment of an association (``/assessment``, or from its page): two
questions in each of nine domains (storage.associations.capacity), answered Yes / Partly /
Not yet; the result recommends trainings and consultations, weakest domain first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.engine.context import Context
from bot.engine.replies import Button
from bot.engine.steps import Flow, Step
from bot.features.associations import actions
from bot.features.associations.results import show_latest_results
from core.formatting import format_number
from core.i18n import _
from storage import associations
from storage.associations import ANSWERS, DOMAIN_LABELS, QUESTIONS, domain_label, score


class CapacityAssessment(Flow):
    name = "capacity_assessment"
    resumable = True
    starts = ("intro",)

    def steps(self) -> Sequence[Step]:
        return [
            Step(
                "intro",
                self._draw_intro,
                on={actions.START: self._on_start},
                goes_to=("question",),
                ends=True,
            ),
            Step(
                "question",
                self._ask,
                on={actions.ANSWER: self._on_answer, actions.PREVIOUS: self._on_previous},
                ends=True,
            ),
        ]

    async def enter(self, ctx: Context, **kwargs: Any) -> None:
        async with ctx.reader() as s:
            found = await associations.association_of(s, ctx.user_id)
        if found is None:
            self.end(ctx)
            ctx.say(
                _(
                    "The capacity self-assessment is for associations. Register your "
                    "association or join it first with /association."
                )
            )
            return
        ctx.state.update(association_id=found[0].id, answers={}, index=0)
        await self.show(ctx, "intro")

    async def _draw_intro(self, ctx: Context) -> None:
        async with ctx.reader() as s:
            association = await associations.get_association(s, int(ctx.state["association_id"]))
        name = association.name if association is not None else ""
        ctx.say(
            _(
                "Capacity self-assessment of «{name}»: {n} short questions in nine areas, "
                "about five minutes. Answer as things are today; the result stays with your "
                "association and the support centre, and suggests trainings and consultations."
            ).format(name=name, n=format_number(len(QUESTIONS))),
            [[actions.START.button(ctx, _("Start"))]],
        )

    async def _on_start(self, ctx: Context) -> None:
        await self.show(ctx, "question")

    async def _ask(self, ctx: Context) -> None:
        index = int(ctx.state.get("index", 0))
        question = QUESTIONS[index]
        domains = list(DOMAIN_LABELS)
        head = _("Area {n} of {total}: {area}").format(
            n=format_number(domains.index(question.domain) + 1),
            total=format_number(len(domains)),
            area=domain_label(question.domain),
        )
        progress = _("Question {n} of {total}").format(
            n=format_number(index + 1), total=format_number(len(QUESTIONS))
        )
        buttons: list[list[Button]] = [
            [actions.ANSWER.button(ctx, _(label), value=value) for value, label in ANSWERS.items()]
        ]
        if index > 0:
            buttons.append([actions.PREVIOUS.button(ctx, _("« Previous question"))])
        ctx.say(f"{head}\n{progress}\n\n{_(question.text)}", buttons)

    async def _on_answer(self, ctx: Context, value: str) -> None:
        if value not in ANSWERS:
            ctx.stale_button()
            return
        index = int(ctx.state.get("index", 0))
        ctx.state["answers"][QUESTIONS[index].code] = int(value)
        ctx.edit(f"{_(QUESTIONS[index].text)}\n➡️ {_(ANSWERS[value])}")
        if index + 1 < len(QUESTIONS):
            ctx.state["index"] = index + 1
            await self.show(ctx, "question")
        else:
            await self._finish(ctx)

    async def _on_previous(self, ctx: Context) -> None:
        ctx.state["index"] = max(0, int(ctx.state.get("index", 0)) - 1)
        await self.show(ctx, "question")

    async def _finish(self, ctx: Context) -> None:
        answers = {k: int(v) for k, v in dict(ctx.state["answers"]).items()}
        scores = score(answers)
        async with ctx.transaction() as s:
            membership = await associations.membership_of(s, ctx.user_id)
            if membership is None or membership.association_id != ctx.state["association_id"]:
                self.end(ctx)
                ctx.say(_("You are no longer part of this association: nothing was saved."))
                return
            await associations.save_assessment(
                s,
                association_id=membership.association_id,
                telegram_id=ctx.user_id,
                answers=answers,
                scores=scores,
                now=ctx.services.clock.now(),
            )
        self.end(ctx)
        await show_latest_results(ctx)


async def assessment_command(ctx: Context) -> None:
    await ctx.start("capacity_assessment")
