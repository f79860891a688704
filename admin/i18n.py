"""The admin module's language: chosen with the switch (a cookie), else the default.

A small ASGI middleware puts the request's language into ``core.i18n``'s context
variable, so ``_()`` in Python code and ``{% trans %}`` / ``_()`` in templates both
speak it, exactly as the bot's handlers do.
"""

from __future__ import annotations

from http.cookies import CookieError, SimpleCookie

from starlette.types import ASGIApp, Receive, Scope, Send

from core.config import SUPPORTED_LANGUAGES
from core.i18n import normalize_language, use_digits, use_language

LANGUAGE_COOKIE = "musharaka_lang"


def language_from_headers(headers: list[tuple[bytes, bytes]], default: str) -> str:
    """The language cookie if it names a supported language, else ``default``."""
    for name, value in headers:
        if name != b"cookie":
            continue
        cookie: SimpleCookie = SimpleCookie()
        try:
            cookie.load(value.decode("latin-1"))
        except CookieError:  # a malformed cookie header: ignore it
            continue
        morsel = cookie.get(LANGUAGE_COOKIE)
        if morsel is not None and morsel.value in SUPPORTED_LANGUAGES:
            return morsel.value
    return default


class LanguageMiddleware:
    def __init__(
        self, app: ASGIApp, default_language: str = "ar", *, latin_digits: bool = False
    ) -> None:
        self.app = app
        self.default_language = normalize_language(default_language)
        self.latin_digits = latin_digits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        language = language_from_headers(scope.get("headers", []), self.default_language)
        scope.setdefault("state", {})["language"] = language
        with use_language(language), use_digits(latin=self.latin_digits):
            await self.app(scope, receive, send)
