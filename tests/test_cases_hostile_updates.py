"""Writing to the programme when things go wrong: a case closed while the resident types,
a re-delivered answer, stickers, forged and stale buttons. Each gets a translated answer and
changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.engine.engine import Engine
from bot.engine.events import Event, EventKind
from core.clock import FixedClock
from storage import cases, people
from storage.cases.texts import closing_text
from storage.db import Database
from storage.people import Role
from tests.conftest import EngineFactory
from tests.support.chat import Chat
from tests.support.given import given_places

AMAL, KARIM = 3201, 9301


@pytest.fixture
async def engine(sqlite_db: Database, make_engine: EngineFactory) -> Engine:
    await given_places(sqlite_db)
    return make_engine(sqlite_db, clock=FixedClock(datetime(2026, 11, 2, 8, tzinfo=UTC)))


async def _question(engine: Engine) -> Chat:
    amal = Chat(engine, user_id=AMAL, language="ar")
    await amal.onboard("ar")
    await amal.send("/contact")
    await amal.press("❓ سؤال")
    await amal.press("تالة")
    await amal.send("هل التسجيل في الدورة مجاني؟")
    await amal.press("📨 إرسال")
    return amal


async def _messages(db: Database) -> list[str]:
    async with db.reader() as s:
        return [m.author for m in await cases.messages_of(s, 1)]


async def test_a_case_closed_while_the_resident_types_keeps_her_answer_out(
    engine: Engine, sqlite_db: Database
) -> None:
    amal = await _question(engine)
    await amal.send("/contact")
    await amal.press("↩️ الرد على M-٠٠٠٠١")
    await amal.send_sticker()
    assert amal.said("يمكنني هنا قراءة النصوص والصور والرسائل الصوتية والمواقع.")
    async with sqlite_db.transaction() as s:
        karim = await people.add_staff(s, role=Role.STAFF, telegram_id=KARIM, username="karim")
        await cases.close(
            s, case_id=1, staff=karim, seen_version=0, closing_text=closing_text("M-00001", "ar"),
            now=datetime(2026, 11, 2, 9, tzinfo=UTC),
        )  # fmt: skip
    await amal.send("وهل هناك شهادة؟")
    assert amal.said("تم إغلاق M-٠٠٠٠١. لمراسلة البرنامج من جديد، أرسل /contact.")
    assert await _messages(sqlite_db) == ["resident"]


async def test_a_re_delivered_answer_is_added_once(engine: Engine, sqlite_db: Database) -> None:
    amal = await _question(engine)
    await amal.send("/contact")
    await amal.press("↩️ الرد على M-٠٠٠٠١")
    answer = Event.from_text(AMAL, "وهل هناك شهادة؟", update_id=60_000)
    await engine.handle(answer)
    await engine.handle(answer)  # Telegram delivers the same update again
    assert await _messages(sqlite_db) == ["resident", "resident"]


async def test_forged_and_stale_buttons_change_nothing(engine: Engine, sqlite_db: Database) -> None:
    amal = Chat(engine, user_id=AMAL, language="ar")
    await amal.onboard("ar")
    await amal.send("/contact")
    stale = amal.payload_of("❓ سؤال")
    await amal.press("💡 اقتراح")
    for n, payload in enumerate([stale, "999:k:question", "g:cr:1", "g:crt:1:5", "g:cr:١"]):
        replies = await engine.handle(
            Event(AMAL, AMAL, EventKind.BUTTON, payload=payload, callback_id=f"c{n}",
                  update_id=61_000 + n)
        )  # fmt: skip
        assert replies  # a translated toast or message, never silence
    async with sqlite_db.reader() as s:
        assert await cases.cases_of(s, AMAL) == []
    # The conversation is where it was: still asking for the district of the suggestion.
    await amal.press("تالة")
    assert amal.said("يُرجى كتابة رسالتك في رسالة نصية واحدة")
