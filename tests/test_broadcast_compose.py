"""Stories of staff composing announcements in the chat, and of people choosing what they get."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.engine.engine import Engine
from bot.features.broadcasts.moment import parse_local_moment
from core.clock import FixedClock
from storage import people
from storage.broadcasts import Broadcast
from storage.db import Database
from tests.conftest import EngineFactory
from tests.support.broadcasts import add_residents
from tests.support.chat import Chat
from tests.support.consultations import press_payload
from tests.support.given import given_places

ARABIC = re.compile(r"[\u0600-\u06FF]")
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # 09:00 in Tunis
STAFF = 9001


@pytest.fixture
async def staff_engine(sqlite_db: Database, make_engine: EngineFactory) -> Engine:
    await given_places(sqlite_db)
    async with sqlite_db.transaction() as s:
        await people.add_staff(s, role=people.Role.STAFF, telegram_id=STAFF, display_name="Nadia")
    await add_residents(sqlite_db, range(100, 130), district="thala")
    await add_residents(sqlite_db, range(200, 205), district="sbeitla", language="fr")
    await add_residents(sqlite_db, [300], district="thala", announcements_enabled=False)
    return make_engine(sqlite_db, clock=FixedClock(NOW))


async def _broadcasts(db: Database) -> list[Broadcast]:
    async with db.reader() as s:
        return list(await s.scalars(select(Broadcast).order_by(Broadcast.id)))


async def test_staff_announce_a_workshop_to_two_districts_now(
    staff_engine: Engine, sqlite_db: Database
) -> None:
    nadia = Chat(staff_engine, user_id=STAFF, language="en", first_name="Nadia")
    await nadia.send("/broadcast")
    assert nadia.said("Write the announcement")
    await nadia.send("Proposal-writing workshop, Saturday 10:00, Thala youth centre.")
    await nadia.press("No photo")
    await nadia.press("Residents of some districts")
    await nadia.press("Thala")
    await nadia.press("Sbeitla")
    await nadia.press("✅ Thala")  # changed her mind: unselect...
    await nadia.press("Thala")  # ...and select again
    assert "✅ Thala" in nadia.buttons() and "✅ Sbeitla" in nadia.buttons()
    await nadia.press("Done")
    assert nadia.said("Proposal-writing workshop, Saturday 10:00")  # the preview itself
    assert nadia.said("Audience: residents of Sbeitla, Thala")
    assert nadia.said("It will go to 35 people.")  # 30 + 5; the one who said no is left out
    await nadia.press("📣 Send now")
    assert nadia.said("Announcement #1 is on its way (recipients: about 35).")
    assert "Cancel this announcement" in nadia.buttons()

    [broadcast] = await _broadcasts(sqlite_db)
    assert broadcast.status == "scheduled" and broadcast.send_at == NOW
    assert broadcast.audience == {"kind": "districts", "values": ["sbeitla", "thala"]}
    assert broadcast.created_by == STAFF and broadcast.progress_chat_id == STAFF

    await nadia.press("Cancel this announcement")
    assert nadia.said("Announcement #1 stopped. Already delivered: 0.")
    assert (await _broadcasts(sqlite_db))[0].status == "cancelled"


async def test_a_photo_with_a_caption_to_french_speakers_tomorrow_morning(
    staff_engine: Engine, sqlite_db: Database
) -> None:
    nadia = Chat(staff_engine, user_id=STAFF, language="ar")
    await nadia.send("/broadcast")
    assert ARABIC.search(nadia.last_text)
    await nadia.send_photo()
    await nadia.send("Atelier « budget associatif » samedi à 10 h.")
    await nadia.press(nadia.buttons()[2])  # by language
    await nadia.press("Français")
    await nadia.press(nadia.buttons()[-2])  # done
    assert any(r["kind"] == "photo" for r in nadia.last)
    assert nadia.said("٥")  # how many will receive it, in Arabic digits
    await nadia.press(nadia.buttons()[1])  # send later
    await nadia.send("٢٠٢٦-١٢-٠٢ ٠٩:٣٠")  # typed with Arabic-Indic digits
    assert all(ARABIC.search(t) for t in nadia.texts)
    [broadcast] = await _broadcasts(sqlite_db)
    assert broadcast.photo_file_id and broadcast.send_at == datetime(2026, 12, 2, 8, 30, tzinfo=UTC)


async def test_bad_input_while_composing(staff_engine: Engine, sqlite_db: Database) -> None:
    nadia = Chat(staff_engine, user_id=STAFF, language="en")
    await nadia.send("/broadcast")
    await nadia.send_sticker()
    assert nadia.said("Please send the announcement as text")
    await nadia.send("x" * 5000)  # longer than Telegram allows: refused by the engine
    await nadia.send("A" * 1500)
    await nadia.send_photo()  # a 1,500-character text cannot be a caption
    assert nadia.said("at most 1,024 characters, and yours has 1,500")
    await nadia.press("No photo")
    await nadia.press("Everyone")
    await nadia.press("🕒 Send later")
    await nadia.send("next Tuesday")
    assert nadia.said("I could not read that date")
    await nadia.send("2026-11-30 09:00")
    assert nadia.said("already passed")
    await nadia.send("2027-06-01 09:00")
    assert nadia.said("within the next three months")
    await nadia.send("31/02 09:00")
    assert nadia.said("I could not read that date")
    assert await _broadcasts(sqlite_db) == []
    await nadia.press("Tomorrow at 09:00")
    [broadcast] = await _broadcasts(sqlite_db)
    assert broadcast.send_at == datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


async def test_residents_cannot_broadcast_or_stop_a_broadcast(
    staff_engine: Engine, sqlite_db: Database
) -> None:
    nadia = Chat(staff_engine, user_id=STAFF, language="en")
    await nadia.send("/broadcast")
    await nadia.send("Hello everyone")
    await nadia.press("No photo")
    await nadia.press("Everyone")
    await nadia.press("📣 Send now")
    resident = Chat(staff_engine, user_id=100, language="en")
    await resident.onboard("en")
    await resident.send("/broadcast")
    assert resident.said("only for programme staff")
    assert await press_payload(resident, "g:bcx:1") == ["This option is not available."]
    assert (await _broadcasts(sqlite_db))[0].status == "scheduled"


async def test_nobody_in_the_audience_means_nothing_to_send(staff_engine: Engine) -> None:
    nadia = Chat(staff_engine, user_id=STAFF, language="en")
    await nadia.send("/broadcast")
    await nadia.send("Réunion")
    await nadia.press("No photo")
    await nadia.press("Residents of some districts")
    await nadia.press("Feriana")
    await nadia.press("Done")
    assert nadia.said("It will go to 0 people.")
    assert "📣 Send now" not in nadia.buttons()


def test_typed_dates_in_the_programme_timezone() -> None:
    tz = "Africa/Tunis"
    assert parse_local_moment("2026-12-05 09:30", NOW, tz) == datetime(
        2026, 12, 5, 8, 30, tzinfo=UTC
    )
    assert parse_local_moment("05/12 9h30", NOW, tz) == datetime(2026, 12, 5, 8, 30, tzinfo=UTC)
    assert parse_local_moment("05/01 09:00", NOW, tz) == datetime(2027, 1, 5, 8, 0, tzinfo=UTC)
    assert parse_local_moment("٥/١٢/٢٠٢٦ ١٠:٠٠", NOW, tz) == datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    assert parse_local_moment("tomorrow", NOW, tz) is None
    assert parse_local_moment("2026-13-01 09:00", NOW, tz) is None
    assert NOW + timedelta(days=1) > NOW


async def test_a_resident_turns_announcements_off_and_stops_everything(
    sqlite_db: Database, make_engine: EngineFactory
) -> None:
    await given_places(sqlite_db)
    amal = Chat(make_engine(sqlite_db), user_id=1000, language="ar")
    await amal.onboard("ar")
    await amal.send("/settings")
    assert ARABIC.search(amal.last_text) and len(amal.buttons()) == 2
    await amal.press(amal.buttons()[0])  # announcements off
    async with sqlite_db.reader() as s:
        user = await people.get_user(s, 1000)
    assert user is not None and not user.announcements_enabled and not user.messages_stopped
    await amal.press(amal.buttons()[1])  # stop everything
    async with sqlite_db.reader() as s:
        user = await people.get_user(s, 1000)
    assert user is not None and user.messages_stopped
    assert len(amal.buttons()) == 1
    await amal.press(amal.buttons()[0])  # allow again
    async with sqlite_db.reader() as s:
        user = await people.get_user(s, 1000)
    assert user is not None and not user.messages_stopped and not user.announcements_enabled
    assert await press_payload(amal, "g:set:ann:maybe") != []
