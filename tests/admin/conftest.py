"""The admin app on a temporary database, and signed-in staff members to drive it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import pytest

from admin.app import create_app
from admin.security import hash_password
from core.clock import FixedClock
from storage import people
from storage.db import Database
from tests.admin.support import AdminSite, StaffClient
from tests.support.given import given_places
from tests.support.settings import settings_for_tests

START = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
SECRET = "test-secret-key-that-is-long-enough-0123456789"
PASSWORDS = {
    "amina": "amina-admin-password",
    "karim": "karim-staff-password",
    "salma": "salma-consultant-password",
}
ACCOUNTS = [
    ("amina", "أمينة الحامدي", people.Role.ADMIN, 9100),
    ("karim", "كريم السالمي", people.Role.STAFF, 9101),
    ("salma", "سلمى بن علي", people.Role.CONSULTANT, 9102),
]


async def add_accounts(db: Database) -> None:
    async with db.transaction() as s:
        for username, name, role, telegram_id in ACCOUNTS:
            await people.add_staff(
                s,
                role=role,
                telegram_id=telegram_id,
                username=username,
                display_name=name,
                password_hash=hash_password(PASSWORDS[username]),
            )


@pytest.fixture
async def site(sqlite_db: Database) -> AsyncIterator[AdminSite]:
    await given_places(sqlite_db)
    await add_accounts(sqlite_db)
    clock = FixedClock(START)
    settings = settings_for_tests(admin_secret_key=SECRET, timezone="Africa/Tunis")
    app = create_app(settings, sqlite_db, clock=clock)
    yield AdminSite(app=app, db=sqlite_db, clock=clock, settings=settings)


SignIn = Callable[..., Awaitable[StaffClient]]


@pytest.fixture
async def sign_in(site: AdminSite) -> AsyncIterator[SignIn]:
    """``await sign_in("karim", lang="en")``: a client signed in as that staff member."""
    clients: list[StaffClient] = []

    async def factory(username: str, *, lang: str = "ar") -> StaffClient:
        client = StaffClient(site, lang=lang)
        clients.append(client)
        await client.sign_in(username, PASSWORDS[username])
        return client

    yield factory
    for client in clients:
        await client.close()


@pytest.fixture
async def visitor(site: AdminSite) -> AsyncIterator[StaffClient]:
    """Someone who has not signed in."""
    client = StaffClient(site, lang="ar")
    yield client
    await client.close()
