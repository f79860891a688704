"""``musharaka admin``: the admin web app."""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli.simulate import DEMO_DATABASE_URL
from core.config import Settings


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
    from admin.server import serve

    changes: dict[str, object] = {}
    if args.host:
        changes["admin_host"] = args.host
    if args.port:
        changes["admin_port"] = args.port
    if args.demo:  # demo logins have a published password: never in a real database
        changes["database_url"] = DEMO_DATABASE_URL
    serve(settings.model_copy(update=changes), demo=args.demo)
