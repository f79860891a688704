"""Starting the bot on the configured runtime, and the scheduler-only process.

``musharaka run`` takes Telegram updates (polling or webhook), drains the broadcast outbox
(unless ``MUSHARAKA_RUN_BROADCAST_SENDER=false``) and, unless
``MUSHARAKA_RUN_SCHEDULER=false``, competes for the scheduler leadership: with Redis only
the holder of the leader lock runs APScheduler (see ``bot.workers.leader``); without Redis the one
process always does. ``musharaka scheduler`` runs the scheduler alone (a dedicated leader,
or a stand-by that takes over when the leader dies).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager, suppress
from typing import Any

from bot.app import build_engine
from bot.channels.base import ChannelMessenger
from bot.channels.lifecycle import settle_garbage_collector, wait_for_stop_signal
from bot.engine.engine import Engine
from bot.workers.leader import build_leader_lock
from core.config import Runtime, Settings
from formengine.store import ensure_shipped_forms
from storage.db import Database

log = logging.getLogger(__name__)


def add_parser(commands: Any) -> None:
    run = commands.add_parser("run", help="run the Telegram bot (needs MUSHARAKA_BOT_TOKEN)")
    run.set_defaults(handler=lambda settings, args: asyncio.run(run_bot(settings)))
    scheduler = commands.add_parser(
        "scheduler",
        help="run only the scheduler (reminders); with Redis, one leader among such processes",
    )
    scheduler.set_defaults(handler=lambda settings, args: asyncio.run(run_scheduler(settings)))
    sender = commands.add_parser(
        "send-broadcasts",
        help="run only the broadcast sender (needs MUSHARAKA_BOT_TOKEN); several may share "
        "one PostgreSQL outbox",
    )
    sender.add_argument("--worker", help="a name for this sender in the outbox (default host:pid)")
    sender.set_defaults(handler=_send_broadcasts)


def _send_broadcasts(settings: Settings, args: argparse.Namespace) -> None:
    from bot.workers.broadcast_process import run_sender_process

    asyncio.run(run_sender_process(settings, args.worker))


@asynccontextmanager
async def started_engine(settings: Settings) -> AsyncIterator[Engine]:
    if not settings.bot_token:
        raise SystemExit("MUSHARAKA_BOT_TOKEN is not set")
    db = Database(settings.database_url)
    await db.upgrade()
    await ensure_shipped_forms(db)  # before residents arrive, not by the first ones at once
    engine = build_engine(settings, db)
    try:
        yield engine
    finally:
        await engine.services.store.close()
        await db.dispose()


@asynccontextmanager
async def scheduler_leadership_task(engine: Engine) -> AsyncIterator[None]:
    """Compete for the scheduler leadership in the background while the body runs."""
    from bot.workers.scheduler import scheduler_leadership

    settings = engine.services.settings
    lock = build_leader_lock(settings, engine.services.extras.get("redis"))
    task = asyncio.create_task(scheduler_leadership(engine, lock).run())
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task


@asynccontextmanager
async def broadcast_sender_task(settings: Settings, db: Database) -> AsyncIterator[None]:
    """The broadcast sender in the background; at the end, messages in flight are finished."""
    from bot.workers.broadcast_process import start_in_background

    task, stop_sender = start_in_background(settings, db)
    try:
        yield
    finally:
        stop_sender.set()
        await task


async def run_bot(settings: Settings) -> None:
    async with started_engine(settings) as engine, AsyncExitStack() as background:
        if settings.run_broadcast_sender:
            await background.enter_async_context(
                broadcast_sender_task(settings, engine.services.db)
            )
        if settings.run_scheduler:
            await background.enter_async_context(scheduler_leadership_task(engine))
        await run_runtime(engine, settings)


async def run_runtime(engine: Engine, settings: Settings) -> None:
    if settings.runtime == Runtime.PTB:
        from bot.channels import ptb_runtime

        settle_garbage_collector()
        await ptb_runtime.run(engine, settings)
    else:
        from bot.channels import aiogram_runtime

        settle_garbage_collector()
        await aiogram_runtime.run(engine, settings)


def sending_only(settings: Settings) -> AbstractAsyncContextManager[ChannelMessenger]:
    if settings.runtime == Runtime.PTB:
        from bot.channels import ptb_runtime

        return ptb_runtime.sending_only(settings)
    from bot.channels import aiogram_runtime

    return aiogram_runtime.sending_only(settings)


async def run_scheduler(settings: Settings) -> None:
    """`musharaka scheduler`: reminders and other timed work, no Telegram updates."""
    async with started_engine(settings) as engine, sending_only(settings) as messenger:
        engine.services.messenger = messenger
        async with scheduler_leadership_task(engine):
            log.info("scheduler process started; waiting for the leadership")
            await wait_for_stop_signal()
