"""Scenes for broadcast tests: many residents at once, a sender running until a condition."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from bot.workers.broadcast_sender import BroadcastSender
from storage import broadcasts
from storage.broadcasts import Audience
from storage.db import Database
from storage.people import User

CONSENTED = datetime(2026, 11, 1, tzinfo=UTC)


async def add_residents(
    db: Database,
    telegram_ids: Iterable[int],
    *,
    district: str | None = None,
    language: str = "ar",
    **flags: object,
) -> None:
    """Residents who agreed to the data notice (``flags`` set other User columns)."""
    async with db.transaction() as s:
        s.add_all(
            User(
                telegram_id=telegram_id,
                first_name=f"Resident {telegram_id}",
                district_code=district,
                language=language,
                consent_at=CONSENTED,
                **flags,
            )
            for telegram_id in telegram_ids
        )


async def new_broadcast(
    db: Database,
    *,
    created_by: int = 9001,
    text: str = "ورشة حول كتابة المقترحات يوم السبت",
    audience: Audience | None = None,
    send_at: datetime | None = None,
) -> int:
    async with db.transaction() as s:
        broadcast = await broadcasts.create_broadcast(
            s,
            created_by=created_by,
            text=text,
            audience=audience or Audience("everyone"),
            send_at=send_at or datetime.now(UTC),
        )
        return broadcast.id


async def run_until(
    sender: BroadcastSender, done: Callable[[], bool], within: float = 60.0
) -> None:
    """Run the sender until ``done()`` holds (checked every 50 ms), then stop it cleanly."""
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop))
    try:
        async with asyncio.timeout(within):
            while not done():
                if task.done():
                    task.result()
                    raise AssertionError("the sender stopped on its own")
                await asyncio.sleep(0.05)
    finally:
        stop.set()
        await task
