"""The admin web app: ``create_app(settings)`` builds it, ``musharaka admin`` serves it."""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from html import escape
from types import ModuleType

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import HTTPException, RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from admin import security, web
from admin.forms import UnreadableAddress, check_numbers_in_address
from admin.i18n import LanguageMiddleware, language_from_headers
from admin.pages import (
    associations,
    audit_log,
    auth,
    broadcasts,
    consultations,
    home,
    inbox,
    priorities,
    report,
    survey_submissions,
    surveys,
    trainings,
    users,
    volunteers,
    wedid,
)
from core.clock import Clock, SystemClock
from core.config import DEFAULT_ADMIN_SECRET, Settings
from core.i18n import _, use_language
from storage.db import Database
from storage.files import FileStore, build_file_store

log = logging.getLogger(__name__)

# One router per page family, in menu order. Each module has ``router`` and may add
# entries to ``web.NAVIGATION`` through its ``NAV`` list.
PAGES: list[ModuleType] = [
    auth,
    home,
    priorities,
    surveys,
    survey_submissions,
    volunteers,
    associations,
    consultations,
    trainings,
    broadcasts,
    wedid,
    inbox,
    report,
    users,
    audit_log,
]


class InsecureSecretError(RuntimeError):
    pass


def session_secret(settings: Settings, *, demo: bool) -> str:
    """The key that signs session cookies. The shipped default is refused outside demo
    mode (anyone could forge a session with it); demo mode gets a random key per run."""
    key = settings.admin_secret_key
    if key == DEFAULT_ADMIN_SECRET or not key:
        if not demo:
            raise InsecureSecretError(
                "MUSHARAKA_ADMIN_SECRET_KEY is not set: the admin app will not sign sessions "
                "with the default key. Set it to a long random value, e.g. "
                '`python -c "import secrets; print(secrets.token_urlsafe(48))"`, '
                "or use `musharaka admin --demo` to try the app on demo data."
            )
        return secrets.token_urlsafe(48)
    if len(key) < 32 and not demo:
        raise InsecureSecretError("MUSHARAKA_ADMIN_SECRET_KEY must have at least 32 characters")
    return key


async def check_address(request: Request) -> None:
    """No number in the address's path longer than any id of ours (a query parameter is the
    page's own business: each reads its own, leniently or strictly)."""
    check_numbers_in_address([str(v) for v in request.path_params.values()])


async def check_csrf(request: Request) -> None:
    """Every request that changes something must carry the session's CSRF token, in the
    form field ``csrf_token`` or the ``X-CSRF-Token`` header."""
    if request.method in web.SAFE_METHODS:
        return
    presented = request.headers.get(security.CSRF_HEADER)
    if presented is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(security.CSRF_FORM_FIELD)
            presented = value if isinstance(value, str) else None
    if not security.csrf_matches(request.session, presented):
        raise HTTPException(status_code=403, detail="csrf")


SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        b"frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    ),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]


class SecurityHeadersMiddleware:
    """Strict content policy on every response; pages are never cached (they may show
    personal data), static files are. A failure inside gets a plain 500 page from here, so
    that it carries the same headers (Starlette's own 500 page is made outside every
    middleware)."""

    def __init__(self, app: ASGIApp, default_language: str = "ar") -> None:
        self.app = app
        self.default_language = default_language

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_static = scope.get("path", "").startswith("/static/")
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                headers.extend(SECURITY_HEADERS)
                if not is_static:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            log.exception("admin request %s failed", scope.get("path"))
            if started:
                raise
            await send_with_headers(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [(b"content-type", b"text/html; charset=utf-8")],
                }
            )
            body = self._failure_page(scope)
            await send_with_headers({"type": "http.response.body", "body": body})

    def _failure_page(self, scope: Scope) -> bytes:
        language = language_from_headers(scope.get("headers", []), self.default_language)
        with use_language(language):
            title = escape(_("Something went wrong"))
            message = escape(_("Please try again in a moment."))
        direction = "rtl" if language == "ar" else "ltr"
        return (
            f'<!doctype html><html lang="{language}" dir="{direction}"><meta charset="utf-8">'
            f"<title>{title}</title><h1>{title}</h1><p>{message}</p></html>"
        ).encode()


def create_app(
    settings: Settings,
    db: Database | None = None,
    *,
    clock: Clock | None = None,
    demo: bool = False,
    login_limits: security.LoginLimits | None = None,
    files: FileStore | None = None,
) -> FastAPI:
    """The admin app on ``db`` (or on ``settings.database_url``, owned and closed by the app)."""
    owns_db = db is None
    database = db if db is not None else Database(settings.database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if owns_db:
            await database.dispose()

    app = FastAPI(
        title="Musharaka admin",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
        dependencies=[Depends(check_address), Depends(check_csrf)],
    )
    app.state.admin = web.AdminState(
        settings=settings,
        db=database,
        clock=clock or SystemClock(),
        login_limits=login_limits or security.LoginLimits(),
        files=files or build_file_store(settings),
    )
    web.NAVIGATION[:] = [item for page in PAGES for item in getattr(page, "NAV", [])]
    for page in PAGES:
        app.include_router(page.router)
    app.mount("/static", StaticFiles(directory=web.STATIC_DIR), name="static")
    _add_error_pages(app)
    app.add_middleware(
        LanguageMiddleware,
        default_language=settings.default_language,
        latin_digits=settings.latin_digits,
    )
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_secret(settings, demo=demo),
        session_cookie=web.SESSION_COOKIE,
        max_age=settings.admin_session_hours * 3600,
        same_site="lax",
        https_only=settings.admin_cookie_secure,
    )
    app.add_middleware(SecurityHeadersMiddleware, default_language=settings.default_language)
    return app


def _add_error_pages(app: FastAPI) -> None:
    @app.exception_handler(web.NotSignedIn)
    async def not_signed_in(request: Request, _exc: web.NotSignedIn) -> Response:
        return web.login_redirect(request)

    @app.exception_handler(web.Forbidden)
    async def forbidden(request: Request, _exc: web.Forbidden) -> Response:
        return web.render(
            request,
            "error.html",
            status_code=403,
            title=_("Not allowed"),
            message=_("Your role does not give access to this page."),
        )

    @app.exception_handler(UnreadableAddress)
    @app.exception_handler(RequestValidationError)
    async def unreadable_address(request: Request, _exc: Exception) -> Response:
        """A hand-edited address (?page=abc) gets a page in the user's language, not JSON."""
        return web.render(
            request,
            "error.html",
            status_code=400,
            title=_("This address cannot be read"),
            message=_("Part of the address is not valid. Go back and use the page's links."),
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 403 and exc.detail == "csrf":
            message = _(
                "This form has expired or did not come from this site. "
                "Go back, reload the page and try again."
            )
            title = _("Form expired")
        elif exc.status_code == 404:
            title, message = _("Page not found"), _("There is nothing at this address.")
        else:
            title, message = _("Something went wrong"), str(exc.detail or "")
        return web.render(
            request, "error.html", status_code=exc.status_code, title=title, message=message
        )
