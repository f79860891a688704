"""Telegram delivers every update twice (it does, when an acknowledgement is lost): nothing
changes. Twins answer the needs survey with the same plan; one twin's every update comes a
second time. Both chats show the same messages and both answers are stored once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace

import pytest

from tests.e2e.harness import BotProcess
from tests.e2e.residents import Inboxes, Plan, Resident, stored_answers, town
from tests.fakes.bot_api import FakeBotApi

pytestmark = pytest.mark.e2e

SINGLE = range(400_000, 400_006)
TWICE = range(410_000, 410_006)


def transcript(inboxes: Inboxes, user_id: int) -> list[tuple[str, str]]:
    return [
        (r.method, str(r.params.get("text") or r.params.get("caption") or ""))
        for r in inboxes.records[user_id]
        if r.method != "answerCallbackQuery"
    ]


async def play_with_every_update_twice(api: FakeBotApi, resident: Resident) -> None:
    while not resident.finished:
        await resident.take_step()
        api.redeliver(resident.update_ids[-1])
    await settle(api, resident)


async def settle(api: FakeBotApi, resident: Resident) -> None:
    """A last /help, answered only after everything delivered before it was handled."""
    since = resident.inboxes.count(resident.user_id)
    api.user_sends_text(resident.user_id, "/help")
    await resident.inboxes.wait(resident.user_id, lambda r: True, since, 60)


async def test_every_update_delivered_twice_changes_nothing(
    api: FakeBotApi, bot_processes: Callable[..., BotProcess], tmp_path: object
) -> None:
    inboxes, singles = town(api, SINGLE, seed=3)
    twins = []
    for single, user_id in zip(singles, TWICE, strict=True):
        plan: Plan = replace(single.plan, user_id=user_id)
        api.add_user(user_id, first_name=f"Resident {user_id}", language_code=plan.language)
        twins.append(Resident(api, inboxes, plan))
    bot = bot_processes(api, log_level="WARNING")
    await bot.wait_polling()

    async def single_run(resident: Resident) -> None:
        await resident.play()
        await settle(api, resident)

    await asyncio.gather(
        *(single_run(r) for r in singles),
        *(play_with_every_update_twice(api, r) for r in twins),
    )

    for single, twin in zip(singles, twins, strict=True):
        assert transcript(inboxes, twin.user_id) == transcript(inboxes, single.user_id)
    stored = await stored_answers(f"sqlite+aiosqlite:///{bot.workdir / 'bot.sqlite'}")
    for resident in (*singles, *twins):
        assert stored[resident.user_id] == [resident.plan.expected_answers()]
    redelivered = {u for t in twins for u in t.update_ids}
    assert len(redelivered) == len(twins) * len(twins[0].update_ids)
    assert api.violations == []
    assert api.unanswered_callback_queries == []
