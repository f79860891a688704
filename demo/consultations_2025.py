"""The demo programme's year 2025, as its monitoring report counts it (``musharaka demo-data``).

For the report period **1 January – 31 December 2025** the demo database holds exactly:

* technical-support sessions that took place: 383 — 196 at the Kasserine branch and
  187 at the Sbeitla branch;
* consultations that took place: 125 — 70 in Kasserine, 55 in Sbeitla;
* sessions booked but missed (14) or cancelled (11), which the report lists apart.

(The trainings of that year are seeded with the trainings demo.) Sessions sit in the
demo consultants' weekly hours, never two at once, with requesters drawn from the
associations' members; a fixed random seed keeps every demo database identical.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.config import get_settings
from demo.staff import DEMO_CONSULTANT_TELEGRAM_ID, DEMO_FINANCE_CONSULTANT_TELEGRAM_ID
from storage import consultations, people
from storage.consultations import Booking, Consultant
from storage.db import Database

YEAR_START = date(2025, 1, 1)
YEAR_END = date(2025, 12, 31)
REQUEST_KEY_PREFIX = "demo-2025:"
FIRST_MEMBER_ID = 720_001

# (branch, kind, status) -> how many sessions of 2025.
SESSIONS_2025 = {
    ("kasserine", "technical_support", "done"): 196,
    ("sbeitla", "technical_support", "done"): 187,
    ("kasserine", "consultation", "done"): 70,
    ("sbeitla", "consultation", "done"): 55,
    ("kasserine", "technical_support", "missed"): 5,
    ("sbeitla", "technical_support", "missed"): 4,
    ("kasserine", "consultation", "missed"): 3,
    ("sbeitla", "consultation", "missed"): 2,
    ("kasserine", "consultation", "cancelled"): 6,
    ("sbeitla", "technical_support", "cancelled"): 5,
}

MEMBERS = [
    ("سلوى الهمامي", "kasserine_north"), ("منير العيادي", "sbeitla"),
    ("هالة الزغلامي", "thala"), ("نادية الخضراوي", "kasserine_south"),
    ("رياض البوزيدي", "feriana"), ("عائشة السعيدي", "foussana"),
    ("كريمة العمري", "sbiba"), ("لطفي الرحماني", "el_ayoun"),
    ("سامية الجلاصي", "kasserine_north"), ("مراد الحاجي", "sbeitla"),
    ("وداد الطرابلسي", "thala"), ("بشير النصري", "kasserine_south"),
    ("فاتن الغرسلي", "feriana"), ("حسان الدريدي", "foussana"),
    ("ربيعة المحمدي", "sbiba"), ("عماد الشايب", "el_ayoun"),
    ("نوال القاسمي", "kasserine_north"), ("شكري المنصوري", "sbeitla"),
    ("ألفة البكري", "thala"), ("زياد العبيدي", "kasserine_south"),
    ("سنية الفرجاني", "feriana"), ("الهادي الزريبي", "foussana"),
    ("ضحى الماجري", "sbiba"), ("توفيق الخليفي", "el_ayoun"),
]  # fmt: skip

NEEDS = [
    "إعداد الخطة الاستراتيجية للجمعية",
    "مرافقة في كتابة مقترح مشروع لجهة مانحة",
    "تنظيم المحاسبة وإعداد القوائم المالية",
    "إعداد نظام للمتابعة والتقييم",
    "تنظيم الأرشيف الإداري والمالي",
    "مراجعة النظام الداخلي وتجديد الهيئة المديرة",
    "إعداد حملة مناصرة محلية",
    "إدارة المتطوعين والموارد البشرية",
]
NOTES = [
    "تمت مراجعة الوثائق وتحديد الخطوات القادمة",
    "أُعدّت مسودة أولى وتُستكمل في الجلسة القادمة",
    "قُدّمت نماذج جاهزة للجمعية وشُرح استعمالها",
]


@dataclass(frozen=True)
class Opening:
    consultant: Consultant
    branch: str
    starts_at: datetime


def weekly_openings(
    consultant: Consultant, hours: list[tuple[str, int, int, int]], tz: ZoneInfo
) -> list[Opening]:
    """Every session start of 2025 in a consultant's weekly hours (branch, weekday, from, to)."""
    step = timedelta(minutes=consultant.session_minutes + consultant.buffer_minutes)
    length = timedelta(minutes=consultant.session_minutes)
    openings = []
    day = YEAR_START
    while day <= YEAR_END:
        for branch, weekday, start_minute, end_minute in hours:
            if day.weekday() != weekday:
                continue
            start = datetime.combine(day, time(), tzinfo=tz) + timedelta(minutes=start_minute)
            end = datetime.combine(day, time(), tzinfo=tz) + timedelta(minutes=end_minute)
            while start + length <= end:
                openings.append(Opening(consultant, branch, start.astimezone(ZoneInfo("UTC"))))
                start += step
        day += timedelta(days=1)
    return openings


async def _timetable(s: AsyncSession, consultant: Consultant) -> list[tuple[str, int, int, int]]:
    rows = await s.scalars(
        select(consultations.WeeklyAvailability).where(
            consultations.WeeklyAvailability.consultant_id == consultant.id
        )
    )
    return [(w.branch_code, w.weekday, w.start_minute, w.end_minute) for w in rows]


async def seed_members(db: Database) -> list[int]:
    """The association members who book sessions and join trainings (users.id list)."""
    ids = []
    async with db.transaction() as s:
        for number, (name, district) in enumerate(MEMBERS):
            member = await people.ensure_user(s, FIRST_MEMBER_ID + number, first_name=name)
            member.full_name = name
            member.district_code = district
            await people.record_consent(s, FIRST_MEMBER_ID + number)
            ids.append(member.id)
    return ids


async def seed_consultations_2025(db: Database) -> None:
    """The year 2025 of consultation and technical-support sessions (idempotent)."""
    tz = ZoneInfo(get_settings().timezone)
    members = await seed_members(db)
    async with db.transaction() as s:
        if await consultations.booking_by_request_key(s, REQUEST_KEY_PREFIX + "1") is not None:
            return
        demo_consultants = []
        for telegram_id in (DEMO_CONSULTANT_TELEGRAM_ID, DEMO_FINANCE_CONSULTANT_TELEGRAM_ID):
            found = await consultations.consultant_for_staff(s, telegram_id)
            if found is not None:
                demo_consultants.append(found)
        if not demo_consultants:
            return
        openings: dict[str, list[Opening]] = {}
        topics: dict[int, list[str]] = {}
        for consultant in demo_consultants:
            for opening in weekly_openings(consultant, await _timetable(s, consultant), tz):
                openings.setdefault(opening.branch, []).append(opening)
            topics[consultant.id] = sorted(
                await s.scalars(
                    select(consultations.ConsultantTopic.topic).where(
                        consultations.ConsultantTopic.consultant_id == consultant.id
                    )
                )
            )
        rng = random.Random(2025)
        number = 0
        for branch in sorted(openings):
            wanted = [
                (kind, status)
                for (where, kind, status), count in sorted(SESSIONS_2025.items())
                if where == branch
                for _ in range(count)
            ]
            if len(wanted) > len(openings[branch]):
                raise RuntimeError(f"the demo timetable of {branch} is too small for 2025")
            chosen = sorted(rng.sample(openings[branch], len(wanted)), key=lambda o: o.starts_at)
            rng.shuffle(wanted)
            for opening, (kind, status) in zip(chosen, wanted, strict=True):
                number += 1
                s.add(_booking(rng, number, opening, kind, status, members, topics))


def _booking(
    rng: random.Random,
    number: int,
    opening: Opening,
    kind: str,
    status: str,
    members: list[int],
    topics: dict[int, list[str]],
) -> Booking:
    consultant = opening.consultant
    starts = opening.starts_at
    recorded = starts + timedelta(hours=3) if status in ("done", "missed") else None
    return Booking(
        kind=kind,
        consultant_id=consultant.id,
        requester_id=rng.choice(members),
        topic=rng.choice(topics[consultant.id]),
        branch_code=opening.branch,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=consultant.session_minutes),
        status=status,
        description=rng.choice(NEEDS),
        request_key=f"{REQUEST_KEY_PREFIX}{number}",
        created_at=starts - timedelta(days=rng.randint(3, 20)),
        cancelled_at=starts - timedelta(days=1) if status == "cancelled" else None,
        cancelled_by="requester" if status == "cancelled" else "",
        recorded_at=recorded,
        consultant_note=rng.choice(NOTES) if status == "done" else "",
        feedback_rating=rng.choice([3, 4, 4, 5, 5]) if status == "done" else None,
    )
