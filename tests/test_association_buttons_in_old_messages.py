"""The associations' global buttons stay in people's chats (a staff member's /associations
list, the results of a capacity self-assessment): their payloads do not change, and a
forged or garbled one changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.engine.engine import Engine
from core.clock import FixedClock
from storage import associations, people
from storage.associations import QUESTIONS, score
from storage.db import Database
from tests.conftest import EngineFactory
from tests.support.chat import Chat
from tests.support.consultations import press_payload
from tests.support.given import STAFF_ID, given_course_catalogue, given_places, given_staff_team

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
SALWA = 3001


async def _engine(db: Database, make_engine: EngineFactory) -> Engine:
    await given_places(db)
    await given_staff_team(db)
    await given_course_catalogue(db, NOW)
    async with db.transaction() as s:
        await people.ensure_user(s, SALWA, language="en")
        association = await associations.register_association(
            s,
            telegram_id=SALWA,
            name="Al Amal",
            district_code="thala",
            field_code="women",
            members_count=12,
            full_name="Salwa Hammami",
            phone="+21698410233",
        )
        answers = {q.code: 2 for q in QUESTIONS} | {"me1": 0, "me2": 0}
        await associations.save_assessment(
            s,
            association_id=association.id,
            telegram_id=SALWA,
            answers=answers,
            scores=score(answers),
            now=NOW,
        )
    return make_engine(db, clock=FixedClock(NOW))


async def test_the_buttons_people_keep_carry_the_payloads_they_always_had(
    sqlite_db: Database, make_engine: EngineFactory
) -> None:
    engine = await _engine(sqlite_db, make_engine)
    staff = Chat(engine, user_id=STAFF_ID, language="en")
    await staff.onboard("en")
    await staff.send("/associations")
    assert staff.payload_of("Al Amal") == "g:as:1"
    await staff.press("Al Amal")
    assert staff.said("1. Salwa Hammami — +21698410233 (coordinator)")

    salwa = Chat(engine, user_id=SALWA, language="en")
    await salwa.onboard("en")
    await salwa.send("/association")
    await salwa.press("Latest results")
    assert salwa.said("Where to start: Monitoring and evaluation.")
    assert salwa.payload_of("📚 Monitoring and evaluation") == "g:tc:3"
    assert salwa.payload_of("Book a consultation") == "g:cabk"


async def test_forged_association_buttons_are_refused_and_change_nothing(
    sqlite_db: Database, make_engine: EngineFactory
) -> None:
    engine = await _engine(sqlite_db, make_engine)
    staff = Chat(engine, user_id=STAFF_ID, language="en")
    resident = Chat(engine, user_id=4242, language="en")
    await staff.onboard("en")
    await resident.onboard("en")
    assert await press_payload(staff, "g:as:x1") == ["I do not recognise this button."]
    assert await press_payload(staff, "g:as:1:2") == ["I do not recognise this button."]
    assert await press_payload(staff, "g:as:99") == ["This association is no longer on Musharaka."]
    # Someone who is not staff never sees members' phones, whatever they press.
    assert await press_payload(resident, "g:as:1") == ["This is only for programme staff."]
    assert not any("+21698410233" in text for text in resident.texts)
