"""Sending: the answers become one submission, stored in one transaction keyed by the uuid
chosen when the survey started (a retried or re-delivered Send stores it once), with the
files kept beside it (``media``); then the thanks, the resident's district's priorities
one press away, and the volunteer sign-up for those who offered to help."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.context import Context
from bot.engine.replies import Button
from bot.features.surveys import media
from bot.features.surveys.actions import SEE_PRIORITIES
from bot.features.surveys.moves import SurveySteps
from bot.features.surveys.review import summary
from bot.features.surveys.texts import already_answered, problem_text, thanks
from bot.features.surveys.turn import Turn
from core.i18n import _
from formengine.store import NEEDS_SURVEY
from storage import people, reference, surveys


def priorities_button(ctx: Context, form_id: str) -> list[list[Button]] | None:
    """“See my district's priorities”, under the needs survey's thanks."""
    if form_id != NEEDS_SURVEY:
        return None
    return [[SEE_PRIORITIES.global_button(ctx, _("See my district's priorities"), form_id=form_id)]]


class SendStep(SurveySteps):
    """Send, on the ``review`` step."""

    async def on_send(self, ctx: Context) -> None:
        turn = await self.turn(ctx)
        if turn is None:
            return
        gap = turn.run.first_gap()
        if gap is not None:
            turn.draft["mode"] = "ask"
            await self.ask(ctx, turn, gap[0], notice=problem_text(gap[1], turn.lang))
            return
        if not await media.keep_files(ctx, turn):
            await self.review(ctx, turn, notice=media.not_saved(), edit=True)
            return
        values = turn.run.values()
        outcome = await _store(ctx, turn, values)
        self.end(ctx)
        await _tell(ctx, turn, values, outcome)


def _role(turn: Turn, values: dict[str, str], name: str) -> str | None:
    question = turn.form.role_question(name)
    return (values.get(question.name) or None) if question else None


async def _store(ctx: Context, turn: Turn, values: dict[str, str]) -> surveys.SubmitOutcome | None:
    """Store the submission; None when the form is gone."""
    draft, form = turn.draft, turn.form
    district = _role(turn, values, "district")
    new = surveys.NewSubmission(
        uuid=draft["uuid"],
        form_pk=0,
        version_pk=int(draft["version"]),
        round=str(draft.get("round") or ""),
        respondent_id=ctx.user_id,
        one_per_resident=bool(draft.get("one_per")),
        answers=[(q.name, q.kind.value, v) for q, v in turn.run.stored_answers()],
        district_code=district,
        gender=_role(turn, values, "gender"),
        age_group=_role(turn, values, "age_group"),
        campaign=str(draft.get("campaign") or ""),
        language=ctx.lang,
        started_at=_moment(draft.get("started")),
        submitted_at=ctx.services.clock.now(),
    )
    async with ctx.transaction() as s:
        pk = await surveys.form_pk(s, form.form_id)
        if pk is None:
            return None
        outcome, _id = await surveys.submit(s, replace(new, form_pk=pk))
        user = await people.ensure_user(
            s, ctx.user_id, first_name=ctx.event.first_name, username=ctx.event.username
        )
        if district and outcome == surveys.SubmitOutcome.STORED:
            await _remember_district(s, user, district)
    return outcome


async def _tell(
    ctx: Context, turn: Turn, values: dict[str, str], outcome: surveys.SubmitOutcome | None
) -> None:
    """What the resident reads once the answers are stored (the survey has ended)."""
    form = turn.form
    if outcome is None:
        ctx.edit(_("This survey is closed. Thank you for your interest!"))
        return
    if outcome == surveys.SubmitOutcome.ALREADY_ANSWERED:
        ctx.edit("\n".join(summary(turn)))
        ctx.say(already_answered(), priorities_button(ctx, form.form_id))
        return
    ctx.edit("\n".join([*summary(turn), "", _("✔ Sent.")]))
    ctx.say(thanks(turn), priorities_button(ctx, form.form_id))
    if _role(turn, values, "volunteer") == "yes":
        if "volunteer" in ctx.engine.registry.conversations:
            await ctx.start("volunteer", district=_role(turn, values, "district"))
        else:
            ctx.say(
                _(
                    "Thank you for offering to volunteer! The programme's staff will "
                    "contact you here."
                )
            )


def _moment(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


async def _remember_district(session: AsyncSession, user: people.User, district: str) -> None:
    """The survey's district becomes the resident's district (broadcasts target it)."""
    if await session.get(reference.District, district) is not None:
        user.district_code = district
