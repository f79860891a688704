"""The demo programme (``musharaka demo-data``, ``musharaka admin --demo`` and the no-token
simulator): each part of it lives in its own module; ``seed`` runs them in order."""

from __future__ import annotations

from datetime import datetime

from demo.associations import seed_associations, seed_more_associations
from demo.consultations import seed_consultations
from demo.consultations_2025 import seed_consultations_2025
from demo.courses import seed_courses
from demo.places import BRANCHES, DISTRICTS
from demo.residents import seed_residents_and_needs_survey
from demo.staff import seed_staff
from demo.trainings_2025 import seed_trainings_2025
from demo.volunteers import seed_more_volunteers, seed_volunteers
from storage import reference
from storage.db import Database


async def seed_places(db: Database) -> None:
    """The governorate's districts and the support centre's branches."""
    async with db.transaction() as s:
        for order, district in enumerate(DISTRICTS):
            await reference.upsert_district(s, *district, sort_order=order)
        for order, (code, ar, en, fr, address) in enumerate(BRANCHES):
            await reference.upsert_branch(s, code, ar, en, fr, address=address, sort_order=order)


async def seed(db: Database, now: datetime) -> None:
    """Fill the database with the demo programme (idempotent); ``now`` places the coming
    sessions and the recent past."""
    await seed_places(db)
    await seed_staff(db)
    await seed_consultations(db, now)
    await seed_courses(db, now)
    await seed_volunteers(db, now)
    await seed_more_volunteers(db)
    await seed_residents_and_needs_survey(db)
    await seed_consultations_2025(db)
    await seed_associations(db, now)
    await seed_trainings_2025(db)
    await seed_more_associations(db)


async def is_empty(db: Database) -> bool:
    async with db.reader() as s:
        return not await reference.list_districts(s)
