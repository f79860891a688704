"""Setting the scene for consultation tests: consultants with timetables, requesters, chats."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.channels.simulator import SimulatorMessenger
from bot.engine.events import Event, EventKind
from storage import consultations, people
from storage.db import Database
from tests.support.chat import Chat

TUNIS = ZoneInfo("Africa/Tunis")  # UTC+1 all year
# Monday 30 November 2026, 09:00 in Tunis.
MONDAY_MORNING = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def hm(hours: int, minutes: int = 0) -> int:
    """Minutes since midnight."""
    return hours * 60 + minutes


async def make_consultant(
    db: Database,
    telegram_id: int,
    name: str,
    *,
    topics: Iterable[str] = ("strategic_planning",),
    weekly: Iterable[tuple[str, int, int, int]] = (("kasserine", 1, hm(9), hm(13)),),
    session_minutes: int = 60,
    buffer_minutes: int = 15,
    min_notice_hours: int = 12,
    language: str = "ar",
) -> int:
    """A consultant (staff role consultant) with topics and a weekly timetable; their id."""
    async with db.transaction() as s:
        await people.ensure_user(s, telegram_id, first_name=name, language=language)
        member = await people.add_staff(
            s, role=people.Role.CONSULTANT, telegram_id=telegram_id, display_name=name
        )
        consultant = await consultations.add_consultant(
            s,
            member.id,
            topics=topics,
            session_minutes=session_minutes,
            buffer_minutes=buffer_minutes,
            min_notice_hours=min_notice_hours,
        )
        await consultations.set_weekly_availability(s, consultant.id, weekly)
        return consultant.id


async def make_requester(db: Database, telegram_id: int, name: str = "Amal") -> int:
    """A user who could book; their users.id."""
    async with db.transaction() as s:
        user = await people.ensure_user(s, telegram_id, first_name=name)
        return user.id


def at(day: int, hour: int, minute: int = 0, month: int = 12) -> datetime:
    """A Tunis wall-clock moment in December 2026 (or ``month``), as aware UTC."""
    return datetime(2026, month, day, hour, minute, tzinfo=TUNIS).astimezone(UTC)


def same_phone_network(first: Chat, *others: Chat) -> SimulatorMessenger:
    """Let several chats see each other's notifications (one shared simulated Telegram)."""
    shared = first.sim.messenger
    for other in others:
        other.sim.messenger = shared
    first.sim.engine.services.messenger = shared
    return shared


def inbox(chat: Chat) -> list[str]:
    """Every message text this user has on screen, oldest first."""
    return [m.text for m in chat.sim.messenger.chat(chat.user_id).messages]


async def press_payload(chat: Chat, payload: str, *, update_id: int | None = None) -> list[str]:
    """Press a button by its raw callback data (a double tap, an old or a forged button)."""
    sim = chat.sim
    sim.user_id = chat.user_id
    event = Event(
        chat.user_id,
        chat.user_id,
        EventKind.BUTTON,
        payload=payload,
        callback_id=f"forged-{payload}",
        message_id=None,
        update_id=update_id if update_id is not None else next(sim._update_ids),
        language_code=sim.language,
    )
    before = len(sim.messenger.records)
    await sim.messenger.deliver(event, await sim.engine.handle(event))
    return [str(r.get("text", "")) for r in sim.messenger.records[before:]]
