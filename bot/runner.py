"""Starting the bot on the configured runtime."""

from __future__ import annotations

import logging

from bot.app import build_engine
from bot.config import Runtime, Settings
from storage.db import Database

log = logging.getLogger(__name__)


async def run_bot(settings: Settings) -> None:
    if not settings.bot_token:
        raise SystemExit("MUSHARAKA_BOT_TOKEN is not set")
    db = Database(settings.database_url)
    await db.upgrade()
    engine = build_engine(settings, db)
    sender = None
    if settings.run_broadcast_sender:
        from bot.broadcast_sender import start_in_background

        sender = start_in_background(settings, db)
    scheduler = None
    if settings.run_scheduler:
        from bot.scheduler import build_scheduler

        scheduler = build_scheduler(engine)
        scheduler.start()
    try:
        if settings.runtime == Runtime.PTB:
            from bot.channels import ptb_runtime

            await ptb_runtime.run(engine, settings)
        else:
            from bot.channels import aiogram_runtime

            await aiogram_runtime.run(engine, settings)
    finally:
        if sender is not None:
            task, stop_sender = sender
            stop_sender.set()
            await task
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        await engine.services.store.close()
        await db.dispose()
