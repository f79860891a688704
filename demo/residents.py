"""Demo residents and their needs-survey answers (part of ``musharaka demo-data``).

Four hundred residents of the governorate's eight districts answered the shipped needs
survey in the autumn of 2026. Their answers are drawn from a fixed random seed, so
every demo database holds the same figures, and each district leans towards the needs
such districts really report (water in the rural south-west, roads in the mountains,
jobs everywhere).
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from formengine.store import ensure_shipped_form
from storage import people, surveys
from storage.db import Database

FIRST_RESIDENT_ID = 700_001
RESIDENTS_PER_DISTRICT = {
    "kasserine_north": 80,
    "kasserine_south": 60,
    "sbeitla": 70,
    "thala": 45,
    "feriana": 50,
    "foussana": 35,
    "sbiba": 35,
    "el_ayoun": 25,
}
RESIDENT_COUNT = sum(RESIDENTS_PER_DISTRICT.values())
SURVEY_OPENED = datetime(2026, 9, 1, 7, 0, tzinfo=UTC)
SURVEY_DAYS = 60

# How often each sector comes to mind, everywhere...
BASE_WEIGHTS = {
    "health": 9,
    "education": 7,
    "water_sanitation": 7,
    "electricity": 2,
    "roads_transport": 6,
    "jobs_livelihoods": 12,
    "housing": 3,
    "environment": 4,
    "youth_sports": 4,
    "women_empowerment": 3,
    "social_care": 3,
    "safety": 2,
}
# ... and what each district adds to it.
DISTRICT_LEANINGS = {
    "kasserine_north": {"environment": 5, "youth_sports": 3},
    "kasserine_south": {"housing": 5, "safety": 3},
    "sbeitla": {"jobs_livelihoods": 4, "education": 3},
    "thala": {"roads_transport": 8, "health": 3},
    "feriana": {"health": 7, "water_sanitation": 3},
    "foussana": {"water_sanitation": 10, "roads_transport": 3},
    "sbiba": {"roads_transport": 6, "education": 4},
    "el_ayoun": {"water_sanitation": 9, "electricity": 5},
}
AGE_GROUPS = [("15_24", 24), ("25_34", 30), ("35_49", 26), ("50_64", 14), ("65_plus", 6)]
GENDERS = [("female", 52), ("male", 45), ("prefer_not", 3)]
LANGUAGES = [("ar", 90), ("fr", 7), ("en", 3)]

WOMEN = [
    "فاطمة", "مريم", "خديجة", "آمنة", "نور", "سلمى", "هالة", "رحمة", "إيمان", "سناء",
    "منية", "ليلى", "سعاد", "وفاء", "نجلاء", "هاجر", "أسماء", "رانية", "سهام", "زينب",
]  # fmt: skip
MEN = [
    "محمد", "أحمد", "علي", "يوسف", "حمزة", "بلال", "سامي", "نبيل", "كمال", "منير",
    "هشام", "أيمن", "طارق", "عادل", "وليد", "رضا", "فتحي", "جمال", "خالد", "أنيس",
]  # fmt: skip
NEEDS = [
    "مستوصف قريب مفتوح كامل الأسبوع",
    "طبيب مختص يزور المنطقة مرة في الشهر على الأقل",
    "ربط الدوّار بشبكة الماء الصالح للشرب",
    "إصلاح الطريق الرابطة بين الدوّار ومركز المعتمدية",
    "نقل مدرسي منتظم للتلاميذ",
    "فضاء للشباب فيه أنشطة ثقافية ورياضية",
    "تكوين مهني للشباب العاطلين عن العمل",
    "دعم المشاريع الصغيرة للنساء الريفيات",
    "إنارة عمومية في الأحياء",
    "جمع الفضلات بانتظام",
    "قاعة مطالعة ومكتبة عمومية",
    "تهيئة قنوات التطهير في الحي",
    "روضة أطفال عمومية",
    "مساعدة العائلات المعوزة وكبار السن",
    "ملعب حي مهيأ",
    "نقطة أمن قريبة من السوق",
]


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


def rank_three(rng: random.Random, district: str) -> list[str]:
    """Three different sectors, in the order a resident of this district might rank them."""
    weights = dict(BASE_WEIGHTS)
    for sector, extra in DISTRICT_LEANINGS.get(district, {}).items():
        weights[sector] += extra
    ranking: list[str] = []
    while len(ranking) < 3:
        choice = _pick(rng, [(s, w) for s, w in weights.items() if s not in ranking])
        ranking.append(choice)
    return ranking


async def demo_residents_present(db: Database) -> bool:
    async with db.reader() as s:
        count = await s.scalar(
            select(func.count(people.User.id)).where(
                people.User.telegram_id >= FIRST_RESIDENT_ID,
                people.User.telegram_id < FIRST_RESIDENT_ID + RESIDENT_COUNT,
            )
        )
    return bool(count)


async def seed_residents_and_needs_survey(db: Database) -> None:
    """400 residents who answered the needs survey (idempotent: once per database)."""
    if await demo_residents_present(db):
        return
    live = await ensure_shipped_form(db, "needs_survey")
    if live is None:
        return
    rng = random.Random(2026)
    resident = FIRST_RESIDENT_ID
    async with db.transaction() as s:
        for district, count in RESIDENTS_PER_DISTRICT.items():
            for _ in range(count):
                gender = _pick(rng, GENDERS)
                names = WOMEN if gender == "female" else MEN
                language = _pick(rng, LANGUAGES)
                answered = SURVEY_OPENED + timedelta(minutes=rng.randrange(SURVEY_DAYS * 24 * 60))
                user = await people.ensure_user(
                    s, resident, first_name=rng.choice(names), language=language
                )
                user.district_code = district
                user.gender = gender if gender != "prefer_not" else ""
                user.consent_at = answered - timedelta(minutes=6)
                user.created_at = user.consent_at
                user.last_seen_at = answered
                user.announcements_enabled = rng.random() > 0.05
                age_group = _pick(rng, AGE_GROUPS)
                volunteers = rng.random() < 0.18
                answers = [
                    ("district", "select_one", district),
                    ("age_group", "select_one", age_group),
                    ("gender", "select_one", gender),
                    ("top_sectors", "rank", " ".join(rank_three(rng, district))),
                    ("volunteer", "select_one", "yes" if volunteers else "no"),
                ]
                if rng.random() < 0.6:
                    answers.append(("specific_needs", "text", rng.choice(NEEDS)))
                await surveys.submit(
                    s,
                    surveys.NewSubmission(
                        uuid=str(uuid.UUID(int=rng.getrandbits(128))),
                        form_pk=live.stored.pk,
                        version_pk=live.stored.version_pk,
                        round=live.round,
                        respondent_id=resident,
                        one_per_resident=live.form.one_per_resident,
                        answers=answers,
                        district_code=district,
                        gender=gender,
                        age_group=age_group,
                        campaign="demo",
                        language=language,
                        started_at=answered - timedelta(minutes=5),
                        submitted_at=answered,
                    ),
                )
                resident += 1
