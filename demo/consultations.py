"""The demo's consultants, their weekly hours in both branches, and the sessions members
booked with them in the past weeks."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.config import get_settings
from demo.staff import DEMO_CONSULTANT_TELEGRAM_ID, DEMO_FINANCE_CONSULTANT_TELEGRAM_ID
from storage import consultations, people
from storage.db import Database

# Association members who booked sessions in the past weeks (telegram id, name, district).
DEMO_MEMBERS = [
    (8501, "سلوى الهمامي", "kasserine_north"),
    (8502, "منير العيادي", "sbeitla"),
    (8503, "هالة الزغلامي", "thala"),
]


async def seed_consultations(db: Database, now: datetime) -> None:
    """Two consultants with hours in both branches, and a few past sessions (idempotent)."""
    tz = ZoneInfo(get_settings().timezone)
    async with db.transaction() as s:
        planner = await people.add_staff(
            s,
            role=people.Role.CONSULTANT,
            telegram_id=DEMO_CONSULTANT_TELEGRAM_ID,
            display_name="مستشار التخطيط",
        )
        finance = await people.add_staff(
            s,
            role=people.Role.CONSULTANT,
            telegram_id=DEMO_FINANCE_CONSULTANT_TELEGRAM_ID,
            display_name="مستشارة الإدارة المالية",
        )
        first = await consultations.add_consultant(
            s, planner.id, topics=["strategic_planning", "project_management", "me", "advocacy"]
        )
        second = await consultations.add_consultant(
            s,
            finance.id,
            topics=["financial_management", "fundraising", "hr", "governance", "archiving"],
            session_minutes=45,
            buffer_minutes=15,
        )
        # Tuesday mornings in Kasserine, Thursday mornings in Sbeitla; the finance
        # consultant on Monday mornings in Kasserine and Wednesday afternoons in Sbeitla.
        await consultations.set_weekly_availability(
            s, first.id, [("kasserine", 1, 9 * 60, 13 * 60), ("sbeitla", 3, 9 * 60, 12 * 60)]
        )
        await consultations.set_weekly_availability(
            s,
            second.id,
            [("kasserine", 0, 9 * 60, 12 * 60 + 30), ("sbeitla", 2, 14 * 60, 17 * 60)],
        )
        members = []
        for telegram_id, name, district in DEMO_MEMBERS:
            resident = await people.ensure_user(s, telegram_id, first_name=name, language="ar")
            resident.district_code = district
            await people.record_consent(s, telegram_id)
            members.append(resident.id)
        today = now.astimezone(tz).date()
        past = [  # (days ago, hour, consultant, member, kind, topic, branch, status, rating)
            (14, 9, first, 0, "consultation", "strategic_planning", "kasserine", "done", 5),
            (12, 10, first, 1, "technical_support", "me", "sbeitla", "done", 4),
            (9, 11, second, 2, "consultation", "financial_management", "kasserine", "missed", None),
            (7, 15, second, 0, "technical_support", "fundraising", "sbeitla", "done", 3),
            (5, 9, second, 1, "consultation", "hr", "kasserine", "cancelled", None),
        ]
        for number, (ago, hour, who, member, kind, topic, branch, status, rating) in enumerate(
            past, start=1
        ):
            key = f"demo:{number}"
            if await consultations.booking_by_request_key(s, key) is not None:
                continue
            local = datetime.combine(today - timedelta(days=ago), time(hour), tzinfo=tz)
            starts = local.astimezone(UTC)
            s.add(
                consultations.Booking(
                    kind=kind,
                    consultant_id=who.id,
                    requester_id=members[member],
                    topic=topic,
                    branch_code=branch,
                    starts_at=starts,
                    ends_at=starts + timedelta(minutes=who.session_minutes),
                    status=status,
                    description="نحتاج إلى مرافقة في إعداد وثائق الجمعية",
                    request_key=key,
                    recorded_at=starts + timedelta(hours=2) if status != "cancelled" else None,
                    consultant_note="تمت مراجعة الوثائق وتحديد الخطوات القادمة"
                    if status == "done"
                    else "",
                    feedback_rating=rating,
                )
            )
