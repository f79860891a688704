"""The broadcast sender as a process: inside ``musharaka run`` (``start_in_background``) or
alone (``musharaka send-broadcasts``: ``run_sender_process``), each with a Bot API messenger
of its own (paid broadcasts if configured).

The buttons some audiences' messages carry (a reply to a resident's case) are drawn by the
areas that own those audiences, which register them when ``bot.app`` is imported; the
``musharaka`` command imports it before starting either."""

from __future__ import annotations

import asyncio
import signal

from bot.engine.messenger import Messenger
from bot.workers.broadcast_config import SenderConfig
from bot.workers.broadcast_sender import BroadcastSender
from core.clock import Clock
from core.config import Settings
from storage.db import Database


def telegram_messenger(settings: Settings) -> tuple[Messenger, object]:
    """A Bot API messenger of its own for the sender (paid broadcasts if configured), and
    the aiogram Bot to close afterwards."""
    from bot.channels.aiogram_runtime import AiogramMessenger, build_bot

    bot = build_bot(settings)
    return AiogramMessenger(bot, allow_paid_broadcast=settings.paid_broadcasts), bot


async def close_bot(bot: object) -> None:
    session = getattr(bot, "session", None)
    if session is not None:
        await session.close()


def start_in_background(
    settings: Settings, db: Database, clock: Clock | None = None
) -> tuple[asyncio.Task[None], asyncio.Event]:
    """The sender as a task of ``musharaka run``; set the event to stop it."""
    messenger, bot = telegram_messenger(settings)
    sender = BroadcastSender(db, settings, messenger, clock=clock)
    stop = asyncio.Event()

    async def run() -> None:
        try:
            await sender.run(stop)
        finally:
            await close_bot(bot)

    return asyncio.create_task(run(), name="broadcast-sender"), stop


async def run_sender_process(settings: Settings, worker: str | None = None) -> None:
    """``musharaka send-broadcasts``: only the sender, until SIGTERM or Ctrl-C, after which
    the messages in flight are finished and recorded."""
    if not settings.bot_token:
        raise SystemExit("MUSHARAKA_BOT_TOKEN is not set")

    db = Database(settings.database_url)
    await db.upgrade()
    messenger, bot = telegram_messenger(settings)
    config = SenderConfig.from_settings(settings)
    if worker:
        config.worker = worker[:64]
    sender = BroadcastSender(db, settings, messenger, config=config)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        await sender.run(stop)
    finally:
        await close_bot(bot)
        await db.dispose()
