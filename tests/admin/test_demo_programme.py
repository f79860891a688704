"""`musharaka demo-data` writes the demo programme the README and the M&E report describe."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.demo_data import seed
from bot.demo_monitoring import SESSIONS_2025
from bot.demo_residents import RESIDENT_COUNT, RESIDENTS_PER_DISTRICT
from storage import consultations
from storage.db import Database
from storage.priorities import priority_report


async def test_the_demo_holds_four_hundred_answers_and_the_year_2025_of_sessions(
    tmp_path: Path,
) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'demo.sqlite'}")
    await db.upgrade()
    await seed(db)
    await seed(db)  # idempotent: a second run adds nothing
    async with db.reader() as s:
        report = await priority_report(s, "needs_survey")
        sessions = await consultations.sessions_by_branch(
            s, datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)
        )
    await db.dispose()

    assert report.overall.respondents == RESIDENT_COUNT == 400
    assert {g.district_code: g.respondents for g in report.districts} == RESIDENTS_PER_DISTRICT
    assert not any(g.suppressed for g in report.districts)
    # 2025 in Tunis starts an hour before midnight UTC; no demo session sits that close.
    assert {(b, k, st): n for b, k, st, n in sessions} == SESSIONS_2025
    done_support = {b: n for b, k, st, n in sessions if k == "technical_support" and st == "done"}
    assert done_support == {"kasserine": 196, "sbeitla": 187}
