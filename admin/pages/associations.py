"""Associations and their capacity: who they are, where, how strong in each of the nine
domains of the self-assessment, and which trainings and consultation topics to offer
them first. Staff plan trainings from this page.

Scores and figures are for every role with ``VIEW_ASSOCIATIONS`` (consultants too).
Coordinators' and members' names and phones are personal data: only roles with
``SEE_ASSOCIATION_MEMBERS`` (admins and staff) see them, and every page that shows them
writes an audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from admin import web
from admin.forms import parse_optional_int
from admin.permissions import Permission
from core.i18n import N_
from storage import associations, audit, trainings
from storage.associations import (
    FIELD_LABELS,
    STRONG_PERCENT,
    domain_label,
    field_label,
    role_label,
    weakest,
)
from storage.consultations.vocabulary import topic_label
from storage.reference import list_districts

router = APIRouter(prefix="/associations")
NAV = [web.NavItem("/associations", N_("Associations"), Permission.VIEW_ASSOCIATIONS)]
view_associations = web.require(Permission.VIEW_ASSOCIATIONS)
WEAK_PERCENT = 50  # below this a domain is weak; from here to STRONG_PERCENT, to strengthen


@dataclass(frozen=True)
class Choice:
    code: str
    label: str


def level(percent: int) -> str:
    """'weak', 'middle' or 'strong': the page colours a score by it."""
    if percent < WEAK_PERCENT:
        return "weak"
    return "middle" if percent < STRONG_PERCENT else "strong"


LEVEL_LABELS = {
    "weak": N_("Weak"),
    "middle": N_("To strengthen"),
    "strong": N_("Strong"),
}


@dataclass(frozen=True)
class DomainNeed:
    """One capacity domain across the listed associations: how many need it."""

    domain: str
    label: str
    weak: int  # associations below WEAK_PERCENT
    below_strong: int  # associations below STRONG_PERCENT (weak included)
    first: int  # associations for which it is the weakest domain
    average: int | None
    courses: list[trainings.Course]


def domain_needs(
    summaries: list[associations.AssociationSummary],
    courses: dict[str, list[trainings.Course]],
) -> list[DomainNeed]:
    """The domains to train first: the most associations below 'strong' first."""
    needs = []
    for domain in associations.DOMAINS:
        percents = [s.percent for a in summaries for s in a.scores if s.domain == domain]
        firsts = sum(1 for a in summaries if weakest(a.scores)[:1] == [domain])
        needs.append(
            DomainNeed(
                domain=domain,
                label=domain_label(domain),
                weak=sum(1 for p in percents if p < WEAK_PERCENT),
                below_strong=sum(1 for p in percents if p < STRONG_PERCENT),
                first=firsts,
                average=round(sum(percents) / len(percents)) if percents else None,
                courses=courses.get(domain, []),
            )
        )
    order = list(associations.DOMAINS)
    needs.sort(key=lambda n: (-n.below_strong, -n.weak, n.average or 0, order.index(n.domain)))
    return needs


async def _courses_by_topic(request: Request) -> dict[str, list[trainings.Course]]:
    async with web.state(request).db.reader() as s:
        found = await trainings.courses_for_topics(s, list(associations.DOMAINS))
    by_topic: dict[str, list[trainings.Course]] = {}
    for course in found:
        by_topic.setdefault(course.topic, []).append(course)
    return by_topic


def _known(value: str, options: list[Choice]) -> str:
    value = value.strip()
    return value if value in {o.code for o in options} else ""


@router.get("")
async def associations_page(
    request: Request,
    district: str = "",
    field: str = "",
    user: web.StaffUser = Depends(view_associations),
) -> Response:
    lang = web.language(request)
    async with web.state(request).db.reader() as s:
        districts = [Choice(d.code, d.name(lang)) for d in await list_districts(s)]
        fields = [Choice(code, field_label(code)) for code in FIELD_LABELS]
        filters = {"district": _known(district, districts), "field": _known(field, fields)}
        where = associations.AssociationFilter(
            district=filters["district"] or None, field=filters["field"] or None
        )
        summaries = await associations.association_overview(s, where)
    courses = await _courses_by_topic(request)
    may_see_people = user.can(Permission.SEE_ASSOCIATION_MEMBERS)
    coordinators_shown = sum(1 for a in summaries if a.coordinator is not None)
    if may_see_people and coordinators_shown:
        await web.log_access(
            request,
            user,
            audit.AuditAction.VIEW,
            "association_coordinators",
            detail=web.describe_filters(filters),
            record_count=coordinators_shown,
        )
    assessed = [a for a in summaries if a.scores]
    return web.render(
        request,
        "associations.html",
        districts=districts,
        fields=fields,
        filters=filters,
        filtered=any(filters.values()),
        summaries=summaries,
        assessed=len(assessed),
        on_bot=sum(a.on_bot for a in summaries),
        declared=sum(a.association.members_count for a in summaries),
        needs=domain_needs(assessed, courses),
        domains=[Choice(d, domain_label(d)) for d in associations.DOMAINS],
        district_names={d.code: d.label for d in districts},
        field_label=field_label,
        domain_label=domain_label,
        weakest=weakest,
        level=level,
        may_see_people=may_see_people,
        language=lang,
        weak_percent=WEAK_PERCENT,
        strong_percent=STRONG_PERCENT,
    )


@router.get("/{association_id}")
async def association_page(
    request: Request,
    association_id: str,
    user: web.StaffUser = Depends(view_associations),
) -> Response:
    number = parse_optional_int(association_id) if len(association_id) < 19 else None
    if number is None or number < 1:
        raise HTTPException(status_code=404)
    lang = web.language(request)
    may_see_people = user.can(Permission.SEE_ASSOCIATION_MEMBERS)
    async with web.state(request).db.reader() as s:
        association = await associations.get_association(s, number)
        if association is None or not association.active:
            raise HTTPException(status_code=404)
        districts = {d.code: d.name(lang) for d in await list_districts(s)}
        members = await associations.members(s, association.id)
        latest = await associations.latest_assessment(s, association.id)
        scores = (
            [associations.DomainScore(r.domain, r.score, r.max_score) for r in latest[1]]
            if latest
            else []
        )
        focus = weakest(scores)
        courses = await trainings.courses_for_topics(s, focus) if focus else []
    order = list(associations.DOMAINS)
    weakest_first = sorted(scores, key=lambda x: (x.percent, order.index(x.domain)))
    focus_order = {d: i for i, d in enumerate(focus)}
    courses.sort(key=lambda c: (focus_order.get(c.topic, 99), c.sort_order))
    if may_see_people and members:
        await web.log_access(
            request,
            user,
            audit.AuditAction.VIEW,
            f"association_members:{association.id}",
            record_count=len(members),
        )
    return web.render(
        request,
        "association.html",
        association=association,
        district=districts.get(association.district_code, association.district_code),
        field=field_label(association.field_code),
        members=members if may_see_people else [],
        on_bot=len(members),
        coordinator=next((m for m in members if m.role == associations.COORDINATOR), None)
        if may_see_people
        else None,
        assessed_at=latest[0].completed_at if latest else None,
        scores=weakest_first,
        focus=[(d, domain_label(d), topic_label(d)) for d in focus],
        courses=courses,
        domain_label=domain_label,
        role_label=role_label,
        level=level,
        level_labels=LEVEL_LABELS,
        may_see_people=may_see_people,
        language=lang,
    )
