"""The broadcasts' and cases' global buttons stay in people's chats (a staff member's
progress message and confirmation, a resident's /settings, an answer to their case, the
closing message's stars, their open messages) across deploys: their payloads do not change,
and garbled or forged ones get the answer they always got."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.engine.engine import Engine
from bot.workers.broadcast_config import SenderConfig
from bot.workers.broadcast_sender import BroadcastSender
from bot.workers.send_limiter import LocalSendLimiter
from core.clock import FixedClock
from core.i18n import translate
from storage import cases, people
from storage.cases.texts import closing_text, reply_text
from storage.db import Database
from tests.conftest import EngineFactory
from tests.support.broadcasts import add_residents
from tests.support.chat import Chat
from tests.support.consultations import press_payload
from tests.support.given import given_places
from tests.support.settings import settings_for_tests

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
STAFF, AMAL = 9001, 3001
NOT_AVAILABLE = ["This option is not available."]
NO_LONGER_ACTIVE = ["This button is no longer active."]


async def _engine(db: Database, make_engine: EngineFactory, clock: FixedClock) -> Engine:
    await given_places(db)
    async with db.transaction() as s:
        await people.add_staff(s, role=people.Role.STAFF, telegram_id=STAFF, display_name="Nadia")
    await add_residents(db, range(100, 105), district="thala", language="en")
    return make_engine(db, clock=clock)


def _sender(db: Database, chat: Chat, clock: FixedClock) -> BroadcastSender:
    return BroadcastSender(
        db,
        settings_for_tests(),
        chat.sim.messenger,
        limiter=LocalSendLimiter(30, 1.0, clock=lambda: clock.now().timestamp()),
        config=SenderConfig(concurrency=1, worker="test", poll_seconds=0.01),
        clock=clock,
    )


async def test_the_broadcast_and_settings_buttons_carry_the_payloads_they_always_had(
    sqlite_db: Database, make_engine: EngineFactory
) -> None:
    clock = FixedClock(NOW)
    engine = await _engine(sqlite_db, make_engine, clock)
    nadia = Chat(engine, user_id=STAFF, language="en", first_name="Nadia")
    await nadia.send("/broadcast")
    await nadia.send("Proposal-writing workshop, Saturday 10:00.")
    await nadia.press("No photo")
    await nadia.press("Everyone")
    await nadia.press("📣 Send now")
    assert nadia.payload_of("Cancel this announcement") == "g:bcx:1"

    sender = _sender(sqlite_db, nadia, clock)
    clock.advance(timedelta(seconds=2))
    assert await sender.launch_due() == 1
    await sender.show_progress(force=True)
    # The sender writes in the staff member's language as the bot knows it (Arabic by default).
    stop = translate("ar", "Stop sending")
    assert nadia.payload_of(stop) == "g:bcx:1"

    # Garbled or forged: the words they always had.
    for payload in ("g:bcx", "g:bcx:x", "g:bcx:999"):
        assert await press_payload(nadia, payload) == NOT_AVAILABLE, payload
    await nadia.press(stop)
    assert nadia.said("Announcement #1 stopped.")

    amal = Chat(engine, user_id=AMAL, language="en")
    await amal.onboard("en")
    assert await press_payload(amal, "g:bcx:1") == NOT_AVAILABLE  # residents cannot stop one
    await amal.send("/settings")
    assert amal.payload_of("Turn announcements off") == "g:set:ann:0"
    assert amal.payload_of("Stop all messages") == "g:set:stop:1"
    await amal.press("Turn announcements off")
    assert amal.payload_of("Turn announcements on") == "g:set:ann:1"
    await amal.press("Stop all messages")
    assert amal.payload_of("Allow messages again") == "g:set:stop:0"
    for payload in ("g:set", "g:set:ann", "g:set:ann:2", "g:set:all:1", "g:set:stop:1:1"):
        assert await press_payload(amal, payload) == NOT_AVAILABLE, payload
    assert "Saved." in await press_payload(amal, "g:set:stop:0")


async def test_the_case_buttons_carry_the_payloads_they_always_had(
    sqlite_db: Database, make_engine: EngineFactory
) -> None:
    clock = FixedClock(NOW)
    engine = await _engine(sqlite_db, make_engine, clock)
    amal = Chat(engine, user_id=AMAL, language="en")
    await amal.onboard("en")
    await amal.send("/contact")
    await amal.press("❓ A question")
    await amal.press("Thala")
    await amal.send("When is the next training in Thala?")
    await amal.press("📨 Send")
    await amal.send("/contact")
    assert amal.payload_of("↩️ Reply to M-00001") == "g:cr:1"

    async with sqlite_db.transaction() as s:
        salma = await people.add_staff(
            s, role=people.Role.STAFF, telegram_id=9101, display_name="Salma"
        )
        case = await cases.get_case(s, 1)
        assert case is not None
        answer = "On the 12th, at the youth centre."
        outcome = await cases.staff_reply(
            s, case_id=1, staff=salma, seen_version=case.version, text=answer,
            outgoing_text=reply_text(case.reference, answer, case.language), now=clock.now(),
        )  # fmt: skip
        assert outcome == cases.Outcome.DONE
    clock.advance(timedelta(seconds=2))
    assert await _sender(sqlite_db, amal, clock).drain() == 1
    assert amal.payload_of("↩️ Reply") == "g:cr:1"

    async with sqlite_db.transaction() as s:
        case = await cases.get_case(s, 1)
        assert case is not None
        outcome = await cases.close(
            s, case_id=1, staff=salma, seen_version=case.version,
            closing_text=closing_text(case.reference, case.language), now=clock.now(),
        )  # fmt: skip
        assert outcome == cases.Outcome.DONE
    clock.advance(timedelta(seconds=2))
    assert await _sender(sqlite_db, amal, clock).drain() == 1
    assert [amal.payload_of("⭐" * n) for n in range(5, 0, -1)] == [
        "g:crt:1:5",
        "g:crt:1:4",
        "g:crt:1:3",
        "g:crt:1:2",
        "g:crt:1:1",
    ]
    for payload in ("g:cr", "g:cr:x", "g:cr:999", "g:crt:1", "g:crt:1:9", "g:crt:999:5"):
        assert await press_payload(amal, payload) == NO_LONGER_ACTIVE, payload
    assert await press_payload(amal, "g:crt:1:4") == ["Thank you for rating the answer to M-00001."]
    assert await press_payload(amal, "g:cr:1") == [
        "M-00001 is closed. To write to the programme again, send /contact."
    ]
