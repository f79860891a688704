"""Residents, after answering the needs survey: "See my district's priorities" — the top
sectors of their own district (or of the whole governorate while their district has fewer
than five answers), and what the programme did about them ("you said, we did").

The button is drawn by the survey under its thanks and lives on in residents' messages:
``g:sp:<form_id>``; the form must exist.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.actions import Action
from bot.engine.context import Context
from bot.features.priorities.labels import district_names, sector_labels
from core.i18n import _
from formengine.model import Form
from formengine.store import LiveForm, load_form
from storage import people
from storage.priorities import (
    MIN_CELL,
    PriorityFilters,
    PriorityQueryError,
    PriorityReport,
    group_lines,
    priority_report,
    respondents_line,
)
from storage.surveys import SurveySubmission
from storage.wedid import ProgrammeUpdate, update_line, updates_for

SEE_PRIORITIES = Action("sp", form_id=str)
UPDATES_SHOWN = 3


async def priorities_pressed(ctx: Context, form_id: str) -> None:
    async with ctx.reader() as s:
        live = await load_form(s, form_id)
        district = await _residents_district(s, ctx.user_id, live.stored.pk if live else None)
    if live is None:
        ctx.toast(_("This option is not available."))
        return
    try:
        async with ctx.report_reader() as s:
            report = await priority_report(
                s, live.form_id, filters=PriorityFilters(round=live.round)
            )
    except PriorityQueryError:
        ctx.toast(_("This option is not available."))
        return
    ctx.say(await resident_priorities_text(ctx, live, report, district))


async def resident_priorities_text(
    ctx: Context, live: LiveForm, report: PriorityReport, district: str | None
) -> str:
    labels = sector_labels(live.form, report.question, ctx.lang)
    names = await district_names(ctx, live.form)
    group = report.group(district) if district else None
    lines: list[str] = []
    if district:
        async with ctx.reader() as s:
            done = updates_lines(await updates_for(s, live.form_id, district), live.form, ctx.lang)
    else:
        done = []
    if group is not None and not group.suppressed:
        lines.append(
            _("What residents of {district} ranked first so far ({count}):").format(
                district=names.get(district or "", district), count=respondents_line(group)
            )
        )
        lines += group_lines(group, labels)
        return "\n".join(lines + done)
    if district:
        lines.append(
            _(
                "Your district does not have enough answers yet to show its priorities "
                "(at least {n} are needed, so that nobody can be recognised)."
            ).format(n=MIN_CELL)
        )
        lines.append("")
    overall = report.overall
    if overall.suppressed:
        lines.append(
            _(
                "There are not enough answers yet to show the priorities. "
                "Thank you for being among the first!"
            )
        )
        return "\n".join(lines + done)
    lines.append(
        _("Priorities of all districts so far ({count}):").format(count=respondents_line(overall))
    )
    lines += group_lines(overall, labels)
    return "\n".join(lines + done)


def updates_lines(updates: list[ProgrammeUpdate], form: Form, language: str) -> list[str]:
    """The newest "you said, we did" updates of a district (nothing when there are none)."""
    if not updates:
        return []
    labels = sector_labels(form, form.priority_question, language)
    shown = [f"• {update_line(u, labels, language)}" for u in updates[:UPDATES_SHOWN]]
    return ["", _("What the programme did:"), *shown]


async def _residents_district(
    session: AsyncSession, telegram_id: int, form_pk: int | None
) -> str | None:
    """The district of the resident's latest submission to this form, else their profile's."""
    if form_pk is not None:
        district = await session.scalar(
            select(SurveySubmission.district_code)
            .where(
                SurveySubmission.form_pk == form_pk,
                SurveySubmission.respondent_id == telegram_id,
            )
            .order_by(SurveySubmission.id.desc())
            .limit(1)
        )
        if district:
            return str(district)
    user = await people.get_user(session, telegram_id)
    return user.district_code if user is not None else None
