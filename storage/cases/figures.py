"""One month's cases for the M&E report, with small counts suppressed."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from storage.cases.models import Case
from storage.cases.vocabulary import CLOSED_WITHIN_DAYS, MIN_CELL
from storage.people import User
from storage.surveys import SurveySubmission

# --------------------------------------------------------------------------- figures


@dataclass
class CaseFigures:
    """One month's cases, for the M&E report. Counts below ``MIN_CELL`` are None."""

    total: int = 0
    by_kind: dict[str, int | None] = field(default_factory=dict)
    by_district: dict[str | None, int | None] = field(default_factory=dict)
    by_gender: dict[str, int | None] = field(default_factory=dict)
    median_first_response_hours: float | None = None
    closed_within_7_days_share: float | None = None  # of the cases opened in the period


def _suppress(counts: dict[Any, int], min_cell: int) -> dict[Any, int | None]:
    return {k: (n if n >= min_cell else None) for k, n in counts.items()}


async def monthly_figures(
    session: AsyncSession, start: datetime, end: datetime, *, min_cell: int = MIN_CELL
) -> CaseFigures:
    """Cases opened in [start, end): by kind, district and gender (the resident's profile,
    else their latest survey answer; 'unspecified' when not given or erased), the median
    time to the first staff reply and the share closed within 7 days. Confidential cases
    count like the others."""
    surveyed = (
        select(SurveySubmission.gender)
        .where(SurveySubmission.respondent_id == Case.telegram_id)
        .order_by(SurveySubmission.id.desc())
        .limit(1)
        .correlate(Case)
        .scalar_subquery()
    )
    gender = func.coalesce(func.nullif(User.gender, ""), surveyed)
    rows = (
        await session.execute(
            select(
                Case.kind, Case.district_code, gender, Case.created_at,
                Case.first_response_at, Case.closed_at,
            )
            .outerjoin(User, User.telegram_id == Case.telegram_id)
            .where(Case.created_at >= start, Case.created_at < end)
        )
    ).all()  # fmt: skip
    figures = CaseFigures(total=len(rows))
    kinds: dict[str, int] = {}
    districts: dict[str | None, int] = {}
    genders: dict[str, int] = {}
    waits: list[float] = []
    closed_in_time = 0
    for kind, district, gender, created, first, closed in rows:
        kinds[kind] = kinds.get(kind, 0) + 1
        districts[district] = districts.get(district, 0) + 1
        g = gender if gender in ("male", "female") else "unspecified"
        genders[g] = genders.get(g, 0) + 1
        if first is not None:
            waits.append((first - created).total_seconds() / 3600)
        if closed is not None and closed - created <= timedelta(days=CLOSED_WITHIN_DAYS):
            closed_in_time += 1
    figures.by_kind = _suppress(kinds, min_cell)
    figures.by_district = _suppress(districts, min_cell)
    figures.by_gender = _suppress(genders, min_cell)
    if len(waits) >= min_cell:
        figures.median_first_response_hours = statistics.median(waits)
    if len(rows) >= min_cell:
        figures.closed_within_7_days_share = closed_in_time / len(rows)
    return figures
