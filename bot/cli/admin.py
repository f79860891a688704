"""``musharaka admin``: serve the admin web app with uvicorn.

Normal mode needs ``MUSHARAKA_ADMIN_SECRET_KEY`` (at least 32 characters) and a staff
login (``musharaka staff add ID --role admin --username NAME``). ``--demo`` opens the
demo database (filled on first use) with three demo logins and a random session key,
for trying the app on one's own machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from bot.cli.simulate import DEMO_DATABASE_URL
from core.clock import SystemClock
from core.config import Settings
from demo.seed import is_empty, seed
from demo.staff import DEMO_ADMIN_TELEGRAM_ID, DEMO_CONSULTANT_TELEGRAM_ID, DEMO_STAFF_TELEGRAM_ID
from storage import people
from storage.db import Database


def add_parser(commands: Any) -> None:
    admin = commands.add_parser("admin", help="run the admin web app")
    admin.add_argument("--host", help="address to listen on (default: MUSHARAKA_ADMIN_HOST)")
    admin.add_argument("--port", type=int, help="port (default: MUSHARAKA_ADMIN_PORT)")
    admin.add_argument(
        "--demo",
        action="store_true",
        help="try it on the demo database data/demo.sqlite (never the configured one) "
        "with demo logins and a throw-away session key",
    )
    admin.set_defaults(handler=_admin)


def _admin(settings: Settings, args: argparse.Namespace) -> None:
    changes: dict[str, object] = {}
    if args.host:
        changes["admin_host"] = args.host
    if args.port:
        changes["admin_port"] = args.port
    if args.demo:  # demo logins have a published password: never in a real database
        changes["database_url"] = DEMO_DATABASE_URL
    serve(settings.model_copy(update=changes), demo=args.demo)


DEMO_PASSWORD = "musharaka-demo"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: people.Role
    telegram_id: int


def demo_logins() -> list[DemoLogin]:
    return [
        DemoLogin("admin", people.Role.ADMIN, DEMO_ADMIN_TELEGRAM_ID),
        DemoLogin("staff", people.Role.STAFF, DEMO_STAFF_TELEGRAM_ID),
        DemoLogin("consultant", people.Role.CONSULTANT, DEMO_CONSULTANT_TELEGRAM_ID),
    ]


async def prepare_demo(db: Database, now: datetime) -> None:
    """Demo data on first use, and the demo staff given logins with the demo password."""
    if await is_empty(db):
        print("filling the demo database (first use)...", flush=True)
        await seed(db, now)
    from admin.security import hash_password

    password_hash = hash_password(DEMO_PASSWORD)
    async with db.transaction() as s:
        for login in demo_logins():
            await people.add_staff(
                s,
                role=login.role,
                telegram_id=login.telegram_id,
                username=login.username,
                password_hash=password_hash,
            )


async def count_logins(db: Database) -> int:
    async with db.reader() as s:
        count = await s.scalar(
            select(func.count(people.StaffMember.id)).where(
                people.StaffMember.username.is_not(None),
                people.StaffMember.password_hash.is_not(None),
                people.StaffMember.active.is_(True),
            )
        )
    return int(count or 0)


async def _prepare(settings: Settings, *, demo: bool) -> int:
    db = Database(settings.database_url)
    try:
        await db.upgrade()
        if demo:
            await prepare_demo(db, SystemClock().now())
        return await count_logins(db)
    finally:
        await db.dispose()


def serve(settings: Settings, *, demo: bool = False) -> None:
    # the web stack loads only for this command: every other one starts faster
    import uvicorn

    from admin.app import InsecureSecretError, create_app

    try:
        app = create_app(settings, demo=demo)
    except InsecureSecretError as exc:
        raise SystemExit(str(exc)) from exc
    logins = asyncio.run(_prepare(settings, demo=demo))
    url = f"http://{settings.admin_host}:{settings.admin_port}/"
    if demo:
        names = ", ".join(login.username for login in demo_logins())
        print(f"demo mode: sign in at {url} as {names} with the password {DEMO_PASSWORD}")
    elif logins == 0:
        print(
            "no staff account can sign in yet: create one with\n"
            "  musharaka staff add TELEGRAM_ID --role admin --username NAME",
            file=sys.stderr,
        )
    else:
        print(f"admin app on {url}")
    uvicorn.run(
        app,
        host=settings.admin_host,
        port=settings.admin_port,
        log_level=settings.log_level.lower(),
        proxy_headers=True,
        forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        server_header=False,
    )
