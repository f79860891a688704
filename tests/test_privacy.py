"""/mydata and /delete: a resident sees everything kept about them, and can erase it while the
programme keeps its anonymous counts."""

from __future__ import annotations

import itertools
import json
from datetime import date
from typing import Any

from sqlalchemy import func, select

from bot.engine.engine import Engine
from bot.engine.events import Event
from bot.engine.replies import Document
from core.clock import FixedClock
from core.formatting import format_short_day
from core.i18n import translate
from storage import people, trainings
from storage.broadcasts import Broadcast, OutboxMessage
from storage.consultations import Booking, BookingStatus
from storage.db import Database
from storage.people import User
from storage.reminders import Reminder
from storage.surveys import SurveyAnswer, SurveySubmission
from tests.conftest import EngineFactory
from tests.support.chat import Chat
from tests.support.consultations import at, hm, make_consultant
from tests.support.given import given_places
from tests.support.training_data import make_session
from tests.test_survey_conversation import answer_needs_survey, start_needs_survey

AMAL = 1000
SALMA = 7001
TUESDAY = date(2026, 12, 1)
_update_ids = itertools.count(9_000_000)


def t(message: str) -> str:
    return translate("en", message)


async def command(engine: Engine, user_id: int, text: str) -> list[Any]:
    """Send a command straight to the engine and return the raw replies (with file bytes)."""
    event = Event.from_text(user_id, text, update_id=next(_update_ids), language_code="en")
    return [item.reply for item in await engine.handle(event)]


async def my_data(engine: Engine, user_id: int = AMAL) -> dict[str, Any]:
    [document] = [r for r in await command(engine, user_id, "/mydata") if isinstance(r, Document)]
    assert document.filename.endswith(".json")
    assert document.mime_type == "application/json"
    return json.loads(document.data.decode("utf-8"))  # type: ignore[no-any-return]


async def a_resident_with_history(db: Database, make_engine: EngineFactory) -> tuple[Engine, Chat]:
    """Amal booked a consultation, answered the needs survey, holds a training seat, and has
    a second survey-like conversation in progress."""
    await given_places(db)
    await make_consultant(
        db, SALMA, "Salma", min_notice_hours=0, weekly=[("kasserine", 1, hm(9), hm(13))]
    )
    clock = FixedClock(at(1, 8, 30))
    engine = make_engine(db, clock=clock)
    amal = Chat(engine, user_id=AMAL, language="en", first_name="Amal")
    await amal.onboard("en")
    await amal.send("/consult")
    await amal.press("Consultation")
    await amal.press("Strategic planning")
    await amal.press(format_short_day(TUESDAY, "en"))
    await amal.press("10:15")
    await amal.send("Our association needs a strategic plan.")
    await amal.press("✅ Confirm")

    await amal.send("/menu")
    await amal.press(t("Needs survey: tell us what your district needs"))
    await amal.press(t("Continue ▶"))
    await answer_needs_survey(amal, "en", needs="The clinic in Thala has no doctor")
    await amal.press(t("✅ Send my answers"))
    assert amal.said(t("Thank you! Your answers were received."))

    session_id = await make_session(db, starts_at=at(10, 9), capacity=10)
    async with db.transaction() as s:
        outcome = await trainings.register(
            s,
            session_id=session_id,
            telegram_id=AMAL,
            now=clock.now(),
            participant_name="Amal Ben Salah",
            gender="female",
        )
    assert outcome is not None
    return engine, amal


async def test_a_resident_gets_everything_kept_about_them_as_one_json_file(
    sqlite_db: Database, make_engine: EngineFactory
) -> None:
    engine, amal = await a_resident_with_history(sqlite_db, make_engine)

    data = await my_data(engine)

    assert data["telegram_id"] == AMAL
    areas = data["areas"]
    assert areas["profile"]["user"]["first_name"] == "Amal"
    assert areas["profile"]["user"]["language"] == "en"
    assert areas["profile"]["user"]["district"] == "thala"
    assert {r["kind"] for r in areas["profile"]["reminders"]} == {"consultation-reminder"}
    [submission] = areas["surveys"]["survey_submissions"]
    assert submission["answers"]["district"] == "thala"
    assert submission["answers"]["specific_needs"] == "The clinic in Thala has no doctor"
    [booking] = areas["consultations"]["bookings"]
    assert booking["description"] == "Our association needs a strategic plan."
    [registration] = areas["trainings"]["registrations"]
    assert registration["name"] == "Amal Ben Salah"
    assert data["conversation"]["language"] == "en"

    await amal.send("/mydata")  # through the channel: a file with a translated caption
    [reply] = amal.last
    assert reply["kind"] == "document" and reply["filename"].startswith("musharaka-my-data-")
    assert "/delete" in reply["text"]


async def test_unsent_answers_are_part_of_my_data(chat: Chat) -> None:
    await start_needs_survey(chat, "en")
    await chat.press("Thala")
    data = await my_data(chat.sim.engine)
    unsent = json.dumps(data["conversation"], ensure_ascii=False)
    assert "thala" in unsent


async def test_someone_the_bot_never_met_is_told_nothing_is_kept(engine: Engine) -> None:
    replies = await command(engine, 4242, "/mydata")
    assert [r.text for r in replies] == [t("Musharaka keeps no data about you.")]


async def test_delete_asks_first_and_keeping_changes_nothing(chat: Chat) -> None:
    await chat.onboard("en")
    await chat.send("/delete")
    assert chat.buttons() == [t("Yes, erase my data"), t("No, keep my data")]
    await chat.send("what?")
    assert chat.said(t("Please answer with the buttons below: erase your data, or keep it."))
    assert chat.buttons() == [t("Yes, erase my data"), t("No, keep my data")]
    await chat.press(t("No, keep my data"))
    assert chat.said(t("Nothing was erased. Your data stays as it was."))
    async with chat.sim.engine.services.db.reader() as s:
        user = await people.get_user(s, AMAL)
    assert user is not None and user.first_name == "Amal" and user.erased_at is None
    await chat.send("/menu")  # still onboarded: straight to the menu
    assert chat.said(t("What would you like to do?"))


async def test_delete_erases_the_person_and_keeps_anonymous_counts(
    any_db: Database, make_engine: EngineFactory
) -> None:
    engine, amal = await a_resident_with_history(any_db, make_engine)
    async with any_db.transaction() as s:
        answers_before = await s.scalar(select(func.count()).select_from(SurveyAnswer))
        for status in ("sent", "pending"):
            broadcast = Broadcast(created_by=9001, text="ورشة", audience={}, send_at=at(1, 8))
            s.add(broadcast)
            await s.flush()
            s.add(OutboxMessage(broadcast_id=broadcast.id, chat_id=AMAL, status=status))
    await amal.send("/delete")
    confirm = amal.payload_of(t("Yes, erase my data"))
    await amal.press(t("Yes, erase my data"))
    assert amal.said(t("Your personal data has been erased."))

    async with any_db.reader() as s:
        assert await people.get_user(s, AMAL) is None
        [row] = list(await s.scalars(select(User).where(User.erased_at.is_not(None))))
        assert row.telegram_id < 0 and row.first_name == "" and row.phone == ""
        assert row.consent_at is None and row.messages_stopped
        [submission] = list(await s.scalars(select(SurveySubmission)))
        assert submission.respondent_id is None
        kept = {a.question: a.value for a in await s.scalars(select(SurveyAnswer))}
        answers_after = await s.scalar(select(func.count()).select_from(SurveyAnswer))
        [booking] = list(await s.scalars(select(Booking)))
        [registration] = list(await s.scalars(select(trainings.Registration)))
        outbox = list(await s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        pending = list(
            await s.scalars(
                select(Reminder).where(Reminder.sent_at.is_(None), Reminder.cancelled_at.is_(None))
            )
        )
    assert kept["district"] == "thala" and "specific_needs" not in kept  # free text could identify
    assert answers_after == answers_before - 1
    assert booking.status == BookingStatus.CANCELLED and booking.description == ""
    # The place points at the anonymised users row (-its id): still one person in the figures.
    assert registration.telegram_id is not None and registration.telegram_id < 0
    assert registration.participant_name == ""
    assert registration.gender == "female"  # the training's figures by gender still add up
    assert pending == []
    assert [(m.status, m.chat_id < 0) for m in outbox] == [("sent", True), ("skipped", True)]
    assert await engine.services.store.load(AMAL) is None  # the conversation state is gone

    # The same press again (a double tap, a re-delivered update) does nothing more.
    from tests.support.consultations import press_payload

    again = await press_payload(amal, confirm)
    assert again == [translate("en", "This button is from an earlier step and no longer works.")]
    fresh = await engine.services.store.load(AMAL)
    assert fresh is None or (fresh.language, fresh.flow, fresh.profile) == (None, None, {})

    data = await command(engine, AMAL, "/mydata")
    assert [r.text for r in data] == [t("Musharaka keeps no data about you.")]
    await amal.send("/start")  # a fresh start: the language question again
    assert amal.buttons() == ["العربية", "English", "Français"]


async def test_a_person_can_be_erased_before_ever_agreeing(chat: Chat) -> None:
    await chat.send("/start")
    await chat.press("English")
    await chat.send("/delete")
    await chat.press(t("Yes, erase my data"))
    assert chat.said(t("Your personal data has been erased."))
    async with chat.sim.engine.services.db.reader() as s:
        assert await people.get_user(s, AMAL) is None


async def test_the_menu_offers_my_data_and_erasing(chat: Chat) -> None:
    await chat.onboard("en")
    await chat.send("/menu")
    await chat.press(t("My data"))
    assert chat.buttons() == [t("Send me my data"), t("Erase my data")]
    await chat.press(t("Send me my data"))
    assert chat.last[-1]["kind"] == "document"
    await chat.press(t("Erase my data"))
    assert chat.buttons() == [t("Yes, erase my data"), t("No, keep my data")]


async def test_a_training_seat_given_up_by_erasing_goes_to_the_next_in_line(
    sqlite_db: Database, make_engine: EngineFactory
) -> None:
    await given_places(sqlite_db)
    clock = FixedClock(at(1, 8, 30))
    engine = make_engine(sqlite_db, clock=clock)
    session_id = await make_session(sqlite_db, starts_at=at(10, 9), capacity=1)
    async with sqlite_db.transaction() as s:
        for telegram_id in (AMAL, SALMA):
            await people.ensure_user(s, telegram_id, language="en")
            await trainings.register(
                s, session_id=session_id, telegram_id=telegram_id, now=clock.now()
            )
    amal = Chat(engine, user_id=AMAL, language="en")
    await amal.onboard("en")
    await amal.send("/delete")
    await amal.press(t("Yes, erase my data"))
    async with sqlite_db.reader() as s:
        statuses = {
            r.telegram_id: r.status for r in await s.scalars(select(trainings.Registration))
        }
    assert sorted(statuses.values()) == [trainings.CANCELLED, trainings.OFFERED]
    assert statuses[SALMA] == trainings.OFFERED and min(statuses) < 0  # the erased one: nobody
