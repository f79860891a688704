"""Memory with 10,000 conversations in progress.

    .venv/bin/python bench/memory.py                       # 10,000 residents, SQLite sessions
    .venv/bin/python bench/memory.py --store memory        # the in-memory store, for contrast
    .venv/bin/python bench/memory.py --conversations 2000  # a quicker run

The real engine, registry and database (SQLite file, migrated like a deployment), without the
HTTP layer: each resident goes /start, language, consent, the needs survey from the menu, and
answers up to the sector ranking (8 updates), then stops there: 10,000 surveys left half-way,
as after a day of a campaign. Printed: the process's resident memory (RSS, from /proc) before
and after, per conversation, and what the stored sessions weigh.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select

from bot.app import build_engine
from bot.channels.lifecycle import settle_garbage_collector
from bot.engine.engine import Engine
from bot.engine.events import Event, EventKind
from bot.engine.flood import MemoryFloodGuard
from bot.engine.replies import Edit, Outgoing, Text
from bot.engine.session import MemorySessionStore
from core.i18n import translate
from demo.seed import seed_places
from storage.db import Database
from storage.sessions import ConversationSession
from tests.e2e.residents import choice_label
from tests.support.settings import settings_for_tests

_ids = itertools.count(1)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def button(outgoing: list[Outgoing], label: str) -> str:
    for item in reversed(outgoing):
        reply = item.reply
        if isinstance(reply, Text | Edit):
            for row in reply.buttons or []:
                for b in row:
                    if b.label == label:
                        return b.payload
    raise LookupError(label)


async def half_a_survey(engine: Engine, user_id: int) -> None:
    def t(message: str) -> str:
        return translate("en", message)

    def text(value: str) -> Event:
        return Event.from_text(user_id, value, update_id=next(_ids), language_code="en")

    def press(outgoing: list[Outgoing], label: str) -> Event:
        return Event(
            user_id,
            user_id,
            EventKind.BUTTON,
            payload=button(outgoing, label),
            callback_id="q",
            message_id=1,
            update_id=next(_ids),
            language_code="en",
        )

    out = await engine.handle(text("/start"))
    for label in (
        "English",
        t("I agree"),
        t("Needs survey: tell us what your district needs"),
        t("Continue ▶"),
        choice_label("district", "thala", "en"),
        choice_label("age_group", "25_34", "en"),
        choice_label("gender", "female", "en"),
    ):
        out = await engine.handle(press(out, label))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--store", choices=["sql", "memory"], default="sql")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite+aiosqlite:///{Path(folder) / 'memory.sqlite'}")
        await db.upgrade()
        await seed_places(db)
        store = MemorySessionStore() if args.store == "memory" else None
        engine = build_engine(
            settings_for_tests(database_url=db.url),
            db,
            store=store,
            flood=MemoryFloodGuard(20, 10),
        )
        await half_a_survey(engine, 1)  # imports, caches and the form loaded once
        settle_garbage_collector()  # as `musharaka run` does before it serves
        before = rss_mb()
        started = time.perf_counter()
        users = range(2, args.conversations + 2)
        for first in range(0, len(users), 50):
            batch = users[first : first + 50]
            await asyncio.gather(*(half_a_survey(engine, user) for user in batch))
        elapsed = time.perf_counter() - started
        held = rss_mb()  # with what the collector has not reached yet
        gc.collect()
        after = rss_mb()
        async with db.reader() as s:
            rows, size = (
                await s.execute(
                    select(func.count(), func.sum(func.length(ConversationSession.state)))
                )
            ).one()
        updates = args.conversations * 8
        print(
            f"{args.conversations} conversations in progress ({args.store} sessions), "
            f"{updates} updates in {elapsed:.0f} s ({updates / elapsed:.0f} updates/s)"
        )
        print(
            f"RSS before {before:.0f} MB, after {after:.0f} MB: "
            f"+{after - before:.1f} MB, {1024 * (after - before) / args.conversations:.1f} KB "
            f"per conversation (before a full collection: {held:.0f} MB, "
            f"{1024 * (held - before) / args.conversations:.1f} KB per conversation)"
        )
        if args.store == "sql":
            print(
                f"stored sessions: {rows} rows, {size / rows / 1024:.1f} KB of state each, "
                f"{size / 1024 / 1024:.1f} MB in all"
            )
        await db.dispose()


if __name__ == "__main__":
    asyncio.run(main())
