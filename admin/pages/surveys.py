"""Survey results per question (counts and charts) and the submissions exports.

Results are counts: choices with 1 to 4 answers are hidden like the priorities' small
cells. Free-text, location, photo and date answers are only counted here; reading them
means downloading the export, which is for roles that may see personal data and is
written to the audit log. The exports are ``storage.survey_exports`` (KoBo-style
columns), the same files the bot's staff command sends.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from admin import charts, exports, web
from admin.pages.priorities import ALL_ROUNDS, Option, district_names, survey_rounds
from admin.permissions import Permission
from admin.submission_status import stage_counts
from core.formatting import format_number, format_percent_figure
from core.i18n import N_, _, is_rtl
from formengine.model import CHOICE_KINDS, Form, Kind, Question
from formengine.store import LiveForm, load_form
from storage import audit, survey_exports, surveys
from storage import submission_pushes as pushes
from storage.priorities import MIN_CELL

router = APIRouter(prefix="/surveys")
NAV = [web.NavItem("/surveys", N_("Survey results"), Permission.VIEW_SURVEY_RESULTS)]
view_results = web.require(Permission.VIEW_SURVEY_RESULTS)
export_submissions = web.require(Permission.EXPORT_SUBMISSIONS)
NUMERIC = {Kind.INTEGER, Kind.DECIMAL, Kind.RANGE}


@dataclass(frozen=True)
class ChoiceCount:
    code: str
    label: str
    count: int | None  # None: 1 to 4 answers, hidden


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    title: str
    answered: int
    choices: tuple[ChoiceCount, ...] = ()
    chart: Markup | None = None
    numbers: dict[str, str] | None = None  # count, mean, median, min, max (formatted)
    counted_only: bool = False  # free text, places, photos: see the export


@dataclass(frozen=True)
class ResultsFilter:
    form_pk: int
    round: str | None
    district: str | None


def _submission_filter(where: ResultsFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [surveys.SurveySubmission.form_pk == where.form_pk]
    if where.round is not None:
        conditions.append(surveys.SurveySubmission.round == where.round)
    if where.district is not None:
        conditions.append(surveys.SurveySubmission.district_code == where.district)
    return conditions


async def count_submissions(session: AsyncSession, where: ResultsFilter) -> int:
    query = select(func.count(surveys.SurveySubmission.id)).where(*_submission_filter(where))
    return int(await session.scalar(query) or 0)


async def answer_counts(session: AsyncSession, where: ResultsFilter) -> dict[str, dict[str, int]]:
    """{question: {value: submissions giving it}}; ``""`` -> submissions answering at all."""
    join = and_(
        surveys.SurveySubmission.id == surveys.SurveyAnswer.submission_id,
        *_submission_filter(where),
    )
    by_value = await session.execute(
        select(
            surveys.SurveyAnswer.question,
            surveys.SurveyAnswer.value,
            func.count(func.distinct(surveys.SurveyAnswer.submission_id)),
        )
        .select_from(surveys.SurveyAnswer)
        .join(surveys.SurveySubmission, join)
        .where(surveys.SurveyAnswer.kind.in_([k.value for k in CHOICE_KINDS]))
        .group_by(surveys.SurveyAnswer.question, surveys.SurveyAnswer.value)
    )
    counts: dict[str, dict[str, int]] = {}
    for question, value, count in by_value:
        counts.setdefault(question, {})[value] = int(count)
    answered = await session.execute(
        select(
            surveys.SurveyAnswer.question,
            func.count(func.distinct(surveys.SurveyAnswer.submission_id)),
        )
        .select_from(surveys.SurveyAnswer)
        .join(surveys.SurveySubmission, join)
        .group_by(surveys.SurveyAnswer.question)
    )
    for question, count in answered:
        counts.setdefault(question, {})[""] = int(count)
    return counts


async def numeric_answers(
    session: AsyncSession, where: ResultsFilter, question: str
) -> list[float]:
    join = and_(
        surveys.SurveySubmission.id == surveys.SurveyAnswer.submission_id,
        *_submission_filter(where),
    )
    rows = await session.scalars(
        select(surveys.SurveyAnswer.number)
        .select_from(surveys.SurveyAnswer)
        .join(surveys.SurveySubmission, join)
        .where(surveys.SurveyAnswer.question == question, surveys.SurveyAnswer.number.is_not(None))
    )
    return [float(v) for v in rows if v is not None]


def _hide_small(count: int) -> int | None:
    return None if 0 < count < MIN_CELL else count


def choice_result(
    form: Form, question: Question, counts: dict[str, int], language: str
) -> QuestionResult:
    answered = counts.get("", 0)
    known = [c.name for c in form.choices_of(question)]
    codes = known + sorted(code for code in counts if code and code not in known)
    choices = tuple(
        ChoiceCount(
            code, form.choice_label(question.name, code, language), _hide_small(counts.get(code, 0))
        )
        for code in codes
    )
    bars = [
        charts.Bar(
            label=choice.label,
            value=choice.count,
            text=_count_and_share(choice.count, answered),
        )
        for choice in choices
    ]
    chart = None
    if answered >= MIN_CELL and bars:
        chart = charts.horizontal_bars(
            bars, title=question.text(language), rtl=is_rtl(language), hidden_text=_("< 5")
        )
    return QuestionResult(question, question.text(language), answered, choices=choices, chart=chart)


def _count_and_share(count: int | None, answered: int) -> str:
    if count is None or not answered:
        return ""
    return f"{format_number(count)} ({format_percent_figure(round(100 * count / answered))})"


def numeric_result(question: Question, values: list[float], language: str) -> QuestionResult:
    numbers = None
    if len(values) >= MIN_CELL:
        numbers = {
            "mean": format_number(round(statistics.fmean(values), 1)),
            "median": format_number(statistics.median(values)),
            "min": format_number(min(values)),
            "max": format_number(max(values)),
        }
    return QuestionResult(question, question.text(language), len(values), numbers=numbers)


async def results_of(
    session: AsyncSession, live: LiveForm, where: ResultsFilter, language: str
) -> list[QuestionResult]:
    counts = await answer_counts(session, where)
    results = []
    for question in live.form.asked:
        if question.kind in (Kind.NOTE, Kind.ACKNOWLEDGE):
            continue
        given = counts.get(question.name, {})
        if question.kind in CHOICE_KINDS:
            results.append(choice_result(live.form, question, given, language))
        elif question.kind in NUMERIC:
            values = await numeric_answers(session, where, question.name)
            results.append(numeric_result(question, values, language))
        else:
            results.append(
                QuestionResult(
                    question, question.text(language), given.get("", 0), counted_only=True
                )
            )
    return results


async def _live_forms(session: AsyncSession) -> list[LiveForm]:
    found = []
    for stored in await surveys.list_forms(session, active_only=False):
        live = await load_form(session, stored.form_id)
        if live is not None:
            found.append(live)
    return found


def _pick(forms: list[LiveForm], wanted: str) -> LiveForm:
    for live in forms:
        if live.form_id == wanted:
            return live
    if wanted:
        raise HTTPException(status_code=404)
    return forms[0]


def _round_choice(value: str, live: LiveForm, rounds: list[str]) -> tuple[str, str | None]:
    """(the value the form shows, the round to filter on: None for every round)."""
    if value == ALL_ROUNDS:
        return ALL_ROUNDS, None
    if value in rounds:
        return value, value
    return live.round, live.round


async def round_selection(
    s: AsyncSession, live: LiveForm, value: str
) -> tuple[list[str], str, str | None]:
    """The rounds a page offers (the live one always among them), the one it shows and the
    one it filters on (None: every round)."""
    rounds = await survey_rounds(s, live.stored.pk)
    if live.round not in rounds:
        rounds.append(live.round)
    return (rounds, *_round_choice(value, live, rounds))


@router.get("")
async def results_page(
    request: Request,
    form: str = "",
    district: str = "",
    round_: str = Query("", alias="round"),
    user: web.StaffUser = Depends(view_results),
) -> Response:
    language = web.language(request)
    async with web.state(request).db.reader() as s:
        forms = await _live_forms(s)
        if not forms:
            return web.render(request, "surveys.html", live=None)
        live = _pick(forms, form)
        rounds, shown_round, round_filter = await round_selection(s, live, round_)
        names = await district_names(s, live.form, language)
        district_code = district if district in names else None
        where = ResultsFilter(live.stored.pk, round_filter, district_code)
        total = await count_submissions(s, where)
        results = await results_of(s, live, where, language)
        linked = live.stored.pk in await pushes.linked_forms(s, [live.stored.pk])
        pushed = await pushes.stage_counts(s, live.stored.pk, round_filter) if linked else {}
    params = {"form": live.form_id, "round": shown_round, "district": district_code or ""}
    return web.render(
        request,
        "surveys.html",
        live=live,
        forms=forms,
        rounds=rounds,
        districts=[Option(code, label) for code, label in names.items()],
        params=params,
        total=total,
        results=results,
        min_cell=MIN_CELL,
        stages=stage_counts(pushed),
    )


@router.get("/export.{file_format}")
async def export_submissions_file(
    request: Request,
    file_format: str,
    form: str = "",
    round_: str = Query("", alias="round"),
    user: web.StaffUser = Depends(export_submissions),
) -> Response:
    """Every submission of a form (one round or all), KoBo-style columns; logged."""
    if file_format not in ("csv", "xlsx"):
        raise HTTPException(status_code=404)
    async with web.state(request).db.report_reader() as s:
        forms = await _live_forms(s)
        if not forms:
            raise HTTPException(status_code=404)
        live = _pick(forms, form)
        rounds = await survey_rounds(s, live.stored.pk)
        shown_round, round_filter = _round_choice(round_, live, rounds)
        table = await survey_exports.survey_table(s, live.form_id, round_label=round_filter)
    await web.log_access(
        request,
        user,
        audit.AuditAction.EXPORT,
        f"survey_submissions:{live.form_id}",
        detail=web.describe_filters({"format": file_format, "round": shown_round}),
        record_count=len(table.rows),
    )
    name = f"{live.form_id}-{shown_round}.{file_format}"
    if file_format == "csv":
        return exports.download(survey_exports.to_csv(table), name, exports.CSV_TYPE)
    return exports.download(survey_exports.to_xlsx(table), name, exports.XLSX_TYPE)
