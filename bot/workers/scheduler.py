"""Time-driven work: reminders (and, from the areas that need them, other periodic jobs).

APScheduler keeps its jobs in the database (``apscheduler_jobs``), so they survive
restarts. Each reminder is also a row in ``reminders``; sending claims the row first,
so a reminder goes out at most once even with a restart or a second scheduler, and a
sweep every minute catches any reminder whose job was lost.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from datetime import datetime, timedelta

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.engine.engine import Engine
from bot.engine.messenger import DeliveryError, RateLimited, RecipientUnreachable
from bot.engine.replies import Reply
from bot.engine.services import Services
from bot.workers.leader import LeaderLock, Leadership
from core.i18n import use_digits, use_language
from storage import people, reminders

log = logging.getLogger(__name__)

# APScheduler stores jobs as text references ("bot.workers.scheduler:fire") with plain arguments,
# so the running engine is found here rather than pickled into each job.
_engine: Engine | None = None

SWEEP_SECONDS = 60  # the default of MUSHARAKA_REMINDER_SWEEP_SECONDS


def sync_database_url(url: str) -> str:
    """The synchronous driver URL for the same database (APScheduler's job store is sync)."""
    return url.replace("sqlite+aiosqlite://", "sqlite://").replace(
        "postgresql+asyncpg://", "postgresql+psycopg://"
    )


def build_scheduler(engine: Engine) -> AsyncIOScheduler:
    global _engine
    _engine = engine
    services = engine.services
    db = services.db
    store = SQLAlchemyJobStore(url=sync_database_url(db.url), tableschema=db.schema)
    scheduler = AsyncIOScheduler(
        # "memory": jobs added again at each start, run often; kept out of the database so
        # that each run does not write the job store (a synchronous write on the event loop,
        # which waits for SQLite's lock while a handler's transaction holds it).
        jobstores={"default": store, "memory": MemoryJobStore()},
        job_defaults={"coalesce": True, "misfire_grace_time": 6 * 3600, "max_instances": 1},
        timezone="UTC",
    )
    scheduler.add_job(
        "bot.workers.scheduler:sweep",
        "interval",
        seconds=services.settings.reminder_sweep_seconds,
        id="reminders-sweep",
        replace_existing=True,
    )
    if services.settings.run_submission_pusher:
        scheduler.add_job(
            "bot.workers.scheduler:push_submissions",
            "interval",
            seconds=services.settings.push_interval_seconds,
            id="submission-pushes",
            jobstore="memory",
            replace_existing=True,
        )
    services.scheduler = scheduler
    return scheduler


def scheduler_leadership(engine: Engine, lock: LeaderLock) -> Leadership:
    """Run APScheduler in this process only while it holds the leader lock."""
    running: list[AsyncIOScheduler] = []

    def start() -> None:
        scheduler = build_scheduler(engine)
        scheduler.start()
        running.append(scheduler)

    def stop() -> None:
        while running:
            running.pop().shutdown(wait=False)
        engine.services.scheduler = None

    ttl = engine.services.settings.leader_ttl_seconds
    return Leadership(lock, start, stop, check_seconds=ttl / 3)


async def fire(reminder_id: int) -> None:
    """APScheduler entry point for one reminder."""
    if _engine is None:
        log.warning("reminder %s fired before the scheduler was set up", reminder_id)
        return
    await send_due(_engine, _engine.services.clock.now(), only_id=reminder_id)


async def sweep() -> None:
    """APScheduler entry point: everything due that no job has sent yet."""
    if _engine is not None:
        await send_due(_engine, _engine.services.clock.now())


async def push_submissions() -> int:
    """APScheduler entry point: one pass of the submission pusher (formengine.odk_push); returns
    how many pushes it finished. Only the scheduler's leader runs it; workers claim rows
    with a lease anyway, so a second sender never sends the same submission."""
    if _engine is None or not _engine.services.settings.run_submission_pusher:
        return 0
    from formengine.odk_push import SubmissionPusher

    services = _engine.services
    name = f"{socket.gethostname()}:{os.getpid()}"
    pusher = SubmissionPusher(services.db, services.clock, name=name, files=services.files)
    return await pusher.run_once()


async def send_due(engine: Engine, now: datetime, only_id: int | None = None) -> int:
    """Send every due, unsent reminder (or just one). Returns how many were sent."""
    async with engine.services.db.reader() as s:
        candidates = await reminders.due(s, now + timedelta(seconds=1))
    sent = 0
    for reminder in candidates:
        if only_id is not None and reminder.id != only_id:
            continue
        if await _send_one(engine, reminder, now):
            sent += 1
    return sent


async def _send_one(engine: Engine, reminder: reminders.Reminder, now: datetime) -> bool:
    services = engine.services
    renderer = engine.registry.reminder_kinds.get(reminder.kind)
    if renderer is None or services.messenger is None:
        log.warning("cannot send reminder %s (kind %s) yet", reminder.id, reminder.kind)
        return False
    async with services.db.transaction() as s:
        if not await reminders.claim(s, reminder.id, now):
            return False
        user = await people.get_user(s, reminder.chat_id)
    if user is not None and (user.messages_stopped or user.erased_at is not None):
        return False
    language = user.language if user else services.settings.default_language
    with use_language(language), use_digits(latin=services.settings.latin_digits):
        reply = await renderer(services, reminder)
    if reply is None:
        return False
    outcome = await _deliver(services, reminder.chat_id, reply)
    if outcome == "retry":
        async with services.db.transaction() as s:
            await reminders.release(s, reminder.id)
    return outcome == "sent"


async def _deliver(services: Services, chat_id: int, reply: Reply) -> str:
    """'sent', 'gone' (user unreachable) or 'retry' (try again at the next sweep)."""
    assert services.messenger is not None
    for _attempt in range(3):
        try:
            await services.messenger.send(chat_id, reply)
            return "sent"
        except RateLimited as exc:
            await asyncio.sleep(exc.retry_after)
        except RecipientUnreachable:
            async with services.db.transaction() as s:
                await people.mark_unreachable(s, chat_id)
            return "gone"
        except DeliveryError as exc:
            log.warning("reminder to %s failed: %s", chat_id, exc)
            return "retry"
    return "retry"
