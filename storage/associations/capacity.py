"""The capacity self-assessment's questions and scoring: two questions in each of nine
domains, answered Yes / Partly / Not yet, scored per domain; the weakest domains below the
"strong" mark are what to work on first. The bot asks them, the admin plans trainings
from the scores, and the consultations area uses the same domain codes for its topics."""

from __future__ import annotations

from dataclasses import dataclass

from core.i18n import N_, _
from storage.associations.assessments import DomainScore

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


def score(answers: dict[str, int]) -> list[DomainScore]:
    """Points per domain, in the order of ``DOMAIN_LABELS`` (only answered questions count)."""
    totals: dict[str, list[int]] = {d: [0, 0] for d in DOMAIN_LABELS}
    for question in QUESTIONS:
        if question.code in answers:
            totals[question.domain][0] += answers[question.code]
            totals[question.domain][1] += MAX_PER_QUESTION
    return [
        DomainScore(domain, points, maximum)
        for domain, (points, maximum) in totals.items()
        if maximum
    ]


def weakest(scores: list[DomainScore]) -> list[str]:
    """The domains to work on first: below the 'strong' mark, weakest first (at most three)."""
    order = list(DOMAIN_LABELS)
    below = [s for s in scores if s.percent < STRONG_PERCENT]
    below.sort(key=lambda s: (s.percent, order.index(s.domain)))
    return [s.domain for s in below[:RECOMMENDED_DOMAINS]]


def bar(percent: int) -> str:
    """Five blocks, filled by the share: ▰▰▰▱▱."""
    filled = round(percent / 20)
    return "▰" * filled + "▱" * (5 - filled)
