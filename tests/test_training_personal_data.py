"""/mydata and /delete for trainings: Amal sees what is kept about her; when she erases it,
her seat goes to the first in line (told by the scheduler within a minute), and the
programme keeps only anonymous counts: a woman from her association attended."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.engine.engine import Engine
from bot.features.privacy.delete import erase_everything
from bot.workers.scheduler import send_due
from core.clock import FixedClock
from storage import people, trainings
from storage.db import Database
from tests.conftest import EngineFactory
from tests.support.given import given_places
from tests.support.training_data import make_session, make_users, messages_of, town

# /delete runs outside any conversation, on the wall clock: this story does too.
NOW = datetime.now(UTC).replace(microsecond=0)
AMAL, SAMI = 1001, 1002


@pytest.fixture
async def engine(sqlite_db: Database, make_engine: EngineFactory) -> Engine:
    await given_places(sqlite_db)
    return make_engine(sqlite_db, clock=FixedClock(NOW))


async def test_erasing_a_trainee_frees_her_seat_and_keeps_only_anonymous_counts(
    engine: Engine, sqlite_db: Database
) -> None:
    past = await make_session(sqlite_db, starts_at=NOW - timedelta(days=10), capacity=5)
    coming = await make_session(sqlite_db, starts_at=NOW + timedelta(days=5), capacity=1)
    await make_users(sqlite_db, [AMAL, SAMI])
    async with sqlite_db.transaction() as s:
        training = await trainings.get_session(s, past)
        assert training is not None
        training.seats_taken = 1
        s.add(
            trainings.Registration(
                session_id=past,
                telegram_id=AMAL,
                status=trainings.REGISTERED,
                participant_name="أمل بن صالح",
                gender="female",
                association_name="جمعية الأمل للتنمية",
                attended_at=training.starts_at,
                feedback_rating=5,
                feedback_comment="رقم هاتفي 98123456",
            )
        )
        await trainings.register(
            s, session_id=coming, telegram_id=AMAL, now=NOW, participant_name="أمل بن صالح"
        )
        await trainings.register(
            s, session_id=coming, telegram_id=SAMI, now=NOW, participant_name="سامي الحامدي"
        )
        await trainings.add_suggestion(
            s, telegram_id=AMAL, text="تدريب على المحاسبة", association_name="", now=NOW
        )

    exporter, _eraser = engine.registry.personal_data["trainings"]
    async with sqlite_db.reader() as s:
        mine = await exporter(s, AMAL)
        amal = await people.get_user(s, AMAL)
    assert amal is not None
    assert [r["status"] for r in mine["registrations"]] == ["registered", "registered"]
    assert mine["suggestions"][0]["text"] == "تدريب على المحاسبة"

    async with sqlite_db.transaction() as s:  # what /delete does: every area, then the profile
        await erase_everything(s, engine.registry, AMAL, NOW)
    anonymous = -amal.id  # the anonymised users row: one person, who is nobody

    async with sqlite_db.reader() as s:
        assert await exporter(s, AMAL) == {}
        rows = list(await s.scalars(select(trainings.Registration)))
        suggestions = list(await s.scalars(select(trainings.TrainingSuggestion)))
    kept = next(r for r in rows if r.session_id == past)
    assert (kept.telegram_id, kept.participant_name, kept.feedback_comment) == (anonymous, "", None)
    assert (kept.gender, kept.association_name, kept.feedback_rating) == (
        "female",
        "جمعية الأمل للتنمية",
        5,
    )
    assert kept.attended_at is not None and kept.status == "registered"  # still counts
    assert {r.telegram_id: r.status for r in rows if r.session_id == coming} == {
        anonymous: "cancelled",
        SAMI: "offered",
    }
    assert suggestions == []

    # Sami hears about the seat at the scheduler's next sweep.
    (sami,) = town(engine, SAMI)
    assert await send_due(engine, datetime.now(UTC) + timedelta(minutes=1)) == 1
    assert "خبر سار! شغر مقعد في تدريب كنت تنتظره" in messages_of(sami)[-1]
