"""`musharaka demo-data` writes the demo programme the README and the M&E report describe."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from demo.consultations_2025 import SESSIONS_2025
from demo.residents import RESIDENT_COUNT, RESIDENTS_PER_DISTRICT
from demo.seed import seed
from demo.trainings_2025 import COURSES_2025, SESSIONS_HELD_2025, TRAINEES_2025
from storage import consultations, monitoring
from storage.consultations import Booking
from storage.db import Database
from storage.priorities import priority_report

DEMO_DAY = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


async def test_the_demo_holds_four_hundred_answers_and_the_year_2025_of_sessions(
    tmp_path: Path,
) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'demo.sqlite'}")
    await db.upgrade()
    await seed(db, DEMO_DAY)
    await seed(db, DEMO_DAY)  # idempotent: a second run adds nothing
    async with db.reader() as s:
        report = await priority_report(s, "needs_survey")
        sessions = await consultations.sessions_by_branch(
            s, datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)
        )
        figures = await monitoring.report(
            s,
            datetime(2024, 12, 31, 23, tzinfo=UTC),  # 1 January 2025, midnight in Tunis
            datetime(2025, 12, 31, 23, tzinfo=UTC),
            branch_order=["kasserine", "sbeitla"],
        )
    await db.dispose()

    assert report.overall.respondents == RESIDENT_COUNT == 400
    assert {g.district_code: g.respondents for g in report.districts} == RESIDENTS_PER_DISTRICT
    assert not any(g.suppressed for g in report.districts)
    # 2025 in Tunis starts an hour before midnight UTC; no demo session sits that close.
    assert {(b, k, st): n for b, k, st, n in sessions} == SESSIONS_2025
    done_support = {b: n for b, k, st, n in sessions if k == "technical_support" and st == "done"}
    assert done_support == {"kasserine": 196, "sbeitla": 187}

    # The trainings of 2025: 186 men and 70 women over 18 courses, seeded once.
    assert (figures.trainees.male, figures.trainees.female) == (186, 70)
    assert TRAINEES_2025 == {"male": 186, "female": 70}
    assert figures.trainees.unspecified == 0
    assert figures.courses_held == COURSES_2025 == 18
    assert figures.sessions_held == SESSIONS_HELD_2025
    assert {b.branch_code: b.technical_support for b in figures.branches} == {
        "kasserine": 196,
        "sbeitla": 187,
    }
    assert figures.associations_served == 24 and figures.people_served == 256


async def test_the_demo_programme_offers_consultations_in_both_branches(
    sqlite_db: Database,
) -> None:
    await seed(sqlite_db, DEMO_DAY)
    await seed(sqlite_db, DEMO_DAY)  # twice: nothing doubles
    async with sqlite_db.reader() as s:
        topics = await consultations.offered_topics(s)
        assert "strategic_planning" in topics and "financial_management" in topics
        assert await consultations.branches_for_topic(s, "financial_management") == [
            "kasserine",
            "sbeitla",
        ]
        # Their own five (the year 2025 of the M&E demo is seeded apart, demo.monitoring).
        past = list(await s.scalars(select(Booking).where(Booking.request_key.like("demo:%"))))
    assert len(past) == 5 and {b.status for b in past} == {"done", "missed", "cancelled"}
