"""How long the community-priorities query takes on 100,000 needs-survey submissions.

    .venv/bin/python bench/priorities.py                      # SQLite, and PostgreSQL if set
    .venv/bin/python bench/priorities.py --submissions 20000  # a quicker run

PostgreSQL is read from MUSHARAKA_BENCH_POSTGRES_URL, else MUSHARAKA_TEST_POSTGRES_URL
(e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test); the run works in a private schema
that it drops afterwards. SQLite works in a temporary file. The schema is built by the real
migrations (the same indexes as a deployment).

Data: the shipped needs survey; each submission has a district (8, unequal sizes), gender,
age group and a ranking of 1 to 3 sectors drawn with unequal weights — about 5.5 answer
rows per submission. Printed: the time to fill, then for each query the best and the median
of several runs (the first run, which warms caches, is shown apart).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text

from formengine.store import SHIPPED, import_xlsform
from storage.db import Database
from storage.priorities import PriorityFilters, priority_report
from storage.surveys import SurveyAnswer, SurveySubmission

DISTRICTS = {
    "kasserine_north": 22,
    "kasserine_south": 14,
    "sbeitla": 16,
    "thala": 9,
    "feriana": 12,
    "foussana": 8,
    "sbiba": 10,
    "el_ayoun": 9,
}
SECTORS = {
    "water_sanitation": 14,
    "jobs_livelihoods": 16,
    "health": 13,
    "roads_transport": 10,
    "education": 9,
    "youth_sports": 7,
    "housing": 6,
    "electricity": 5,
    "environment": 6,
    "women_empowerment": 5,
    "social_care": 5,
    "safety": 4,
}
AGE_GROUPS = ["15_24", "25_34", "35_49", "50_64", "65_plus"]
GENDERS = ["female", "male", "prefer_not"]
BATCH = 5000


def ranking(rng: random.Random) -> list[str]:
    size = rng.choices([1, 2, 3], weights=[10, 20, 70])[0]
    picked: list[str] = []
    names, weights = list(SECTORS), list(SECTORS.values())
    while len(picked) < size:
        choice = rng.choices(names, weights=weights)[0]
        if choice not in picked:
            picked.append(choice)
    return picked


async def fill(db: Database, count: int) -> float:
    async with db.transaction() as s:
        live, _ = await import_xlsform(s, SHIPPED["needs_survey"])
    form_pk, version_pk, round_label = live.stored.pk, live.stored.version_pk, live.round
    rng = random.Random(2026)
    start = time.perf_counter()
    moment = datetime(2026, 3, 1, tzinfo=UTC)
    districts, district_weights = list(DISTRICTS), list(DISTRICTS.values())
    next_id = 1
    for first in range(0, count, BATCH):
        submissions: list[dict[str, Any]] = []
        answers: list[dict[str, Any]] = []
        for n in range(first, min(first + BATCH, count)):
            district = rng.choices(districts, weights=district_weights)[0]
            gender = rng.choices(GENDERS, weights=[48, 48, 4])[0]
            age = rng.choice(AGE_GROUPS)
            submission_id = next_id
            next_id += 1
            submissions.append(
                {
                    "id": submission_id,
                    "uuid": str(uuid.UUID(int=rng.getrandbits(128))),
                    "form_pk": form_pk,
                    "version_pk": version_pk,
                    "round": round_label,
                    "respondent_id": 10_000_000 + n,
                    "one_per_round_key": 10_000_000 + n,
                    "district_code": district,
                    "gender": gender,
                    "age_group": age,
                    "campaign": "",
                    "language": "ar",
                    "started_at": moment,
                    "submitted_at": moment + timedelta(seconds=n),
                }
            )
            for question, value in (("district", district), ("gender", gender), ("age_group", age)):
                answers.append(_answer(submission_id, question, "select_one", 0, value))
            for position, sector in enumerate(ranking(rng), start=1):
                answers.append(_answer(submission_id, "top_sectors", "rank", position, sector))
        async with db.transaction() as s:
            await s.execute(insert(SurveySubmission), submissions)
            await s.execute(insert(SurveyAnswer), answers)
    if db.dialect == "postgresql":
        async with db.engine.begin() as conn:
            await conn.execute(
                text("SELECT setval(pg_get_serial_sequence('survey_submissions', 'id'), :n)"),
                {"n": next_id},
            )
            await conn.execute(text("ANALYZE survey_submissions"))
            await conn.execute(text("ANALYZE survey_answers"))
    else:
        async with db.engine.begin() as conn:
            await conn.execute(text("ANALYZE"))
    return time.perf_counter() - start


def _answer(submission_id: int, question: str, kind: str, position: int, value: str) -> dict:
    return {
        "submission_id": submission_id,
        "question": question,
        "kind": kind,
        "position": position,
        "value": value,
        "number": None,
    }


async def timed(runs: int, query: Callable[[], Awaitable[Any]]) -> tuple[float, float, float]:
    """(first run, best, median of the others) in milliseconds."""
    times = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        await query()
        times.append((time.perf_counter() - start) * 1000)
    rest = times[1:]
    return times[0], min(rest), statistics.median(rest)


async def bench(db: Database, label: str, count: int, runs: int) -> None:
    await db.upgrade()
    seconds = await fill(db, count)
    async with db.reader() as s:
        rows = (await s.execute(text("SELECT count(*) FROM survey_answers"))).scalar_one()
    print(f"\n{label}: filled {count:,} submissions ({rows:,} answer rows) in {seconds:.1f} s")

    async def run(filters: PriorityFilters) -> Any:
        async with db.reader() as s:
            return await priority_report(s, "needs_survey", filters=filters)

    queries = {
        "all districts (overall + 8 districts)": PriorityFilters(round="2026"),
        "one district": PriorityFilters(round="2026", district="thala"),
        "women, all districts": PriorityFilters(round="2026", gender="female"),
        "women 25-34 in one district": PriorityFilters(
            round="2026", district="sbeitla", gender="female", age_group="25_34"
        ),
    }
    print(f"  {'priority query':40} {'first':>9} {'best':>9} {'median':>9}")
    for name, filters in queries.items():
        first, best, median = await timed(runs, lambda f=filters: run(f))
        print(f"  {name:40} {first:7.0f}ms {best:7.0f}ms {median:7.0f}ms")
    report = await run(PriorityFilters(round="2026"))
    top = ", ".join(f"{s.code} {s.index:g}" for s in report.overall.top(3))
    print(f"  overall top 3: {top} ({report.overall.respondents:,} respondents)")


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5, help="timed runs per query")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite'}")
        try:
            await bench(db, "SQLite", args.submissions, args.runs)
        finally:
            await db.dispose()

    url = os.environ.get("MUSHARAKA_BENCH_POSTGRES_URL") or os.environ.get(
        "MUSHARAKA_TEST_POSTGRES_URL"
    )
    if args.no_postgres:
        return 0
    if not url:
        print(
            "\nPostgreSQL: skipped (set MUSHARAKA_BENCH_POSTGRES_URL, e.g. "
            "postgresql+asyncpg://postgres@127.0.0.1:5432/test)"
        )
        return 0
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = Database(url)
    async with admin.engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    db = Database(url, schema=schema)
    try:
        await bench(db, "PostgreSQL", args.submissions, args.runs)
    finally:
        await db.dispose()
        async with admin.engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
