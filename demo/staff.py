"""The demo programme's staff: its admin, a training coordinator and two consultants."""

from __future__ import annotations

from storage import people
from storage.db import Database

DEMO_ADMIN_TELEGRAM_ID = 9000
DEMO_STAFF_TELEGRAM_ID = 9001
DEMO_CONSULTANT_TELEGRAM_ID = 9002
DEMO_FINANCE_CONSULTANT_TELEGRAM_ID = 9003


async def seed_staff(db: Database) -> None:
    async with db.transaction() as s:
        await people.add_staff(
            s,
            role=people.Role.ADMIN,
            telegram_id=DEMO_ADMIN_TELEGRAM_ID,
            display_name="مديرة البرنامج",
        )
        await people.add_staff(
            s,
            role=people.Role.STAFF,
            telegram_id=DEMO_STAFF_TELEGRAM_ID,
            display_name="منسق التدريب",
        )
        await people.add_staff(
            s,
            role=people.Role.CONSULTANT,
            telegram_id=DEMO_CONSULTANT_TELEGRAM_ID,
            display_name="مستشار التخطيط",
        )
