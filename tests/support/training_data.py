"""Small builders for training tests: a course, a session, people who exist as users."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from bot.engine.engine import Engine
from storage import people, trainings
from storage.db import Database
from tests.support.chat import Chat


async def make_users(db: Database, telegram_ids: list[int], language: str = "ar") -> None:
    async with db.transaction() as s:
        for telegram_id in telegram_ids:
            await people.ensure_user(s, telegram_id, language=language)


async def make_session(
    db: Database,
    *,
    starts_at: datetime,
    capacity: int = 20,
    hours: int = 6,
    code: str = "strategic-planning",
    topic: str = "strategic_planning",
    title_ar: str = "التخطيط الاستراتيجي للجمعيات",
    title_en: str = "Strategic planning for associations",
    title_fr: str = "Planification stratégique des associations",
    branch_code: str | None = None,
) -> int:
    """A scheduled session (creating its course if needed); returns the session id."""
    async with db.transaction() as s:
        course = await s.scalar(select(trainings.Course).where(trainings.Course.code == code))
        if course is None:
            course = trainings.Course(
                code=code,
                topic=topic,
                title_ar=title_ar,
                title_en=title_en,
                title_fr=title_fr,
                description_ar="دورة تطبيقية.",
                description_en="A practical course.",
                description_fr="Une formation pratique.",
                hours=hours,
            )
            s.add(course)
            await s.flush()
        session = trainings.TrainingSession(
            course_id=course.id,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=hours),
            branch_code=branch_code,
            place="قاعة الاجتماعات",
            capacity=capacity,
        )
        s.add(session)
        await s.flush()
        return session.id


def town(engine: Engine, *user_ids: int, language: str = "ar") -> list[Chat]:
    """Several people's chats on one engine and one simulated phone network, so that a
    message the bot sends to someone else (ctx.notify, the scheduler) lands in their chat."""
    chats = [Chat(engine, user_id=user_id, language=language) for user_id in user_ids]
    shared = chats[0].sim.messenger
    for chat in chats[1:]:
        chat.sim.messenger = shared
    engine.services.messenger = shared
    return chats


def messages_of(chat: Chat) -> list[str]:
    """Every message text in this person's chat so far (edits shown as they are now)."""
    return [m.text for m in chat.sim.messenger.chat(chat.user_id).messages]


def button_containing(chat: Chat, fragment: str) -> str:
    labels = [label for label in chat.buttons() if fragment in label]
    assert labels, f"no button containing {fragment!r} in {chat.buttons()}"
    return labels[0]
