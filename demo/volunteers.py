"""The demo's volunteers: the managed skills list, four volunteers the README's stories
meet, and about a hundred more (part of ``musharaka demo-data``), so that the admin's
volunteers directory looks like a programme's after a few months: people in the eight
districts, with the skills, days and languages such volunteers give. Drawn from a fixed
random seed: every demo database holds the same people.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from storage import people, volunteers
from storage.db import Database

# The managed skills list (staff can add rows; the bot shows the active ones).
SKILLS = [
    (
        "teaching",
        "التدريس والدعم المدرسي",
        "Teaching and tutoring",
        "Enseignement et soutien scolaire",
    ),
    ("health", "الإسعافات الأولية والصحة", "First aid and health", "Premiers secours et santé"),
    ("computers", "الإعلامية والحاسوب", "Computers", "Informatique"),
    (
        "communication",
        "التواصل والإعلام الاجتماعي",
        "Communication and social media",
        "Communication",
    ),
    ("events", "تنظيم التظاهرات", "Organising events", "Organisation d'événements"),
    ("accounting", "المحاسبة", "Accounting", "Comptabilité"),
    ("translation", "الترجمة", "Translation", "Traduction"),
    ("building", "البناء والصيانة", "Building and repairs", "Bâtiment et réparations"),
    ("farming", "الفلاحة والبيئة", "Farming and environment", "Agriculture et environnement"),
    ("driving", "السياقة والنقل", "Driving and transport", "Conduite et transport"),
    ("photography", "التصوير والتوثيق", "Photography", "Photographie"),
    ("children", "تنشيط الأطفال", "Activities with children", "Animation pour enfants"),
]
# telegram id, name, phone, district, skills, days, times, languages
DEMO_VOLUNTEERS = [
    (
        8601,
        "مريم الخضراوي",
        "+21698301122",
        "kasserine_north",
        ["teaching", "children"],
        ["sat", "sun"],
        ["morning"],
        ["ar", "fr"],
    ),
    (
        8602,
        "أيمن السالمي",
        "+21622450871",
        "sbeitla",
        ["computers", "communication"],
        ["mon", "wed", "fri"],
        ["evening"],
        ["ar", "fr", "en"],
    ),
    (
        8603,
        "نورة العبيدي",
        "+21655730419",
        "thala",
        ["health", "events"],
        ["tue", "thu"],
        ["afternoon"],
        ["ar"],
    ),
    (
        8604,
        "وليد الجبالي",
        "+21697118264",
        "feriana",
        ["building", "driving", "farming"],
        ["sat"],
        ["morning", "afternoon"],
        ["ar", "ber"],
    ),
]


async def seed_skills(db: Database) -> None:
    async with db.transaction() as s:
        for order, (code, ar, en, fr) in enumerate(SKILLS):
            await volunteers.upsert_skill(s, code, ar, en, fr, sort_order=order)


async def seed_volunteers(db: Database, now: datetime) -> None:
    """The skills list and a few volunteers in different districts (idempotent)."""
    await seed_skills(db)
    async with db.transaction() as s:
        for telegram_id, name, phone, district, skills, days, times, langs in DEMO_VOLUNTEERS:
            await people.ensure_user(s, telegram_id, first_name=name.split()[0], language="ar")
            await people.record_consent(s, telegram_id)
            if await volunteers.get_volunteer(s, telegram_id) is None:
                await volunteers.save_volunteer(
                    s,
                    telegram_id=telegram_id,
                    full_name=name,
                    phone=phone,
                    district_code=district,
                    skills=skills,
                    other_skills="",
                    days=days,
                    times=times,
                    languages=langs,
                    now=now,
                )


FIRST_VOLUNTEER_ID = 860_001
VOLUNTEERS_PER_DISTRICT = {
    "kasserine_north": 22,
    "kasserine_south": 14,
    "sbeitla": 18,
    "thala": 12,
    "feriana": 10,
    "foussana": 8,
    "sbiba": 7,
    "el_ayoun": 5,
}
FIRST_NAMES = [
    "أحمد",
    "محمد",
    "يوسف",
    "حمزة",
    "أمين",
    "بلال",
    "سفيان",
    "خليل",
    "مروان",
    "رامي",
    "عماد",
    "هيثم",
    "نزار",
    "طارق",
    "وائل",
    "أنيس",
    "فراس",
    "زياد",
    "صابر",
    "لطفي",
    "مريم",
    "آمنة",
    "سارة",
    "إيناس",
    "رحمة",
    "خولة",
    "ملاك",
    "شيماء",
    "سندس",
    "ريم",
    "هيفاء",
    "ابتسام",
    "نسرين",
    "سماح",
    "وفاء",
    "أميرة",
    "ضحى",
    "يسرى",
    "منال",
    "إيمان",
]
FAMILY_NAMES = [
    "الحامدي",
    "العمري",
    "الرزقي",
    "البوعزيزي",
    "السعيدي",
    "الغربي",
    "الماجري",
    "الخليفي",
    "الجبالي",
    "العياري",
    "الزعبي",
    "الفرجاني",
    "الهمامي",
    "النصري",
    "الكحيلي",
    "المحمدي",
    "الرحالي",
    "الشارني",
    "البرهومي",
    "الدريدي",
    "العباسي",
    "القاسمي",
    "الطرابلسي",
    "المنصوري",
]
# skill code: how often volunteers offer it
SKILL_WEIGHTS = {
    "teaching": 10,
    "children": 8,
    "events": 8,
    "communication": 7,
    "computers": 7,
    "health": 5,
    "farming": 5,
    "building": 4,
    "photography": 4,
    "driving": 3,
    "accounting": 3,
    "translation": 2,
}
OTHER_SKILLS = ["", "", "", "", "الخياطة والطرز", "الموسيقى والمسرح", "الرسم", "الطبخ", "الرياضة"]
REGISTERED_FROM = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def _pick(rng: random.Random, weights: dict[str, int], count: int) -> list[str]:
    chosen: list[str] = []
    while len(chosen) < count:
        code = rng.choices(list(weights), weights=list(weights.values()))[0]
        if code not in chosen:
            chosen.append(code)
    return chosen


@dataclass(frozen=True)
class DemoVolunteer:
    telegram_id: int
    full_name: str
    phone: str
    district_code: str
    skills: list[str]
    other_skills: str
    days: list[str]
    times: list[str]
    languages: list[str]
    registered: datetime


def demo_volunteers() -> list[DemoVolunteer]:
    rng = random.Random(2026)
    found: list[DemoVolunteer] = []
    telegram_id = FIRST_VOLUNTEER_ID
    for district, count in VOLUNTEERS_PER_DISTRICT.items():
        for _ in range(count):
            days = sorted(
                rng.sample(volunteers.DAYS, rng.choice([1, 2, 2, 3])),
                key=volunteers.DAYS.index,
            )
            if rng.random() < 0.5 and "sat" not in days:
                days.append("sat")  # weekends are when most people can help
            languages = ["ar"]
            if rng.random() < 0.55:
                languages.append("fr")
            if rng.random() < 0.2:
                languages.append("en")
            if district in ("thala", "sbiba", "foussana") and rng.random() < 0.15:
                languages.append("ber")
            found.append(
                DemoVolunteer(
                    telegram_id=telegram_id,
                    full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(FAMILY_NAMES)}",
                    phone="+216" + rng.choice("259") + "".join(rng.choices("0123456789", k=7)),
                    district_code=district,
                    skills=_pick(rng, SKILL_WEIGHTS, rng.choice([1, 2, 2, 3])),
                    other_skills=rng.choice(OTHER_SKILLS),
                    days=days,
                    times=sorted(
                        rng.sample(volunteers.TIMES, rng.choice([1, 1, 2])),
                        key=volunteers.TIMES.index,
                    ),
                    languages=languages,
                    registered=REGISTERED_FROM + timedelta(days=rng.randrange(150)),
                )
            )
            telegram_id += 1
    return found


async def seed_more_volunteers(db: Database) -> None:
    """About a hundred volunteers across the districts (idempotent)."""
    async with db.transaction() as s:
        for person in demo_volunteers():
            if await volunteers.get_volunteer(s, person.telegram_id) is not None:
                continue
            first_name = person.full_name.split()[0]
            await people.ensure_user(s, person.telegram_id, first_name=first_name, language="ar")
            await people.record_consent(s, person.telegram_id)
            await volunteers.save_volunteer(
                s,
                telegram_id=person.telegram_id,
                full_name=person.full_name,
                phone=person.phone,
                district_code=person.district_code,
                skills=person.skills,
                other_skills=person.other_skills,
                days=person.days,
                times=person.times,
                languages=person.languages,
                now=person.registered,
            )
