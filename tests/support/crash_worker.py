"""A bot process that dies in the middle of an update, for the crash tests.

Run as ``python -m tests.support.crash_worker STORY DB_FILE CRASH_POINT PAYLOAD_FILE``: it
drives one resident's story (``booking``: a consultation up to Confirm; ``survey``: the
needs survey up to Send) on the SQLite file with the SQL session store, writes the payload
of the last button to PAYLOAD_FILE, arms the crash point and presses that button. At the
crash point the process ends with ``os._exit`` (no cleanup, no commit, no flush: what a
kill -9 or a power cut leaves). Exit code 0 means the crash point was never reached.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from bot.app import build_engine
from bot.engine.flood import MemoryFloodGuard
from bot.engine.session_sql import SqlSessionStore
from core.clock import FixedClock
from core.formatting import format_short_day
from core.i18n import translate
from storage import consultations, reminders, surveys
from storage.db import Database, UnitOfWork
from tests.support.chat import Chat
from tests.support.consultations import MONDAY_MORNING
from tests.support.settings import settings_for_tests

KILLED = 137
RESIDENT = 4242
TUESDAY = date(2026, 12, 1)  # the consultant sits in Kasserine on Tuesdays


def die() -> None:
    os._exit(KILLED)


def crash_after(owner: Any, name: str, calls: int = 1) -> None:
    """Die right after the ``calls``-th call of ``owner.name`` has done its work."""
    original: Callable[..., Any] = getattr(owner, name)
    seen = 0

    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        nonlocal seen
        result = await original(*args, **kwargs)
        seen += 1
        if seen >= calls:
            die()
        return result

    setattr(owner, name, wrapper)


def crash_before(owner: Any, name: str) -> None:
    async def wrapper(*_args: Any, **_kwargs: Any) -> Any:
        die()

    setattr(owner, name, wrapper)


def arm(point: str) -> None:
    if point == "booked":
        crash_after(consultations, "book")
    elif point == "second-reminder":
        crash_after(reminders, "schedule", calls=2)
    elif point == "submitted":
        crash_after(surveys, "submit")
    elif point == "session-saved":  # the session's new state written, not yet committed
        crash_after(SqlSessionStore, "save")
    elif point == "committed":
        crash_after(UnitOfWork, "commit")
    else:
        raise SystemExit(f"unknown crash point {point}")


async def booking_until_confirm(chat: Chat) -> str:
    await chat.onboard("en")
    await chat.send("/consult")
    await chat.press("Consultation")
    await chat.press("Strategic planning")
    if "Kasserine branch" in chat.buttons():  # asked only where the topic has several
        await chat.press("Kasserine branch")
    await chat.press(format_short_day(TUESDAY, "en"))
    await chat.press("09:00")
    await chat.send("We need a five-year plan for our association.")
    return chat.payload_of("✅ Confirm")


async def survey_until_send(chat: Chat) -> str:
    from tests.test_survey_conversation import answer_needs_survey, start_needs_survey

    await start_needs_survey(chat, "en")
    await answer_needs_survey(chat, "en")
    return chat.payload_of(translate("en", "✅ Send my answers"))


async def main(story: str, db_file: str, point: str, payload_file: str) -> None:
    from tests.support.consultations import press_payload

    db = Database(f"sqlite+aiosqlite:///{db_file}")
    clock = FixedClock(MONDAY_MORNING)
    engine = build_engine(
        settings_for_tests(),
        db,
        store=SqlSessionStore(db, clock),
        clock=clock,
        flood=MemoryFloodGuard(1000, 1.0),
    )
    chat = Chat(engine, user_id=RESIDENT, language="en")
    payload = await (booking_until_confirm(chat) if story == "booking" else survey_until_send(chat))
    Path(payload_file).write_text(payload)  # noqa: ASYNC240  (a test script, before the crash)
    arm(point)
    await press_payload(chat, payload)
    await db.dispose()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
