"""Staff (consultants and up): ``/priorities [district]`` — a chart of the priority index and
the top list, overall or for one district, with buttons to switch district and to look at
women's or men's answers only.

The filter buttons live on in staff's old messages, so their payload never changes:
``g:pr:<district index or ->:<gender or ->``; the handler checks the role and both values.
"""

from __future__ import annotations

import asyncio
import logging

from bot.engine.actions import Action
from bot.engine.context import Context
from bot.engine.keyboards import rows
from bot.engine.replies import Button
from bot.features.priorities.chart import priority_chart
from bot.features.priorities.labels import district_names, sector_labels
from core.formatting import display_digits
from core.i18n import _
from formengine.model import Form
from formengine.store import NEEDS_SURVEY, LiveForm, ensure_shipped_form
from storage import people, reference
from storage.priorities import (
    MIN_CELL,
    PriorityFilters,
    PriorityQueryError,
    group_lines,
    priority_report,
    respondents_line,
)

log = logging.getLogger(__name__)

ANY = "-"
# district: a district's index in the reference list, or ANY; gender: a choice name, or ANY.
FILTER = Action("pr", district=str, gender=str)


async def _needs_form(ctx: Context) -> LiveForm | None:
    return await ensure_shipped_form(ctx.db, NEEDS_SURVEY)


async def _is_staff(ctx: Context) -> bool:
    return people.role_at_least(await ctx.role(), people.Role.CONSULTANT)


async def priorities_command(ctx: Context) -> None:
    """/priorities [district_code]"""
    live = await _needs_form(ctx)
    if live is None:
        ctx.say(_("The needs survey is not loaded yet."))
        return
    async with ctx.reader() as s:
        codes = [d.code for d in await reference.list_districts(s)]
    wanted = ctx.event.args.strip().lower()
    district = wanted if wanted in codes else None
    if wanted and district is None:
        ctx.say(
            _("Unknown district {code}. Districts: {codes}").format(
                code=wanted, codes=", ".join(codes)
            )
        )
        return
    await show_staff_priorities(ctx, live, district, None)


async def filter_pressed(ctx: Context, district: str, gender: str) -> None:
    """A filter button: staff only, and both values must be ones the buttons offer."""
    if not await _is_staff(ctx):
        ctx.toast(_("This is only for programme staff."))
        return
    live = await _needs_form(ctx)
    if live is None:
        ctx.toast(_("This option is not available."))
        return
    async with ctx.reader() as s:
        codes = [d.code for d in await reference.list_districts(s)]
    by_index = {str(i): code for i, code in enumerate(codes)}
    chosen = None
    if district != ANY:
        chosen = by_index.get(district)
        if chosen is None:
            ctx.toast(_("This option is not available."))
            return
    gender_question = live.form.role_question("gender")
    genders = [c.name for c in live.form.choices_of(gender_question)] if gender_question else []
    if gender != ANY and gender not in genders:
        ctx.toast(_("This option is not available."))
        return
    await show_staff_priorities(ctx, live, chosen, None if gender == ANY else gender)


async def show_staff_priorities(
    ctx: Context, live: LiveForm, district: str | None, gender: str | None
) -> None:
    form = live.form
    try:
        async with ctx.report_reader() as s:
            report = await priority_report(
                s,
                form.form_id,
                filters=PriorityFilters(district=district, gender=gender, round=live.round),
            )
            codes = [d.code for d in await reference.list_districts(s)]
    except PriorityQueryError as exc:
        log.warning("priorities: %s", exc)
        ctx.say(_("The needs survey has no ranking question to compute priorities from."))
        return
    labels = sector_labels(form, report.question, ctx.lang)
    names = await district_names(ctx, form)
    group = report.overall
    where = names.get(district, district) if district else _("all districts")
    title = _("Community priorities — {where}").format(where=where)
    if gender:
        gender_question = form.role_question("gender")
        choice = form.choice(gender_question, gender) if gender_question else None
        title += " · " + (choice.text(ctx.lang) if choice else gender)
    lines = [title, _("Survey round {round}").format(round=display_digits(live.round))]
    count = respondents_line(group)
    if count:
        lines.append(count)
    lines.append("")
    lines += group_lines(group, labels)
    if district is None:
        lines += ["", _("By district (top 3):")]
        for district_group in report.districts:
            name = names.get(district_group.district_code or "", district_group.district_code)
            if district_group.suppressed:
                few = _("{district}: fewer than {n} answers")
                lines.append(few.format(district=name, n=MIN_CELL))
            else:
                top = ", ".join(labels.get(s.code, s.code) for s in district_group.top(3))
                lines.append(f"{name} ({respondents_line(district_group)}): {top}")
        if not report.districts:
            lines.append(_("No answers yet."))
    lines += [
        "",
        _(
            "Index: a 1st place earns {k} points, each next place one point less; "
            "100 means everyone's first choice."
        ).format(k=report.max_rank),
    ]
    if not group.suppressed and group.top(1):
        chart = await asyncio.to_thread(priority_chart, group.sectors, labels, title, ctx.lang)
        ctx.send_photo(chart, caption=title)
    ctx.say("\n".join(lines), _filter_buttons(ctx, form, codes, names, district, gender))


def _filter_buttons(
    ctx: Context,
    form: Form,
    codes: list[str],
    names: dict[str, str],
    district: str | None,
    gender: str | None,
) -> list[list[Button]]:
    gender_arg = gender or ANY
    district_arg = str(codes.index(district)) if district in codes else ANY
    buttons = (
        [FILTER.global_button(ctx, _("All districts"), district=ANY, gender=gender_arg)]
        if district
        else []
    )
    buttons += [
        FILTER.global_button(ctx, names.get(code, code), district=str(i), gender=gender_arg)
        for i, code in enumerate(codes)
        if code != district
    ]
    layout = rows(buttons, 3)
    gender_question = form.role_question("gender")
    if gender_question is not None:
        choices = [c for c in form.choices_of(gender_question) if c.name in ("female", "male")]
        options = [
            FILTER.global_button(ctx, c.text(ctx.lang), district=district_arg, gender=c.name)
            for c in choices
            if c.name != gender
        ]
        if gender:
            options.append(
                FILTER.global_button(ctx, _("Everyone"), district=district_arg, gender=ANY)
            )
        if options:
            layout.append(options)
    return layout
