"""Stories of association members booking, moving and cancelling sessions in the chat."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot.engine.engine import Engine
from bot.workers.scheduler import send_due
from core.clock import FixedClock
from core.formatting import format_short_day
from storage import consultations
from storage.consultations import Booking, BookingStatus
from storage.db import Database
from storage.reminders import Reminder
from tests.conftest import EngineFactory
from tests.support.chat import Chat
from tests.support.consultations import (
    MONDAY_MORNING,
    at,
    hm,
    inbox,
    make_consultant,
    press_payload,
    same_phone_network,
)
from tests.support.given import given_places

ARABIC = re.compile(r"[\u0600-\u06FF]")
TUESDAY = date(2026, 12, 1)
SALMA = 7001


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(MONDAY_MORNING)


@pytest.fixture
async def booking_engine(
    sqlite_db: Database, make_engine: EngineFactory, clock: FixedClock
) -> Engine:
    await given_places(sqlite_db)
    await make_consultant(
        sqlite_db,
        SALMA,
        "Salma Ben Ali",
        topics=["strategic_planning", "financial_management"],
        weekly=[("kasserine", 1, hm(9), hm(13)), ("sbeitla", 3, hm(9), hm(12))],
        language="en",
    )
    return make_engine(sqlite_db, clock=clock)


async def _bookings(db: Database) -> list[Booking]:
    async with db.reader() as s:
        return list(await s.scalars(select(Booking).order_by(Booking.id)))


async def _reminders(db: Database) -> dict[str, Reminder]:
    async with db.reader() as s:
        return {r.key: r for r in await s.scalars(select(Reminder))}


async def _book_tuesday_nine(chat: Chat, language: str = "en") -> None:
    await chat.send("/consult")
    await chat.press("Consultation")
    await chat.press("Strategic planning")
    await chat.press("Kasserine branch")
    await chat.press(format_short_day(TUESDAY, language))
    await chat.press("09:00")
    await chat.send("We need a five-year plan for our association.")
    await chat.press("✅ Confirm")


async def test_a_member_books_a_consultation_and_the_consultant_hears_of_it(
    booking_engine: Engine, sqlite_db: Database
) -> None:
    amal = Chat(booking_engine, user_id=1000, language="en")
    salma = Chat(booking_engine, user_id=SALMA, language="en")
    same_phone_network(amal, salma)
    await amal.onboard("en")

    await amal.send("/consult")
    assert amal.buttons() == ["Consultation", "Technical support"]
    await amal.press("Consultation")
    assert "Strategic planning" in amal.buttons() and "Financial management" in amal.buttons()
    assert "Advocacy" not in amal.buttons()  # nobody offers it
    await amal.press("Strategic planning")
    assert amal.buttons()[:2] == ["Kasserine branch", "Sbeitla branch"]
    await amal.press("Kasserine branch")
    assert amal.said("Choose a day with free times")
    assert format_short_day(TUESDAY, "en") in amal.buttons()
    await amal.press(format_short_day(TUESDAY, "en"))
    assert amal.buttons()[:3] == ["09:00", "10:15", "11:30"]
    await amal.press("10:15")
    assert amal.said("what do you need help with?")
    await amal.send("We need a five-year plan for our association.")
    assert amal.said("Shall I book it?") and amal.said("Salma Ben Ali")
    await amal.press("✅ Confirm")

    assert amal.said("Booked!")
    documents = [r for r in amal.last if r["kind"] == "document"]
    assert [d["filename"] for d in documents] == ["consultation-1.ics"]
    assert amal.said("/appointments")
    assert "New booking:" in inbox(salma)[-1]
    assert "We need a five-year plan" in inbox(salma)[-1]

    [booking] = await _bookings(sqlite_db)
    assert (booking.status, booking.starts_at, booking.kind) == (
        "booked",
        at(1, 10, 15),
        "consultation",
    )
    reminders = await _reminders(sqlite_db)
    assert {k: (r.chat_id, r.due_at) for k, r in reminders.items()} == {
        "consultation:1:r0:24h": (1000, at(30, 10, 15, month=11)),
        "consultation:1:r0:1h": (1000, at(1, 9, 15)),
        "consultation:1:r0:c1h": (SALMA, at(1, 9, 15)),
        "consultation:1:r0:after": (SALMA, at(1, 11, 25)),
    }


async def test_in_arabic_the_date_carries_the_hijri_date_too(booking_engine: Engine) -> None:
    amal = Chat(booking_engine, user_id=1000, language="ar")
    await amal.onboard("ar")
    await amal.send("/consult")
    buttons = amal.buttons()
    await amal.press(buttons[0])  # consultation
    await amal.press(amal.buttons()[0])  # strategic planning
    await amal.press(amal.buttons()[0])  # Kasserine
    await amal.press(format_short_day(TUESDAY, "ar"))
    await amal.press("٠٩:٠٠")
    await amal.send("نحتاج إلى خطة استراتيجية لجمعيتنا")
    assert amal.said("جمادى الآخرة ١٤٤٨ هـ")
    assert all(ARABIC.search(text) for text in amal.texts)


async def test_a_member_moves_then_cancels_and_the_reminders_follow(
    booking_engine: Engine, sqlite_db: Database, clock: FixedClock
) -> None:
    amal = Chat(booking_engine, user_id=1000, language="en")
    salma = Chat(booking_engine, user_id=SALMA, language="en")
    messenger = same_phone_network(amal, salma)
    await amal.onboard("en")
    await _book_tuesday_nine(amal)

    await amal.send("/appointments")
    assert amal.said("Your upcoming sessions")
    await amal.press("Change the time")
    assert amal.said("stays booked at its current time")
    await amal.press(format_short_day(TUESDAY, "en"))
    assert "09:00" not in amal.buttons()  # the current time is not offered again
    await amal.press("11:30")
    assert amal.said("Move your session to this time?")
    await amal.press("✅ Confirm")
    assert amal.said("Your session has been moved")
    assert "was moved from" in inbox(salma)[-1]

    [booking] = await _bookings(sqlite_db)
    assert (booking.starts_at, booking.reschedule_count) == (at(1, 11, 30), 1)
    reminders = await _reminders(sqlite_db)
    live = {k for k, r in reminders.items() if r.cancelled_at is None}
    assert live == {
        "consultation:1:r1:24h",
        "consultation:1:r1:1h",
        "consultation:1:r1:c1h",
        "consultation:1:r1:after",
    }

    # 24 hours before the new time, exactly one reminder goes out, with the new time.
    clock.set(at(30, 11, 30, month=11))
    assert await send_due(booking_engine, clock.now()) == 1
    reminder = messenger.chat(1000).messages[-1]
    assert "Reminder: your session is tomorrow" in reminder.text and "11:30" in reminder.text

    await amal.send("/appointments")
    await amal.press("Cancel it")
    assert amal.said("Cancel this session?")
    await amal.press("Yes, cancel it")
    assert amal.said("Cancelled.")
    assert [r["filename"] for r in amal.last if r["kind"] == "document"] == ["consultation-1.ics"]
    assert "cancelled by the person who booked it" in inbox(salma)[-1]
    [booking] = await _bookings(sqlite_db)
    assert booking.status == BookingStatus.CANCELLED

    clock.set(at(1, 11))  # one hour before the cancelled session: nothing is sent
    assert await send_due(booking_engine, clock.now()) == 0
    await amal.send("/appointments")
    assert amal.said("You have no upcoming sessions.")


async def test_two_members_confirm_the_same_time_and_the_second_is_offered_the_others(
    booking_engine: Engine, sqlite_db: Database
) -> None:
    amal = Chat(booking_engine, user_id=1000, language="en")
    omar = Chat(booking_engine, user_id=1001, language="en", first_name="Omar")
    same_phone_network(amal, omar)
    for member in (amal, omar):
        await member.onboard("en")
        await member.send("/consult")
        await member.press("Consultation")
        await member.press("Strategic planning")
        await member.press("Kasserine branch")
        await member.press(format_short_day(TUESDAY, "en"))
        await member.press("09:00")
        await member.send("Help with our budget, please.")
    await amal.press("✅ Confirm")
    await omar.press("✅ Confirm")
    assert omar.said("someone booked that time a moment ago")
    assert omar.buttons()[:2] == ["10:15", "11:30"]
    assert [b.starts_at for b in await _bookings(sqlite_db)] == [at(1, 9)]


async def test_a_double_tap_or_an_old_confirm_button_books_once(
    booking_engine: Engine, sqlite_db: Database
) -> None:
    amal = Chat(booking_engine, user_id=1000, language="en")
    await amal.onboard("en")
    await amal.send("/consult")
    await amal.press("Consultation")
    await amal.press("Strategic planning")
    await amal.press("Kasserine branch")
    await amal.press(format_short_day(TUESDAY, "en"))
    await amal.press("09:00")
    await amal.send("Help with our budget, please.")
    confirm = amal.payload_of("✅ Confirm")
    await press_payload(amal, confirm)
    second = await press_payload(amal, confirm)
    assert any("earlier step" in text for text in second)
    assert len(await _bookings(sqlite_db)) == 1


async def test_bad_input_while_booking_gets_an_answer_and_changes_nothing(
    booking_engine: Engine, sqlite_db: Database
) -> None:
    amal = Chat(booking_engine, user_id=1000, language="ar")
    await amal.onboard("ar")
    await amal.send("/consult")
    await amal.send_sticker()
    assert ARABIC.search(amal.texts[0]) and len(amal.buttons()) == 2
    await amal.send("٣٤")
    assert ARABIC.search(amal.texts[0]) and len(amal.buttons()) == 2
    await amal.press(amal.buttons()[0])
    await amal.press(amal.buttons()[0])
    await amal.press(amal.buttons()[0])
    await amal.press(format_short_day(TUESDAY, "ar"))
    await amal.press("٠٩:٠٠")
    await amal.send("x" * 5000)
    assert amal.said("طويلة جدًا")
    await amal.send("x" * 600)
    assert amal.said("٦٠٠") and amal.said("٥٠٠")
    await amal.send("٣")
    await amal.send_photo()
    await amal.share_location(35.1, 8.8)
    assert all(ARABIC.search(t) for t in amal.texts)
    forged = await press_payload(amal, "g:ccx:999")
    assert forged and all(ARABIC.search(t) for t in forged)
    assert await press_payload(amal, "9999:ok") != []
    assert await _bookings(sqlite_db) == []
    await amal.send("نحتاج إلى مساعدة في إعداد الميزانية")
    assert amal.said("هل أحجز")


async def test_nobody_else_can_cancel_or_move_my_booking(
    booking_engine: Engine, sqlite_db: Database
) -> None:
    amal = Chat(booking_engine, user_id=1000, language="en")
    omar = Chat(booking_engine, user_id=1001, language="en", first_name="Omar")
    same_phone_network(amal, omar)
    await amal.onboard("en")
    await _book_tuesday_nine(amal)
    await omar.onboard("en")
    for route in ("ccx", "ccy", "ccr", "ccrec", "ccfb"):
        replies = await press_payload(omar, f"g:{route}:1:y")
        assert replies == ["This option is not available."]
    [booking] = await _bookings(sqlite_db)
    assert booking.status == BookingStatus.BOOKED and booking.starts_at == at(1, 9)


async def test_no_consultant_no_booking(sqlite_db: Database, make_engine: EngineFactory) -> None:
    await given_places(sqlite_db)
    amal = Chat(make_engine(sqlite_db, clock=FixedClock(MONDAY_MORNING)), 1000, "en")
    await amal.onboard("en")
    await amal.send("/consult")
    await amal.press("Technical support")
    assert amal.said("No consultant is taking bookings at the moment")
    await amal.send("hello")
    assert amal.said("/menu")


async def test_a_full_diary_says_so_and_offers_a_way_back(
    booking_engine: Engine, sqlite_db: Database, clock: FixedClock
) -> None:
    async with sqlite_db.transaction() as s:  # Salma is away for the next 40 days
        for offset in range(40):
            await consultations.add_exception(s, 1, clock.now().date() + timedelta(days=offset))
    amal = Chat(booking_engine, user_id=1000, language="en")
    await amal.onboard("en")
    await amal.send("/consult")
    await amal.press("Consultation")
    await amal.press("Strategic planning")
    await amal.press("Kasserine branch")
    assert amal.said("There are no free times for this in the coming weeks")
    await amal.press("« Back")
    assert "Kasserine branch" in amal.buttons()
