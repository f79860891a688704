"""The real bot process, talking to a fake Telegram that checks every request against the
Bot API specification."""

from __future__ import annotations

import re
from collections.abc import Callable

import aiohttp
import pytest

from bot.channels.commands import webhook_secret_for
from tests.e2e.harness import TOKEN, BotProcess, free_port
from tests.fakes.bot_api import FakeBotApi

pytestmark = pytest.mark.e2e

ARABIC = re.compile(r"[\u0600-\u06FF]")
RESIDENT = 7001


def texts(api: FakeBotApi, user_id: int) -> list[str]:
    return [m.get("text", "") for m in api.messages_for(user_id)]


async def press(api: FakeBotApi, user_id: int, label: str) -> None:
    before = len(api.sent)
    api.user_presses_button(user_id, label)
    await api.wait_for(
        lambda r: r.chat_id == user_id and r.method != "answerCallbackQuery",
        since=before,
        timeout=20,
    )


async def say(api: FakeBotApi, user_id: int, text: str) -> None:
    before = len(api.sent)
    api.user_sends_text(user_id, text)
    await api.wait_for(lambda r: r.chat_id == user_id, since=before, timeout=20)


async def test_a_resident_meets_the_real_bot_in_arabic(
    api: FakeBotApi, bot_processes: Callable[..., BotProcess]
) -> None:
    api.add_user(RESIDENT, first_name="Salma", language_code="ar")
    bot = bot_processes(api)
    await bot.wait_polling()

    await say(api, RESIDENT, "/start")
    assert [label for label, _ in api.last_buttons(RESIDENT)] == ["العربية", "English", "Français"]
    await press(api, RESIDENT, "العربية")
    await api.wait_until(lambda: any("هل توافق؟" in t for t in texts(api, RESIDENT)), 20)
    await press(api, RESIDENT, "أوافق")
    await api.wait_until(lambda: "ماذا تودّ أن تفعل؟" in texts(api, RESIDENT), 20)

    await say(api, RESIDENT, "x" * 4096)
    assert "طويلة" not in texts(api, RESIDENT)[-1]  # 4096 is allowed: the menu hint answers
    before = len(api.sent)
    api.user_sends_sticker(RESIDENT)
    record = await api.wait_for(lambda r: r.chat_id == RESIDENT, since=before, timeout=20)
    assert ARABIC.search(record.params.get("text", ""))

    assert api.violations == []
    assert api.unanswered_callback_queries == []


async def test_commands_are_published_in_each_language(
    api: FakeBotApi, bot_processes: Callable[..., BotProcess]
) -> None:
    bot = bot_processes(api)
    await bot.wait_polling()
    published = {
        r.params.get("language_code", ""): r.params
        for r in api.requests
        if r.method == "setMyCommands"
    }
    assert set(published) >= {"ar", "en", "fr", ""}
    arabic = {c["command"]: c["description"] for c in published["ar"]["commands"]}
    assert arabic["language"] == "تغيير اللغة"
    french = {c["command"]: c["description"] for c in published["fr"]["commands"]}
    assert french["cancel"] == "Arrêter ce que vous faites"
    assert api.violations == []


async def test_a_redelivered_update_and_a_forged_button_change_nothing(
    api: FakeBotApi, bot_processes: Callable[..., BotProcess]
) -> None:
    api.add_user(RESIDENT, first_name="Salma", language_code="fr")
    bot = bot_processes(api)
    await bot.wait_polling()
    await say(api, RESIDENT, "/start")
    update = api.user_presses_button(RESIDENT, "Français")
    await api.wait_until(lambda: any("Acceptez-vous" in t for t in texts(api, RESIDENT)), 20)
    shown = len(api.messages_for(RESIDENT))

    api.redeliver(update["update_id"])
    await say(api, RESIDENT, "/help")  # handled after the redelivered update
    assert len(api.messages_for(RESIDENT)) == shown + 1
    assert api.violations == []


async def test_webhook_mode_checks_the_secret(
    api: FakeBotApi, bot_processes: Callable[..., BotProcess]
) -> None:
    api.add_user(RESIDENT, first_name="Salma", language_code="en")
    port = free_port()
    bot = bot_processes(
        api,
        webhook_url=f"http://127.0.0.1:{port}/telegram/webhook",
        webhook_host="127.0.0.1",
        webhook_port=str(port),
    )
    await bot.wait_webhook()
    webhook = next(r for r in api.requests if r.method == "setWebhook").params
    assert webhook["secret_token"] == webhook_secret_for(TOKEN)

    await say(api, RESIDENT, "/start")
    assert [label for label, _ in api.last_buttons(RESIDENT)] == ["العربية", "English", "Français"]

    forged = {
        "update_id": 999_999,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": RESIDENT, "type": "private"},
            "from": {"id": RESIDENT, "is_bot": False, "first_name": "Mallory"},
            "text": "/help",
        },
    }
    async with aiohttp.ClientSession() as client:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
            async with client.post(webhook["url"], json=forged, headers=headers) as response:
                assert response.status in (401, 403)
    before = len(api.sent)
    await say(api, RESIDENT, "/help")
    assert len([r for r in api.sent[before:] if r.chat_id == RESIDENT]) == 1
    assert api.violations == []
