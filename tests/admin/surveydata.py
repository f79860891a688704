"""Residents' needs-survey answers written straight into storage, for admin pages."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from formengine.store import LiveForm, ensure_shipped_form
from storage import surveys
from storage.db import Database

SUBMITTED = datetime(2026, 2, 10, 9, 0, tzinfo=UTC)


async def shipped_needs_survey(db: Database) -> LiveForm:
    live = await ensure_shipped_form(db, "needs_survey")
    assert live is not None
    return live


async def answer_needs_survey(
    db: Database,
    live: LiveForm,
    resident: int,
    *,
    district: str,
    ranking: list[str],
    gender: str = "female",
    age_group: str = "25_34",
    needs: str = "",
    round_label: str | None = None,
    submitted_at: datetime = SUBMITTED,
) -> int:
    answers = [
        ("district", "select_one", district),
        ("age_group", "select_one", age_group),
        ("gender", "select_one", gender),
        ("top_sectors", "rank", " ".join(ranking)),
        ("volunteer", "select_one", "no"),
    ]
    if needs:
        answers.append(("specific_needs", "text", needs))
    async with db.transaction() as s:
        outcome, submission_id = await surveys.submit(
            s,
            surveys.NewSubmission(
                uuid=str(uuid.uuid4()),
                form_pk=live.stored.pk,
                version_pk=live.stored.version_pk,
                round=round_label if round_label is not None else live.round,
                respondent_id=resident,
                one_per_resident=True,
                answers=answers,
                district_code=district,
                gender=gender,
                age_group=age_group,
                language="ar",
                submitted_at=submitted_at,
            ),
        )
    assert outcome == surveys.SubmitOutcome.STORED and submission_id is not None
    return submission_id


# Six residents of Thala and three of Sbeitla (a group too small to show on its own).
THALA = [
    ["health", "water_sanitation", "jobs_livelihoods"],
    ["health", "jobs_livelihoods", "education"],
    ["water_sanitation", "health", "roads_transport"],
    ["health", "water_sanitation", "jobs_livelihoods"],
    ["jobs_livelihoods", "health", "water_sanitation"],
    ["health", "education", "water_sanitation"],
]
SBEITLA = [["health", "jobs_livelihoods", "education"]] * 3


async def nine_residents_answer(db: Database) -> LiveForm:
    live = await shipped_needs_survey(db)
    resident = 5000
    for number, ranking in enumerate(THALA):
        resident += 1
        gender = "male" if number < 2 else "female"
        await answer_needs_survey(db, live, resident, district="thala", ranking=ranking,
                                  gender=gender)  # fmt: skip
    for ranking in SBEITLA:
        resident += 1
        await answer_needs_survey(db, live, resident, district="sbeitla", ranking=ranking)
    return live
