"""Signing in and out, the language switch, and changing one's own password."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.concurrency import run_in_threadpool

from admin import security, web
from admin.i18n import LANGUAGE_COOKIE
from core.config import SUPPORTED_LANGUAGES
from core.i18n import _, ngettext
from storage import audit, staff_accounts, throttles
from storage.people import Role, StaffMember

router = APIRouter()


@router.get("/login")
async def login_page(request: Request, next: str = "/") -> Response:
    try:
        await web.current_staff(request)
        return web.redirect(web.safe_next(next))
    except web.NotSignedIn:
        pass
    return web.render(request, "login.html", next=web.safe_next(next), username="")


def _wait_message(wait: timedelta) -> str:
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    return ngettext(
        "Too many failed attempts. Try again in %(num)d minute.",
        "Too many failed attempts. Try again in %(num)d minutes.",
        minutes,
    ) % {"num": minutes}


def _can_sign_in(member: StaffMember | None) -> bool:
    return (
        member is not None
        and member.active
        and bool(member.username)
        and member.role in {r.value for r in Role}
    )


# Unauthenticated visitors must not be able to grow the audit log without bound: refused
# attempts add one to a single entry per counter window, and past this many entries an hour
# every further one adds to a single entry for that hour.
AUDIT_ENTRIES_PER_HOUR = 500
AUDIT_CAP = "audit_cap"


async def record_unauthenticated(
    s: AsyncSession,
    actor: audit.Actor,
    action: audit.AuditAction,
    now: datetime,
    *,
    detail: str = "",
    aggregate_into: throttles.AttemptCounter | None = None,
) -> None:
    hour = await throttles.locked_counter(s, AUDIT_CAP, action.value, now, timedelta(hours=1))
    hour.failures += 1
    if hour.failures > AUDIT_ENTRIES_PER_HOUR:
        actor = audit.Actor(staff_id=None, username="", ip="")
        detail, aggregate_into = "aggregated: too many to log one by one", hour
    if aggregate_into is None:
        await audit.record(s, actor, action, "login", detail=detail, at=now)
        return
    entry = (
        await s.get(audit.AuditEntry, aggregate_into.audit_id) if aggregate_into.audit_id else None
    )
    if entry is None:
        entry = await audit.record(s, actor, action, "login", detail=detail, record_count=1, at=now)
        aggregate_into.audit_id = entry.id
    else:
        entry.record_count = (entry.record_count or 0) + 1
    await s.flush()


@router.post("/login")
async def login(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    next: str = Form("/"),
) -> Response:
    app = web.state(request)
    name = staff_accounts.normalize_username(username)
    ip = web.client_ip(request)
    now = app.clock.now()
    target = web.safe_next(next)
    typed = audit.Actor(staff_id=None, username=name, ip=ip)

    attempt = security.Attempt(username=name, ip=ip)
    async with app.db.transaction() as s:
        refusal = await security.reserve_attempt(s, app.login_limits, attempt, now)
        if refusal is not None:
            await record_unauthenticated(
                s, typed, audit.AuditAction.LOGIN_BLOCKED, now, aggregate_into=refusal.counter
            )
    if refusal is not None:
        return web.render(
            request,
            "login.html",
            status_code=429,
            next=target,
            username=name,
            error=_wait_message(refusal.wait),
        )
    async with app.db.reader() as s:
        member = await staff_accounts.find_login(s, name)

    password_hash = member.password_hash if member is not None else None
    # argon2 is deliberately slow: keep it off the event loop.
    good = await run_in_threadpool(security.check_password, password_hash, password)
    if not good or not _can_sign_in(member):
        detail = "inactive account" if good and member is not None else ""
        async with app.db.transaction() as s:
            await record_unauthenticated(
                s, typed, audit.AuditAction.LOGIN_FAILED, now, detail=detail
            )
        return web.render(
            request,
            "login.html",
            status_code=401,
            next=target,
            username=name,
            error=_("Wrong login name or password."),
        )

    assert member is not None and member.password_hash is not None
    async with app.db.transaction() as s:
        await security.give_back(s, app.login_limits, attempt, now)
        fresh = await s.get(StaffMember, member.id)
        assert fresh is not None
        if fresh.password_hash and security.needs_rehash(fresh.password_hash):
            new_hash = await run_in_threadpool(security.hash_password, password)
            await staff_accounts.set_password_hash(s, fresh, new_hash)
        await audit.record(
            s,
            audit.Actor(staff_id=fresh.id, username=fresh.username or name, ip=ip),
            audit.AuditAction.LOGIN,
            "login",
            at=now,
        )
        web.start_session(request, fresh, now)
    return web.redirect(target)


@router.post("/logout")
async def logout(request: Request) -> Response:
    try:
        user = await web.current_staff(request)
        await web.log_access(request, user, audit.AuditAction.LOGOUT, "login")
        async with web.state(request).db.transaction() as s:
            await staff_accounts.end_sessions(s, user.id)
    except web.NotSignedIn:
        pass
    request.session.clear()
    web.flash(request, _("You are signed out."))
    return web.redirect("/login")


@router.get("/language/{code}")
async def switch_language(code: str, next: str = "/") -> Response:
    response = web.redirect(web.safe_next(next))
    if code in SUPPORTED_LANGUAGES:
        response.set_cookie(
            LANGUAGE_COOKIE, code, max_age=365 * 24 * 3600, samesite="lax", httponly=True
        )
    return response


@router.get("/account")
async def account_page(
    request: Request, user: web.StaffUser = Depends(web.current_staff)
) -> Response:
    return web.render(request, "account.html")


@router.post("/account/password")
async def change_own_password(
    request: Request,
    current_password: str = Form(""),
    new_password: str = Form(""),
    confirm_password: str = Form(""),
    user: web.StaffUser = Depends(web.current_staff),
) -> Response:
    app = web.state(request)
    async with app.db.reader() as s:
        member = await s.get(StaffMember, user.id)
    assert member is not None
    error = None
    if not await run_in_threadpool(security.check_password, member.password_hash, current_password):
        error = _("Your current password is not right.")
    else:
        error = password_problem(new_password, confirm_password)
    if error:
        return web.render(request, "account.html", status_code=400, error=error)
    new_hash = await run_in_threadpool(security.hash_password, new_password)
    async with app.db.transaction() as s:
        fresh = await s.get(StaffMember, user.id)
        assert fresh is not None
        await staff_accounts.set_password_hash(s, fresh, new_hash)
        await audit.record(
            s,
            user.actor(web.client_ip(request)),
            audit.AuditAction.ACCOUNT,
            f"staff:{user.id}",
            detail="changed own password",
            at=app.clock.now(),
        )
        # This session stays signed in; every other session of the account ends.
        request.session["pw"] = security.password_fingerprint(new_hash)
        request.session["gen"] = fresh.session_generation
    web.flash(request, _("Your password is changed."), "success")
    return web.redirect("/account")


def password_problem(password: str, confirm: str) -> str | None:
    weakness = staff_accounts.password_weakness(password)
    if weakness == staff_accounts.PasswordWeakness.TOO_SHORT:
        return _("A password needs at least %(num)d characters.") % {
            "num": staff_accounts.MIN_PASSWORD_LENGTH
        }
    if weakness == staff_accounts.PasswordWeakness.ONE_CHARACTER:
        return _("A password cannot be one character repeated, or only spaces.")
    if weakness == staff_accounts.PasswordWeakness.COMMON:
        return _("This password is one of the first that attackers try. Please choose another.")
    if password != confirm:
        return _("The two passwords are not the same.")
    return None
