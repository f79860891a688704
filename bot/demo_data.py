"""Demo data: a governorate's districts, the support centre's two branches, demo staff.

``musharaka demo-data`` and the no-token simulator use it. Each area adds its own
``seed_<area>`` function and a line in ``seed``.
"""

from __future__ import annotations

from storage import people, reference
from storage.db import Database

DEMO_ADMIN_TELEGRAM_ID = 9000
DEMO_STAFF_TELEGRAM_ID = 9001
DEMO_CONSULTANT_TELEGRAM_ID = 9002

DISTRICTS = [
    ("kasserine_north", "القصرين الشمالية", "Kasserine North", "Kasserine Nord"),
    ("kasserine_south", "القصرين الجنوبية", "Kasserine South", "Kasserine Sud"),
    ("sbeitla", "سبيطلة", "Sbeitla", "Sbeïtla"),
    ("thala", "تالة", "Thala", "Thala"),
    ("feriana", "فريانة", "Feriana", "Fériana"),
    ("foussana", "فوسانة", "Foussana", "Foussana"),
    ("sbiba", "سبيبة", "Sbiba", "Sbiba"),
    ("el_ayoun", "العيون", "El Ayoun", "El Ayoun"),
]

BRANCHES = [
    (
        "kasserine",
        "فرع القصرين",
        "Kasserine branch",
        "Antenne de Kasserine",
        "شارع الحبيب بورقيبة، القصرين",
    ),
    ("sbeitla", "فرع سبيطلة", "Sbeitla branch", "Antenne de Sbeïtla", "نهج الجمهورية، سبيطلة"),
]


async def seed_reference(db: Database) -> None:
    async with db.transaction() as s:
        for order, (code, ar, en, fr) in enumerate(DISTRICTS):
            await reference.upsert_district(s, code, ar, en, fr, sort_order=order)
        for order, (code, ar, en, fr, address) in enumerate(BRANCHES):
            await reference.upsert_branch(s, code, ar, en, fr, address=address, sort_order=order)


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


async def seed(db: Database) -> None:
    """Fill the database with the demo programme (idempotent)."""
    await seed_reference(db)
    await seed_staff(db)


async def is_empty(db: Database) -> bool:
    async with db.reader() as s:
        return not await reference.list_districts(s)
