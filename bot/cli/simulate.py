"""``musharaka simulate``: talk to the bot in the terminal, no token needed (demo data)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path
from typing import Any

from core.config import DEFAULT_DATA_DIR, Settings

DEMO_DATABASE_URL = f"sqlite+aiosqlite:///{DEFAULT_DATA_DIR / 'demo.sqlite'}"


def add_parser(commands: Any) -> None:
    sim = commands.add_parser("simulate", help="talk to the bot in the terminal, no token needed")
    sim.add_argument(
        "--lang",
        default="ar",
        choices=["ar", "en", "fr"],
        help="the simulated user's Telegram language",
    )
    sim.add_argument("--input", type=Path, help="script file: one message per line")
    sim.add_argument("--transcript", type=Path, help="write every reply as a JSON line here")
    sim.add_argument(
        "--user-id",
        type=int,
        default=1000,
        help="simulated Telegram user id (9000 is the demo admin)",
    )
    sim.add_argument(
        "--database-url",
        help="database to use (default: MUSHARAKA_DATABASE_URL if set, "
        "else the demo database data/demo.sqlite)",
    )
    sim.add_argument("--no-demo", action="store_true", help="do not add demo data to an empty DB")
    sim.set_defaults(handler=simulate)


def simulate(settings: Settings, args: argparse.Namespace) -> None:
    logging.getLogger().setLevel(logging.WARNING)
    asyncio.run(_simulate(settings, args))


async def _simulate(settings: Settings, args: argparse.Namespace) -> None:
    from bot.app import build_engine
    from bot.channels.simulator import Simulator, read_script
    from bot.engine.session import MemorySessionStore
    from core.clock import SystemClock
    from demo.seed import is_empty, seed
    from storage.db import Database

    explicit = "MUSHARAKA_DATABASE_URL" in os.environ
    url = args.database_url or (settings.database_url if explicit else DEMO_DATABASE_URL)
    db = Database(url)
    await db.upgrade()
    if not args.no_demo and await is_empty(db):
        await seed(db, SystemClock().now())
    engine = build_engine(settings, db, store=MemorySessionStore())
    simulator = Simulator(engine, user_id=args.user_id, language=args.lang)
    try:
        if args.input is None:
            await simulator.interactive()
        else:
            lines = read_script(args.input)
            if args.transcript is not None:
                args.transcript.parent.mkdir(parents=True, exist_ok=True)
                with args.transcript.open("w", encoding="utf-8") as out:
                    await simulator.run_script(lines, transcript=out)
            else:
                await simulator.run_script(lines, echo=sys.stdout)
    finally:
        await db.dispose()
