"""The waitlist promotion, end to end: the real bot process (aiogram and python-telegram-bot)
against the fake Telegram server. Amal gives up the last seat; Sami, first in line, gets
the offer in his own chat at once and confirms it with its button."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from storage import trainings
from storage.db import Database
from tests.e2e.harness import BotProcess
from tests.fakes.bot_api import FakeBotApi
from tests.support.given import given_places
from tests.support.training_data import make_session

pytestmark = pytest.mark.e2e

AMAL, SAMI = 7101, 7102
COURSE = "التخطيط الاستراتيجي للجمعيات"
WAIT = 60  # seconds: generous, the machine running the tests may be busy


def texts(api: FakeBotApi, user_id: int) -> list[str]:
    return [m.get("text", "") for m in api.messages_for(user_id)]


async def shows(api: FakeBotApi, user_id: int, fragment: str) -> None:
    await api.wait_until(lambda: any(fragment in t for t in texts(api, user_id)), WAIT)


def _label(api: FakeBotApi, user_id: int, fragment: str, exact: bool) -> str | None:
    for message in reversed(api.messages_for(user_id)):
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                text = button.get("text", "")
                if text == fragment or (not exact and fragment in text):
                    return str(text)
    return None


async def press(api: FakeBotApi, user_id: int, label: str, exact: bool = True) -> None:
    """Wait until the button is on screen (replies come in several messages), press it,
    and wait for the bot's answer."""
    await api.wait_until(lambda: _label(api, user_id, label, exact) is not None, WAIT)
    before = len(api.sent)
    api.user_presses_button(user_id, str(_label(api, user_id, label, exact)))
    await api.wait_for(
        lambda r: r.chat_id == user_id and r.method != "answerCallbackQuery",
        since=before,
        timeout=WAIT,
    )


async def press_containing(api: FakeBotApi, user_id: int, fragment: str) -> None:
    await press(api, user_id, fragment, exact=False)


async def say(api: FakeBotApi, user_id: int, text: str) -> None:
    before = len(api.sent)
    api.user_sends_text(user_id, text)
    await api.wait_for(lambda r: r.chat_id == user_id, since=before, timeout=WAIT)


async def register(api: FakeBotApi, user_id: int, name: str, gender: str, action: str) -> None:
    await say(api, user_id, "/start")
    await press(api, user_id, "العربية")
    await press(api, user_id, "أوافق")
    await say(api, user_id, "/trainings")
    await press(api, user_id, "دليل الدورات")
    await press(api, user_id, COURSE)
    await press_containing(api, user_id, "فرع القصرين")
    label = (
        "التسجيل"
        if any(b == "التسجيل" for b, _ in api.last_buttons(user_id))
        else ("الانضمام إلى قائمة الانتظار")
    )
    await press(api, user_id, label)
    await say(api, user_id, name)
    await press(api, user_id, gender)


async def test_a_freed_seat_reaches_the_first_in_line_through_telegram(
    api: FakeBotApi, bot_processes: Callable[..., BotProcess], tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite'}"
    db = Database(url)
    await db.upgrade()
    await given_places(db)
    await make_session(
        db, starts_at=datetime.now(UTC) + timedelta(days=7), capacity=1, branch_code="kasserine"
    )
    api.add_user(AMAL, first_name="Amal", language_code="ar")
    api.add_user(SAMI, first_name="Sami", language_code="ar")
    bot = bot_processes(api, database_url=url)
    await bot.wait_polling()

    await register(api, AMAL, "أمل بن صالح", "امرأة", "التسجيل")
    await shows(api, AMAL, "تم تسجيلك!")
    await register(api, SAMI, "سامي الحامدي", "رجل", "الانضمام إلى قائمة الانتظار")
    await shows(api, SAMI, "أنت في قائمة الانتظار: رقم ١")

    await say(api, AMAL, "/trainings")
    await press(api, AMAL, "تسجيلاتي")
    await press_containing(api, AMAL, "إلغاء:")
    await press(api, AMAL, "نعم، ألغِه")
    await shows(api, AMAL, "أُلغي مكانك")

    await shows(api, SAMI, "خبر سار! شغر مقعد في تدريب كنت تنتظره")
    await press(api, SAMI, "نعم، سأحضر")
    await shows(api, SAMI, "تأكّد مقعدك. نلقاك في التدريب!")

    async with db.reader() as s:
        rows = {r.telegram_id: r.status for r in await s.scalars(select(trainings.Registration))}
    await db.dispose()
    assert rows == {AMAL: "cancelled", SAMI: "registered"}
    assert api.violations == []
    assert api.unanswered_callback_queries == []
