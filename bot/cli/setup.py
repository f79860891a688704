"""``musharaka db upgrade``, ``musharaka staff add`` and ``musharaka demo-data``."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from core.config import Settings


def add_parser(commands: Any) -> None:
    db = commands.add_parser("db", help="database schema")
    db.add_subparsers(dest="db_command", required=True).add_parser(
        "upgrade", help="create or upgrade the schema"
    )
    db.set_defaults(handler=lambda settings, args: asyncio.run(_upgrade(settings)))

    staff = commands.add_parser("staff", help="staff accounts")
    staff_add = staff.add_subparsers(dest="staff_command", required=True).add_parser(
        "add", help="give a Telegram user a staff role (and optionally an admin login)"
    )
    staff_add.add_argument("telegram_id", type=int)
    staff_add.add_argument("--role", required=True, choices=["admin", "staff", "consultant"])
    staff_add.add_argument("--name", default="", help="display name")
    staff_add.add_argument("--username", help="login name for the admin web app")
    staff_add.add_argument(
        "--password", help="admin password (asked for when --username is given without it)"
    )
    staff.set_defaults(handler=lambda settings, args: asyncio.run(_staff_add(settings, args)))

    demo = commands.add_parser("demo-data", help="fill the database with a realistic Arabic demo")
    demo.set_defaults(handler=lambda settings, args: asyncio.run(_demo_data(settings)))


async def _upgrade(settings: Settings) -> None:
    from storage.db import Database

    db = Database(settings.database_url)
    await db.upgrade()
    await db.dispose()
    print(f"schema is up to date: {settings.database_url}")


async def _staff_add(settings: Settings, args: argparse.Namespace) -> None:
    from storage import people, staff_accounts
    from storage.db import Database

    password_hash = None
    if args.username:
        import getpass

        from argon2 import PasswordHasher

        password = args.password or getpass.getpass(f"password for {args.username}: ")
        weakness = staff_accounts.password_weakness(password)
        if weakness is not None:
            raise SystemExit(
                {
                    "too_short": "passwords need at least 10 characters",
                    "one_character": "a password cannot be one character repeated, or only spaces",
                    "common": "this password is one of the first that attackers try",
                }[weakness.value]
            )
        password_hash = PasswordHasher().hash(password)
    db = Database(settings.database_url)
    await db.upgrade()
    async with db.transaction() as s:
        await people.add_staff(
            s,
            role=people.Role(args.role),
            telegram_id=args.telegram_id,
            username=args.username,
            display_name=args.name,
            password_hash=password_hash,
        )
    await db.dispose()
    print(f"{args.telegram_id} is now {args.role}")


async def _demo_data(settings: Settings) -> None:
    from core.clock import SystemClock
    from demo.seed import seed
    from storage.db import Database

    db = Database(settings.database_url)
    await db.upgrade()
    await seed(db, SystemClock().now())
    await db.dispose()
    print(f"demo data written to {settings.database_url}")
