"""The priority index matches a hand-computed example, on SQLite and on PostgreSQL.

Thala, six respondents, "rank your top 3" (1st = 3 points, 2nd = 2, 3rd = 1):

    R1  health, water, roads          R4  education, water, health
    R2  water, health                 R5  water, jobs, health
    R3  water                         R6  health, water, education

    water:     2+3+3+2+3+2 = 15 points, named by 6 -> index 15 / (3 x 6) x 100 = 83.3, share 1
    health:    3+2+1+1+3   = 10 points, named by 5 -> index 10 / 18 x 100 = 55.6, share 5/6
    education: named by 2, roads and jobs by 1 -> fewer than 5: hidden

Sbeitla, three respondents, each "jobs, health": too few to show on its own, but they count
overall (9 respondents): health 10 + 3x2 = 16 points -> 16 / 27 x 100 = 59.3, named by 8;
water 15 points -> 55.6; jobs named by 4 -> hidden.
"""

from __future__ import annotations

import uuid

import pytest

from formengine.store import SHIPPED, import_xlsform
from storage import surveys
from storage.db import Database
from storage.priorities import PriorityFilters, PriorityQueryError, priority_report

THALA = [
    ("health water_sanitation roads_transport", "female"),
    ("water_sanitation health", "male"),
    ("water_sanitation", "female"),
    ("education water_sanitation health", "female"),
    ("water_sanitation jobs_livelihoods health", "male"),
    ("health water_sanitation education", "female"),
]
SBEITLA = [("jobs_livelihoods health", "male")] * 3


async def fill(db: Database) -> None:
    async with db.transaction() as s:
        live, _ = await import_xlsform(s, SHIPPED["needs_survey"])
        form = live.stored
        respondent = 100
        for district, answers in (("thala", THALA), ("sbeitla", SBEITLA)):
            for ranking, gender in answers:
                respondent += 1
                await surveys.submit(
                    s,
                    surveys.NewSubmission(
                        uuid=str(uuid.uuid4()),
                        form_pk=form.pk,
                        version_pk=form.version_pk,
                        round=form.round,
                        respondent_id=respondent,
                        one_per_resident=True,
                        answers=[
                            ("district", "select_one", district),
                            ("gender", "select_one", gender),
                            ("top_sectors", "rank", ranking),
                        ],
                        district_code=district,
                        gender=gender,
                        age_group="25_34",
                    ),
                )


async def test_the_priority_index_matches_the_hand_computed_example(any_db: Database) -> None:
    await fill(any_db)
    async with any_db.reader() as s:
        report = await priority_report(s, "needs_survey", filters=PriorityFilters(round="2026"))
    assert report.max_rank == 3 and report.question == "top_sectors"

    thala = report.group("thala")
    assert thala is not None and thala.respondents == 6 and not thala.suppressed
    water, health = thala.sectors[0], thala.sectors[1]
    assert (water.code, water.points, water.naming, water.index) == (
        "water_sanitation",
        15,
        6,
        83.3,
    )
    assert water.share == 1.0 and water.rank_counts == (3, 3, 0)
    assert (health.code, health.points, health.naming, health.index) == ("health", 10, 5, 55.6)
    assert health.share == pytest.approx(5 / 6) and health.rank_counts == (2, 1, 2)
    hidden = {s.code for s in thala.sectors if s.suppressed}
    assert hidden == {"education", "roads_transport", "jobs_livelihoods"}
    assert all(s.index is None and s.naming is None for s in thala.sectors if s.suppressed)
    unnamed = next(s for s in thala.sectors if s.code == "safety")
    assert (unnamed.naming, unnamed.index, unnamed.suppressed) == (0, 0.0, False)
    assert [s.code for s in thala.top(3)] == ["water_sanitation", "health"]

    sbeitla = report.group("sbeitla")
    assert sbeitla is not None and sbeitla.suppressed
    assert sbeitla.respondents is None and sbeitla.sectors == ()

    overall = report.overall
    assert overall.respondents == 9
    assert [(s.code, s.points, s.naming, s.index) for s in overall.top(2)] == [
        ("health", 16, 8, 59.3),
        ("water_sanitation", 15, 6, 55.6),
    ]
    assert next(s for s in overall.sectors if s.code == "jobs_livelihoods").suppressed


async def test_filters_by_gender_district_and_round(any_db: Database) -> None:
    await fill(any_db)
    async with any_db.reader() as s:
        women = await priority_report(s, "needs_survey", filters=PriorityFilters(gender="female"))
        thala_only = await priority_report(
            s, "needs_survey", filters=PriorityFilters(district="thala")
        )
        other_round = await priority_report(
            s, "needs_survey", filters=PriorityFilters(round="2027")
        )
        internal = await priority_report(
            s, "needs_survey", filters=PriorityFilters(district="sbeitla"), min_cell=0
        )
    # Four women, all in Thala: fewer than five, so nothing is shown.
    assert women.overall.suppressed and women.group("thala").suppressed  # type: ignore[union-attr]
    assert thala_only.overall.district_code == "thala" and thala_only.overall.respondents == 6
    assert [g.district_code for g in thala_only.districts] == ["thala"]
    assert other_round.overall.respondents == 0 and other_round.overall.suppressed
    # Internal views (never shared) may ask for every cell.
    assert internal.overall.respondents == 3
    assert internal.overall.top(1)[0].code == "jobs_livelihoods"
    assert internal.overall.top(1)[0].index == 100.0


async def test_an_unknown_form_or_question_is_an_error(any_db: Database) -> None:
    await fill(any_db)
    async with any_db.reader() as s:
        with pytest.raises(PriorityQueryError):
            await priority_report(s, "no_such_form")
        with pytest.raises(PriorityQueryError):
            await priority_report(s, "needs_survey", question="district")
