"""What a security probe tried against the bot, as stories: each one changed something it
should not have before these tests were written."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.engine.engine import Engine
from bot.engine.events import Event
from bot.engine.replies import Text
from bot.engine.session import MemorySessionStore
from bot.features.privacy.delete import erase_everything
from core.clock import FixedClock
from core.i18n import translate
from core.textinput import clean_text
from storage import cases, people, throttles, trainings
from storage.broadcasts import Broadcast
from storage.db import Database
from storage.monitoring import report
from storage.surveys import SurveySubmission
from tests.conftest import EngineFactory
from tests.support.broadcasts import add_residents
from tests.support.chat import Chat
from tests.support.consultations import press_payload
from tests.support.given import given_places
from tests.support.training_data import make_session
from tests.test_survey_conversation import answer_needs_survey, start_needs_survey

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
RESIDENT, STAFF = 1000, 9001


def t(message: str) -> str:
    return translate("en", message)


async def erase_myself(chat: Chat) -> None:
    await chat.send("/delete")
    await chat.press(t("Yes, erase my data"))
    assert chat.said(t("Your personal data has been erased. Thank you for taking part."))


async def submissions(db: Database) -> int:
    async with db.reader() as s:
        return int(await s.scalar(select(func.count()).select_from(SurveySubmission)) or 0)


async def test_erasing_oneself_between_two_surveys_does_not_count_the_same_account_twice(
    engine: Engine, sqlite_db: Database
) -> None:
    resident = Chat(engine, user_id=RESIDENT, language="en")
    await start_needs_survey(resident, "en")
    await answer_needs_survey(resident, "en")
    await resident.press(t("✅ Send my answers"))
    await erase_myself(resident)
    for _again in range(2):  # consent again, try again, erase again...
        resident = Chat(engine, user_id=RESIDENT, language="en")
        await resident.onboard("en")
        await resident.send("/menu")
        await resident.press(t("Needs survey: tell us what your district needs"))
        assert resident.said(t("You have already answered this survey for this round."))
        await erase_myself(resident)
    assert await submissions(sqlite_db) == 1
    async with sqlite_db.reader() as s:
        kept = await s.scalar(select(SurveySubmission))
    assert kept is not None and kept.respondent_id is None  # counted once, pointing at nobody


async def test_wrong_join_codes_stay_counted_after_delete(engine: Engine) -> None:
    guesser = Chat(engine, user_id=RESIDENT, language="en")
    await guesser.onboard("en")
    for guess in ("111111", "222222", "333333", "444444", "555555"):
        await guesser.send(f"/join {guess}")
    await erase_myself(guesser)

    again = Chat(engine, user_id=RESIDENT, language="en")
    await again.onboard("en")
    await again.send("/join 666666")
    assert again.said(t("Too many wrong codes. Please wait a quarter of an hour and try again."))


async def test_wrong_check_in_codes_stay_counted_after_delete_and_a_new_session(
    sqlite_db: Database, make_engine: EngineFactory
) -> None:
    await given_places(sqlite_db)
    engine = make_engine(sqlite_db, clock=FixedClock(NOW))
    guesser = Chat(engine, user_id=RESIDENT, language="en")
    await guesser.onboard("en")
    await guesser.send("/present")
    for guess in ("1111", "2222", "3333", "4444", "5555"):
        await guesser.send(guess)
    await erase_myself(guesser)

    # A fresh conversation store too (another worker, a restart): the count is in the database.
    engine = make_engine(sqlite_db, clock=FixedClock(NOW), store=MemorySessionStore())
    again = Chat(engine, user_id=RESIDENT, language="en")
    await again.onboard("en")
    await again.send("/present")
    await again.send("6666")
    assert again.said(t("Too many wrong codes. Please wait a few minutes or ask the trainer."))


async def test_a_staff_member_switched_off_mid_way_cannot_send_the_broadcast(
    sqlite_db: Database, make_engine: EngineFactory
) -> None:
    await given_places(sqlite_db)
    async with sqlite_db.transaction() as s:
        await people.add_staff(s, role=people.Role.STAFF, telegram_id=STAFF, display_name="Nadia")
    await add_residents(sqlite_db, range(100, 110), district="thala")
    engine = make_engine(sqlite_db, clock=FixedClock(NOW))
    nadia = Chat(engine, user_id=STAFF, language="en")
    await nadia.send("/broadcast")
    await nadia.send("Workshop on Saturday at the youth centre.")
    await nadia.press("No photo")
    await nadia.press("Everyone")

    async with sqlite_db.transaction() as s:  # an admin switches her account off
        member = await s.scalar(select(people.StaffMember))
        assert member is not None
        member.active = False

    await nadia.press("📣 Send now")
    assert nadia.said(t("This is only for programme staff."))
    async with sqlite_db.reader() as s:
        assert list(await s.scalars(select(Broadcast))) == []


async def test_a_forged_superscript_digit_in_a_button_is_refused_politely(chat: Chat) -> None:
    await chat.onboard("en")
    for payload in ("g:ccr:²", "g:ccx:²", "g:bcx:²", "g:tk:o:²", "g:as:²", "g:pr:²:any", "1:x:²"):
        replies = await press_payload(chat, payload)
        assert replies and all(replies), payload  # a translated answer, never a failure
        assert t("Sorry, something went wrong on our side.") not in " ".join(replies), payload


async def test_a_lone_surrogate_in_an_answer_is_dropped_and_nothing_escapes_the_engine(
    engine: Engine,
) -> None:
    chat = Chat(engine, user_id=RESIDENT, language="en")
    await start_needs_survey(chat, "en")
    await answer_needs_survey(chat, "en", needs="No water \ud800 in the village")
    await chat.press(t("✅ Send my answers"))
    assert chat.said(t("Thank you! Your answers were received."))
    assert clean_text("a\x01b\ud83d c", 100) == "ab c"


async def test_the_engine_answers_even_when_the_session_store_is_down(engine: Engine) -> None:
    class BrokenStore(MemorySessionStore):
        async def load(self, key: int):  # type: ignore[no-untyped-def, override]
            raise ConnectionError("the store is down")

    engine.services.store = BrokenStore()
    replies = await engine.handle(
        Event.from_text(RESIDENT, "/start", update_id=1, language_code="en")
    )
    [reply] = [item.reply for item in replies]
    assert isinstance(reply, Text) and reply.text.startswith(t("Sorry, something went wrong"))


async def test_an_erased_trainee_who_came_to_two_courses_is_one_person_served(
    sqlite_db: Database, make_engine: EngineFactory
) -> None:
    await given_places(sqlite_db)
    engine = make_engine(sqlite_db, clock=FixedClock(NOW))
    first = await make_session(sqlite_db, starts_at=NOW - timedelta(days=20))
    second = await make_session(
        sqlite_db, starts_at=NOW - timedelta(days=10), code="m-and-e", topic="monitoring"
    )
    async with sqlite_db.transaction() as s:
        await people.ensure_user(s, RESIDENT, first_name="Amal")
        for session_id in (first, second):
            training = await trainings.get_session(s, session_id)
            assert training is not None
            training.seats_taken = 1
            s.add(
                trainings.Registration(
                    session_id=session_id,
                    telegram_id=RESIDENT,
                    status=trainings.REGISTERED,
                    gender="female",
                    attended_at=training.starts_at,
                )
            )

    async def people_served() -> int:
        async with sqlite_db.reader() as s:
            figures = await report(s, NOW - timedelta(days=60), NOW, branch_order=[])
        return figures.people_served

    assert await people_served() == 1
    async with sqlite_db.transaction() as s:
        await erase_everything(s, engine.registry, RESIDENT, NOW)
    assert await people_served() == 1


async def test_failures_counted_at_once_by_many_workers_are_all_counted(any_db: Database) -> None:
    limit = throttles.Limit(failures=5, window=timedelta(minutes=15))

    async def one_wrong_code() -> None:
        async with any_db.transaction() as s:
            await throttles.count_person_failure(s, "join_code", RESIDENT, limit, NOW)

    await asyncio.gather(*(one_wrong_code() for _ in range(12)))
    async with any_db.transaction() as s:
        assert await throttles.person_is_locked(s, "join_code", RESIDENT, limit, NOW)
        counter = await s.scalar(select(throttles.AttemptCounter))
        assert counter is not None and counter.failures == 12
        assert str(RESIDENT) not in counter.subject  # a keyed hash, not the Telegram id
        assert not await throttles.person_is_locked(
            s, "join_code", RESIDENT, limit, NOW + timedelta(minutes=16)
        )


async def test_a_forged_stop_button_cannot_cancel_an_answer_to_a_residents_case(
    sqlite_db: Database, make_engine: EngineFactory
) -> None:
    await given_places(sqlite_db)
    engine = make_engine(sqlite_db, clock=FixedClock(NOW))  # registers the case audience
    async with sqlite_db.transaction() as s:
        member = await people.add_staff(
            s, role=people.Role.STAFF, telegram_id=STAFF, display_name="Nadia"
        )
        await people.ensure_user(s, RESIDENT, first_name="Amal")
        case = await cases.create_case(
            s, request_key="k1", telegram_id=RESIDENT, kind="question", text="?", now=NOW
        )
        outcome = await cases.staff_reply(
            s,
            case_id=case.id,
            staff=member,
            seen_version=case.version,
            text="Yes.",
            outgoing_text="M-00001: Yes.",
            now=NOW,
        )
    assert outcome == cases.Outcome.DONE
    async with sqlite_db.reader() as s:
        [reply] = list(await s.scalars(select(Broadcast)))
    nadia = Chat(engine, user_id=STAFF, language="en")
    assert await press_payload(nadia, f"g:bcx:{reply.id}") == [t("This option is not available.")]
    async with sqlite_db.reader() as s:
        again = await s.get(Broadcast, reply.id)
    assert again is not None and again.status != "cancelled"
