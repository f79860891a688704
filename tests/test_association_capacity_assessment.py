"""Salwa's association assesses its own capacity: eighteen questions in nine areas, scored
per area; the result points to the weakest areas, the matching trainings in the catalogue
and the consultation topics to ask the support centre about."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.engine.engine import Engine
from core.clock import FixedClock
from storage import associations
from storage.associations import QUESTIONS, score, weakest
from storage.db import Database
from tests.conftest import EngineFactory
from tests.support.chat import Chat
from tests.support.given import given_course_catalogue, given_places
from tests.support.training_data import town

SALWA, RESIDENT = 3001, 3010
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
# Strong in governance and finance, weak in M&E, fundraising and archiving.
ANSWERS = {
    "sp1": "نعم", "sp2": "جزئيًا", "gv1": "نعم", "gv2": "نعم", "fm1": "نعم", "fm2": "نعم",
    "pm1": "نعم", "pm2": "جزئيًا", "me1": "ليس بعد", "me2": "ليس بعد", "hr1": "جزئيًا",
    "hr2": "نعم", "fr1": "ليس بعد", "fr2": "جزئيًا", "ad1": "نعم", "ad2": "نعم",
    "ar1": "جزئيًا", "ar2": "ليس بعد",
}  # fmt: skip


@pytest.fixture
async def engine(sqlite_db: Database, make_engine: EngineFactory) -> Engine:
    await given_places(sqlite_db)
    await given_course_catalogue(sqlite_db, NOW)
    async with sqlite_db.transaction() as s:
        from storage import people

        await people.ensure_user(s, SALWA)
        await associations.register_association(
            s,
            telegram_id=SALWA,
            name="جمعية الأمل للتنمية",
            district_code="kasserine_north",
            field_code="women",
            members_count=42,
            full_name="سلوى الهمامي",
            phone="+21698410233",
        )
    return make_engine(sqlite_db, clock=FixedClock(NOW + timedelta(hours=1)))


async def test_the_coordinator_assesses_her_association_and_gets_recommendations(
    engine: Engine, sqlite_db: Database
) -> None:
    (salwa,) = town(engine, SALWA)
    await salwa.onboard("ar")
    await salwa.send("/association")
    await salwa.press("التقييم الذاتي للقدرات")
    assert salwa.said("١٨ سؤالًا قصيرًا في تسعة مجالات")
    await salwa.press("ابدأ")
    assert salwa.said("المجال ١ من ٩: التخطيط الاستراتيجي")
    assert salwa.said("السؤال ١ من ١٨")

    for n, question in enumerate(QUESTIONS):
        if n == 5:  # a sticker in the middle: the question comes again, nothing is lost
            await salwa.send_sticker()
            assert salwa.said("يُرجى الإجابة باستعمال الأزرار.")
            assert salwa.said("السؤال ٦ من ١٨")
        if n == 8:  # she goes back one question and answers it again
            await salwa.press("« السؤال السابق")
            assert salwa.said("السؤال ٨ من ١٨")
            await salwa.press(ANSWERS[QUESTIONS[7].code])
        await salwa.press(ANSWERS[question.code])

    assert salwa.said("التقييم الذاتي لقدرات «جمعية الأمل للتنمية»")
    assert salwa.said("▰▰▰▰▰ ١٠٠٪ — الحوكمة")
    assert salwa.said("▱▱▱▱▱ ٠٪ — المتابعة والتقييم")
    assert salwa.said(
        "من أين تبدأون: المتابعة والتقييم، تعبئة الموارد وكتابة المقترحات، "
        "الأرشفة الإلكترونية والتوثيق."
    )
    # the matching trainings, weakest area first
    assert salwa.buttons()[:3] == [
        "📚 المتابعة والتقييم",
        "📚 كتابة المقترحات وتعبئة الموارد",
        "📚 الأرشفة الإلكترونية والتوثيق",
    ]
    await salwa.press("📚 المتابعة والتقييم")
    assert salwa.said("بناء مؤشرات قابلة للقياس")
    assert salwa.said("اختر موعدًا:")

    async with sqlite_db.reader() as s:
        membership = await associations.membership_of(s, SALWA)
        assert membership is not None
        latest = await associations.latest_assessment(s, membership.association_id)
    assert latest is not None
    assessment, rows = latest
    by_domain = {row.domain: (row.score, row.max_score) for row in rows}
    assert by_domain["governance"] == (4, 4)
    assert by_domain["me"] == (0, 4)
    assert by_domain["strategic_planning"] == (3, 4)
    assert assessment.answered_by == SALWA and len(assessment.answers) == 18


async def test_someone_without_an_association_is_pointed_to_register_first(
    engine: Engine,
) -> None:
    resident = Chat(engine, user_id=RESIDENT)
    await resident.onboard("ar")
    await resident.send("/assessment")
    assert resident.said("التقييم الذاتي للقدرات موجّه إلى الجمعيات")


def test_scores_and_the_weakest_areas() -> None:
    answers = {q.code: 2 for q in QUESTIONS} | {"me1": 0, "me2": 1, "hr1": 1, "hr2": 1}
    scores = {s.domain: s.percent for s in score(answers)}
    assert scores["me"] == 25 and scores["hr"] == 50 and scores["governance"] == 100
    assert weakest(score(answers)) == ["me", "hr"]
    assert weakest(score({q.code: 2 for q in QUESTIONS})) == []
