"""Community priorities: the priority index and respondent counts by sector and district.

The figures come from ``storage.priorities.priority_report``, the query the bot's
/priorities also runs, so the dashboard and the bot always agree. Small cells (fewer
than 5 respondents) are hidden by that query; the page says so where it happens.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from admin import charts, exports, web
from admin.permissions import Permission
from core.formatting import format_number
from core.i18n import N_, _, is_rtl, use_digits
from formengine.model import Form
from formengine.store import LiveForm, load_form
from storage import priorities, surveys, wedid
from storage.reference import list_districts
from storage.wedid import STATUS_LABELS

router = APIRouter(prefix="/priorities")
NAV = [web.NavItem("/priorities", N_("Priorities"), Permission.VIEW_PRIORITIES)]
view_priorities = web.require(Permission.VIEW_PRIORITIES)
# The round filter: by default the form's current round, as the bot's /priorities shows.
ALL_ROUNDS = "all"


@dataclass(frozen=True)
class Option:
    code: str
    label: str


@dataclass(frozen=True)
class DashboardQuery:
    form: str
    district: str
    gender: str
    age_group: str
    round: str  # a round label, or ALL_ROUNDS

    def filters(self) -> priorities.PriorityFilters:
        return priorities.PriorityFilters(
            district=self.district or None,
            gender=self.gender or None,
            age_group=self.age_group or None,
            round=None if self.round == ALL_ROUNDS else self.round,
        )

    def as_params(self) -> dict[str, str]:
        return {
            "form": self.form,
            "district": self.district,
            "gender": self.gender,
            "age_group": self.age_group,
            "round": self.round,
        }


async def forms_with_priorities(session: AsyncSession) -> list[LiveForm]:
    """Every stored form whose definition names a rank question for the priorities."""
    found = []
    for stored in await surveys.list_forms(session, active_only=False):
        live = await load_form(session, stored.form_id)
        if live is not None and live.form.priority_question:
            found.append(live)
    return found


async def survey_rounds(session: AsyncSession, form_pk: int) -> list[str]:
    rows = await session.scalars(
        select(surveys.SurveySubmission.round)
        .where(surveys.SurveySubmission.form_pk == form_pk)
        .distinct()
    )
    return sorted(r for r in rows if r)


def role_options(form: Form, role: str, language: str) -> list[Option]:
    question = form.role_question(role)
    if question is None:
        return []
    return [Option(c.name, c.text(language)) for c in form.choices_of(question)]


async def district_names(session: AsyncSession, form: Form, language: str) -> dict[str, str]:
    """District labels: the reference list first, the form's own choices otherwise."""
    names = {o.code: o.label for o in role_options(form, "district", language)}
    for district in await list_districts(session):
        names[district.code] = district.name(language)
    return names


def _pick_form(forms: list[LiveForm], wanted: str) -> LiveForm:
    if wanted:
        for live in forms:
            if live.form_id == wanted:
                return live
        raise HTTPException(status_code=404)
    return forms[0]


def _keep_known(value: str, options: list[Option] | list[str]) -> str:
    codes = {o.code if isinstance(o, Option) else o for o in options}
    return value if value in codes else ""


@dataclass
class Dashboard:
    live: LiveForm
    query: DashboardQuery
    report: priorities.PriorityReport
    sector_names: dict[str, str]
    district_names: dict[str, str]
    districts: list[Option]
    genders: list[Option]
    age_groups: list[Option]
    rounds: list[str]


async def build_dashboard(
    session: AsyncSession,
    language: str,
    *,
    form: str,
    district: str,
    gender: str,
    age_group: str,
    round_label: str,
) -> Dashboard | None:
    forms = await forms_with_priorities(session)
    if not forms:
        return None
    live = _pick_form(forms, form)
    names = await district_names(session, live.form, language)
    district_options = [Option(code, label) for code, label in names.items()]
    genders = role_options(live.form, "gender", language)
    ages = role_options(live.form, "age_group", language)
    rounds = await survey_rounds(session, live.stored.pk)
    if live.round not in rounds:
        rounds.append(live.round)
    query = DashboardQuery(
        form=live.form_id,
        district=_keep_known(district, district_options),
        gender=_keep_known(gender, genders),
        age_group=_keep_known(age_group, ages),
        round=round_label if round_label in [*rounds, ALL_ROUNDS] else live.round,
    )
    report = await priorities.priority_report(session, live.form_id, filters=query.filters())
    question = report.question
    sector_names = {
        code: live.form.choice_label(question, code, language) for code in report.sector_codes
    }
    return Dashboard(
        live=live,
        query=query,
        report=report,
        sector_names=sector_names,
        district_names=names,
        districts=district_options,
        genders=genders,
        age_groups=ages,
        rounds=rounds,
    )


def index_chart(dashboard: Dashboard, rtl: bool) -> charts.Markup | None:
    group = dashboard.report.overall
    if group.suppressed:
        return None
    bars = [
        charts.Bar(
            label=dashboard.sector_names.get(s.code, s.code),
            value=s.index,
            text=format_number(s.index) if s.index is not None else "",
        )
        for s in group.sectors
    ]
    return charts.horizontal_bars(
        bars,
        title=_("Priority index by sector"),
        rtl=rtl,
        max_value=math.ceil(max((b.value or 0 for b in bars), default=10) / 10) * 10 or 10,
        hidden_text=_("hidden"),
    )


@router.get("")
async def priorities_page(
    request: Request,
    form: str = "",
    district: str = "",
    gender: str = "",
    age_group: str = "",
    round_: str = Query("", alias="round"),
    user: web.StaffUser = Depends(view_priorities),
) -> Response:
    language = web.language(request)
    async with web.state(request).db.report_reader() as s:
        dashboard = await build_dashboard(
            s,
            language,
            form=form,
            district=district,
            gender=gender,
            age_group=age_group,
            round_label=round_,
        )
    if dashboard is None:
        return web.render(request, "priorities.html", dashboard=None)
    rtl = is_rtl(language)
    top_index = max(
        (s.index or 0 for g in dashboard.report.districts for s in g.sectors), default=100.0
    )
    order = {option.code: n for n, option in enumerate(dashboard.districts)}
    district_groups = sorted(
        dashboard.report.districts,
        key=lambda g: (order.get(g.district_code or "", 99), g.district_code),
    )
    async with web.state(request).db.report_reader() as s:
        updates = await wedid.updates_for(
            s, dashboard.live.form_id, dashboard.query.district or None
        )
    return web.render(
        request,
        "priorities.html",
        updates=updates,
        update_status={k.value: _(v) for k, v in STATUS_LABELS.items()},
        dashboard=dashboard,
        district_groups=district_groups,
        chart=index_chart(dashboard, rtl),
        heat=lambda value: charts.heat_class(value, top_index or 100.0),
        params=dashboard.query.as_params(),
    )


@router.get("/export.csv")
async def priorities_csv(
    request: Request,
    form: str = "",
    district: str = "",
    gender: str = "",
    age_group: str = "",
    round_: str = Query("", alias="round"),
    user: web.StaffUser = Depends(view_priorities),
) -> Response:
    """The dashboard's figures as a spreadsheet (counts only: no personal data)."""
    language = web.language(request)
    async with web.state(request).db.report_reader() as s:
        dashboard = await build_dashboard(
            s,
            language,
            form=form,
            district=district,
            gender=gender,
            age_group=age_group,
            round_label=round_,
        )
    if dashboard is None:
        raise HTTPException(status_code=404)
    # A spreadsheet is data: its words and figures keep 0-9 in every language.
    with use_digits(latin=True):
        report = dashboard.report
        ranks = [_("Ranked #%(rank)s") % {"rank": r} for r in range(1, report.max_rank + 1)]
        header = [
            _("District"),
            _("Respondents"),
            _("Sector"),
            _("Priority index"),
            _("Share of respondents (%)"),
            _("Respondents naming it"),
            *ranks,
        ]
        rows: list[Sequence[exports.Cell]] = []
        groups = (
            [report.overall, *report.districts]
            if not dashboard.query.district
            else [report.overall]
        )
        for group in groups:
            place = (
                dashboard.district_names.get(group.district_code, group.district_code)
                if group.district_code
                else _("All districts")
            )
            if group.suppressed:
                rows.append([place, _("fewer than 5"), "", "", "", "", *[""] * report.max_rank])
                continue
            for sector in group.sectors:
                name = dashboard.sector_names.get(sector.code, sector.code)
                if sector.suppressed:
                    rows.append(
                        [place, group.respondents, name, _("hidden"), "", _("fewer than 5")]
                        + [""] * report.max_rank
                    )
                    continue
                share = round(100 * (sector.share or 0), 1)
                rows.append(
                    [
                        place,
                        group.respondents,
                        name,
                        sector.index,
                        share,
                        sector.naming,
                        *(sector.rank_counts or ()),
                    ]
                )
    filename = f"priorities-{report.form_id}.csv"
    return exports.download(exports.csv_bytes(header, rows), filename, exports.CSV_TYPE)
