"""The M&E report: trainees by gender and course, sessions held, consultations and
technical support by branch, associations and people served, for a period of days.

The figures come from ``storage.monitoring`` (its docstring defines each of them); this
module reads the period, shows the page and writes the XLSX. The report holds counts
only, no names; the download is written to the audit log all the same (it is the
programme's official figure).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from admin import exports, web
from admin.forms import DayRange, parse_day
from admin.permissions import Permission
from core.formatting import format_number
from core.i18n import N_, _, is_rtl, ngettext, use_digits
from storage import audit, cases, monitoring
from storage.reference import list_branches, list_districts

router = APIRouter(prefix="/report")
NAV = [web.NavItem("/report", N_("M&E report"), Permission.VIEW_REPORTS)]


@dataclass(frozen=True)
class Period:
    first: date
    last: date
    error: str = ""  # translated; the period is then the default one


def last_calendar_year(today: date) -> tuple[date, date]:
    return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)


def read_period(start: str, end: str, today: date) -> Period:
    """The days asked for; both empty means last calendar year. Bad input -> an error."""
    first_default, last_default = last_calendar_year(today)
    if not start.strip() and not end.strip():
        return Period(first_default, last_default)
    first, last = parse_day(start), parse_day(end)
    if first is None or last is None:
        return Period(
            first_default,
            last_default,
            _("Write both dates as year-month-day, for example 2025-01-01 and 2025-12-31."),
        )
    if first > last:
        return Period(first, last, _("The end date is before the start date."))
    return Period(first, last)


async def load(request: Request, period: Period) -> tuple[monitoring.Report, dict[str, str]]:
    app = web.state(request)
    since, until = DayRange(period.first, period.last).utc_bounds(app.settings.timezone)
    assert since is not None and until is not None
    language = web.language(request)
    async with app.db.report_reader() as s:
        branches = await list_branches(s)
        figures = await monitoring.report(s, since, until, branch_order=[b.code for b in branches])
    return figures, {b.code: b.name(language) for b in branches}


@dataclass(frozen=True)
class CaseReport:
    """What residents wrote to the programme in the period, and month by month."""

    period: cases.CaseFigures
    months: list[tuple[date, cases.CaseFigures]]  # the month's first day in the period
    district_names: dict[str, str]


def months_of(period: Period) -> list[tuple[date, date]]:
    """The calendar months the period touches, each cut to the period (first and last day)."""
    months = []
    first = period.first
    while first <= period.last:
        following = (first.replace(day=1) + timedelta(days=32)).replace(day=1)
        months.append((first, min(period.last, following - timedelta(days=1))))
        first = following
    return months


async def load_cases(request: Request, period: Period) -> CaseReport:
    app = web.state(request)
    zone = app.settings.timezone
    since, until = DayRange(period.first, period.last).utc_bounds(zone)
    assert since is not None and until is not None
    spans = months_of(period)[:120]  # ten years at most
    bounds = []
    for first, last in spans:
        start, end = DayRange(first, last).utc_bounds(zone)
        assert start is not None and end is not None
        bounds.append((start, end))
    language = web.language(request)
    async with app.db.report_reader() as s:
        whole = await cases.monthly_figures(s, since, until)
        months = await monitoring.cases_by_month(s, bounds)
        districts = {d.code: d.name(language) for d in await list_districts(s)}
    return CaseReport(
        period=whole,
        months=[(span[0], m.figures) for span, m in zip(spans, months, strict=True)],
        district_names=districts,
    )


def hours_text(hours: float | None) -> str:
    if hours is None:
        return "—"
    return ngettext("%(num)s hour", "%(num)s hours", round(hours)) % {
        "num": format_number(round(hours, 1))
    }


def case_sheets(report: CaseReport) -> list[exports.Sheet]:
    hidden = _("fewer than 5")

    def count(n: int | None) -> object:
        return hidden if n is None else n

    kinds = [
        (_(CASE_KIND_NAMES[cases.CaseKind(kind)]), count(n))
        for kind, n in report.period.by_kind.items()
    ]
    districts = [
        (report.district_names.get(code or "", _("Not given")), count(n))
        for code, n in report.period.by_district.items()
    ]
    genders = [(_(GENDER_NAMES[g]), count(n)) for g, n in report.period.by_gender.items()]
    months = [
        (
            first,
            m.total,
            hours_text(m.median_first_response_hours),
            web.format_percent(m.closed_within_7_days_share),
        )
        for first, m in report.months
    ]
    return [
        (
            _("Messages from residents"),
            [_("Month"), _("Messages received"), _("Median time to the first answer"),
             _("Closed within 7 days")],
            months,
        ),
        (_("Messages by kind"), [_("Kind"), _("Messages received")], kinds),
        (_("Messages by district"), [_("District"), _("Messages received")], districts),
        (_("Messages by gender"), [_("Gender"), _("Messages received")], genders),
    ]  # fmt: skip


CASE_KIND_NAMES = {
    cases.CaseKind.QUESTION: N_("Questions"),
    cases.CaseKind.SUGGESTION: N_("Suggestions"),
    cases.CaseKind.COMPLAINT: N_("Complaints"),
    cases.CaseKind.THANKS: N_("Thanks"),
    cases.CaseKind.PROBLEM: N_("Problems in a district"),
}
GENDER_NAMES = {"male": N_("Men"), "female": N_("Women"), "unspecified": N_("Not given")}


def headline(figures: monitoring.Report) -> str:
    """'186 male and 70 female trainees over 18 courses' in the page's language."""
    if not figures.trainees.total:
        return _("No trainee attended a training session in this period.")
    trainees = figures.trainees
    male = ngettext("%(num)s male", "%(num)s male", trainees.male) % {
        "num": format_number(trainees.male)
    }
    female = ngettext("%(num)s female trainee", "%(num)s female trainees", trainees.female) % {
        "num": format_number(trainees.female)
    }
    courses = ngettext("%(num)s course", "%(num)s courses", figures.courses_held) % {
        "num": format_number(figures.courses_held)
    }
    sentence = _("%(male)s and %(female)s over %(courses)s") % {
        "male": male,
        "female": female,
        "courses": courses,
    }
    if trainees.unspecified:
        sentence += " " + ngettext(
            "(and %(num)s who did not give their gender)",
            "(and %(num)s who did not give their gender)",
            trainees.unspecified,
        ) % {"num": format_number(trainees.unspecified)}
    return sentence


def support_sentence(figures: monitoring.Report) -> str:
    return ngettext(
        "%(num)s technical-support session took place",
        "%(num)s technical-support sessions took place",
        figures.technical_support,
    ) % {"num": format_number(figures.technical_support)}


@router.get("")
async def report_page(
    request: Request,
    start: str = Query("", alias="from"),
    end: str = Query("", alias="to"),
    user: web.StaffUser = Depends(web.require(Permission.VIEW_REPORTS)),
) -> Response:
    app = web.state(request)
    today = app.clock.now().astimezone(ZoneInfo(app.settings.timezone)).date()
    period = read_period(start, end, today)
    form = (
        {"from": start, "to": end}
        if period.error
        else {
            "from": period.first.isoformat(),
            "to": period.last.isoformat(),
        }
    )
    if period.error:
        return web.render(
            request,
            "report.html",
            status_code=400,
            error=period.error,
            form=form,
            figures=None,
        )
    figures, branch_names = await load(request, period)
    case_report = await load_cases(request, period)
    language = web.language(request)
    return web.render(
        request,
        "report.html",
        error="",
        form=form,
        period=period,
        figures=figures,
        headline=headline(figures),
        support_sentence=support_sentence(figures),
        branch_names=branch_names,
        course_title=lambda course: course.title(language),
        cases=case_report,
        case_kind_names={k.value: v for k, v in CASE_KIND_NAMES.items()},
        gender_names=GENDER_NAMES,
        hours_text=hours_text,
    )


@router.get("/report.xlsx")
async def report_download(
    request: Request,
    start: str = Query("", alias="from"),
    end: str = Query("", alias="to"),
    user: web.StaffUser = Depends(web.require(Permission.VIEW_REPORTS)),
) -> Response:
    app = web.state(request)
    today = app.clock.now().astimezone(ZoneInfo(app.settings.timezone)).date()
    period = read_period(start, end, today)
    if period.error:
        return web.render(
            request,
            "error.html",
            status_code=400,
            title=_("These dates cannot be read"),
            message=period.error,
        )
    figures, branch_names = await load(request, period)
    case_report = await load_cases(request, period)
    language = web.language(request)
    with use_digits(latin=True):  # a spreadsheet is data: its figures and labels keep 0-9
        content = exports.xlsx_bytes(
            workbook_sheets(figures, period, branch_names, language) + case_sheets(case_report),
            rtl=is_rtl(language),
        )
    await web.log_access(
        request,
        user,
        audit.AuditAction.EXPORT,
        "me_report",
        detail=web.describe_filters(
            {"from": period.first.isoformat(), "to": period.last.isoformat(), "format": "xlsx"}
        ),
    )
    name = f"me-report-{period.first.isoformat()}-{period.last.isoformat()}.xlsx"
    return exports.download(content, name, exports.XLSX_TYPE)


def workbook_sheets(
    figures: monitoring.Report, period: Period, branch_names: dict[str, str], language: str
) -> list[exports.Sheet]:
    """One sheet per table of the page, the summary first."""
    trainees = figures.trainees
    summary = [
        (_("From"), period.first),
        (_("To"), period.last),
        (_("Male trainees"), trainees.male),
        (_("Female trainees"), trainees.female),
        (_("Trainees who did not give their gender"), trainees.unspecified),
        (_("Trainees"), trainees.total),
        (_("Courses held"), figures.courses_held),
        (_("Training sessions held"), figures.sessions_held),
        (_("Technical-support sessions that took place"), figures.technical_support),
        (_("Consultations that took place"), figures.consultations),
        (_("Associations served"), figures.associations_served),
        (_("People served"), figures.people_served),
    ]
    genders = [
        (_("Men"), trainees.male),
        (_("Women"), trainees.female),
        (_("Not given"), trainees.unspecified),
        (_("Total"), trainees.total),
    ]
    courses = [
        (
            row.course.title(language),
            row.sessions,
            row.trainees.male,
            row.trainees.female,
            row.trainees.unspecified,
            row.trainees.total,
        )
        for row in figures.courses
    ]
    branches = [
        (
            branch_names.get(row.branch_code, row.branch_code or _("No branch")),
            row.training_sessions,
            row.technical_support,
            row.consultations,
        )
        for row in figures.branches
    ]
    branches.append(
        (
            _("Total"),
            figures.sessions_held,
            figures.technical_support,
            figures.consultations,
        )
    )
    return [
        (_("Summary"), [_("Figure"), _("Value")], summary),
        (_("Trainees by gender"), [_("Gender"), _("Trainees")], genders),
        (
            _("Trainees by course"),
            [_("Course"), _("Sessions held"), _("Men"), _("Women"), _("Not given"), _("Total")],
            courses,
        ),
        (
            _("Sessions by branch"),
            [
                _("Branch"),
                _("Training sessions held"),
                _("Technical-support sessions"),
                _("Consultations"),
            ],
            branches,
        ),
    ]
