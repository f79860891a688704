"""The last seat of a session, and the people waiting for it.

Sami and Hedi wait behind Amal. When Amal cancels, Sami is told at once, in his own chat,
and confirms. When Sami cancels in turn, Hedi is told, but lets the deadline pass: the
scheduler takes the offer back and tells him. Nobody ever holds a seat that is not theirs.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.engine.engine import Engine
from bot.engine.events import Event, EventKind
from bot.workers.scheduler import send_due
from core.clock import FixedClock
from storage import trainings
from storage.db import Database
from tests.conftest import EngineFactory
from tests.support.chat import Chat
from tests.support.given import given_places, given_staff_team
from tests.support.training_data import button_containing, make_session, messages_of, town

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
STARTS = datetime(2026, 12, 8, 8, 0, tzinfo=UTC)
AMAL, SAMI, HEDI = 1001, 1002, 1003
COURSE = "التخطيط الاستراتيجي للجمعيات"
GOOD_NEWS = "خبر سار! شغر مقعد في تدريب كنت تنتظره"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
async def engine(sqlite_db: Database, make_engine: EngineFactory, clock: FixedClock) -> Engine:
    await given_places(sqlite_db)
    await given_staff_team(sqlite_db)
    await make_session(sqlite_db, starts_at=STARTS, capacity=1, branch_code="sbeitla")
    return make_engine(sqlite_db, clock=clock)


async def _register(person: Chat, name: str, gender: str = "رجل") -> None:
    await person.onboard("ar")
    await person.send("/trainings")
    await person.press("دليل الدورات")
    await person.press(COURSE)
    await person.press(button_containing(person, "فرع سبيطلة"))
    await person.press(
        "التسجيل" if "التسجيل" in person.buttons() else "الانضمام إلى قائمة الانتظار"
    )
    await person.send(name)
    await person.press(gender)


async def _statuses(db: Database) -> dict[int | None, str]:
    async with db.reader() as s:
        rows = await s.scalars(select(trainings.Registration))
        return {r.telegram_id: r.status for r in rows}


async def _seats_taken(db: Database) -> int:
    async with db.reader() as s:
        training = await s.scalar(select(trainings.TrainingSession))
        assert training is not None
        return training.seats_taken


async def test_a_cancellation_reaches_the_first_in_line_who_confirms(
    engine: Engine, sqlite_db: Database
) -> None:
    amal, sami, hedi = town(engine, AMAL, SAMI, HEDI)
    await _register(amal, "أمل بن صالح", "امرأة")
    assert amal.said("تم تسجيلك!")
    await _register(sami, "سامي الحامدي")
    assert sami.said("أنت في قائمة الانتظار: رقم ١")
    await _register(hedi, "الهادي الزغلامي")
    assert hedi.said("أنت في قائمة الانتظار: رقم ٢")

    await amal.send("/trainings")
    await amal.press("تسجيلاتي")
    assert amal.said("مقعدك مؤكَّد.")
    await amal.press(button_containing(amal, "إلغاء:"))
    assert amal.said("هل تريد إلغاء مكانك")
    await amal.press("نعم، ألغِه")
    assert amal.said("أُلغي مكانك")

    # Sami hears at once, in his own chat, with buttons to answer.
    offer = messages_of(sami)[-1]
    assert GOOD_NEWS in offer and COURSE in offer
    assert "نعم، سأحضر" in sami.buttons()
    assert not any(GOOD_NEWS in text for text in messages_of(hedi))
    assert await _statuses(sqlite_db) == {AMAL: "cancelled", SAMI: "offered", HEDI: "waitlisted"}

    # Amal cannot take Sami's seat by replaying his button.
    payload = sami.payload_of("نعم، سأحضر")
    replies = await engine.handle(
        Event(AMAL, AMAL, EventKind.BUTTON, payload=payload, callback_id="x", update_id=90_000)
    )
    assert [r.reply.text for r in replies] == ["هذا العرض ليس لك."]  # type: ignore[union-attr]

    confirm = sami.payload_of("نعم، سأحضر")
    await sami.press("نعم، سأحضر")
    assert sami.said("تأكّد مقعدك. نلقاك في التدريب!")
    replies = await engine.handle(  # a second tap that raced the first: nothing more
        Event(SAMI, SAMI, EventKind.BUTTON, payload=confirm, callback_id="y", update_id=90_001)
    )
    assert [r.reply.text for r in replies] == ["مقعدك مؤكَّد من قبل."]  # type: ignore[union-attr]
    assert await _statuses(sqlite_db) == {AMAL: "cancelled", SAMI: "registered", HEDI: "waitlisted"}
    assert await _seats_taken(sqlite_db) == 1

    await hedi.send("/trainings")
    await hedi.press("تسجيلاتي")
    assert hedi.said("أنت رقم ١ في قائمة الانتظار.")


async def test_an_offer_not_answered_in_time_goes_to_the_next_person(
    engine: Engine, sqlite_db: Database, clock: FixedClock
) -> None:
    amal, sami, hedi = town(engine, AMAL, SAMI, HEDI)
    await _register(amal, "أمل بن صالح", "امرأة")
    await _register(sami, "سامي الحامدي")
    await _register(hedi, "الهادي الزغلامي")
    await amal.send("/trainings")
    await amal.press("تسجيلاتي")
    await amal.press(button_containing(amal, "إلغاء:"))
    await amal.press("نعم، ألغِه")
    assert GOOD_NEWS in messages_of(sami)[-1]

    # Sami is nudged halfway through his 24 hours...
    clock.advance(timedelta(hours=12, minutes=1))
    assert await send_due(engine, clock.now()) == 1
    assert "تذكير: ما زال مقعد محجوزًا لك" in messages_of(sami)[-1]
    # ...and when they are over, the seat goes to Hedi, and both are told.
    clock.advance(timedelta(hours=12))
    assert await send_due(engine, clock.now()) == 1  # Sami's "time is over"
    assert "انتهت مهلة تأكيد مقعدك" in messages_of(sami)[-1]
    assert GOOD_NEWS in messages_of(hedi)[-1]
    assert await _statuses(sqlite_db) == {AMAL: "cancelled", SAMI: "expired", HEDI: "offered"}

    # Sami's old buttons no longer give him the seat.
    await sami.press("نعم، سأحضر")
    assert sami.said("لم يعد هذا العرض قائمًا.")

    # Hedi declines: nobody else waits, so the seat is free again.
    await hedi.press("لا، أعطوه لشخص آخر")
    assert hedi.said("شكرًا لإعلامنا")
    assert await _statuses(sqlite_db) == {AMAL: "cancelled", SAMI: "expired", HEDI: "declined"}
    assert await _seats_taken(sqlite_db) == 0

    # Sami registers again and gets the free seat straight away.
    await sami.send("/trainings")
    await sami.press("دليل الدورات")
    await sami.press(COURSE)
    await sami.press(button_containing(sami, "فرع سبيطلة"))
    await sami.press("التسجيل")
    assert sami.said("تم تسجيلك!")
    assert await _seats_taken(sqlite_db) == 1


async def test_the_offer_window_is_shorter_when_the_session_is_near(
    engine: Engine, sqlite_db: Database, clock: FixedClock
) -> None:
    amal, sami = town(engine, AMAL, SAMI)
    await _register(amal, "أمل بن صالح", "امرأة")
    await _register(sami, "سامي الحامدي")
    clock.set(STARTS - timedelta(hours=6))
    await amal.send("/trainings")
    await amal.press("تسجيلاتي")
    await amal.press(button_containing(amal, "إلغاء:"))
    await amal.press("نعم، ألغِه")
    async with sqlite_db.reader() as s:
        offered = await s.scalar(
            select(trainings.Registration).where(trainings.Registration.telegram_id == SAMI)
        )
    assert offered is not None and offered.offer_expires_at == STARTS - timedelta(hours=3)
    assert "— ٠٦:٠٠" in messages_of(sami)[-1]  # 09:00 in Tunis, minus half of the 6 h left


def test_offer_deadlines() -> None:
    starts = datetime(2026, 12, 8, 8, 0, tzinfo=UTC)
    deadline = trainings.offer_deadline
    assert deadline(starts - timedelta(days=5), starts, 24) == starts - timedelta(days=4)
    assert deadline(starts - timedelta(hours=10), starts, 24) == starts - timedelta(hours=5)
    assert deadline(starts - timedelta(minutes=40), starts, 24) == starts - timedelta(minutes=10)
    assert deadline(starts - timedelta(minutes=20), starts, 24) == starts
    assert deadline(starts, starts, 24) is None


async def test_staff_cancel_a_session_and_everyone_in_it_is_told(
    engine: Engine, sqlite_db: Database
) -> None:
    amal, sami, trainer = town(engine, AMAL, SAMI, 9001)
    await _register(amal, "أمل بن صالح", "امرأة")
    await _register(sami, "سامي الحامدي")
    await trainer.send("/roster")
    await trainer.press(button_containing(trainer, COURSE[:20]))
    assert trainer.said("١. أمل بن صالح")
    assert trainer.said("امرأة: ١")
    await trainer.press("إلغاء هذه الحصة")
    confirm = trainer.payload_of("نعم، ألغِ الحصة")
    await trainer.press("نعم، ألغِ الحصة")
    assert trainer.said("أُلغيت الحصة، وأُبلغ عدد من الأشخاص: ٢.")
    for person in (amal, sami):
        assert "أُلغيت حصة «التخطيط الاستراتيجي للجمعيات»" in messages_of(person)[-1]
    assert await _statuses(sqlite_db) == {AMAL: "cancelled", SAMI: "cancelled"}
    assert await _seats_taken(sqlite_db) == 0

    # A second press of the confirmation does nothing more; the session leaves the catalogue.
    replies = await engine.handle(
        Event(9001, 9001, EventKind.BUTTON, payload=confirm, callback_id="z", update_id=91_000)
    )
    assert [r.reply.text for r in replies] == [  # type: ignore[union-attr]
        "هذه الحصة ملغاة أو لم تعد موجودة."
    ]
    await amal.send("/trainings")
    await amal.press("دليل الدورات")
    assert amal.said("لا يوجد تدريب مبرمج حاليًا")
