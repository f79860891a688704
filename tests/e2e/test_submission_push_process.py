"""The running bot sends survey answers to the programme's ODK Central by itself: a resident
answers the needs survey through (fake) Telegram, and the submission reaches the (fake)
server from `musharaka run`'s scheduler, with no `musharaka push-submissions` process."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import select

from formengine.store import NEEDS_SURVEY, SHIPPED, ensure_shipped_form
from storage import submission_pushes as pushes
from storage import surveys
from storage.db import Database
from tests.e2e.harness import BotProcess
from tests.e2e.residents import town
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.openrosa_server import FakeCentral
from tests.support.given import given_places

pytestmark = pytest.mark.e2e

CENTRAL_TOKEN = "central-token-of-the-programme"
WAIT = 90  # seconds: generous, the machine running the tests may be busy


async def push_status(db: Database) -> pushes.PushStatus:
    async with db.reader() as session:
        ids = [s.id for s in await session.scalars(select(surveys.SurveySubmission))]
        [state] = (await pushes.states(session, ids)).values()
    return state.status


async def test_the_running_bot_sends_a_needs_survey_answered_over_telegram_to_odk_central(
    api: FakeBotApi,
    bot_processes: Callable[..., BotProcess],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    central = FakeCentral(token=CENTRAL_TOKEN, project=7)
    central.add_form(NEEDS_SURVEY, SHIPPED[NEEDS_SURVEY].read_bytes())
    await central.start()
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite'}"
    db = Database(url)
    try:
        await db.upgrade()
        await given_places(db)
        live = await ensure_shipped_form(db, NEEDS_SURVEY)
        assert live is not None
        async with db.transaction() as session:
            target = pushes.Target(central.url, "7", NEEDS_SURVEY, "CENTRAL_TOKEN")
            await pushes.link_form(session, live.stored.pk, target)

        monkeypatch.setenv("CENTRAL_TOKEN", CENTRAL_TOKEN)  # the bot's environment
        _, [resident] = town(api, range(7301, 7302), seed=13)
        bot = bot_processes(api, database_url=url, push_interval_seconds="1")
        await bot.wait_polling()
        await resident.play()

        await bot.wait_until(lambda: len(central.received) == 1, WAIT, "submission on Central")
        [received] = central.received
        root = ET.fromstring(received.xml)
        expected = resident.plan.expected_answers()
        assert root.findtext("district") == expected["district"]
        assert root.findtext("top_sectors") == expected["top_sectors"]
        assert root.findtext("specific_needs") == expected["specific_needs"]
        for _ in range(WAIT * 5):  # the worker writes down the server's answer just after
            if (await push_status(db)) == pushes.PushStatus.SENT:
                break
            await asyncio.sleep(0.2)
        assert await push_status(db) == pushes.PushStatus.SENT
        assert CENTRAL_TOKEN not in bot.log()
        assert api.violations == []
    finally:
        await db.dispose()
        await central.stop()
