"""The volunteers directory: who can help, where, when, in which language.

Names and phones are personal data: the page is for roles with ``VIEW_VOLUNTEERS``
(admins and staff; consultants see aggregated figures elsewhere, never this list).
Every page of the list that shows somebody and every download writes an audit entry
with the filters used and how many people were shown. The rows come from
``storage.volunteers`` (``DirectoryFilter``, ``list_directory``), as the bot stores them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from admin import exports, web
from admin.forms import parse_optional_int
from admin.permissions import Permission
from core.i18n import N_, _, is_rtl
from storage import audit, volunteers
from storage.reference import list_districts
from storage.volunteers import DAY_LABELS, LANGUAGE_LABELS, TIME_LABELS

router = APIRouter(prefix="/volunteers")
NAV = [web.NavItem("/volunteers", N_("Volunteers"), Permission.VIEW_VOLUNTEERS)]
view_volunteers = web.require(Permission.VIEW_VOLUNTEERS)
PAGE_SIZE = 50
AUDIT_SUBJECT = "volunteers"


@dataclass(frozen=True)
class Choice:
    code: str
    label: str


@dataclass(frozen=True)
class DirectoryQuery:
    """The filters as the page shows them: each a known code or ``""`` (everyone)."""

    skill: str = ""
    district: str = ""
    day: str = ""
    time: str = ""
    language: str = ""

    def storage_filter(self) -> volunteers.DirectoryFilter:
        return volunteers.DirectoryFilter(
            skill=self.skill or None,
            district=self.district or None,
            day=self.day or None,
            time=self.time or None,
            language=self.language or None,
        )

    def as_params(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class Choices:
    skills: list[Choice]
    districts: list[Choice]
    days: list[Choice]
    times: list[Choice]
    languages: list[Choice]

    def names(self, options: list[Choice]) -> dict[str, str]:
        return {o.code: o.label for o in options}


async def load_choices(session: AsyncSession, language: str) -> Choices:
    return Choices(
        skills=[Choice(s.code, s.name(language)) for s in await volunteers.list_skills(session)],
        districts=[Choice(d.code, d.name(language)) for d in await list_districts(session)],
        days=[Choice(code, _(DAY_LABELS[code])) for code in volunteers.DAYS],
        times=[Choice(code, _(TIME_LABELS[code])) for code in volunteers.TIMES],
        languages=[Choice(code, _(LANGUAGE_LABELS[code])) for code in volunteers.LANGUAGES],
    )


def _known(value: str, options: list[Choice]) -> str:
    """A filter value the page offers, else ``""``: a forged or outdated code shows everyone
    rather than an error or an empty list."""
    value = value.strip()
    return value if value in {o.code for o in options} else ""


def read_query(choices: Choices, **values: str) -> DirectoryQuery:
    return DirectoryQuery(
        skill=_known(values.get("skill", ""), choices.skills),
        district=_known(values.get("district", ""), choices.districts),
        day=_known(values.get("day", ""), choices.days),
        time=_known(values.get("time", ""), choices.times),
        language=_known(values.get("language", ""), choices.languages),
    )


def page_number(value: str, pages: int) -> int:
    """'3' -> 3; anything that is not a page of the list (0, -1, 'x', 10**30) -> the
    nearest page."""
    number = parse_optional_int(value) if len(value) < 12 else None
    if number is None:
        return 1
    return min(max(1, number), max(1, pages))


@dataclass(frozen=True)
class Row:
    """One volunteer as the page and the downloads show them (labels translated)."""

    name: str
    phone: str
    district: str
    skills: list[str]
    other_skills: str
    days: list[str]
    times: list[str]
    languages: list[str]
    since: Any


def _rows(entries: list[volunteers.DirectoryEntry], choices: Choices) -> list[Row]:
    skill_names = choices.names(choices.skills)
    district_names = choices.names(choices.districts)
    day_names, time_names = choices.names(choices.days), choices.names(choices.times)
    language_names = choices.names(choices.languages)
    return [
        Row(
            name=e.volunteer.full_name,
            phone=e.volunteer.phone,
            district=district_names.get(e.volunteer.district_code or "", ""),
            skills=[skill_names.get(code, code) for code in e.skills],
            other_skills=e.volunteer.other_skills,
            days=[day_names.get(c, c) for c in e.volunteer.days],
            times=[time_names.get(c, c) for c in e.volunteer.times],
            languages=[language_names.get(c, c) for c in e.volunteer.languages],
            since=e.volunteer.created_at,
        )
        for e in entries
    ]


def _audit_detail(query: DirectoryQuery, **more: Any) -> str:
    return web.describe_filters({**query.as_params(), **more})


@router.get("")
async def directory_page(
    request: Request,
    skill: str = "",
    district: str = "",
    day: str = "",
    time: str = "",
    language: str = "",
    page: str = "1",
    user: web.StaffUser = Depends(view_volunteers),
) -> Response:
    lang = web.language(request)
    async with web.state(request).db.reader() as s:
        choices = await load_choices(s, lang)
        query = read_query(
            choices, skill=skill, district=district, day=day, time=time, language=language
        )
        where = query.storage_filter()
        everyone = await volunteers.count_directory(s, volunteers.DirectoryFilter())
        total = await volunteers.count_directory(s, where)
        pages = max(1, -(-total // PAGE_SIZE))
        shown_page = page_number(page, pages)
        entries = await volunteers.list_directory(
            s, where, limit=PAGE_SIZE, offset=(shown_page - 1) * PAGE_SIZE
        )
        by_district = await volunteers.directory_counts_by_district(s, where)
        by_skill = await volunteers.directory_counts_by_skill(s, where)
    if entries:
        await web.log_access(
            request,
            user,
            audit.AuditAction.VIEW,
            AUDIT_SUBJECT,
            detail=_audit_detail(query, page=shown_page),
            record_count=len(entries),
        )
    district_names = choices.names(choices.districts)
    district_counts = [
        (d.code, d.label, by_district[d.code]) for d in choices.districts if by_district.get(d.code)
    ]
    if by_district.get(None):
        district_counts.append(("", _("District not given"), by_district[None]))
    skill_counts = sorted(
        ((c.code, c.label, by_skill[c.code]) for c in choices.skills if by_skill.get(c.code)),
        key=lambda item: -item[2],
    )
    return web.render(
        request,
        "volunteers.html",
        choices=choices,
        filters=query.as_params(),
        filtered=any(query.as_params().values()),
        everyone=everyone,
        total=total,
        rows=_rows(entries, choices),
        page=shown_page,
        pages=pages,
        district_names=district_names,
        district_counts=district_counts,
        skill_counts=skill_counts,
    )


@router.get("/export.{file_format}")
async def export_directory(
    request: Request,
    file_format: str,
    skill: str = "",
    district: str = "",
    day: str = "",
    time: str = "",
    language: str = "",
    user: web.StaffUser = Depends(view_volunteers),
) -> Response:
    """The whole filtered list (every page), as CSV or XLSX; logged."""
    if file_format not in ("csv", "xlsx"):
        raise HTTPException(status_code=404)
    lang = web.language(request)
    async with web.state(request).db.reader() as s:
        choices = await load_choices(s, lang)
        query = read_query(
            choices, skill=skill, district=district, day=day, time=time, language=language
        )
        entries = await volunteers.list_directory(s, query.storage_filter())
    await web.log_access(
        request,
        user,
        audit.AuditAction.EXPORT,
        AUDIT_SUBJECT,
        detail=_audit_detail(query, format=file_format),
        record_count=len(entries),
    )
    header = [
        _("Name"),
        _("Phone"),
        _("District"),
        _("Skills"),
        _("Other skills"),
        _("Days"),
        _("Times of day"),
        _("Languages"),
        _("Volunteer since"),
    ]
    separator = "، " if is_rtl(lang) else ", "
    table = [
        [
            row.name,
            row.phone,
            row.district,
            separator.join(row.skills),
            row.other_skills,
            separator.join(row.days),
            separator.join(row.times),
            separator.join(row.languages),
            row.since.date(),
        ]
        for row in _rows(entries, choices)
    ]
    name = "-".join(["volunteers", *(v for v in query.as_params().values() if v)])
    if file_format == "csv":
        return exports.download(exports.csv_bytes(header, table), f"{name}.csv", exports.CSV_TYPE)
    workbook = exports.xlsx_bytes([(_("Volunteers"), header, table)], rtl=is_rtl(lang))
    return exports.download(workbook, f"{name}.xlsx", exports.XLSX_TYPE)
