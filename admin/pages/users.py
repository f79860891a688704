"""Staff accounts (admins only): create logins, change roles, reset passwords, switch off."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from admin import security, web
from admin.forms import parse_optional_int
from admin.pages.auth import password_problem
from admin.permissions import PERMISSION_LABELS, ROLE_PERMISSIONS, Permission
from core.i18n import N_, _
from storage import audit, staff_accounts
from storage.people import Role, StaffMember

router = APIRouter(prefix="/users")
NAV = [web.NavItem("/users", N_("Staff accounts"), Permission.MANAGE_STAFF)]
manage_staff = web.require(Permission.MANAGE_STAFF)


def _role(value: str) -> Role | None:
    try:
        return Role(value)
    except ValueError:
        return None


async def _list_page(
    request: Request, *, status_code: int = 200, error: str | None = None, form: dict[str, str]
) -> Response:
    async with web.state(request).db.reader() as s:
        members = await staff_accounts.list_staff(s)
    return web.render(
        request,
        "users.html",
        status_code=status_code,
        members=members,
        roles=list(Role),
        permissions=list(Permission),
        permission_labels=PERMISSION_LABELS,
        role_permissions=ROLE_PERMISSIONS,
        error=error,
        form=form,
    )


@router.get("")
async def staff_list(request: Request, user: web.StaffUser = Depends(manage_staff)) -> Response:
    return await _list_page(request, form={})


async def _record_change(request: Request, user: web.StaffUser, target: int, what: str) -> None:
    await web.log_access(request, user, audit.AuditAction.ACCOUNT, f"staff:{target}", detail=what)


@router.post("")
async def create_staff(
    request: Request,
    username: str = Form(""),
    display_name: str = Form(""),
    role: str = Form(""),
    password: str = Form(""),
    confirm_password: str = Form(""),
    telegram_id: str = Form(""),
    user: web.StaffUser = Depends(manage_staff),
) -> Response:
    form = {
        "username": username,
        "display_name": display_name,
        "role": role,
        "telegram_id": telegram_id,
    }
    name = staff_accounts.normalize_username(username)
    chosen_role = _role(role)
    tg_id = parse_optional_int(telegram_id)
    error = None
    if not name or len(name) < 3 or not all(c.isalnum() or c in "._-" for c in name):
        error = _("A login name needs at least 3 letters, digits, dots, dashes or underscores.")
    elif chosen_role is None:
        error = _("Choose a role.")
    elif telegram_id.strip() and (tg_id is None or tg_id <= 0):
        error = _("A Telegram id is a positive number.")
    else:
        error = password_problem(password, confirm_password)
    if error is None and chosen_role is not None:
        password_hash = await run_in_threadpool(security.hash_password, password)
        try:
            async with web.state(request).db.transaction() as s:
                member = await staff_accounts.create_login(
                    s,
                    username=name,
                    display_name=display_name,
                    role=chosen_role,
                    password_hash=password_hash,
                    telegram_id=tg_id,
                )
                new_id = member.id
        except staff_accounts.UsernameTakenError:
            error = _("This login name or Telegram id already has an account.")
        else:
            await _record_change(request, user, new_id, f"created {name} as {chosen_role.value}")
            web.flash(request, _("The account %(name)s is ready.") % {"name": name}, "success")
            return web.redirect("/users")
    return await _list_page(request, status_code=400, error=error, form=form)


async def _member_or_404(request: Request, staff_id: int) -> StaffMember:
    async with web.state(request).db.reader() as s:
        member = await staff_accounts.get_staff(s, staff_id)
    if member is None:
        raise HTTPException(status_code=404)
    return member


@router.get("/{staff_id}")
async def staff_page(
    request: Request, staff_id: int, user: web.StaffUser = Depends(manage_staff)
) -> Response:
    member = await _member_or_404(request, staff_id)
    return web.render(request, "user_edit.html", member=member, roles=list(Role))


@router.post("/{staff_id}/role")
async def change_role(
    request: Request,
    staff_id: int,
    role: str = Form(""),
    user: web.StaffUser = Depends(manage_staff),
) -> Response:
    chosen = _role(role)
    if chosen is None:
        raise HTTPException(status_code=400, detail=_("Choose a role."))
    try:
        async with web.state(request).db.transaction() as s:
            member = await staff_accounts.get_staff(s, staff_id)
            if member is None:
                raise HTTPException(status_code=404)
            before = member.role
            await staff_accounts.change_role(s, member, chosen)
    except staff_accounts.LastAdminError:
        web.flash(request, _("The programme needs at least one active admin."), "error")
        return web.redirect(f"/users/{staff_id}")
    await _record_change(request, user, staff_id, f"role {before} -> {chosen.value}")
    web.flash(request, _("The role is changed."), "success")
    return web.redirect(f"/users/{staff_id}")


@router.post("/{staff_id}/password")
async def reset_password(
    request: Request,
    staff_id: int,
    password: str = Form(""),
    confirm_password: str = Form(""),
    username: str = Form(""),
    user: web.StaffUser = Depends(manage_staff),
) -> Response:
    member = await _member_or_404(request, staff_id)
    error = password_problem(password, confirm_password)
    name = staff_accounts.normalize_username(username) if not member.username else None
    if error is None and name is not None and len(name) < 3:
        error = _("A login name needs at least 3 letters, digits, dots, dashes or underscores.")
    if error:
        web.flash(request, error, "error")
        return web.redirect(f"/users/{staff_id}")
    new_hash = await run_in_threadpool(security.hash_password, password)
    async with web.state(request).db.transaction() as s:
        fresh = await staff_accounts.get_staff(s, staff_id)
        assert fresh is not None
        if name is not None:
            if await staff_accounts.find_login(s, name) is not None:
                web.flash(
                    request, _("This login name or Telegram id already has an account."), "error"
                )
                return web.redirect(f"/users/{staff_id}")
            fresh.username = name
        await staff_accounts.set_password_hash(s, fresh, new_hash)
    await _record_change(request, user, staff_id, "password set by an admin")
    web.flash(request, _("The new password is set. Give it to its owner in person."), "success")
    return web.redirect(f"/users/{staff_id}")


@router.post("/{staff_id}/active")
async def switch_account(
    request: Request,
    staff_id: int,
    active: str = Form(""),
    user: web.StaffUser = Depends(manage_staff),
) -> Response:
    turn_on = active == "1"
    try:
        async with web.state(request).db.transaction() as s:
            member = await staff_accounts.get_staff(s, staff_id)
            if member is None:
                raise HTTPException(status_code=404)
            await staff_accounts.set_active(s, member, turn_on)
    except staff_accounts.LastAdminError:
        web.flash(request, _("The programme needs at least one active admin."), "error")
        return web.redirect(f"/users/{staff_id}")
    await _record_change(request, user, staff_id, "switched on" if turn_on else "switched off")
    message = _("The account is switched on.") if turn_on else _("The account is switched off.")
    web.flash(request, message, "success")
    return web.redirect(f"/users/{staff_id}")
