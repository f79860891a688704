"""Scheduling reminders from a flow: a row in ``reminders`` written in the update's unit of
work, and (after the commit) a job in the running scheduler. ``bot.workers.scheduler``
sends them when due."""

from __future__ import annotations

import asyncio
from datetime import datetime

from bot.engine.services import Services
from storage import reminders

# The scheduler's entry point for one reminder (APScheduler stores jobs by reference).
FIRE_JOB = "bot.workers.scheduler:fire"


async def remind_at(
    services: Services, *, key: str, kind: str, ref: int, chat_id: int, due_at: datetime
) -> None:
    """Schedule (or move) a reminder. Safe to call again with the same key."""
    async with services.db.transaction() as s:
        reminder = await reminders.schedule(
            s, key=key, kind=kind, ref=ref, chat_id=chat_id, due_at=due_at
        )
        reminder_id = reminder.id
    scheduler = services.scheduler
    if scheduler is not None and getattr(scheduler, "running", False):

        async def add_job() -> None:
            # The job store writes with a synchronous driver, so it runs in a thread (the
            # loop must stay free); and only after the update's commit: on SQLite the
            # update's transaction holds the write lock the job store needs, and a
            # reminder whose booking was rolled back must not fire. The sweep finds any
            # reminder row whose job is missing (a crash right after the commit).
            await asyncio.to_thread(
                scheduler.add_job,
                FIRE_JOB,
                "date",
                run_date=due_at,
                args=[reminder_id],
                id=f"reminder:{key}",
                replace_existing=True,
            )

        await services.db.after_commit(add_job)


async def cancel_reminders(services: Services, key_prefix: str) -> int:
    async with services.db.transaction() as s:
        count = await reminders.cancel(s, key_prefix, services.clock.now())
    return count
