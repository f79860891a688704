"""One event's view of a survey in progress: the draft kept in the session (``ctx.state["d"]``:
the form version, the answers, the question on screen, what is ticked so far, the mode), its
form and the evaluation run (formengine) that says which question is relevant, required,
valid.

The draft is what survives between updates (and, parked in the session profile, while the
resident answers another survey); the Turn is rebuilt for each update.
"""

from __future__ import annotations

import uuid
from typing import Any
from zoneinfo import ZoneInfo

from bot.engine.context import Context
from bot.engine.replies import Reply
from formengine.model import ANSWERED_KINDS, Form, Kind, Question
from formengine.repeats import expand
from formengine.runtime import Run, initial_answers, now_iso
from formengine.store import LiveForm
from formengine.xpath import Environment

NAME = "survey"
DRAFTS_KEY = "survey_drafts"  # in the session profile: drafts of surveys not on screen
REVIEW = "__review__"  # draft["current"] while the review is on screen
# draft["mode"]: "ask" (question after question), "edit" (an answer changed from the
# review), "review", "pick" (which answer to change).
ASKING = ("ask", "edit")
REVIEWING = ("review", "pick")


def environment(ctx: Context, form: Form) -> Environment:
    """What the form's expressions see besides the answers: the bot's clock, in the
    programme's time zone, and the choice labels in the resident's language."""
    zone = ZoneInfo(ctx.services.settings.timezone)
    now = ctx.services.clock.now().astimezone(zone)
    return Environment(
        today=now.date(),
        now=now,  # now() is local time, as on the resident's phone
        choice_label=lambda name, value: form.choice_label(name, value, ctx.lang),
    )


class Turn:
    """One event's view of the survey: the draft, its form and the evaluation run."""

    def __init__(self, ctx: Context, draft: dict[str, Any], form: Form) -> None:
        self.ctx = ctx
        self.draft = draft
        # A pressed answer shown in its message ("question ➜ answer"), which the next screen
        # may replace (moves.SurveySteps.in_place_of_answer), and the line that then says it.
        self.answer_shown: Reply | None = None
        self.answer_line = ""
        self.base = form  # as imported; self.form has each repeat's instances
        language = ctx.lang
        now = ctx.services.clock.now()
        zone = ZoneInfo(ctx.services.settings.timezone)
        self.run = Run(
            expand(form, draft["answers"], language),
            draft["answers"],
            environment(ctx, form),
            ctx.lang,
            meta={
                "start": draft.get("started", ""),
                "end": now_iso(now),
                "username": str(draft.get("username") or ""),
            },
            zone=zone,
            expander=(lambda answers: expand(form, answers, language)) if form.repeats else None,
        )

    @property
    def lang(self) -> str:
        return self.ctx.lang

    @property
    def form(self) -> Form:
        """The form as this resident's answers make it (repeats expanded)."""
        return self.run.form

    @property
    def mode(self) -> str:
        return str(self.draft.get("mode") or "")

    @property
    def current(self) -> Question | None:
        name = self.draft.get("current") or ""
        return self.form.question(name) if name and self.form.has(name) else None

    @property
    def pending(self) -> list[str]:
        return list(self.draft.get("pending") or [])

    def set_pending(self, values: list[str]) -> None:
        self.draft["pending"] = values

    def answer(self, question: Question) -> str:
        return str(self.draft["answers"].get(question.name, ""))

    def review_items(self) -> list[Question]:
        """The answers the review lists (and numbers), in the form's order."""
        return [
            q
            for q in self.run.relevant_questions()
            if q.kind in ANSWERED_KINDS and q.kind != Kind.ACKNOWLEDGE
        ]

    def first_question(self) -> Question | None:
        """Where a new survey opens: the first relevant question not answered by its link."""
        prefilled = set(self.draft.get("prefilled") or ())
        first = self.run.next_after(None)
        while first is not None and first.name in prefilled:
            first = self.run.next_after(first.name)
        return first

    def before(self, first: Question, second: Question) -> bool:
        order = [q.name for q in self.form.questions]
        return order.index(first.name) <= order.index(second.name)


def new_draft(ctx: Context, live: LiveForm, district: object, campaign: object) -> dict[str, Any]:
    """A survey's draft as it starts: defaults, and the district a link gave (if the form
    has that district among its choices)."""
    form = live.form
    answers = initial_answers(form, environment(ctx, form))  # not in repeats: not yet
    prefilled = []
    district_question = form.role_question("district")
    if district and district_question and form.choice(district_question, str(district)):
        answers[district_question.name] = str(district)
        prefilled.append(district_question.name)
    return {
        "prefilled": prefilled,
        "seen": list(prefilled),
        "form": form.form_id,
        "version": live.stored.version_pk,
        "round": live.round,
        "one_per": form.one_per_resident,
        "answers": answers,
        "current": "",
        "mode": "ask",
        "pending": [],
        "page": 0,
        "uuid": str(uuid.uuid4()),
        "started": now_iso(ctx.services.clock.now()),
        "campaign": str(campaign or "")[:64],
    }
