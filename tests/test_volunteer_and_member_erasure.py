"""Youssef volunteers, coordinates his association with Mounir, and holds the last seat of
a training Sami is waiting for. He sends /delete and confirms: his volunteer profile and
membership are gone, Mounir now coordinates the association, and Sami is offered the seat
at the scheduler's next sweep."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.engine.engine import Engine
from bot.workers.scheduler import send_due
from storage import associations, trainings, volunteers
from storage.db import Database
from tests.conftest import EngineFactory
from tests.support.given import given_places, given_skills
from tests.support.training_data import make_session, make_users, messages_of, town

YOUSSEF, MOUNIR, SAMI = 5001, 5002, 5003


@pytest.fixture
async def engine(sqlite_db: Database, make_engine: EngineFactory) -> Engine:
    await given_places(sqlite_db)
    await given_skills(sqlite_db)
    return make_engine(sqlite_db)  # /delete works on the wall clock: so does this story


async def test_delete_erases_the_volunteer_and_member_and_frees_his_seat(
    engine: Engine, sqlite_db: Database
) -> None:
    now = datetime.now(UTC)
    session_id = await make_session(sqlite_db, starts_at=now + timedelta(days=5), capacity=1)
    await make_users(sqlite_db, [YOUSSEF, MOUNIR, SAMI])
    async with sqlite_db.transaction() as s:
        await volunteers.save_volunteer(
            s,
            telegram_id=YOUSSEF,
            full_name="يوسف القاسمي",
            phone="+21698123456",
            district_code="sbeitla",
            skills=["computers"],
            other_skills="",
            days=["sat"],
            times=["morning"],
            languages=["ar"],
            now=now,
        )
        association = await associations.register_association(
            s,
            telegram_id=YOUSSEF,
            name="جمعية شباب سبيطلة",
            district_code="sbeitla",
            field_code="youth",
            members_count=20,
            full_name="يوسف القاسمي",
            phone="+21698123456",
        )
        await associations.join_association(
            s,
            telegram_id=MOUNIR,
            association_id=association.id,
            full_name="منير العيادي",
            phone="+21622318450",
        )
        for person in (YOUSSEF, SAMI):
            await trainings.register(s, session_id=session_id, telegram_id=person, now=now)

    youssef, sami = town(engine, YOUSSEF, SAMI)
    await youssef.onboard("ar")
    await youssef.send("/delete")
    await youssef.press("نعم، امحُ بياناتي")

    async with sqlite_db.reader() as s:
        assert await volunteers.get_volunteer(s, YOUSSEF) is None
        assert await associations.membership_of(s, YOUSSEF) is None
        coordinator = await associations.coordinator_of(s, association.id)
        statuses = {
            r.telegram_id: r.status for r in await s.scalars(select(trainings.Registration))
        }
    assert coordinator is not None and coordinator.telegram_id == MOUNIR
    assert sorted(statuses.values()) == ["cancelled", "offered"]
    assert statuses[SAMI] == "offered" and min(statuses) < 0  # the erased one: nobody

    assert await send_due(engine, datetime.now(UTC) + timedelta(minutes=1)) == 1
    assert "خبر سار! شغر مقعد في تدريب كنت تنتظره" in messages_of(sami)[-1]
