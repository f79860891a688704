"""How fast a training session fills when everyone presses Register at once.

    .venv/bin/python bench/trainings_register.py                    # SQLite, and PostgreSQL if set
    .venv/bin/python bench/trainings_register.py --people 1000 --seats 50

Each registration is the real operation (storage.trainings.register) in its own writing
transaction: the session row is locked (FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on
SQLite), a seat is taken with a conditional UPDATE under the CHECK constraint, or a waitlist
ticket is drawn. All of them are started together with asyncio.gather, like a broadcast
that makes a whole district tap Register in the same second.

PostgreSQL is read from MUSHARAKA_BENCH_POSTGRES_URL, else MUSHARAKA_TEST_POSTGRES_URL;
the run works in a private schema that it drops afterwards. SQLite works in a temporary
file. Printed: the wall time for the whole burst, registrations per second, the median and
95th-percentile time one person waits for their answer, and a check of the outcome (exactly
`seats` registered, the rest waitlisted 1..n in order).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select, text

from storage import people, trainings
from storage.db import Database

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
FIRST_PERSON = 500_000


async def _prepare(db: Database, people_count: int, seats: int) -> int:
    async with db.transaction() as s:
        for n in range(people_count):
            s.add(people.User(telegram_id=FIRST_PERSON + n, language="ar"))
        course = trainings.Course(
            code="bench", topic="me", title_ar="م", title_en="M", title_fr="M", hours=6
        )
        s.add(course)
        await s.flush()
        session = trainings.TrainingSession(
            course_id=course.id,
            starts_at=NOW + timedelta(days=7),
            ends_at=NOW + timedelta(days=7, hours=6),
            capacity=seats,
        )
        s.add(session)
        await s.flush()
        return session.id


async def _one(db: Database, session_id: int, telegram_id: int) -> float:
    started = time.perf_counter()
    async with db.transaction() as s:
        await trainings.register(s, session_id=session_id, telegram_id=telegram_id, now=NOW)
    return time.perf_counter() - started


async def _check(db: Database, session_id: int, seats: int, people_count: int) -> str:
    async with db.reader() as s:
        rows = list(
            await s.scalars(
                select(trainings.Registration)
                .where(trainings.Registration.session_id == session_id)
                .order_by(trainings.Registration.id)
            )
        )
    registered = [r for r in rows if r.status == trainings.REGISTERED]
    waiting = [r.waitlist_no for r in rows if r.status == trainings.WAITLISTED]
    expected_wait = list(range(1, people_count - seats + 1))
    good = (
        len(rows) == people_count
        and len(registered) == min(seats, people_count)
        and rows[: len(registered)] == registered
        and waiting == expected_wait[: max(0, people_count - seats)]
    )
    return "outcome OK" if good else "OUTCOME WRONG"


async def run(name: str, db: Database, people_count: int, seats: int) -> None:
    session_id = await _prepare(db, people_count, seats)
    started = time.perf_counter()
    waits = await asyncio.gather(
        *(_one(db, session_id, FIRST_PERSON + n) for n in range(people_count))
    )
    elapsed = time.perf_counter() - started
    waits_ms = sorted(w * 1000 for w in waits)
    p95 = waits_ms[max(0, int(len(waits_ms) * 0.95) - 1)]
    print(
        f"{name}: {people_count} people, {seats} seats: {elapsed:.2f} s for the burst, "
        f"{people_count / elapsed:.0f} registrations/s; each person waited "
        f"median {statistics.median(waits_ms):.0f} ms, p95 {p95:.0f} ms; "
        f"{await _check(db, session_id, seats, people_count)}"
    )


async def sqlite_run(people_count: int, seats: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite'}")
        await db.upgrade()
        try:
            await run("SQLite", db, people_count, seats)
        finally:
            await db.dispose()


async def postgres_run(url: str, people_count: int, seats: int) -> None:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = Database(url)
    async with admin.engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    db = Database(url, schema=schema)
    try:
        await db.upgrade()
        await run("PostgreSQL", db, people_count, seats)
    finally:
        await db.dispose()
        async with admin.engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--seats", type=int, default=20)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    asyncio.run(sqlite_run(args.people, args.seats))
    url = os.environ.get("MUSHARAKA_BENCH_POSTGRES_URL") or os.environ.get(
        "MUSHARAKA_TEST_POSTGRES_URL"
    )
    if url and not args.no_postgres:
        asyncio.run(postgres_run(url, args.people, args.seats))
    elif not args.no_postgres:
        print(
            "PostgreSQL: skipped (set MUSHARAKA_BENCH_POSTGRES_URL or MUSHARAKA_TEST_POSTGRES_URL)"
        )


if __name__ == "__main__":
    main()
