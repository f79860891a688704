"""The demo's associations: three whose coordinators book consultations, seven more across
the districts, and their capacity self-assessments (part of ``musharaka demo-data``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from storage import associations, people
from storage.associations import QUESTIONS, score
from storage.db import Database

# name, district, field, members; then (telegram id, name, phone), the coordinator first
# (the coordinators are the demo members who booked consultations).
DEMO_ASSOCIATIONS = [
    (
        "جمعية الأمل للتنمية والمرأة الريفية",
        "kasserine_north",
        "women",
        42,
        [(8501, "سلوى الهمامي", "+21698410233"), (8702, "فاطمة الجلاصي", "+21655120987")],
    ),
    (
        "جمعية شباب سبيطلة للمواطنة",
        "sbeitla",
        "youth",
        28,
        [(8502, "منير العيادي", "+21622318450"), (8704, "أسماء الرياحي", "+21697500144")],
    ),
    (
        "جمعية تالة للتراث والبيئة",
        "thala",
        "environment",
        17,
        [(8503, "هالة الزغلامي", "+21654981276")],
    ),
]


async def seed_associations(db: Database, now: datetime) -> None:
    """A few associations with their coordinator and members, and one capacity
    self-assessment (idempotent: an association already registered is left alone)."""
    async with db.transaction() as s:
        for name, district, field, size, team in DEMO_ASSOCIATIONS:
            for telegram_id, person, _phone in team:
                await people.ensure_user(s, telegram_id, first_name=person.split()[0])
                await people.record_consent(s, telegram_id)
            (coordinator_id, coordinator, coordinator_phone), *members = team
            if await associations.membership_of(s, coordinator_id) is not None:
                continue
            association = await associations.register_association(
                s,
                telegram_id=coordinator_id,
                name=name,
                district_code=district,
                field_code=field,
                members_count=size,
                full_name=coordinator,
                phone=coordinator_phone,
            )
            for telegram_id, person, phone in members:
                await associations.join_association(
                    s,
                    telegram_id=telegram_id,
                    association_id=association.id,
                    full_name=person,
                    phone=phone,
                )
            if field == "women":
                answers = {"sp1": 1, "sp2": 0, "gv1": 2, "gv2": 2, "fm1": 2, "fm2": 1}
                answers |= {"pm1": 1, "pm2": 1, "me1": 0, "me2": 0, "hr1": 1, "hr2": 1}
                answers |= {"fr1": 0, "fr2": 1, "ad1": 1, "ad2": 2, "ar1": 1, "ar2": 0}
                await associations.save_assessment(
                    s,
                    association_id=association.id,
                    telegram_id=coordinator_id,
                    answers=answers,
                    scores=score(answers),
                    now=now,
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
    answers: dict[str, int] = {}
    for domain, (first, second) in points.items():
        codes = [q.code for q in QUESTIONS if q.domain == domain]
        answers[codes[0]], answers[codes[1]] = first, second
    return answers


async def seed_more_associations(db: Database) -> None:
    """Seven more associations across the districts, most with a capacity
    self-assessment, and assessments for the earlier demo associations (idempotent)."""
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
