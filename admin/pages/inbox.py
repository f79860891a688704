"""The inbox: what residents wrote to the programme (``storage.cases``), and the answers.

Who sees what: staff and admins (``HANDLE_CASES``) see and answer cases; confidential cases
(complaints about staff, abuse, safety) only those with ``SEE_CONFIDENTIAL_CASES`` (admins):
for anyone else they are not in the list and their page does not exist. Consultants have no
inbox. An anonymous resident's name is never shown. The list shows no personal data (kind,
district, language, status, times); opening a case shows the resident and their messages,
and writes an audit entry each time.

Two staff on one case: every page carries the case's version; a reply or a close from a page
that did not see the latest change is refused with a clear message (and the page polls
``/inbox/<id>/state`` to say so before anyone types).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from admin import web
from admin.forms import parse_optional_int
from admin.permissions import Permission
from core.i18n import LANGUAGE_NAMES, N_, _, ngettext
from core.textinput import clean_text
from storage import audit, cases, people
from storage.cases.texts import closing_text, reply_text
from storage.cases.vocabulary import KIND_LABELS
from storage.people import StaffMember
from storage.reference import list_districts

router = APIRouter(prefix="/inbox")
NAV = [web.NavItem("/inbox", N_("Inbox"), Permission.HANDLE_CASES)]
handle_cases = web.require(Permission.HANDLE_CASES)
PAGE_SIZE = 50
STATUS_NAMES = {
    cases.CaseStatus.NEW: N_("New"),
    cases.CaseStatus.ASSIGNED: N_("Assigned"),
    cases.CaseStatus.WAITING: N_("Waiting for the resident"),
    cases.CaseStatus.CLOSED: N_("Closed"),
}
AUTHOR_NAMES = {
    cases.Author.RESIDENT: N_("Resident"),
    cases.Author.STAFF: N_("Answer sent"),
    cases.Author.NOTE: N_("Internal note"),
}

DELIVERY_NAMES = {
    "pending": N_("waiting to be sent"),
    "claimed": N_("waiting to be sent"),
    "sent": N_("delivered to Telegram"),
    "failed": N_("could not be delivered"),
    "skipped": N_("not sent (the resident stopped messages)"),
}


def duration(delta: timedelta | None) -> str:
    """'45 minutes', '5 hours', '3 days' (the coarsest unit that still says something)."""
    if delta is None:
        return "—"
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 60:
        return ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes}
    hours = minutes // 60
    if hours < 48:
        return ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours}
    days = hours // 24
    return ngettext("%(n)s day", "%(n)s days", days) % {"n": days}


@dataclass(frozen=True)
class Row:
    case: cases.Case
    kind: str
    district: str
    language: str
    status: str
    assignee: str
    age: str
    first_response: str
    resolution: str


def _between(start: datetime, end: datetime | None) -> timedelta | None:
    return None if end is None else end - start


async def _staff_names(s: AsyncSession) -> dict[int, str]:
    from sqlalchemy import select

    rows = await s.execute(
        select(StaffMember.id, StaffMember.display_name, StaffMember.username).where(
            StaffMember.active.is_(True), StaffMember.username.is_not(None)
        )
    )
    return {i: (name or username or "") for i, name, username in rows}


def _row(case: cases.Case, districts: dict[str, str], staff: dict[int, str], now: datetime) -> Row:
    return Row(
        case=case,
        kind=_(KIND_LABELS[cases.CaseKind(case.kind)]),
        district=districts.get(case.district_code or "", "—"),
        language=LANGUAGE_NAMES.get(case.language, case.language),
        status=_(STATUS_NAMES[cases.CaseStatus(case.status)]),
        assignee=staff.get(case.assignee_id or 0, "—"),
        age=duration((case.closed_at or now) - case.created_at),
        first_response=duration(_between(case.created_at, case.first_response_at)),
        resolution=duration(_between(case.created_at, case.closed_at)),
    )


def _known(value: str, options: set[str]) -> str:
    value = value.strip()
    return value if value in options else ""


@router.get("")
async def inbox_page(
    request: Request,
    status: str = "open",
    kind: str = "",
    district: str = "",
    language: str = "",
    assignee: str = "",
    page: str = "1",
    user: web.StaffUser = Depends(handle_cases),
) -> Response:
    app = web.state(request)
    lang = web.language(request)
    async with app.db.reader() as s:
        districts = {d.code: d.name(lang) for d in await list_districts(s)}
        staff = await _staff_names(s)
        filters = {
            "status": _known(status, {"open", *cases.CaseStatus}),
            "kind": _known(kind, set(cases.CaseKind)),
            "district": _known(district, set(districts)),
            "language": _known(language, set(LANGUAGE_NAMES)),
            "assignee": _known(assignee, {str(i) for i in staff}),
        }
        where = cases.CaseFilter(
            status=filters["status"] or None,
            kind=filters["kind"] or None,
            district=filters["district"] or None,
            language=filters["language"] or None,
            assignee_id=int(filters["assignee"]) if filters["assignee"] else None,
            see_confidential=user.can(Permission.SEE_CONFIDENTIAL_CASES),
        )
        total = await cases.count_cases(s, where)
        pages = max(1, -(-total // PAGE_SIZE))
        number = parse_optional_int(page) if len(page) < 12 else None
        shown = min(max(1, number or 1), pages)
        found = await cases.list_cases(s, where, limit=PAGE_SIZE, offset=(shown - 1) * PAGE_SIZE)
    now = app.clock.now()
    return web.render(
        request,
        "inbox.html",
        rows=[_row(c, districts, staff, now) for c in found],
        filters=filters,
        total=total,
        page=shown,
        pages=pages,
        statuses=[("open", _("Open")), *((k.value, _(v)) for k, v in STATUS_NAMES.items())],
        kinds=[(k.value, _(v)) for k, v in KIND_LABELS.items()],
        districts=sorted(districts.items(), key=lambda item: item[1]),
        language_options=list(LANGUAGE_NAMES.items()),
        staff=sorted(staff.items(), key=lambda item: item[1]),
    )


# --- canned replies -----------------------------------------------------------------------------

CANNED_MAX = 2000


@router.get("/canned")
async def canned_page(request: Request, user: web.StaffUser = Depends(handle_cases)) -> Response:
    async with web.state(request).db.reader() as s:
        replies = await cases.list_canned(s)
    return web.render(request, "canned_replies.html", replies=replies)


@router.post("/canned")
async def save_canned(
    request: Request,
    title: str = Form(""),
    text_ar: str = Form(""),
    text_en: str = Form(""),
    text_fr: str = Form(""),
    user: web.StaffUser = Depends(handle_cases),
) -> Response:
    app = web.state(request)
    name = clean_text(title, 120)
    texts = [clean_text(t, CANNED_MAX) for t in (text_ar, text_en, text_fr)]
    if name is None or any(t is None for t in texts):
        web.flash(
            request,
            _("Give the reply a title and its text in Arabic, English and French."),
            "error",
        )
        return web.redirect("/inbox/canned")
    async with app.db.transaction() as s:
        await cases.save_canned(
            s,
            title=name,
            text_ar=texts[0] or "",
            text_en=texts[1] or "",
            text_fr=texts[2] or "",
            now=app.clock.now(),
        )
    web.flash(request, _("The canned reply is saved."), "success")
    return web.redirect("/inbox/canned")


@router.post("/canned/{canned_id}/retire")
async def retire_canned(
    request: Request, canned_id: str, user: web.StaffUser = Depends(handle_cases)
) -> Response:
    number = parse_optional_int(canned_id) if len(canned_id) < 12 else None
    async with web.state(request).db.transaction() as s:
        done = number is not None and await cases.retire_canned(s, number)
    if not done:
        raise HTTPException(status_code=404)
    web.flash(request, _("The canned reply is removed."), "success")
    return web.redirect("/inbox/canned")


# --- one case -----------------------------------------------------------------------------------


async def _case_or_404(s: AsyncSession, user: web.StaffUser, raw_id: str) -> cases.Case:
    """The case, if it exists and this role may see it (a confidential case is simply not
    there for the others)."""
    case_id = parse_optional_int(raw_id) if len(raw_id) < 13 else None
    case = await cases.get_case(s, case_id) if case_id is not None and case_id > 0 else None
    if case is None or (case.confidential and not user.can(Permission.SEE_CONFIDENTIAL_CASES)):
        raise HTTPException(status_code=404)
    return case


@router.get("/{case_id}")
async def case_page(
    request: Request,
    case_id: str,
    canned: str = "",
    user: web.StaffUser = Depends(handle_cases),
) -> Response:
    app = web.state(request)
    lang = web.language(request)
    async with app.db.reader() as s:
        case = await _case_or_404(s, user, case_id)
        messages = await cases.messages_of(s, case.id)
        resident = (
            await people.get_user(s, case.telegram_id)
            if case.telegram_id is not None and not case.anonymous
            else None
        )
        districts = {d.code: d.name(lang) for d in await list_districts(s)}
        staff = await _staff_names(s)
        canned_replies = await cases.list_canned(s)
        delivery = await cases.delivery_of(s, [m.broadcast_id for m in messages if m.broadcast_id])
    chosen = next((c for c in canned_replies if str(c.id) == canned.strip()), None)
    await web.log_access(
        request,
        user,
        audit.AuditAction.VIEW,
        f"case:{case.id}",
        detail=case.reference,
        record_count=1,
    )
    if case.anonymous:
        who = _("Anonymous resident")
    elif resident is None:
        who = _("Erased their data")
    else:
        who = " ".join(p for p in (resident.full_name or resident.first_name,) if p) or "—"
        if resident.username:
            who += f" (@{resident.username})"
    return web.render(
        request,
        "inbox_case.html",
        case=case,
        row=_row(case, districts, staff, app.clock.now()),
        who=who,
        messages=messages,
        author_names={k.value: _(v) for k, v in AUTHOR_NAMES.items()},
        staff_names=staff,
        staff=sorted(staff.items(), key=lambda item: item[1]),
        canned_replies=canned_replies,
        delivery={
            k: _(DELIVERY_NAMES.get(v, DELIVERY_NAMES["pending"])) for k, v in delivery.items()
        },
        draft=chosen.text(case.language) if chosen else "",
        case_language=LANGUAGE_NAMES.get(case.language, case.language),
        max_reply=cases.MAX_REPLY_CHARS,
    )


@router.get("/{case_id}/state")
async def case_state(
    request: Request, case_id: str, user: web.StaffUser = Depends(handle_cases)
) -> Response:
    """What the page polls: has the case moved since it was loaded?"""
    async with web.state(request).db.reader() as s:
        case = await _case_or_404(s, user, case_id)
    return JSONResponse({"version": case.version, "status": case.status})


async def _member(s: AsyncSession, user: web.StaffUser) -> StaffMember:
    member = await s.get(StaffMember, user.id)
    if member is None:
        raise HTTPException(status_code=403)
    return member


def _seen(version: str) -> int:
    number = parse_optional_int(version) if len(version) < 12 else None
    return number if number is not None and number >= 0 else -1


def _flash_outcome(request: Request, outcome: cases.Outcome, done: str) -> None:
    messages = {
        cases.Outcome.DONE: (done, "success"),
        cases.Outcome.ALREADY: (done, "success"),
        cases.Outcome.STALE: (
            _(
                "Nothing was sent: this case changed since you opened it (someone else "
                "answered, or the resident wrote again). Read the latest messages first."
            ),
            "error",
        ),
        cases.Outcome.CLOSED: (_("This case is already closed."), "error"),
        cases.Outcome.UNREACHABLE: (
            _(
                "The answer cannot reach the resident: they erased their data, stopped all "
                "messages or blocked the bot. You can still close the case."
            ),
            "error",
        ),
    }
    text, kind = messages.get(outcome, (_("This case cannot be changed."), "error"))
    web.flash(request, text, kind)


@router.post("/{case_id}/reply")
async def reply(
    request: Request,
    case_id: str,
    text: str = Form(""),
    version: str = Form(""),
    user: web.StaffUser = Depends(handle_cases),
) -> Response:
    app = web.state(request)
    cleaned = clean_text(text, cases.MAX_REPLY_CHARS)
    async with app.db.transaction() as s:
        case = await _case_or_404(s, user, case_id)
        if cleaned is None:
            web.flash(
                request,
                _("Write an answer of 1 to %(n)s characters.") % {"n": cases.MAX_REPLY_CHARS},
                "error",
            )
            return web.redirect(f"/inbox/{case.id}")
        outcome = await cases.staff_reply(
            s,
            case_id=case.id,
            staff=await _member(s, user),
            seen_version=_seen(version),
            text=cleaned,
            outgoing_text=reply_text(case.reference, cleaned, case.language),
            now=app.clock.now(),
        )
    _flash_outcome(request, outcome, _("Your answer is on its way to the resident."))
    return web.redirect(f"/inbox/{case.id}")


@router.post("/{case_id}/close")
async def close(
    request: Request,
    case_id: str,
    version: str = Form(""),
    user: web.StaffUser = Depends(handle_cases),
) -> Response:
    app = web.state(request)
    async with app.db.transaction() as s:
        case = await _case_or_404(s, user, case_id)
        outcome = await cases.close(
            s,
            case_id=case.id,
            staff=await _member(s, user),
            seen_version=_seen(version),
            closing_text=closing_text(case.reference, case.language),
            now=app.clock.now(),
        )
    _flash_outcome(request, outcome, _("The case is closed; the resident is asked to rate it."))
    return web.redirect(f"/inbox/{case.id}")


@router.post("/{case_id}/assign")
async def assign(
    request: Request,
    case_id: str,
    assignee: str = Form(""),
    user: web.StaffUser = Depends(handle_cases),
) -> Response:
    app = web.state(request)
    async with app.db.transaction() as s:
        case = await _case_or_404(s, user, case_id)
        staff = await _staff_names(s)
        chosen = parse_optional_int(assignee) if len(assignee) < 12 else None
        if assignee.strip() and chosen not in staff:
            raise HTTPException(status_code=400)
        outcome = await cases.assign(s, case.id, chosen, app.clock.now())
    _flash_outcome(request, outcome, _("The case is assigned."))
    return web.redirect(f"/inbox/{case.id}")


@router.post("/{case_id}/note")
async def note(
    request: Request,
    case_id: str,
    text: str = Form(""),
    key: str = Form(""),
    user: web.StaffUser = Depends(handle_cases),
) -> Response:
    app = web.state(request)
    cleaned = clean_text(text, cases.MAX_NOTE_CHARS)
    async with app.db.transaction() as s:
        case = await _case_or_404(s, user, case_id)
        if cleaned is None:
            web.flash(
                request,
                _("Write a note of 1 to %(n)s characters.") % {"n": cases.MAX_NOTE_CHARS},
                "error",
            )
            return web.redirect(f"/inbox/{case.id}")
        outcome = await cases.add_note(
            s,
            case_id=case.id,
            staff_id=user.id,
            request_key=f"note:{case.id}:{user.id}:{key[:40] or app.clock.now().timestamp()}",
            text=cleaned,
            now=app.clock.now(),
        )
    _flash_outcome(request, outcome, _("The note is saved (staff only)."))
    return web.redirect(f"/inbox/{case.id}")
