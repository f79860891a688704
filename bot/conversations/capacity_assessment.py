"""The capacity self-assessment of an association: two questions in each of nine domains,
answered Yes / Partly / Not yet, scored per domain; the result recommends the matching
trainings from the catalogue and consultation topics (the codes the consultations area
uses), starting with the weakest domains.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.engine.context import Context
from bot.engine.conversation import Conversation
from bot.engine.registry import Command, Registry
from bot.engine.replies import Button
from core.formatting import format_day, format_number, format_percent_figure
from core.i18n import N_, _, current_language
from storage import associations, trainings

DOMAIN_LABELS = {
    "strategic_planning": N_("Strategic planning"),
    "governance": N_("Governance"),
    "financial_management": N_("Financial management and transparency"),
    "project_management": N_("Project management"),
    "me": N_("Monitoring and evaluation"),
    "hr": N_("Human resources and volunteers"),
    "fundraising": N_("Fundraising and proposal writing"),
    "advocacy": N_("Advocacy and networking"),
    "archiving": N_("Electronic archiving and documentation"),
}


@dataclass(frozen=True)
class Question:
    code: str
    domain: str
    text: str  # an N_() message id


QUESTIONS = (
    Question(
        "sp1",
        "strategic_planning",
        N_(
            "Does your association have a written strategic plan (vision, mission, objectives) "
            "for the coming years?"
        ),
    ),
    Question(
        "sp2",
        "strategic_planning",
        N_("Do you review this plan at least once a year and adjust your activities to it?"),
    ),
    Question(
        "gv1",
        "governance",
        N_("Does your board meet regularly and keep minutes of its decisions?"),
    ),
    Question(
        "gv2",
        "governance",
        N_(
            "Do you hold your general assembly on time and present the activity and financial "
            "reports to the members, as your statutes require?"
        ),
    ),
    Question(
        "fm1",
        "financial_management",
        N_("Do you keep accounts (cash book, receipts, bank statements) and an annual budget?"),
    ),
    Question(
        "fm2",
        "financial_management",
        N_(
            "Are your accounts audited, and are your financial reports shared with members and "
            "funders?"
        ),
    ),
    Question(
        "pm1",
        "project_management",
        N_(
            "For each project, do you write a plan with activities, a timeline, a budget and who "
            "is responsible?"
        ),
    ),
    Question(
        "pm2",
        "project_management",
        N_("During a project, do you follow the plan and deal with delays and risks in time?"),
    ),
    Question(
        "me1",
        "me",
        N_("Do your projects have measurable indicators and targets decided at the start?"),
    ),
    Question(
        "me2",
        "me",
        N_("Do you collect data regularly and write monitoring or evaluation reports?"),
    ),
    Question(
        "hr1",
        "hr",
        N_("Do your staff and volunteers have clear written roles (job or task descriptions)?"),
    ),
    Question(
        "hr2",
        "hr",
        N_("Do you recruit, train and follow up your volunteers in an organised way?"),
    ),
    Question(
        "fr1",
        "fundraising",
        N_("Have you written and submitted a funding proposal in the last two years?"),
    ),
    Question(
        "fr2",
        "fundraising",
        N_("Does your association have more than one source of funding?"),
    ),
    Question(
        "ad1",
        "advocacy",
        N_("Has your association led or joined an advocacy campaign on an issue in your area?"),
    ),
    Question(
        "ad2",
        "advocacy",
        N_("Do you work with other associations or networks towards shared goals?"),
    ),
    Question(
        "ar1",
        "archiving",
        N_(
            "Are your documents (statutes, minutes, contracts, reports) filed in an organised "
            "way that others can find?"
        ),
    ),
    Question(
        "ar2",
        "archiving",
        N_(
            "Do you keep digital copies or back-ups of important documents and of your "
            "activities (photos, attendance lists)?"
        ),
    ),
)
ANSWERS = {"2": N_("Yes"), "1": N_("Partly"), "0": N_("Not yet")}
MAX_PER_QUESTION = 2
STRONG_PERCENT = 75  # a domain at or above this needs no recommendation
RECOMMENDED_DOMAINS = 3


def domain_label(code: str) -> str:
    return _(DOMAIN_LABELS.get(code, code))


def score(answers: dict[str, int]) -> list[associations.DomainScore]:
    """Points per domain, in the order of ``DOMAIN_LABELS`` (only answered questions count)."""
    totals: dict[str, list[int]] = {d: [0, 0] for d in DOMAIN_LABELS}
    for question in QUESTIONS:
        if question.code in answers:
            totals[question.domain][0] += answers[question.code]
            totals[question.domain][1] += MAX_PER_QUESTION
    return [
        associations.DomainScore(domain, points, maximum)
        for domain, (points, maximum) in totals.items()
        if maximum
    ]


def weakest(scores: list[associations.DomainScore]) -> list[str]:
    """The domains to work on first: below the 'strong' mark, weakest first (at most three)."""
    order = list(DOMAIN_LABELS)
    below = [s for s in scores if s.percent < STRONG_PERCENT]
    below.sort(key=lambda s: (s.percent, order.index(s.domain)))
    return [s.domain for s in below[:RECOMMENDED_DOMAINS]]


def bar(percent: int) -> str:
    filled = round(percent / 20)
    return "▰" * filled + "▱" * (5 - filled)


class CapacityAssessment(Conversation):
    name = "capacity_assessment"
    resumable = True

    async def begin(self, ctx: Context, **kwargs: Any) -> None:
        async with ctx.reader() as s:
            found = await associations.association_of(s, ctx.user_id)
        if found is None:
            ctx.finish()
            ctx.say(
                _(
                    "The capacity self-assessment is for associations. Register your "
                    "association or join it first with /association."
                )
            )
            return
        ctx.state.update(association_id=found[0].id, answers={}, index=0)
        ctx.step = "intro"
        ctx.say(
            _(
                "Capacity self-assessment of «{name}»: {n} short questions in nine areas, "
                "about five minutes. Answer as things are today; the result stays with your "
                "association and the support centre, and suggests trainings and consultations."
            ).format(name=found[0].name, n=format_number(len(QUESTIONS))),
            [[ctx.button(_("Start"), "go")]],
        )

    async def resume(self, ctx: Context) -> None:
        if ctx.step == "question":
            self._ask(ctx)
        else:
            await self.begin(ctx)

    def _ask(self, ctx: Context) -> None:
        index = int(ctx.state.get("index", 0))
        question = QUESTIONS[index]
        domains = list(DOMAIN_LABELS)
        ctx.step = "question"
        head = _("Area {n} of {total}: {area}").format(
            n=format_number(domains.index(question.domain) + 1),
            total=format_number(len(domains)),
            area=domain_label(question.domain),
        )
        progress = _("Question {n} of {total}").format(
            n=format_number(index + 1), total=format_number(len(QUESTIONS))
        )
        buttons: list[list[Button]] = [
            [ctx.button(_(label), "a", value) for value, label in ANSWERS.items()]
        ]
        if index > 0:
            buttons.append([ctx.button(_("« Previous question"), "prev")])
        ctx.say(f"{head}\n{progress}\n\n{_(question.text)}", buttons)

    async def on_message(self, ctx: Context) -> None:
        ctx.say(_("Please answer with the buttons."))
        await self.resume(ctx)

    async def on_button(self, ctx: Context, action: str, args: tuple[str, ...]) -> None:
        if ctx.step == "intro" and action == "go":
            self._ask(ctx)
        elif ctx.step == "question" and action == "a" and args and args[0] in ANSWERS:
            index = int(ctx.state.get("index", 0))
            ctx.state["answers"][QUESTIONS[index].code] = int(args[0])
            ctx.edit(f"{_(QUESTIONS[index].text)}\n➡️ {_(ANSWERS[args[0]])}")
            if index + 1 < len(QUESTIONS):
                ctx.state["index"] = index + 1
                self._ask(ctx)
            else:
                await self._finish(ctx)
        elif ctx.step == "question" and action == "prev":
            ctx.state["index"] = max(0, int(ctx.state.get("index", 0)) - 1)
            self._ask(ctx)
        else:
            await super().on_button(ctx, action, args)

    async def _finish(self, ctx: Context) -> None:
        answers = {k: int(v) for k, v in dict(ctx.state["answers"]).items()}
        scores = score(answers)
        async with ctx.transaction() as s:
            membership = await associations.membership_of(s, ctx.user_id)
            if membership is None or membership.association_id != ctx.state["association_id"]:
                ctx.finish()
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
        ctx.finish()
        await show_latest_results(ctx)


async def show_latest_results(ctx: Context) -> None:
    """The latest assessment of the user's association, with what to do next."""
    async with ctx.reader() as s:
        found = await associations.association_of(s, ctx.user_id)
        latest = await associations.latest_assessment(s, found[0].id) if found else None
        if found is None or latest is None:
            ctx.say(_("Your association has not completed a capacity self-assessment yet."))
            return
        assessment, rows = latest
        scores = [associations.DomainScore(r.domain, r.score, r.max_score) for r in rows]
        focus = weakest(scores)
        courses = await trainings.courses_for_topics(s, focus)
    lang = current_language()
    lines = [
        _("Capacity self-assessment of «{name}» ({day}):").format(
            name=found[0].name, day=format_day(assessment.completed_at.date(), with_hijri=False)
        ),
        "",
    ]
    for item in scores:
        lines.append(
            f"{bar(item.percent)} {format_percent_figure(item.percent)}"
            f" — {domain_label(item.domain)}"
        )
    buttons: list[list[Button]] = []
    if not focus:
        lines += ["", _("Well done: your association is strong in every area.")]
    else:
        lines += [
            "",
            _("Where to start: {areas}.").format(
                areas=("، " if lang == "ar" else ", ").join(domain_label(d) for d in focus)
            ),
            _(
                "You can ask the support centre for a consultation on these topics, and join "
                "the matching trainings:"
            ),
        ]
        order = {d: i for i, d in enumerate(focus)}
        for course in sorted(courses, key=lambda c: (order.get(c.topic, 99), c.sort_order)):
            buttons.append([ctx.global_button(f"📚 {course.title(lang)}", "tc", course.id)])
        if "consultation" in ctx.engine.registry.conversations:
            buttons.append([ctx.global_button(_("Book a consultation"), "cabk")])
    ctx.say("\n".join(lines), buttons or None)


async def book_consultation_button(ctx: Context, args: tuple[str, ...]) -> None:
    if "consultation" not in ctx.engine.registry.conversations:
        ctx.toast(_("This option is not available."))
        return
    await ctx.start("consultation", kind="consultation")


async def assessment_command(ctx: Context) -> None:
    await ctx.start("capacity_assessment")


def register(registry: Registry) -> None:
    registry.add_conversation(CapacityAssessment())
    registry.add_command(
        Command(
            "assessment", assessment_command, N_("Capacity self-assessment of your association")
        )
    )
    registry.add_button("cabk", book_consultation_button)
