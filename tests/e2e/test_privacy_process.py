"""/mydata and /delete through the real bot process: the file really reaches Telegram."""

from __future__ import annotations

import json
from collections.abc import Callable

import aiohttp
import pytest

from tests.e2e.harness import TOKEN, BotProcess
from tests.e2e.test_bot_process import press, say, texts
from tests.fakes.bot_api import FakeBotApi

pytestmark = pytest.mark.e2e

RESIDENT = 7002


async def download(api: FakeBotApi, file_id: str) -> bytes:
    """As a Telegram client would: getFile, then the file URL."""
    async with aiohttp.ClientSession() as client:
        async with client.post(f"{api.url}/bot{TOKEN}/getFile", json={"file_id": file_id}) as r:
            path = (await r.json())["result"]["file_path"]
        async with client.get(f"{api.url}/file/bot{TOKEN}/{path}") as r:
            return await r.read()


async def test_a_resident_downloads_their_data_then_erases_it(
    api: FakeBotApi, bot_processes: Callable[..., BotProcess]
) -> None:
    api.add_user(RESIDENT, first_name="Hedi", language_code="fr")
    bot = bot_processes(api)
    await bot.wait_polling()
    await say(api, RESIDENT, "/start")
    await press(api, RESIDENT, "Français")
    await api.wait_until(lambda: any("Acceptez-vous" in t for t in texts(api, RESIDENT)), 20)
    await press(api, RESIDENT, "J'accepte")

    before = len(api.sent)
    api.user_sends_text(RESIDENT, "/mydata")
    record = await api.wait_for(lambda r: r.method == "sendDocument", since=before, timeout=20)
    document = api.messages_for(RESIDENT)[-1]["document"]
    assert document["file_name"].endswith(".json")
    assert "/delete" in record.params["caption"]
    data = json.loads(await download(api, document["file_id"]))
    assert data["areas"]["profile"]["user"]["first_name"] == "Hedi"
    assert data["areas"]["profile"]["user"]["language"] == "fr"

    await say(api, RESIDENT, "/delete")
    await press(api, RESIDENT, "Oui, effacer mes données")
    assert "Vos données personnelles ont été effacées" in texts(api, RESIDENT)[-1]
    await say(api, RESIDENT, "/mydata")
    assert texts(api, RESIDENT)[-1] == "Musharaka ne conserve aucune donnée sur vous."
    assert api.violations == []
    assert api.unanswered_callback_queries == []
