"""The audit log (admins only): who read or exported personal data, who signed in."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from admin import web
from admin.forms import DayRange, parse_day
from admin.permissions import Permission
from core.i18n import N_
from storage import audit

router = APIRouter(prefix="/audit")
NAV = [web.NavItem("/audit", N_("Audit log"), Permission.READ_AUDIT_LOG)]
PAGE_SIZE = 50
MAX_PAGE = 10**9  # further is no page of ours: the 400 page (and no offset overflows)

ACTION_LABELS = {
    audit.AuditAction.VIEW: N_("Viewed personal data"),
    audit.AuditAction.EXPORT: N_("Exported personal data"),
    audit.AuditAction.LOGIN: N_("Signed in"),
    audit.AuditAction.LOGIN_FAILED: N_("Failed sign-in"),
    audit.AuditAction.LOGIN_BLOCKED: N_("Sign-in refused (too many attempts)"),
    audit.AuditAction.LOGOUT: N_("Signed out"),
    audit.AuditAction.ACCOUNT: N_("Changed a staff account"),
    audit.AuditAction.BROADCAST: N_("Broadcast"),
    audit.AuditAction.SUBMISSION_PUSH: N_("Sent a survey submission to the server again"),
}


@router.get("")
async def audit_page(
    request: Request,
    action: str = "",
    username: str = "",
    start: str = "",
    end: str = "",
    page: int = Query(1, le=MAX_PAGE),
    user: web.StaffUser = Depends(web.require(Permission.READ_AUDIT_LOG)),
) -> Response:
    app = web.state(request)
    days = DayRange(parse_day(start), parse_day(end))
    since, until = days.utc_bounds(app.settings.timezone)
    known_actions = {a.value for a in audit.AuditAction}
    where = audit.AuditFilter(
        action=action if action in known_actions else None,
        username=username.strip().lower() or None,
        since=since,
        until=until,
    )
    async with app.db.reader() as s:
        total = await audit.count_entries(s, where)
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(1, page), pages)  # ?page=99999999 shows the last page
        entries = await audit.list_entries(s, where, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        usernames = await audit.known_usernames(s)
    return web.render(
        request,
        "audit.html",
        entries=entries,
        total=total,
        page=page,
        pages=pages,
        action_labels={a.value: label for a, label in ACTION_LABELS.items()},
        usernames=usernames,
        filters={"action": action, "username": username, "start": start, "end": end},
        timezone=app.settings.timezone,
    )
