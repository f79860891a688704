"""Trainings: courses and their sessions with seat, waitlist and attendance counts; a
session's roster (seats, offers pending, the waitlist in order) with attendance marking and
roster downloads.

Counts are for every role. Rosters hold names, phones, genders and associations: only
roles with ``MANAGE_TRAININGS`` open them, and every view and download is in the audit log.
Marking people present goes through ``storage.trainings.mark_attendance``, the same rule
as the check-in code typed in the bot, so the certificate and the feedback questions
follow exactly as if the person had checked in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import HTTPException
from fastapi.responses import Response

from admin import exports, web
from admin.permissions import Permission
from core.formatting import format_clock, format_day
from core.i18n import LANGUAGE_NAMES, N_, _, is_rtl, ngettext
from storage import audit, trainings
from storage.reference import list_branches
from storage.trainings import Registration

router = APIRouter(prefix="/trainings")
NAV = [web.NavItem("/trainings", N_("Trainings"), Permission.VIEW_TRAININGS)]

STATUS_LABELS = {
    trainings.REGISTERED: N_("Seat confirmed"),
    trainings.OFFERED: N_("Seat offered, waiting for an answer"),
    trainings.WAITLISTED: N_("On the waiting list"),
}
GENDER_LABELS = {
    "male": N_("Male"),
    "female": N_("Female"),
    "unspecified": N_("Not given"),
    "": N_("Not given"),
}


@dataclass(frozen=True)
class RosterRow:
    registration: Registration
    phone: str
    position: int | None  # on the waiting list, 1 first


@router.get("")
async def trainings_page(
    request: Request,
    user: web.StaffUser = Depends(web.require(Permission.VIEW_TRAININGS)),
) -> Response:
    app = web.state(request)
    language = web.language(request)
    async with app.db.reader() as s:
        overview = await trainings.sessions_overview(s)
        branches = {b.code: b.name(language) for b in await list_branches(s)}
    courses: dict[int, list[trainings.SessionFigures]] = {}
    for row in overview:
        courses.setdefault(row.course.id, []).append(row)
    now = app.clock.now()
    return web.render(
        request,
        "trainings.html",
        courses=list(courses.values()),
        branches=branches,
        language_names=LANGUAGE_NAMES,
        now=now,
        may_open_rosters=user.can(Permission.MANAGE_TRAININGS),
        when=lambda moment: _when(moment, app.settings.timezone, language),
        course_title=lambda course: course.title(language),
    )


def _when(moment: datetime, timezone: str, language: str) -> str:
    day = format_day(moment.astimezone(ZoneInfo(timezone)).date(), language)
    return f"{day} {format_clock(moment, timezone, language)}"


async def _roster(
    request: Request, session_id: int
) -> tuple[trainings.TrainingSession, trainings.Course, list[RosterRow]]:
    app = web.state(request)
    async with app.db.reader() as s:
        found = await trainings.session_with_course(s, session_id)
        if found is None:
            raise HTTPException(status_code=404)
        rows = await trainings.roster_with_phones(s, session_id)
    training, course = found
    roster, position = [], 0
    for registration, phone in rows:
        if registration.status == trainings.WAITLISTED:
            position += 1
        roster.append(
            RosterRow(
                registration,
                phone,
                position if registration.status == trainings.WAITLISTED else None,
            )
        )
    return training, course, roster


@router.get("/sessions/{session_id}")
async def session_page(
    request: Request,
    session_id: int,
    user: web.StaffUser = Depends(web.require(Permission.MANAGE_TRAININGS)),
) -> Response:
    app = web.state(request)
    language = web.language(request)
    training, course, roster = await _roster(request, session_id)
    async with app.db.reader() as s:
        branches = {b.code: b.name(language) for b in await list_branches(s)}
    if roster:
        await web.log_access(
            request,
            user,
            audit.AuditAction.VIEW,
            "training_roster",
            detail=web.describe_filters({"session": session_id}),
            record_count=len(roster),
        )
    seated = [r for r in roster if r.registration.status == trainings.REGISTERED]
    now = app.clock.now()
    return web.render(
        request,
        "training_session.html",
        training=training,
        course_title=course.title(language),
        branch=branches.get(training.branch_code or "", ""),
        language_names=LANGUAGE_NAMES,
        seated=seated,
        offered=[r for r in roster if r.registration.status == trainings.OFFERED],
        waiting=[r for r in roster if r.registration.status == trainings.WAITLISTED],
        present=sum(1 for r in seated if r.registration.attended_at is not None),
        may_mark=training.status == trainings.SCHEDULED and training.starts_at <= now,
        cancelled=training.status == trainings.SESSION_CANCELLED,
        status_labels=STATUS_LABELS,
        gender_labels=GENDER_LABELS,
        when=lambda moment: _when(moment, app.settings.timezone, language),
    )


@router.post("/sessions/{session_id}/attendance")
async def mark_attendance(
    request: Request,
    session_id: int,
    user: web.StaffUser = Depends(web.require(Permission.MANAGE_TRAININGS)),
) -> Response:
    app = web.state(request)
    form = await request.form()
    ids = sorted(
        {
            int(v)
            for v in form.getlist("present")
            if isinstance(v, str) and v.isascii() and v.isdigit() and len(v) <= 18
        }
    )[:1000]
    try:
        async with app.db.transaction() as s:
            results = await trainings.mark_attendance(
                s, session_id=session_id, registration_ids=ids, now=app.clock.now()
            )
    except trainings.SessionClosed:
        web.flash(request, _("This session was called off: attendance cannot be marked."), "error")
        return web.redirect(f"/trainings/sessions/{session_id}")
    except trainings.NotStarted:
        web.flash(
            request,
            _("This session has not started yet: attendance is marked once it begins."),
            "error",
        )
        return web.redirect(f"/trainings/sessions/{session_id}")
    marked = sum(1 for r in results.values() if r == "present")
    refused = sum(1 for r in results.values() if r == "not_registered")
    if marked:
        web.flash(
            request,
            ngettext("%(num)s person marked present.", "%(num)s people marked present.", marked)
            % {"num": marked},
            "success",
        )
    else:
        web.flash(request, _("Nothing changed: everyone ticked was already marked present."))
    if refused:
        web.flash(
            request,
            ngettext(
                "%(num)s person does not hold a confirmed seat and was not marked.",
                "%(num)s people do not hold a confirmed seat and were not marked.",
                refused,
            )
            % {"num": refused},
            "warning",
        )
    return web.redirect(f"/trainings/sessions/{session_id}")


@router.get("/sessions/{session_id}/roster.{extension}")
async def roster_download(
    request: Request,
    session_id: int,
    extension: str,
    user: web.StaffUser = Depends(web.require(Permission.MANAGE_TRAININGS)),
) -> Response:
    if extension not in ("csv", "xlsx"):
        raise HTTPException(status_code=404)
    app = web.state(request)
    language = web.language(request)
    training, course, roster = await _roster(request, session_id)
    header = [
        _("Name"),
        _("Phone"),
        _("Gender"),
        _("Association"),
        _("Status"),
        _("Place on the waiting list"),
        _("Present"),
    ]
    rows = [
        [
            row.registration.participant_name,
            row.phone,
            _(GENDER_LABELS.get(row.registration.gender, GENDER_LABELS[""])),
            row.registration.association_name,
            _(STATUS_LABELS[row.registration.status]),
            row.position,
            _("yes") if row.registration.attended_at is not None else _("no"),
        ]
        for row in roster
    ]
    await web.log_access(
        request,
        user,
        audit.AuditAction.EXPORT,
        "training_roster",
        detail=web.describe_filters({"session": session_id, "format": extension}),
        record_count=len(rows),
    )
    day = training.starts_at.astimezone(ZoneInfo(app.settings.timezone)).date().isoformat()
    name = f"roster-{course.code}-{day}.{extension}"
    if extension == "csv":
        return exports.download(exports.csv_bytes(header, rows), name, exports.CSV_TYPE)
    content = exports.xlsx_bytes([(course.title(language), header, rows)], rtl=is_rtl(language))
    return exports.download(content, name, exports.XLSX_TYPE)
