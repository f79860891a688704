"""The consultations' global buttons stay in people's chats (appointments, notices,
reminders, a consultant's agenda) across deploys: their payloads do not change, and the
oldest shape of each still works."""

from __future__ import annotations

from datetime import date

from bot.engine.engine import Engine
from core.clock import FixedClock
from core.formatting import format_short_day
from storage.db import Database
from tests.conftest import EngineFactory
from tests.support.chat import Chat
from tests.support.consultations import (
    MONDAY_MORNING,
    hm,
    make_consultant,
    press_payload,
    same_phone_network,
)
from tests.support.given import given_places

TUESDAY = date(2026, 12, 1)
SALMA = 7001


async def _engine(db: Database, make_engine: EngineFactory) -> Engine:
    await given_places(db)
    await make_consultant(
        db, SALMA, "Salma Ben Ali", weekly=[("kasserine", 1, hm(9), hm(13))], language="en"
    )
    return make_engine(db, clock=FixedClock(MONDAY_MORNING))


async def test_the_buttons_people_keep_carry_the_payloads_they_always_had(
    sqlite_db: Database, make_engine: EngineFactory
) -> None:
    engine = await _engine(sqlite_db, make_engine)
    amal = Chat(engine, user_id=1000, language="en")
    salma = Chat(engine, user_id=SALMA, language="en")
    same_phone_network(amal, salma)
    await amal.onboard("en")

    await amal.send("/appointments")
    assert amal.payload_of("Book a consultation") == "g:ccnew"
    await amal.press("Book a consultation")
    assert amal.said("What would you like to book?")
    await amal.press("Consultation")
    await amal.press("Strategic planning")
    await amal.press(format_short_day(TUESDAY, "en"))
    await amal.press("10:15")
    await amal.send("Our five-year plan.")
    await amal.press("✅ Confirm")

    await amal.send("/appointments")
    assert amal.payload_of("Change the time") == "g:ccr:1"
    assert amal.payload_of("Cancel it") == "g:ccx:1"
    await amal.press("Cancel it")
    assert amal.payload_of("Yes, cancel it") == "g:ccy:1"
    assert amal.payload_of("No, keep it") == "g:cck:1"
    await amal.press("No, keep it")
    assert amal.said("Kept.")

    await salma.send("/sessions")
    assert salma.payload_of("Cancel it") == "g:ccx:1"
    await salma.press("Cancel it")
    await salma.press("Yes, cancel it")
    assert amal.payload_of("Book another time") == "g:ccnew:c"


async def test_an_old_book_again_button_opens_the_booking_on_the_right_question(
    sqlite_db: Database, make_engine: EngineFactory
) -> None:
    engine = await _engine(sqlite_db, make_engine)
    amal = Chat(engine, user_id=1000, language="en")
    await amal.onboard("en")
    [topics] = await press_payload(amal, "g:ccnew:t")
    assert topics.startswith("Technical support: which topic is it about?")
    [kinds] = await press_payload(amal, "g:ccnew")
    assert kinds.startswith("What would you like to book?")
    assert await press_payload(amal, "g:ccnew:t:x") == ["This option is not available."]
