"""Reminders go out once, at their time, in the recipient's language; cancelled ones never."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import build_engine
from bot.engine.engine import Engine
from bot.engine.reminders import cancel_reminders, remind_at
from bot.engine.replies import Reply, Text
from bot.engine.services import Services
from bot.engine.session import MemorySessionStore
from bot.workers.scheduler import build_scheduler, send_due
from core.clock import FixedClock
from core.i18n import _
from storage import people
from storage.db import Database
from storage.reminders import Reminder
from tests.support.recording import RecordingMessenger
from tests.support.settings import settings_for_tests

NOON = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


async def _engine_with_reminders(db: Database) -> tuple[Engine, RecordingMessenger, FixedClock]:
    clock = FixedClock(NOON)
    engine = build_engine(settings_for_tests(), db, store=MemorySessionStore(), clock=clock)

    async def render(services: Services, reminder: Reminder) -> Reply | None:
        return Text(_("Open the menu") + f" #{reminder.ref}")

    engine.registry.add_reminder_kind("test", render)
    messenger = RecordingMessenger()
    engine.services.messenger = messenger
    async with db.transaction() as s:
        await people.ensure_user(s, 501, language="fr")
        await people.ensure_user(s, 502, language="ar")
    return engine, messenger, clock


async def test_a_reminder_is_sent_once_when_due_in_the_users_language(sqlite_db: Database) -> None:
    engine, messenger, clock = await _engine_with_reminders(sqlite_db)
    services = engine.services
    await remind_at(
        services, key="test:1", kind="test", ref=1, chat_id=501, due_at=NOON + timedelta(hours=1)
    )
    await remind_at(
        services, key="test:2", kind="test", ref=2, chat_id=502, due_at=NOON + timedelta(hours=2)
    )

    assert await send_due(engine, clock.now()) == 0
    clock.advance(timedelta(hours=1))
    assert await send_due(engine, clock.now()) == 1
    assert messenger.texts_for(501) == ["Ouvrir le menu #1"]
    assert await send_due(engine, clock.now()) == 0  # never twice

    clock.advance(timedelta(hours=5))
    assert await asyncio.gather(send_due(engine, clock.now()), send_due(engine, clock.now())) in (
        [1, 0],
        [0, 1],
    )
    assert messenger.texts_for(502) == ["فتح القائمة #2"]


async def test_a_cancelled_or_moved_reminder_follows_its_booking(sqlite_db: Database) -> None:
    engine, messenger, clock = await _engine_with_reminders(sqlite_db)
    services = engine.services
    await remind_at(
        services,
        key="test:booking-9:24h",
        kind="test",
        ref=9,
        chat_id=501,
        due_at=NOON + timedelta(hours=1),
    )
    await remind_at(
        services,
        key="test:booking-9:1h",
        kind="test",
        ref=9,
        chat_id=501,
        due_at=NOON + timedelta(hours=2),
    )
    await remind_at(
        services,
        key="test:booking-10:1h",
        kind="test",
        ref=10,
        chat_id=501,
        due_at=NOON + timedelta(hours=1),
    )
    assert await cancel_reminders(services, "test:booking-9:") == 2
    await remind_at(
        services,
        key="test:booking-10:1h",
        kind="test",
        ref=10,
        chat_id=501,
        due_at=NOON + timedelta(days=1),
    )  # rescheduled

    clock.advance(timedelta(hours=3))
    assert await send_due(engine, clock.now()) == 0
    clock.advance(timedelta(days=1))
    assert await send_due(engine, clock.now()) == 1
    assert messenger.texts_for(501) == ["Ouvrir le menu #10"]


async def test_a_user_who_blocked_the_bot_is_marked_unreachable(sqlite_db: Database) -> None:
    engine, messenger, clock = await _engine_with_reminders(sqlite_db)
    messenger.blocked.add(502)
    await remind_at(engine.services, key="test:3", kind="test", ref=3, chat_id=502, due_at=NOON)
    assert await send_due(engine, clock.now()) == 0
    async with sqlite_db.reader() as s:
        user = await people.get_user(s, 502)
    assert user is not None and user.unreachable_at is not None


async def test_scheduled_jobs_survive_a_restart(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'jobs.sqlite'}"
    db = Database(url)
    await db.upgrade()
    engine, _messenger, _clock = await _engine_with_reminders(db)
    scheduler = build_scheduler(engine)
    scheduler.start(paused=True)
    await remind_at(
        engine.services,
        key="test:later",
        kind="test",
        ref=4,
        chat_id=501,
        due_at=datetime.now(UTC) + timedelta(days=3),
    )
    scheduler.shutdown(wait=False)

    restarted = build_scheduler(engine)
    restarted.start(paused=True)
    job_ids = {job.id for job in restarted.get_jobs()}
    restarted.shutdown(wait=False)
    await db.dispose()
    assert {"reminder:test:later", "reminders-sweep"} <= job_ids
