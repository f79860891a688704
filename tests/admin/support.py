"""A staff member's browser, as far as the admin app can tell: cookies, forms, CSRF."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from typing import Any

import httpx
from fastapi import FastAPI

from core.clock import FixedClock
from core.config import Settings
from storage.db import Database

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
TAGS = re.compile(r"<[^>]+>")


@dataclass
class AdminSite:
    app: FastAPI
    db: Database
    clock: FixedClock
    settings: Settings


def visible_text(html: str) -> str:
    """The page's text as a reader sees it: no tags, entities decoded, spaces collapsed."""
    body = html.split("<body", 1)[-1].split(">", 1)[-1]
    return re.sub(r"\s+", " ", unescape(TAGS.sub(" ", body))).strip()


class StaffClient:
    def __init__(self, site: AdminSite, *, lang: str = "ar", ip: str = "10.0.0.7") -> None:
        self.site = site
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=site.app, client=(ip, 51000)),
            base_url="http://admin.test",
            cookies={"musharaka_lang": lang},
        )
        self.page: httpx.Response | None = None

    async def close(self) -> None:
        await self.http.aclose()

    @property
    def text(self) -> str:
        assert self.page is not None
        return visible_text(self.page.text)

    def csrf(self) -> str:
        assert self.page is not None, "open a page before sending a form"
        found = CSRF_FIELD.search(self.page.text)
        assert found, "the page has no form with a CSRF token"
        return found.group(1)

    async def open(self, path: str, **params: Any) -> httpx.Response:
        """GET a page, following redirects (to the login page, for instance)."""
        self.page = await self.http.get(path, params=params or None, follow_redirects=True)
        return self.page

    async def submit(
        self, path: str, data: dict[str, str] | None = None, *, with_csrf: bool = True
    ) -> httpx.Response:
        """POST a form as the browser would, with the token of the page shown last."""
        fields = dict(data or {})
        if with_csrf:
            fields["csrf_token"] = self.csrf()
        self.page = await self.http.post(path, data=fields, follow_redirects=True)
        return self.page

    async def download(self, path: str, **params: Any) -> httpx.Response:
        return await self.http.get(path, params=params or None)

    async def sign_in(self, username: str, password: str) -> httpx.Response:
        await self.open("/login")
        response = await self.submit("/login", {"username": username, "password": password})
        assert response.url.path != "/login", visible_text(response.text)
        return response
