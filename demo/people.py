"""More demo volunteers (part of ``musharaka demo-data``), so that the admin's volunteers
directory looks like a programme's after a few months: about a hundred people in the
eight districts, with the skills, days and languages such volunteers give. Drawn from a
fixed random seed: every demo database holds the same people.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from storage import people, volunteers
from storage.db import Database

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


# name, district, field, declared members, coordinator (name, phone), other members,
# self-assessment answers per domain (points of its two questions, 0 to 2 each).
MORE_ASSOCIATIONS = [
    (
        "جمعية النور لرعاية الأشخاص ذوي الإعاقة",
        "kasserine_south",
        "disability",
        35,
        ("نجاة الساسي", "+21698223140"),
        [("كمال العمري", "+21655321907")],
        {
            "strategic_planning": (1, 1),
            "governance": (2, 1),
            "financial_management": (1, 0),
            "project_management": (1, 1),
            "me": (0, 0),
            "hr": (2, 2),
            "fundraising": (0, 1),
            "advocacy": (2, 1),
            "archiving": (0, 0),
        },
    ),
    (
        "جمعية فريانة للتنمية الفلاحية",
        "feriana",
        "rural_development",
        60,
        ("عبد الستار الزعبي", "+21697410562"),
        [("رضا الفرجاني", "+21622874310"), ("سعاد المحمدي", "+21650932118")],
        {
            "strategic_planning": (0, 0),
            "governance": (1, 1),
            "financial_management": (1, 1),
            "project_management": (2, 1),
            "me": (0, 1),
            "hr": (1, 0),
            "fundraising": (1, 0),
            "advocacy": (0, 0),
            "archiving": (1, 0),
        },
    ),
    (
        "جمعية أطفال سبيبة",
        "sbiba",
        "children",
        15,
        ("لمياء الخليفي", "+21655019473"),
        [],
        {
            "strategic_planning": (1, 0),
            "governance": (1, 1),
            "financial_management": (2, 1),
            "project_management": (1, 0),
            "me": (1, 0),
            "hr": (1, 1),
            "fundraising": (0, 0),
            "advocacy": (1, 0),
            "archiving": (2, 1),
        },
    ),
    (
        "جمعية الماء والحياة بفوسانة",
        "foussana",
        "environment",
        22,
        ("حسين الرحالي", "+21698765031"),
        [("منى الشارني", "+21626109845")],
        {
            "strategic_planning": (1, 1),
            "governance": (2, 2),
            "financial_management": (2, 2),
            "project_management": (2, 1),
            "me": (1, 1),
            "hr": (1, 1),
            "fundraising": (2, 1),
            "advocacy": (2, 2),
            "archiving": (1, 1),
        },
    ),
    (
        "جمعية العيون للثقافة والفنون",
        "el_ayoun",
        "culture",
        12,
        ("توفيق البرهومي", "+21651247789"),
        [],
        None,
    ),
    (
        "جمعية المواطنة الفاعلة بالقصرين",
        "kasserine_north",
        "rights",
        48,
        ("درصاف الدريدي", "+21699130452"),
        [("أنور العباسي", "+21620448163"), ("هند القاسمي", "+21655907321")],
        {
            "strategic_planning": (2, 2),
            "governance": (2, 2),
            "financial_management": (2, 1),
            "project_management": (2, 2),
            "me": (1, 1),
            "hr": (2, 1),
            "fundraising": (2, 2),
            "advocacy": (2, 2),
            "archiving": (1, 1),
        },
    ),
    (
        "جمعية التربية والتكوين بتالة",
        "thala",
        "education",
        26,
        ("بسمة المنصوري", "+21697384016"),
        [("فيصل الطرابلسي", "+21658216730")],
        {
            "strategic_planning": (0, 1),
            "governance": (1, 0),
            "financial_management": (0, 0),
            "project_management": (1, 1),
            "me": (0, 0),
            "hr": (1, 1),
            "fundraising": (1, 1),
            "advocacy": (0, 1),
            "archiving": (0, 1),
        },
    ),
]
FIRST_COORDINATOR_ID = 861_001
# The demo associations of ``demo.seed`` without an assessment get one too.
EARLIER_ASSESSMENTS = {
    "جمعية شباب سبيطلة للمواطنة": {
        "strategic_planning": (1, 1),
        "governance": (2, 1),
        "financial_management": (0, 1),
        "project_management": (1, 1),
        "me": (1, 0),
        "hr": (2, 2),
        "fundraising": (0, 0),
        "advocacy": (2, 2),
        "archiving": (1, 0),
    },
    "جمعية تالة للتراث والبيئة": {
        "strategic_planning": (0, 0),
        "governance": (1, 1),
        "financial_management": (1, 1),
        "project_management": (1, 0),
        "me": (0, 0),
        "hr": (1, 0),
        "fundraising": (1, 0),
        "advocacy": (1, 1),
        "archiving": (2, 2),
    },
}


def _answers(points: dict[str, tuple[int, int]]) -> dict[str, int]:
    from bot.conversations.capacity_assessment import QUESTIONS

    answers: dict[str, int] = {}
    for domain, (first, second) in points.items():
        codes = [q.code for q in QUESTIONS if q.domain == domain]
        answers[codes[0]], answers[codes[1]] = first, second
    return answers


async def seed_more_associations(db: Database) -> None:
    """Seven more associations across the districts, most with a capacity
    self-assessment, and assessments for the earlier demo associations (idempotent)."""
    from sqlalchemy import select

    from bot.conversations.capacity_assessment import score
    from storage import associations

    assessed_on = datetime(2026, 10, 20, 9, 0, tzinfo=UTC)
    async with db.transaction() as s:
        telegram_id = FIRST_COORDINATOR_ID
        for number, (name, district, field, size, head, others, points) in enumerate(
            MORE_ASSOCIATIONS
        ):
            team = [(telegram_id, *head)] + [
                (telegram_id + 1 + n, *other) for n, other in enumerate(others)
            ]
            telegram_id += 10
            for member_id, person, _phone in team:
                await people.ensure_user(s, member_id, first_name=person.split()[0])
                await people.record_consent(s, member_id)
            if await associations.membership_of(s, team[0][0]) is not None:
                continue
            association = await associations.register_association(
                s,
                telegram_id=team[0][0],
                name=name,
                district_code=district,
                field_code=field,
                members_count=size,
                full_name=head[0],
                phone=head[1],
            )
            for member_id, person, phone in team[1:]:
                await associations.join_association(
                    s,
                    telegram_id=member_id,
                    association_id=association.id,
                    full_name=person,
                    phone=phone,
                )
            if points is not None:
                answers = _answers(points)
                await associations.save_assessment(
                    s,
                    association_id=association.id,
                    telegram_id=team[0][0],
                    answers=answers,
                    scores=score(answers),
                    now=assessed_on + timedelta(days=3 * number),
                )
        for name, points in EARLIER_ASSESSMENTS.items():
            earlier = await s.scalar(
                select(associations.Association).where(associations.Association.name == name)
            )
            if earlier is None or await associations.latest_assessment(s, earlier.id):
                continue
            coordinator = await associations.coordinator_of(s, earlier.id)
            if coordinator is None:
                continue
            answers = _answers(points)
            await associations.save_assessment(
                s,
                association_id=earlier.id,
                telegram_id=coordinator.telegram_id,
                answers=answers,
                scores=score(answers),
                now=assessed_on - timedelta(days=10),
            )
