"""Community priorities in the bot.

* Staff (consultants and up): ``/priorities [district]`` — a chart of the priority index
  and the top list, overall or for one district, with buttons to switch district and to
  look at women's or men's answers only.
* Residents, after answering the needs survey: "See my district's priorities" — the top
  sectors of their own district (or of the whole governorate while their district has
  fewer than five answers).

Both read :func:`storage.priorities.priority_report`, the same query as the admin module,
so small cells are hidden here exactly as there.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Sequence

from bot.engine import payloads
from bot.engine.context import Context
from bot.engine.keyboards import rows
from bot.engine.registry import Command, Registry
from bot.engine.replies import Button
from core.chart_text import chart_text
from core.formatting import display_digits, format_number, format_percent_figure
from core.i18n import N_, _, ngettext
from formengine.model import Form
from formengine.store import NEEDS_SURVEY, LiveForm, ensure_shipped_form, load_form
from storage import people, reference
from storage.priorities import (
    MIN_CELL,
    PriorityFilters,
    PriorityGroup,
    PriorityQueryError,
    PriorityReport,
    SectorPriority,
    priority_report,
)
from storage.surveys import SurveySubmission

log = logging.getLogger(__name__)

TOP_SHOWN = 5
CHART_SECTORS = 8
ANY = "-"


# --- labels ------------------------------------------------------------------------------------


def sector_labels(form: Form, question: str, language: str) -> dict[str, str]:
    if not form.has(question):
        return {}
    return {c.name: c.text(language) for c in form.choices_of(form.question(question))}


async def district_names(ctx: Context, form: Form) -> dict[str, str]:
    names: dict[str, str] = {}
    district_question = form.role_question("district")
    if district_question is not None:
        names.update({c.name: c.text(ctx.lang) for c in form.choices_of(district_question)})
    async with ctx.reader() as s:
        for district in await reference.list_districts(s):
            names[district.code] = district.name(ctx.lang)
    return names


def _percent(value: float | None) -> str:
    return format_percent_figure(round((value or 0) * 100))


def sector_line(n: int, sector: SectorPriority, labels: dict[str, str]) -> str:
    return _("{n}. {sector} — index {index}, named by {share} of respondents").format(
        n=n,
        sector=labels.get(sector.code, sector.code),
        index=format_number(sector.index) if sector.index is not None else "—",
        share=_percent(sector.share),
    )


def group_lines(group: PriorityGroup, labels: dict[str, str], count: int = TOP_SHOWN) -> list[str]:
    if group.suppressed:
        hidden = _("Fewer than {n} answers so far: the figures stay hidden to protect respondents.")
        return [hidden.format(n=MIN_CELL)]
    top = group.top(count)
    if not top:
        return [_("No sector has been named often enough to show yet.")]
    return [sector_line(n, s, labels) for n, s in enumerate(top, start=1)]


def respondents_line(group: PriorityGroup) -> str:
    if group.suppressed or group.respondents is None:
        return ""
    return ngettext("{n} respondent", "{n} respondents", group.respondents).format(
        n=group.respondents
    )


# --- the chart ---------------------------------------------------------------------------------


def priority_chart(
    sectors: Sequence[SectorPriority], labels: dict[str, str], title: str, language: str
) -> bytes:
    """A horizontal bar chart of the priority index (PNG), highest priority on top."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    shown = [s for s in sectors if not s.suppressed and (s.naming or 0) > 0][:CHART_SECTORS]
    shown.reverse()  # barh draws the first bar at the bottom
    figure = Figure(figsize=(7.5, 0.5 * max(len(shown), 2) + 1.4), dpi=110)
    axes = figure.subplots()
    names = [chart_text(labels.get(s.code, s.code), language) for s in shown]
    values = [s.index or 0.0 for s in shown]
    bars = axes.barh(names, values, color="#2a7f62")
    rtl = language == "ar"
    for bar, value in zip(bars, values, strict=True):
        axes.text(
            bar.get_width() + 1,
            bar.get_y() + bar.get_height() / 2,
            display_digits(f"{value:g}", language),
            va="center",
            ha="right" if rtl else "left",  # just past the end of the bar
            fontsize=9,
        )
    axes.set_xlim(0, 110)
    axes.set_xlabel(chart_text(_("Priority index (100 = everyone's first choice)"), language))
    axes.set_title(chart_text(title, language), fontsize=11)
    for side in ("top", "left" if rtl else "right"):
        axes.spines[side].set_visible(False)
    if rtl:  # right to left: bars grow leftwards, labels on the right
        axes.invert_xaxis()
        axes.yaxis.tick_right()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()


# --- staff: /priorities --------------------------------------------------------------------------


async def _needs_form(ctx: Context) -> LiveForm | None:
    return await ensure_shipped_form(ctx.db, NEEDS_SURVEY)


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


async def priorities_button(ctx: Context, args: tuple[str, ...]) -> None:
    """``g:pr:<district index or ->:<gender or ->`` — checked: staff only, known values."""
    if not people.role_at_least(await ctx.role(), people.Role.CONSULTANT):
        ctx.toast(_("This is only for programme staff."))
        return
    live = await _needs_form(ctx)
    if live is None or len(args) != 2:
        ctx.toast(_("This option is not available."))
        return
    async with ctx.reader() as s:
        codes = [d.code for d in await reference.list_districts(s)]
    district_arg, gender = args
    district = None
    if district_arg != ANY:
        index = payloads.int_arg((district_arg,), max_digits=4)
        if index is None or index >= len(codes):
            ctx.toast(_("This option is not available."))
            return
        district = codes[index]
    gender_question = live.form.role_question("gender")
    genders = [c.name for c in live.form.choices_of(gender_question)] if gender_question else []
    if gender != ANY and gender not in genders:
        ctx.toast(_("This option is not available."))
        return
    await show_staff_priorities(ctx, live, district, None if gender == ANY else gender)


async def show_staff_priorities(
    ctx: Context, live: LiveForm, district: str | None, gender: str | None
) -> None:
    form = live.form
    try:
        async with ctx.reader() as s:
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
    buttons = [ctx.global_button(_("All districts"), "pr", ANY, gender_arg)] if district else []
    buttons += [
        ctx.global_button(names.get(code, code), "pr", str(i), gender_arg)
        for i, code in enumerate(codes)
        if code != district
    ]
    layout = rows(buttons, 3)
    gender_question = form.role_question("gender")
    if gender_question is not None:
        choices = [c for c in form.choices_of(gender_question) if c.name in ("female", "male")]
        options = [
            ctx.global_button(c.text(ctx.lang), "pr", district_arg, c.name)
            for c in choices
            if c.name != gender
        ]
        if gender:
            options.append(ctx.global_button(_("Everyone"), "pr", district_arg, ANY))
        if options:
            layout.append(options)
    return layout


# --- residents: "See my district's priorities" -------------------------------------------------


async def resident_priorities_button(ctx: Context, args: tuple[str, ...]) -> None:
    """``g:sp:<form_id>`` — a resident's own district; the form must exist."""
    form_id = args[0] if args else ""
    async with ctx.reader() as s:
        live = await load_form(s, form_id)
        district = await _residents_district(s, ctx.user_id, live.stored.pk if live else None)
    if live is None:
        ctx.toast(_("This option is not available."))
        return
    try:
        async with ctx.reader() as s:
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
    from bot.handlers.wedid import updates_lines  # imports this module
    from storage.wedid import updates_for

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


async def _residents_district(session: object, telegram_id: int, form_pk: int | None) -> str | None:
    """The district of the resident's latest submission to this form, else their profile's."""
    from sqlalchemy import select
    from sqlalchemy.ext.asyncio import AsyncSession

    assert isinstance(session, AsyncSession)
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


def register(registry: Registry) -> None:
    registry.add_command(
        Command(
            "priorities",
            priorities_command,
            N_("Community priorities from the needs survey"),
            min_role=people.Role.CONSULTANT,
            listed=False,
        )
    )
    registry.add_button("pr", priorities_button)
    registry.add_button("sp", resident_priorities_button)
