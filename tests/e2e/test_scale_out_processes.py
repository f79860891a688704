"""The deployment for a programme that outgrew one machine, for real: two webhook workers (one
aiogram, one python-telegram-bot) behind a load balancer, one PostgreSQL database, one Redis,
the scheduler run by whichever worker holds the leader lock. 500 residents answer the needs
survey at once while training reminders fall due; some updates reach both workers at the
same moment. Every answer is stored exactly once and every reminder is sent exactly once."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.engine import payloads
from bot.features.trainings.actions import OPEN_MINE
from bot.features.trainings.reminders import DAY_BEFORE
from storage import reminders, trainings
from storage.db import Database
from tests.e2e.front import Front
from tests.e2e.harness import BotProcess, free_port
from tests.e2e.residents import MESSAGES, Resident, stored_answers, town
from tests.fakes.bot_api import FakeBotApi, SentRecord
from tests.support import services
from tests.support.given import given_places
from tests.support.training_data import make_session, make_users

# The heaviest test of the suite (about 7,000 updates through two real workers): allowed more
# than the default five minutes on a busy machine.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

RESIDENTS = range(200_000, 200_500)
REMINDED = RESIDENTS[::2]  # 250 of them hold a seat in tomorrow's training


@pytest.fixture
async def front() -> AsyncIterator[Front]:
    ports = [free_port(), free_port()]
    balancer = Front([f"http://127.0.0.1:{port}/telegram/webhook" for port in ports],
                     duplicate_every=9)  # fmt: skip
    await balancer.start()
    balancer.ports = ports  # type: ignore[attr-defined]
    try:
        yield balancer
    finally:
        await balancer.stop()


async def prepare_database(url: str) -> None:
    """Schema, districts, and tomorrow's training whose 250 reminders fall due in the test."""
    db = Database(url)
    try:
        await db.upgrade()
        await given_places(db)
        await make_users(db, list(REMINDED))
        now = datetime.now(UTC)
        session_id = await make_session(db, starts_at=now + timedelta(days=1), capacity=300)
        async with db.transaction() as s:
            for n, telegram_id in enumerate(REMINDED):
                outcome = await trainings.register(
                    s, session_id=session_id, telegram_id=telegram_id, now=now
                )
                await reminders.schedule(
                    s,
                    key=f"training:{outcome.registration.id}:day-before",
                    kind=DAY_BEFORE,
                    ref=outcome.registration.id,
                    chat_id=telegram_id,
                    due_at=now + timedelta(seconds=20 + n % 20),  # while residents answer
                )
    finally:
        await db.dispose()


def start_worker(
    api: FakeBotApi, tmp_path: Path, runtime: str, port: int, front_url: str, **common: str
) -> BotProcess:
    return BotProcess(
        api,
        tmp_path,
        runtime=runtime,
        webhook_url=front_url,
        webhook_host="127.0.0.1",
        webhook_port=str(port),
        **common,
    ).start()


def is_reminder(record: SentRecord) -> bool:
    markup = record.params.get("reply_markup") or {}
    datas = [b.get("callback_data") for row in markup.get("inline_keyboard", []) for b in row]
    return record.method == "sendMessage" and payloads.global_(OPEN_MINE.code) in datas


async def test_two_workers_and_a_scheduler_leader_serve_500_residents_exactly_once(
    api: FakeBotApi, front: Front, postgres_database: str, redis_client: Any, tmp_path: Path
) -> None:
    await prepare_database(postgres_database)
    inboxes, residents = town(api, RESIDENTS)
    reminders_sent: list[SentRecord] = []
    api.sent_listeners.append(lambda r: reminders_sent.append(r) if is_reminder(r) else None)
    common = {
        "database_url": postgres_database,
        "redis_url": services.redis_url(),
        "redis_prefix": redis_client.test_prefix,
        "reminder_sweep_seconds": "1",
        "leader_ttl_seconds": "3",
        "run_broadcast_sender": "false",
        "log_level": "WARNING",
    }
    ports: list[int] = front.ports  # type: ignore[attr-defined]
    workers = [
        start_worker(api, tmp_path, runtime, port, front.url, **common)
        for runtime, port in zip(("aiogram", "ptb"), ports, strict=True)
    ]
    try:
        await api.wait_until(lambda: sum(r.method == "setWebhook" for r in api.requests) == 2, 90)
        await asyncio.sleep(0.5)  # let the last worker's listener come up
        started = asyncio.get_running_loop().time()
        await asyncio.gather(*(resident.play() for resident in residents))
        elapsed = asyncio.get_running_loop().time() - started
        await api.wait_until(lambda: len(reminders_sent) >= len(REMINDED), 60)
        await asyncio.sleep(2)  # time for any reminder sent twice to show up
        holder = await redis_client.get(f"{redis_client.test_prefix}scheduler-leader")
    finally:
        for worker in workers:
            await worker.stop_async()

    assert all(r.finished for r in residents), f"{sum(r.finished for r in residents)} finished"
    print(f"500 residents, {front.handled.total()} deliveries in {elapsed:.0f} s")
    assert min(front.handled.values()) > 1000, front.handled  # both workers took their share
    assert front.duplicated > 500
    check_answers_stored_once(residents, await stored_answers(postgres_database))
    check_no_double_replies(residents, inboxes)
    reminded = Counter(r.chat_id for r in reminders_sent)
    assert reminded == Counter(REMINDED), "every reminder exactly once"
    pids = [str(w.process.pid) for w in workers if w.process is not None]
    assert holder is not None and holder.decode().split(":")[1] in pids  # one of them leads
    assert api.violations == []
    assert api.unanswered_callback_queries == []


def check_answers_stored_once(
    residents: list[Resident], stored: dict[int, list[dict[str, str]]]
) -> None:
    assert set(stored) == {r.user_id for r in residents}
    for resident in residents:
        [answers] = stored[resident.user_id]  # one submission each
        assert answers == resident.plan.expected_answers(), resident.plan


def check_no_double_replies(residents: list[Resident], inboxes: Any) -> None:
    """Each resident's chat shows the same messages it would with one worker and no
    re-deliveries: one per screen of the survey (reminders aside)."""
    for resident in residents:
        messages = [r for r in inboxes.messages(resident.user_id) if not is_reminder(r)]
        assert len(messages) == MESSAGES, [m.params.get("text", "")[:40] for m in messages]
