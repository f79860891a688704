"""How close the broadcast sender comes to Telegram's send limit: one announcement to N residents
through the real sender process (`musharaka send-broadcasts`) and the fake Bot API server in
limit mode (tests/fakes/bot_api.py: 429 above the limit in any rolling second or above one
message a second to one chat; every request checked against the Bot API spec).

    .venv/bin/python bench/broadcast_rate.py                    # 1,500 messages, SQLite
    .venv/bin/python bench/broadcast_rate.py --postgres         # the outbox on PostgreSQL
    .venv/bin/python bench/broadcast_rate.py --messages 3000 --concurrency 16

PostgreSQL comes from MUSHARAKA_BENCH_POSTGRES_URL, else MUSHARAKA_TEST_POSTGRES_URL; the run
uses a fresh database, dropped afterwards. SQLite works in a temporary folder.

Printed: the machine's load; the send rate from the first announcement the fake server
accepted to the last (by its clock), as a fraction of MUSHARAKA_GLOBAL_RATE_PER_SECOND (the
sender paces at 0.93 of it, so 0.93 is the ceiling); the busiest second; the 429s the fake
answered; people who got it twice and people who never got it. Figures only, no verdict.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.formatting import format_number  # noqa: E402
from tests.e2e.broadcasts import (  # noqa: E402
    Deliveries,
    add_people,
    prepare,
    progress_screen,
    sender_process,
)
from tests.fakes.bot_api import FakeBotApi  # noqa: E402

FIRST_RESIDENT = 600_000


async def fresh_postgres() -> tuple[str, Callable[[], Awaitable[None]]]:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    base = os.environ.get("MUSHARAKA_BENCH_POSTGRES_URL") or os.environ.get(
        "MUSHARAKA_TEST_POSTGRES_URL", ""
    )
    if not base:
        raise SystemExit("set MUSHARAKA_BENCH_POSTGRES_URL (or MUSHARAKA_TEST_POSTGRES_URL)")
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(base, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))

    async def drop() -> None:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()

    return f"{base.rsplit('/', 1)[0]}/{name}", drop


async def run(args: argparse.Namespace, url: str, workdir: Path) -> str:
    recipients = range(FIRST_RESIDENT, FIRST_RESIDENT + args.messages)
    api = FakeBotApi(limit_mode=True, global_rate=args.rate)
    await api.start()
    try:
        await add_people(api, recipients)
        number = await prepare(url, recipients)
        got = Deliveries(api)
        final = f"✅ Announcement #{number} sent:"
        sender = sender_process(
            api,
            workdir,
            url,
            global_rate_per_second=str(args.rate),
            broadcast_concurrency=str(args.concurrency),
            log_level="WARNING",
        )
        started = time.monotonic()
        sender.start()
        try:
            await sender.wait_until(
                lambda: (
                    len(got.per_chat) == len(recipients) and progress_screen(api).startswith(final)
                ),
                args.messages / args.rate * 20 + 120,
                "every announcement sent",
            )
        finally:
            await sender.stop_async()
        to_first = got.times[0] - started  # the fake's clock is time.monotonic too
    finally:
        await api.stop()
    seconds = got.times[-1] - got.times[0]
    rate = (got.total - 1) / seconds if seconds > 0 else float("nan")
    missed = len(recipients) - len(got.per_chat)
    return (
        f"{format_number(args.messages, 'en')} messages, limit {args.rate}/s, "
        f"{args.concurrency} workers: {seconds:.1f} s from first to last = {rate:.1f} msg/s "
        f"= {rate / args.rate:.2f} of the limit; busiest second {got.busiest_second()}; "
        f"429s: {api.throttled}; duplicates: {len(got.duplicates())}; missed: {missed} "
        f"(first message {to_first:.1f} s after the process started)"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=1500, help="recipients (default 1500)")
    parser.add_argument(
        "--rate", type=int, default=30, help="MUSHARAKA_GLOBAL_RATE_PER_SECOND and the fake's limit"
    )
    parser.add_argument(
        "--concurrency", type=int, default=8, help="MUSHARAKA_BROADCAST_CONCURRENCY"
    )
    parser.add_argument("--postgres", action="store_true", help="the outbox on PostgreSQL")
    args = parser.parse_args()
    load = " ".join(f"{n:.2f}" for n in os.getloadavg())
    print(
        f"machine: {os.cpu_count()} cores, load average {load} (1, 5, 15 min); "
        f"Python {sys.version.split()[0]}"
    )
    with tempfile.TemporaryDirectory() as folder:
        if args.postgres:
            url, drop = await fresh_postgres()
            try:
                line = await run(args, url, Path(folder))
            finally:
                await drop()
            print(f"PostgreSQL: {line}")
        else:
            url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite'}"
            print(f"SQLite: {await run(args, url, Path(folder))}")
    load = " ".join(f"{n:.2f}" for n in os.getloadavg())
    print(f"load average afterwards {load}")


if __name__ == "__main__":
    asyncio.run(main())
