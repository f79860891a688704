"""Community priorities: which sectors residents rank first, per district and overall.

The bot's /priorities, the resident's "my district's priorities" and the admin module all
call :func:`priority_report`; the lines the bot and a "you said, we did" message write about a
group (:func:`group_lines`) are here too.

How the figures are computed, for one group of respondents (a district, or everyone):

* **respondents** — submissions in the group that ranked at least one sector;
* **points** (Borda-style) — in a "rank your top K" question, rank r earns ``K - r + 1``
  points: with K = 3, a 1st place is worth 3 points, a 2nd 2, a 3rd 1;
* **priority index** — ``points / (K × respondents) × 100``: 100 when every respondent
  put the sector first, 0 when nobody named it. Groups of different sizes compare;
* **share** — the fraction of respondents who named the sector at any rank.

Small cells are suppressed: a group with fewer than ``min_cell`` respondents (5 by
default) shows no figures at all, and within a shown group a sector named by 1 to
``min_cell - 1`` respondents shows none of its figures either. Pass ``min_cell=0``
only for internal views that are never shared. This is per-cell suppression only: the
overall figures minus every shown district can still reveal a hidden one (no secondary
suppression).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.formatting import format_number, format_percent_figure
from core.i18n import _, ngettext
from storage.surveys import SurveyAnswer, SurveyForm, SurveyFormVersion, SurveySubmission

MIN_CELL = 5
TOP_SHOWN = 5


class PriorityQueryError(ValueError):
    """The form or its rank question is not known."""


@dataclass(frozen=True)
class SectorPriority:
    code: str  # the choice name, e.g. "water"
    suppressed: bool  # named by too few respondents to show
    naming: int | None  # respondents who named it at any rank
    share: float | None  # naming / respondents, 0..1
    points: int | None
    index: float | None  # 0..100
    rank_counts: tuple[int, ...] | None  # how many put it 1st, 2nd, ... Kth


@dataclass(frozen=True)
class PriorityGroup:
    district_code: str | None  # None: every district together (or an unknown district)
    respondents: int | None  # None when suppressed
    suppressed: bool
    sectors: tuple[SectorPriority, ...]  # highest index first; suppressed ones last

    def top(self, count: int = 3) -> list[SectorPriority]:
        """The highest-ranked sectors that can be shown (named by someone)."""
        shown = [s for s in self.sectors if not s.suppressed and (s.naming or 0) > 0]
        return shown[:count]


@dataclass(frozen=True)
class PriorityFilters:
    district: str | None = None
    gender: str | None = None
    age_group: str | None = None
    round: str | None = None  # None: every round


@dataclass(frozen=True)
class PriorityReport:
    form_id: str
    question: str
    max_rank: int  # K
    min_cell: int
    filters: PriorityFilters
    sector_codes: tuple[str, ...]  # in the form's order
    overall: PriorityGroup
    districts: tuple[PriorityGroup, ...]  # one per district with answers, by code

    def group(self, district_code: str | None) -> PriorityGroup | None:
        if district_code is None:
            return self.overall
        return next((g for g in self.districts if g.district_code == district_code), None)


@dataclass(frozen=True)
class RankQuestion:
    name: str
    max_rank: int
    sectors: tuple[str, ...]


def rank_question(definition: str, question: str | None = None) -> RankQuestion:
    """The rank question of a stored form definition (formengine.model.Form JSON)."""
    data: dict[str, Any] = json.loads(definition)
    name = question or data.get("priority_question") or ""
    found = next(
        (q for q in data.get("questions", []) if q["name"] == name and q["kind"] == "rank"), None
    )
    if found is None:
        raise PriorityQueryError(f"{name or '(none)'} is not a rank question of this form")
    sectors = tuple(c["name"] for c in data.get("choices", {}).get(found["choice_list"], []))
    max_rank = int(found.get("max_ranked") or len(sectors) or 1)
    return RankQuestion(found["name"], max_rank, sectors)


async def priority_report(
    session: AsyncSession,
    form_id: str,
    *,
    question: str | None = None,
    filters: PriorityFilters | None = None,
    min_cell: int = MIN_CELL,
) -> PriorityReport:
    """Priorities of a form's rank question, per district and overall (see module doc)."""
    filters = filters or PriorityFilters()
    form_pk = await session.scalar(select(SurveyForm.id).where(SurveyForm.form_id == form_id))
    if form_pk is None:
        raise PriorityQueryError(f"no form {form_id!r}")
    definition = await session.scalar(
        select(SurveyFormVersion.definition)
        .where(SurveyFormVersion.form_pk == form_pk)
        .order_by(SurveyFormVersion.id.desc())
        .limit(1)
    )
    if definition is None:
        raise PriorityQueryError(f"form {form_id!r} has no version")
    rank = rank_question(definition, question)

    conditions = [SurveySubmission.form_pk == form_pk]
    if filters.round is not None:
        conditions.append(SurveySubmission.round == filters.round)
    if filters.district is not None:
        conditions.append(SurveySubmission.district_code == filters.district)
    if filters.gender is not None:
        conditions.append(SurveySubmission.gender == filters.gender)
    if filters.age_group is not None:
        conditions.append(SurveySubmission.age_group == filters.age_group)

    # One grouped scan: for each district, sector and rank, how many answers.
    rows = await session.execute(
        select(
            SurveySubmission.district_code,
            SurveyAnswer.value,
            SurveyAnswer.position,
            func.count(),
        )
        .select_from(SurveyAnswer)
        .join(
            SurveySubmission,
            and_(SurveySubmission.id == SurveyAnswer.submission_id, *conditions),
        )
        .where(SurveyAnswer.question == rank.name, SurveyAnswer.position >= 1)
        .group_by(SurveySubmission.district_code, SurveyAnswer.value, SurveyAnswer.position)
    )
    counts: dict[str | None, dict[str, list[int]]] = defaultdict(dict)
    respondents: dict[str | None, int] = defaultdict(int)
    width = rank.max_rank
    for district, value, position, count in rows:
        if position == 1:
            respondents[district] += int(count)  # every respondent has exactly one 1st place
        per_rank = counts[district].setdefault(value, [0] * width)
        if position <= width:
            per_rank[position - 1] += int(count)

    sectors = list(rank.sectors)
    for per_district in counts.values():
        sectors.extend(code for code in per_district if code not in sectors)  # removed choices

    overall_counts: dict[str, list[int]] = {}
    for per_district in counts.values():
        for code, per_rank in per_district.items():
            total = overall_counts.setdefault(code, [0] * width)
            for i, n in enumerate(per_rank):
                total[i] += n
    overall = _group(None, sum(respondents.values()), overall_counts, sectors, width, min_cell)
    if filters.district is not None:
        overall = _group(
            filters.district,
            respondents.get(filters.district, 0),
            counts.get(filters.district, {}),
            sectors,
            width,
            min_cell,
        )
    districts = tuple(
        _group(code, respondents.get(code, 0), counts[code], sectors, width, min_cell)
        for code in sorted(counts, key=lambda c: (c is None, c or ""))
        if code is not None
    )
    return PriorityReport(
        form_id=form_id,
        question=rank.name,
        max_rank=width,
        min_cell=min_cell,
        filters=filters,
        sector_codes=tuple(sectors),
        overall=overall,
        districts=districts,
    )


def _group(
    district: str | None,
    respondents: int,
    counts: dict[str, list[int]],
    sectors: list[str],
    width: int,
    min_cell: int,
) -> PriorityGroup:
    if respondents < min_cell or respondents == 0:
        return PriorityGroup(district, None if respondents else 0, True, ())
    rows = []
    for code in sectors:
        per_rank = counts.get(code, [0] * width)
        naming = sum(per_rank)
        if 0 < naming < min_cell:
            rows.append(SectorPriority(code, True, None, None, None, None, None))
            continue
        points = sum((width - r) * n for r, n in enumerate(per_rank))
        rows.append(
            SectorPriority(
                code=code,
                suppressed=False,
                naming=naming,
                share=naming / respondents,
                points=points,
                index=round(100 * points / (width * respondents), 1),
                rank_counts=tuple(per_rank),
            )
        )
    order = {code: i for i, code in enumerate(sectors)}
    rows.sort(key=lambda s: (s.suppressed, -(s.index or 0), -(s.share or 0), order.get(s.code, 0)))
    return PriorityGroup(district, respondents, False, tuple(rows))


# --- what the bot says about a group (a resident's message, /priorities, "we did") ------------


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
    """A group's top sectors, one line each (``labels``: the sectors' labels in the reader's
    language), or why none are shown."""
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
