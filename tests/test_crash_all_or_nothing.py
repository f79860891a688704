"""A bot killed in the middle of an update leaves all of that update's work or none of it.

Each story runs in a real bot process (tests/support/crash_worker.py) on a SQLite file with
the SQL session store, the default deployment. The process dies with ``os._exit`` at a
chosen point inside the update (no cleanup, as a kill -9 or a power cut), and a new process
on the same file finds either nothing of the update (and the resident can press again) or
all of it.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import build_engine
from bot.engine.engine import Engine
from bot.engine.flood import MemoryFloodGuard
from bot.engine.session_sql import SqlSessionStore
from bot.features.consultations.reminders import REMINDERS
from core.clock import FixedClock
from storage import consultations
from storage.consultations import Booking
from storage.db import Database
from storage.reminders import Reminder
from storage.surveys import SurveyAnswer, SurveySubmission
from tests.support.chat import Chat
from tests.support.consultations import MONDAY_MORNING, hm, make_consultant, press_payload
from tests.support.crash_worker import KILLED, RESIDENT
from tests.support.given import given_places
from tests.support.settings import settings_for_tests

REPO = Path(__file__).resolve().parent.parent
SALMA = 7001
NOW = MONDAY_MORNING
NEW_UPDATE = 10**9  # the restarted bot's simulator counts update ids afresh: none seen yet


@pytest.fixture
async def programme_file(tmp_path: Path) -> Path:
    """A programme on a SQLite file: the demo districts and branches, one consultant."""
    path = tmp_path / "bot.sqlite"
    db = Database(f"sqlite+aiosqlite:///{path}")
    await db.create_all()
    await given_places(db)
    await make_consultant(
        db,
        SALMA,
        "Salma Ben Ali",
        topics=["strategic_planning"],
        weekly=[("kasserine", 1, hm(9), hm(13))],
        language="en",
    )
    await db.dispose()
    return path


@pytest.fixture
async def reopened(programme_file: Path) -> AsyncIterator[Database]:
    db = Database(f"sqlite+aiosqlite:///{programme_file}")
    yield db
    await db.dispose()


def run_until_killed(story: str, path: Path, point: str) -> str:
    """Run the story in its own bot process, killed at ``point``; the last button's payload."""
    payload_file = path.with_suffix(".payload")
    command = [sys.executable, "-m", "tests.support.crash_worker", story, str(path), point]
    result = subprocess.run(
        [*command, str(payload_file)], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == KILLED, result.stderr[-3000:]
    return payload_file.read_text()


def restarted_bot(db: Database) -> Engine:
    clock = FixedClock(MONDAY_MORNING)
    return build_engine(
        settings_for_tests(),
        db,
        store=SqlSessionStore(db, clock),
        clock=clock,
        flood=MemoryFloodGuard(1000, 1.0),
    )


async def bookings_and_reminders(db: Database) -> tuple[list[Booking], list[Reminder]]:
    async with db.reader() as s:
        found = list(await s.scalars(select(Booking)))
        planned = list(await s.scalars(select(Reminder).where(Reminder.sent_at.is_(None))))
    return found, planned


def reminder_keys_of(booking: Booking) -> set[str]:
    """The reminders a booking made without any crash has: the member's and the consultant's
    before the session that are still ahead, and the consultant's follow-up after it."""
    ahead = [label for label, before, _who in REMINDERS if booking.starts_at - before > NOW]
    return {consultations.reminder_key(booking, label) for label in [*ahead, "after"]}


async def step_of(db: Database) -> tuple[str | None, str | None]:
    session = await SqlSessionStore(db).load(RESIDENT)
    assert session is not None
    return (session.flow.name, session.flow.step) if session.flow else (None, None)


@pytest.mark.parametrize("point", ["booked", "second-reminder", "session-saved"])
async def test_a_booking_cut_short_by_a_crash_leaves_nothing_and_the_member_books_once(
    programme_file: Path, reopened: Database, point: str
) -> None:
    payload = run_until_killed("booking", programme_file, point)

    found, planned = await bookings_and_reminders(reopened)
    assert found == [] and planned == []  # no booking without its reminders, nor the reverse
    assert await step_of(reopened) == ("consultation", "confirm")  # still asking to confirm

    chat = Chat(restarted_bot(reopened), user_id=RESIDENT, language="en")
    texts = await press_payload(chat, payload, update_id=NEW_UPDATE)  # Confirm, again
    assert any("Booked!" in text for text in texts), texts
    [booking], planned = await bookings_and_reminders(reopened)
    assert {r.key for r in planned} == reminder_keys_of(booking)
    assert await step_of(reopened) == (None, None)


async def test_a_booking_whose_commit_happened_before_the_crash_is_whole_and_not_repeated(
    programme_file: Path, reopened: Database
) -> None:
    payload = run_until_killed("booking", programme_file, "committed")

    [booking], planned = await bookings_and_reminders(reopened)
    assert {r.key for r in planned} == reminder_keys_of(booking)
    assert await step_of(reopened) == (None, None)  # the conversation moved on with it

    chat = Chat(restarted_bot(reopened), user_id=RESIDENT, language="en")
    await press_payload(chat, payload, update_id=NEW_UPDATE)  # the old Confirm, again
    [again], planned_again = await bookings_and_reminders(reopened)
    assert again.id == booking.id and len(planned_again) == len(planned)


async def submissions(db: Database) -> tuple[int, int]:
    async with db.reader() as s:
        stored = await s.scalar(select(func.count()).select_from(SurveySubmission))
        answers = await s.scalar(select(func.count()).select_from(SurveyAnswer))
    return int(stored or 0), int(answers or 0)


@pytest.mark.parametrize("point", ["submitted", "session-saved"])
async def test_a_survey_sent_as_the_bot_crashes_is_not_half_stored_and_sends_once_after(
    programme_file: Path, reopened: Database, point: str
) -> None:
    payload = run_until_killed("survey", programme_file, point)

    assert await submissions(reopened) == (0, 0)
    name, _step = await step_of(reopened)
    assert name == "survey"  # the answers are kept in the conversation, ready to send

    chat = Chat(restarted_bot(reopened), user_id=RESIDENT, language="en")
    texts = await press_payload(chat, payload, update_id=NEW_UPDATE)  # Send, again
    assert any("Thank you!" in text for text in texts), texts
    stored, answers = await submissions(reopened)
    assert stored == 1 and answers > 0
    assert await step_of(reopened) == (None, None)


async def test_a_survey_committed_before_the_crash_is_stored_once(
    programme_file: Path, reopened: Database
) -> None:
    payload = run_until_killed("survey", programme_file, "committed")
    stored, answers = await submissions(reopened)
    assert stored == 1 and answers > 0
    assert await step_of(reopened) == (None, None)

    chat = Chat(restarted_bot(reopened), user_id=RESIDENT, language="en")
    await press_payload(chat, payload, update_id=NEW_UPDATE)
    assert await submissions(reopened) == (stored, answers)
