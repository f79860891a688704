"""A bot killed with SIGKILL while 200 residents are in the middle of the needs survey: after
the restart each one comes back (/surveys) to the question they were at, nobody's answer is
lost or changed, and everybody finishes with exactly one submission."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.harness import BotProcess
from tests.e2e.residents import (
    SENT_LABEL,
    STEPS,
    SURVEY_ENTRY,
    Inboxes,
    Resident,
    buttons_of,
    stored_answers,
    town,
)
from tests.fakes.bot_api import FakeBotApi

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

RESIDENTS = range(300_000, 300_200)
IN_THE_SURVEY = 5  # /start, language, consent, menu entry, introduction: now at question 1


def screen_after(inboxes: Inboxes, resident: Resident, since: int) -> list[str]:
    """The buttons of the newest message or edit the bot sent this resident since ``since``."""
    for record in reversed(inboxes.records[resident.user_id][since:]):
        if record.method in ("sendMessage", "editMessageText") and buttons_of(record):
            return buttons_of(record)
    return []


def resumed_step(resident: Resident, buttons: list[str]) -> int:
    """Which action the resumed screen asks for: the one that was in flight at the crash (its
    answer was lost with the process), or the next one (it was saved, only the reply was lost)."""
    actions = resident.plan.actions()
    in_flight = actions[resident.step]
    if in_flight[2] in buttons and (in_flight[0] == "text" or in_flight[1] not in buttons):
        return resident.step + 1
    assert actions[resident.step - 1][2] in buttons, (resident.plan, resident.step, buttons)
    return resident.step


async def come_back(api: FakeBotApi, inboxes: Inboxes, resident: Resident) -> None:
    """What a resident does when the bot went quiet: /surveys, then the needs survey again."""
    if resident.finished:
        return
    title = resident.plan.t(SURVEY_ENTRY)
    since = inboxes.count(resident.user_id)
    api.user_sends_text(resident.user_id, "/surveys")
    await inboxes.wait(resident.user_id, lambda r: title in buttons_of(r), since, 120)
    since = inboxes.count(resident.user_id)
    api.user_presses_button(resident.user_id, title)
    welcome = resident.plan.t("Welcome back! Let us continue where you stopped.")
    done = resident.plan.t(SENT_LABEL)  # under "you have already answered"
    answer = await inboxes.wait(
        resident.user_id,
        lambda r: welcome in r.params.get("text", "") or done in buttons_of(r),
        since,
        120,
    )
    if done in buttons_of(answer):  # "Send my answers" was in flight, and it was saved
        assert resident.step == STEPS - 1
        resident.step = STEPS
        return
    await inboxes.wait(resident.user_id, lambda r: bool(buttons_of(r)), since, 120)
    resident.step = resumed_step(resident, screen_after(inboxes, resident, since))
    await resident.play()


async def test_a_killed_bot_resumes_every_conversation_at_its_question(
    api: FakeBotApi, bot_processes: Callable[..., BotProcess], tmp_path: Path
) -> None:
    inboxes, residents = town(api, RESIDENTS, seed=11)
    bot = bot_processes(api, log_level="WARNING")
    await bot.wait_polling()
    await asyncio.gather(*(r.play(until=IN_THE_SURVEY) for r in residents))

    playing = [asyncio.create_task(r.play()) for r in residents]
    target = sum(r.step for r in residents) + len(residents) * 3
    await api.wait_until(lambda: sum(r.step for r in residents) >= target, 300)
    bot.kill()  # SIGKILL: no goodbye, updates in flight
    for task in playing:
        task.cancel()
    await asyncio.gather(*playing, return_exceptions=True)
    in_flight = [r for r in residents if not r.finished]
    assert len(in_flight) > 150  # most were mid-way

    restarted = bot_processes(api, log_level="WARNING")
    await restarted.wait_polling()
    await asyncio.gather(*(come_back(api, inboxes, r) for r in residents))

    assert all(r.finished for r in residents)
    stored = await stored_answers(f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite'}")
    for resident in residents:
        assert stored[resident.user_id] == [resident.plan.expected_answers()], resident.plan
    assert api.violations == []
