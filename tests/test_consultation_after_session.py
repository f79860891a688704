"""After the session: the consultant records it and a note, the member rates it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select, update

from bot.engine.engine import Engine
from bot.features.consultations.texts import ics_file, load_view
from bot.workers.scheduler import send_due
from core.clock import FixedClock
from core.formatting import format_short_day
from core.i18n import use_language
from storage import consultations
from storage.consultations import Booking, BookingStatus
from storage.db import Database
from storage.people import StaffMember
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

TUESDAY = date(2026, 12, 1)
SALMA = 7001


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(MONDAY_MORNING)


@pytest.fixture
async def booked(
    sqlite_db: Database, make_engine: EngineFactory, clock: FixedClock
) -> tuple[Engine, Chat, Chat]:
    """Amal (French) has booked Salma (English) for Tuesday 10:15."""
    await given_places(sqlite_db)
    await make_consultant(
        sqlite_db, SALMA, "Salma Ben Ali", weekly=[("kasserine", 1, hm(9), hm(13))], language="en"
    )
    engine = make_engine(sqlite_db, clock=clock)
    amal = Chat(engine, user_id=1000, language="fr")
    salma = Chat(engine, user_id=SALMA, language="en")
    same_phone_network(amal, salma)
    await amal.onboard("fr")
    await amal.send("/consult")
    await amal.press("Consultation")
    await amal.press("Planification stratégique")
    await amal.press(format_short_day(TUESDAY, "fr"))
    await amal.press("10:15")
    await amal.send("Nous voulons écrire notre plan stratégique.")
    await amal.press("✅ Confirmer")
    assert amal.said("C'est réservé")
    return engine, amal, salma


async def _booking(db: Database) -> Booking:
    async with db.reader() as s:
        booking = await s.scalar(select(Booking))
    assert booking is not None
    return booking


async def test_reminders_reach_each_party_in_their_language_at_the_right_moments(
    booked: tuple[Engine, Chat, Chat], clock: FixedClock
) -> None:
    engine, amal, salma = booked
    clock.set(at(30, 10, 14, month=11))
    assert await send_due(engine, clock.now()) == 0
    clock.set(at(30, 10, 15, month=11))
    assert await send_due(engine, clock.now()) == 1
    assert "Rappel : votre séance a lieu demain." in inbox(amal)[-1]
    assert "mardi 1 décembre 2026" in inbox(amal)[-1]
    clock.set(at(1, 9, 15))
    assert await send_due(engine, clock.now()) == 2
    assert "commence dans une heure" in inbox(amal)[-1]
    assert inbox(salma)[-1].startswith("In one hour:")
    assert await send_due(engine, clock.now()) == 0  # never twice


async def test_the_consultant_records_the_session_and_the_member_rates_it(
    booked: tuple[Engine, Chat, Chat], sqlite_db: Database, clock: FixedClock
) -> None:
    engine, amal, salma = booked
    clock.set(at(1, 11, 25))  # ten minutes after the end
    assert await send_due(engine, clock.now()) == 1
    assert inbox(salma)[-1].startswith("Did this session take place?")

    await salma.press("✅ It took place")
    assert salma.said("Recorded: the session took place.")
    assert salma.said("Please write a short note")
    assert "Vous a-t-elle été utile ?" in inbox(amal)[-1]
    await salma.send("Drafted the vision and three goals; next: budget workshop.")
    assert salma.said("Note saved.")

    await amal.press("4 ⭐")
    assert amal.said("la note de 4 sur 5")
    await amal.send("Très utile, merci.")
    assert amal.said("Votre commentaire nous aide")

    booking = await _booking(sqlite_db)
    assert booking.status == BookingStatus.DONE and booking.recorded_at == clock.now()
    assert booking.consultant_note.startswith("Drafted the vision")
    assert (booking.feedback_rating, booking.feedback_comment) == (4, "Très utile, merci.")

    # Amal's copy of her data has her words and her rating, not the consultant's working note.
    exporter, _eraser = engine.registry.personal_data["consultations"]
    async with sqlite_db.reader() as s:
        [mine] = (await exporter(s, amal.user_id))["bookings"]
    assert mine["feedback_comment"] == "Très utile, merci."
    assert "Drafted the vision" not in str(mine) and "consultant_note" not in mine

    # A consultant whose role was taken away can no longer record sessions.
    async with sqlite_db.transaction() as s:
        await s.execute(
            update(StaffMember).where(StaffMember.telegram_id == salma.user_id).values(active=False)
        )
    assert await press_payload(salma, "g:ccrec:1:y") == ["This option is not available."]
    async with sqlite_db.transaction() as s:
        await s.execute(
            update(StaffMember).where(StaffMember.telegram_id == salma.user_id).values(active=True)
        )

    # Pressing again changes nothing and asks nobody a second time.
    before = len(inbox(amal))
    replies = await press_payload(salma, "g:ccrec:1:y")
    assert replies == ["Already recorded."] and len(inbox(amal)) == before


async def test_a_session_that_did_not_take_place_gets_no_feedback_question(
    booked: tuple[Engine, Chat, Chat], sqlite_db: Database, clock: FixedClock
) -> None:
    engine, amal, salma = booked
    clock.set(at(1, 11, 25))
    await send_due(engine, clock.now())
    before = len(inbox(amal))
    await salma.press("✖ It did not take place")
    assert salma.said("Recorded: it did not take place.")
    await salma.press("Skip")
    assert salma.said("No note added.")
    assert len(inbox(amal)) == before
    assert (await _booking(sqlite_db)).status == BookingStatus.MISSED
    assert await press_payload(amal, "g:ccfb:1:5") == ["Cette option n'est pas disponible."]


async def test_recording_before_the_session_is_refused(
    booked: tuple[Engine, Chat, Chat], sqlite_db: Database
) -> None:
    _engine, _amal, salma = booked
    assert await press_payload(salma, "g:ccrec:1:y") == ["This session has not started yet."]
    assert (await _booking(sqlite_db)).status == BookingStatus.BOOKED


async def test_the_consultant_sees_the_agenda_and_can_cancel_with_an_apology(
    booked: tuple[Engine, Chat, Chat], sqlite_db: Database
) -> None:
    _engine, amal, salma = booked
    await salma.send("/sessions")
    assert salma.said("Your sessions in the next two weeks:")
    assert salma.said("Requested by: Amal") and salma.said("Nous voulons écrire")
    await salma.press("Cancel it")
    await salma.press("Yes, cancel it")
    assert salma.said("Cancelled.")
    assert "le consultant a dû annuler votre séance" in inbox(amal)[-1]
    await amal.press("Réserver un autre créneau")
    assert amal.said("Consultation : sur quel thème ?")


async def test_a_resident_is_not_shown_the_consultant_agenda(
    booked: tuple[Engine, Chat, Chat],
) -> None:
    _engine, amal, _salma = booked
    await amal.send("/sessions")
    assert amal.texts == ["Cette commande est réservée à l'équipe du programme."]


def test_the_calendar_file_moves_and_cancels_the_same_event() -> None:
    from types import SimpleNamespace

    booking = Booking(
        id=12,
        kind="technical_support",
        topic="financial_management",
        branch_code="sbeitla",
        starts_at=at(3, 9),
        ends_at=at(3, 10),
        description="Budget 2027",
        reschedule_count=2,
    )
    view = SimpleNamespace(
        booking=booking,
        consultant_name="Salma",
        place=lambda: "Sbeitla branch — Rue de la République",
    )
    with use_language("en"):
        data = ics_file(view, now=MONDAY_MORNING)  # type: ignore[arg-type]
        cancelled = ics_file(view, now=MONDAY_MORNING, cancelled=True)  # type: ignore[arg-type]
    [event] = Calendar.from_ical(data).walk("VEVENT")
    assert str(event["uid"]) == "consultation-12@musharaka"
    assert event.decoded("dtstart") == at(3, 9) and event.decoded("dtend") == at(3, 10)
    assert str(event["summary"]) == "Technical support: Financial management"
    assert "Sbeitla branch" in str(event["location"])
    assert int(event["sequence"]) == 2
    [gone] = Calendar.from_ical(cancelled).walk("VEVENT")
    assert str(gone["status"]) == "CANCELLED" and int(gone["sequence"]) == 3
    assert str(Calendar.from_ical(cancelled)["method"]) == "CANCEL"


async def test_my_data_shows_my_bookings_and_delete_erases_the_words_but_keeps_the_count(
    booked: tuple[Engine, Chat, Chat], sqlite_db: Database
) -> None:
    engine, _amal, _salma = booked
    exporter, eraser = engine.registry.personal_data["consultations"]
    async with sqlite_db.transaction() as s:
        exported = await exporter(s, 1000)
    assert exported["bookings"][0]["description"] == "Nous voulons écrire notre plan stratégique."
    async with sqlite_db.transaction() as s:
        await eraser(s, 1000, engine.services.clock.now())
    booking = await _booking(sqlite_db)
    assert booking.description == "" and booking.status == BookingStatus.CANCELLED
    async with sqlite_db.reader() as s:
        assert await consultations.sessions_by_branch(s, at(1, 0), at(2, 0)) == [
            ("kasserine", "consultation", "cancelled", 1)
        ]
        view = await load_view(s, booking.id)
    assert view is not None and view.booking.description == ""


async def test_a_booking_made_an_hour_ahead_only_gets_the_reminders_still_to_come(
    sqlite_db: Database, make_engine: EngineFactory
) -> None:
    await given_places(sqlite_db)
    await make_consultant(sqlite_db, SALMA, "Salma", min_notice_hours=0, language="en")
    clock = FixedClock(at(1, 8, 30))
    engine = make_engine(sqlite_db, clock=clock)
    amal = Chat(engine, user_id=1000, language="en")
    await amal.onboard("en")
    await amal.send("/consult")
    await amal.press("Consultation")
    await amal.press("Strategic planning")
    await amal.press(format_short_day(TUESDAY, "en"))
    await amal.press("10:15")
    await amal.send("Urgent: the donor report is due.")
    await amal.press("✅ Confirm")
    from storage.reminders import Reminder

    async with sqlite_db.reader() as s:
        keys = set(await s.scalars(select(Reminder.key)))
    assert keys == {
        "consultation:1:r0:1h",
        "consultation:1:r0:c1h",
        "consultation:1:r0:after",
    }
    clock.advance(timedelta(hours=1))
    assert await send_due(engine, clock.now()) == 2
