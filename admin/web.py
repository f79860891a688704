"""What every page shares: templates, the signed-in staff member, permissions, the audit
log, flash messages and CSRF checking."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context as TemplateContext
from markupsafe import Markup

from admin import security
from admin.permissions import ROLE_LABELS, Permission, allowed
from core.clock import Clock
from core.config import Settings
from core.formatting import (
    display_digits,
    display_value,
    format_number,
    format_percent_figure,
    is_number,
)
from core.i18n import LANGUAGE_NAMES, _, current_language, is_rtl, ngettext
from storage import audit
from storage.db import Database
from storage.files import FileStore
from storage.people import Role, StaffMember

ADMIN_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = ADMIN_DIR / "templates"
STATIC_DIR = ADMIN_DIR / "static"
SESSION_COOKIE = "musharaka_admin"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _gettext(message: str) -> str:
    return _(message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return ngettext(singular, plural, n)


def _shown(variables: dict[str, Any]) -> dict[str, Any]:
    """Numbers put into a translated sentence of a page, in the reader's digits."""
    return {key: display_value(v) if is_number(v) else v for key, v in variables.items()}


@pass_context
def _template_gettext(context: TemplateContext, message: str, /, **variables: Any) -> str:
    text = Markup(_gettext(message)) if context.eval_ctx.autoescape else _gettext(message)
    return text % _shown(variables)


@pass_context
def _template_ngettext(
    context: TemplateContext, singular: str, plural: str, num: int, /, **variables: Any
) -> str:
    text = _ngettext(singular, plural, num)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    variables.setdefault("num", num)
    return text % _shown(variables)


def build_templates() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "xml", "svg"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # The i18n extension calls these at render time; they read the request's language.
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    # ... and write the numbers put into them in the reader's digits (Arabic-Indic in Arabic).
    env.globals.update(gettext=_template_gettext, _=_template_gettext, ngettext=_template_ngettext)
    env.filters["number"] = lambda value: format_number(value) if value is not None else ""
    env.filters["percent"] = format_percent
    env.filters["percent_figure"] = lambda value: (
        format_percent_figure(value) if value is not None else ""
    )
    env.filters["digits"] = lambda text: display_digits(str(text)) if text is not None else ""
    env.filters["when"] = format_when
    env.filters["day"] = format_day_short
    return env


def format_when(moment: datetime | None, timezone: str) -> str:
    """A moment in the programme's local time, compact: '3 Mar 2026, 14:05'."""
    if moment is None:
        return ""
    local = moment.astimezone(ZoneInfo(timezone))
    return display_digits(
        format_datetime(
            local, "d MMM y، HH:mm" if is_rtl() else "d MMM y, HH:mm", locale=current_language()
        )
    )


def format_percent(share: float | None) -> str:
    """0.375 -> '38%' (rounded as the bot rounds, so both show the same figure)."""
    if share is None:
        return ""
    return format_percent_figure(round(share * 100))


def format_day_short(day: date | None) -> str:
    if day is None:
        return ""
    return display_digits(format_date(day, "d MMM y", locale=current_language()))


TEMPLATES = build_templates()


# --- the application's shared objects ----------------------------------------------


@dataclass
class AdminState:
    settings: Settings
    db: Database
    clock: Clock
    login_limits: security.LoginLimits
    files: FileStore  # where residents' survey files are kept (played on the results pages)


def state(request: Request) -> AdminState:
    return request.app.state.admin


def language(request: Request) -> str:
    return str(request.scope.get("state", {}).get("language") or current_language())


# --- who is signed in ---------------------------------------------------------------


@dataclass(frozen=True)
class StaffUser:
    id: int
    username: str
    display_name: str
    role: Role

    def can(self, permission: Permission) -> bool:
        return allowed(self.role, permission)

    @property
    def name(self) -> str:
        return self.display_name or self.username

    def actor(self, ip: str) -> audit.Actor:
        return audit.Actor(staff_id=self.id, username=self.username, ip=ip)


class NotSignedIn(Exception):
    """The request needs a signed-in staff member (handled: redirect to the login page)."""


class Forbidden(Exception):
    """The signed-in staff member's role does not allow this page (handled: 403 page)."""


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def start_session(request: Request, member: StaffMember, now: datetime) -> None:
    """A new sign-in: a fresh session (and CSRF token) so nothing survives from before."""
    request.session.clear()
    request.session.update(
        {
            "staff_id": member.id,
            "pw": security.password_fingerprint(member.password_hash),
            "gen": member.session_generation,
            "since": int(now.timestamp()),
            "seen": int(now.timestamp()),
        }
    )
    security.csrf_token(request.session)


def _session_is_fresh(request: Request, settings: Settings, now: datetime) -> bool:
    since = request.session.get("since")
    seen = request.session.get("seen")
    if not isinstance(since, int) or not isinstance(seen, int):
        return False
    moment = int(now.timestamp())
    if moment - since > settings.admin_session_hours * 3600:
        return False
    return moment - seen <= settings.admin_idle_minutes * 60


async def current_staff(request: Request) -> StaffUser:
    """The signed-in, still active staff member; their role is read afresh each time."""
    cached = getattr(request.state, "staff", None)
    if isinstance(cached, StaffUser):
        return cached
    app = state(request)
    now = app.clock.now()
    staff_id = request.session.get("staff_id")
    if not isinstance(staff_id, int) or not _session_is_fresh(request, app.settings, now):
        raise NotSignedIn
    async with app.db.reader() as s:
        member = await s.get(StaffMember, staff_id)
    if (
        member is None
        or not member.active
        or not member.username
        or request.session.get("pw") != security.password_fingerprint(member.password_hash)
        or request.session.get("gen") != member.session_generation
    ):
        raise NotSignedIn
    if int(now.timestamp()) - int(request.session["seen"]) > 60:
        request.session["seen"] = int(now.timestamp())  # keeps an active session alive
    user = StaffUser(
        id=member.id,
        username=member.username,
        display_name=member.display_name,
        role=Role(member.role),
    )
    request.state.staff = user
    return user


def require(permission: Permission) -> Callable[[Request], Awaitable[StaffUser]]:
    """A dependency: the signed-in staff member, if their role allows ``permission``."""

    async def dependency(request: Request) -> StaffUser:
        user = await current_staff(request)
        if not user.can(permission):
            raise Forbidden
        return user

    return dependency


# --- audit log ----------------------------------------------------------------------


async def log_access(
    request: Request,
    user: StaffUser,
    action: audit.AuditAction,
    subject: str,
    *,
    detail: str = "",
    record_count: int | None = None,
) -> None:
    """Write one audit entry (its own transaction: it is kept even if the page fails)."""
    app = state(request)
    async with app.db.transaction() as s:
        await audit.record(
            s,
            user.actor(client_ip(request)),
            action,
            subject,
            detail=detail,
            record_count=record_count,
            at=app.clock.now(),
        )


def describe_filters(filters: dict[str, Any]) -> str:
    """'district=thala gender=female' — the filters a page of personal data was read with."""
    return " ".join(f"{key}={value}" for key, value in filters.items() if value not in (None, ""))


# --- flash messages, redirects, rendering -----------------------------------------


def flash(request: Request, text: str, kind: str = "info") -> None:
    """A message shown once on the next page (already translated)."""
    messages = list(request.session.get("flash", []))
    messages.append([kind, text])
    request.session["flash"] = messages[-5:]


def _take_flashes(request: Request) -> list[list[str]]:
    if "session" not in request.scope:
        return []
    return list(request.session.pop("flash", []))


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to go back to after signing in; anything else (another site) -> home."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target:
        return default
    return target


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _here(request: Request) -> str:
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def login_redirect(request: Request) -> RedirectResponse:
    return redirect(f"/login?next={quote(_here(request), safe='')}")


@dataclass(frozen=True)
class NavItem:
    path: str
    label: str  # an N_() message id
    permission: Permission | None


# Filled by the page modules (admin.app) in menu order.
NAVIGATION: list[NavItem] = []


def nav_for(user: StaffUser | None) -> list[NavItem]:
    if user is None:
        return []
    return [item for item in NAVIGATION if item.permission is None or user.can(item.permission)]


def render(
    request: Request, template: str, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    lang = language(request)
    user = getattr(request.state, "staff", None)
    has_session = "session" in request.scope
    page = {
        "request": request,
        "lang": lang,
        "dir": "rtl" if is_rtl(lang) else "ltr",
        "languages": LANGUAGE_NAMES,
        "user": user,
        "role_labels": ROLE_LABELS,
        "nav": nav_for(user),
        "current_path": request.url.path,
        "here_quoted": quote(_here(request), safe=""),
        "csrf_token": security.csrf_token(request.session) if has_session else "",
        "flashes": _take_flashes(request),
        "Permission": Permission,
        "timezone": state(request).settings.timezone,
    }
    page.update(context)
    html = TEMPLATES.get_template(template).render(page)
    return HTMLResponse(html, status_code=status_code)


def days_ago(now: datetime, days: int) -> datetime:
    return now - timedelta(days=days)
