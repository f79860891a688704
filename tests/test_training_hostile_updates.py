"""Two people tapping, typing and forging at random across trainings, volunteering and
associations never break anything: no handler failure, a one-seat session never holds more
than one seat, its counter matches the seats really held, nobody is registered twice, and
whatever is stored about a volunteer or a member is well formed."""

from __future__ import annotations

import asyncio
import itertools
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import phonenumbers
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.app import build_engine
from bot.engine.events import Event, EventKind
from bot.engine.flood import MemoryFloodGuard
from bot.engine.session import MemorySessionStore
from core.clock import FixedClock
from core.i18n import translate
from storage import associations, trainings, volunteers
from storage.db import Database
from tests.support.chat import Chat
from tests.support.given import given_places, given_skills
from tests.support.settings import settings_for_tests
from tests.support.training_data import make_session, town

FAILURE = translate("ar", "Sorry, something went wrong on our side.")[:15]
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
PEOPLE = (4001, 4002)

TEXTS = [
    "/trainings", "/volunteer", "/association", "/present", "/join 123456", "/join", "/menu",
    "/cancel", "/assessment", "٣٤", "أمل بن صالح", "98 123 456", "0000", "x" * 4000, "🙂",
    "جمعية الأمل", "42", "-5", "/start join_123456",
]  # fmt: skip
FORGED = [
    "g:tw:y:1", "g:tw:n:2", "g:tw:y:x", "g:tr:1:5", "g:tr:2:9", "g:tc:999", "g:tc:1", "g:tm",
    "g:as:1", "g:tk:o:1", "g:cabk", "1:reg", "5:cx:1", "3:sk:nothing", "2:d:atlantis", "0:ok",
]  # fmt: skip
# Honest beginnings, so that random moves happen deep inside the flows too:
# "[label]" presses a button, "[~part]" the newest button containing part, else typed text.
HONEST = {
    "training": [
        "/trainings", "[دليل الدورات]", "[التخطيط الاستراتيجي للجمعيات]", "[~فرع القصرين]",
        "[~ا]", "أمل بن صالح", "[امرأة]", "/trainings", "[تسجيلاتي]", "[~إلغاء:]",
    ],
    "volunteer": [
        "/volunteer", "يوسف القاسمي", "98 123 456", "[سبيطلة]", "[الترجمة]", "[تم ✔]",
        "[السبت]", "[تم ✔]", "[الصباح]", "[تم ✔]", "[العربية]", "[تم ✔]", "[أوافق، احفظ]",
    ],
    "association": [
        "/association", "[تسجيل جمعيتي]", "جمعية الأمل", "[تالة]", "[الشباب]", "30",
        "سلوى الهمامي", "98410233", "[التسجيل]", "[الأعضاء]",
    ],
}  # fmt: skip
BEGINNINGS = st.tuples(
    st.sampled_from(sorted(HONEST)), st.one_of(st.just(99), st.integers(min_value=0, max_value=13))
)
ACTIONS = st.tuples(
    st.sampled_from(PEOPLE),
    st.one_of(
        st.tuples(st.just("press_last"), st.integers(0, 30)),
        st.tuples(st.just("press_last"), st.integers(0, 30)),
        st.tuples(st.just("press"), st.integers(0, 60)),
        st.tuples(st.just("text"), st.sampled_from(TEXTS)),
        st.tuples(st.just("sticker"), st.just(0)),
        st.tuples(st.just("contact"), st.sampled_from(["own", "other"])),
        st.tuples(st.just("forged"), st.sampled_from(FORGED)),
        st.tuples(st.just("replay"), st.just(0)),
    ),
)


async def _honest(chat: Chat, script: str, depth: int) -> None:
    for step in HONEST[script][:depth]:
        if step.startswith("[~"):
            labels = [b for b in chat.buttons() if step[2:-1] in b]
            if not labels:
                return
            await chat.press(labels[0])
        elif step.startswith("["):
            if step[1:-1] not in chat.buttons():
                return
            await chat.press(step[1:-1])
        else:
            await chat.send(step)


async def play(
    moves: list[tuple[int, tuple[str, object]]], beginnings: list[tuple[str, int]]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite+aiosqlite:///{Path(folder) / 'h.sqlite'}")
        await db.create_all()
        await given_places(db)
        await given_skills(db)
        session_id = await make_session(
            db, starts_at=NOW + timedelta(days=3), capacity=1, branch_code="kasserine"
        )
        engine = build_engine(
            settings_for_tests(),
            db,
            store=MemorySessionStore(),
            clock=FixedClock(NOW),
            flood=MemoryFloodGuard(10**6, 1),
        )
        chats = dict(zip(PEOPLE, town(engine, *PEOPLE), strict=True))
        for chat, (script, depth) in zip(chats.values(), beginnings, strict=True):
            await chat.onboard("ar")
            await _honest(chat, script, depth)
        update_ids = itertools.count(800_000)
        last: Event | None = None
        try:
            for who, (kind, arg) in moves:
                chat = chats[who]
                messages = [m for m in chat.sim.messenger.chat(who).messages if m.buttons]
                replies: list[object] = []
                if kind in ("press", "press_last") and messages:
                    message = messages[-1] if kind == "press_last" else messages[
                        int(arg) % len(messages)  # type: ignore[call-overload]
                    ]  # fmt: skip
                    buttons = [b for row in message.buttons or [] for b in row]
                    button = buttons[int(arg) % len(buttons)]  # type: ignore[call-overload]
                    last = Event(
                        who,
                        who,
                        EventKind.BUTTON,
                        payload=button.payload,
                        callback_id="cb",
                        message_id=message.message_id,
                        update_id=next(update_ids),
                    )
                    replies = await engine.handle(last)
                    await chat.sim.messenger.deliver(last, replies)  # type: ignore[arg-type]
                elif kind == "text":
                    await chat._feed(str(arg))
                elif kind == "sticker":
                    await chat.send_sticker()
                elif kind == "contact":
                    event = Event(
                        who,
                        who,
                        EventKind.CONTACT,
                        phone="+21698123456",
                        contact_user_id=who if arg == "own" else 1,
                        update_id=next(update_ids),
                    )
                    replies = await engine.handle(event)
                    await chat.sim.messenger.deliver(event, replies)  # type: ignore[arg-type]
                elif kind == "forged":
                    event = Event(
                        who,
                        who,
                        EventKind.BUTTON,
                        payload=str(arg),
                        callback_id="f",
                        message_id=1,
                        update_id=next(update_ids),
                    )
                    replies = await engine.handle(event)
                elif kind == "replay" and last is not None:
                    assert await engine.handle(last) == []
                texts = [str(r.get("text", "")) for r in chat.last] + [
                    str(getattr(getattr(r, "reply", None), "text", "")) for r in replies
                ]
                assert not any(FAILURE in t for t in texts), texts
            await _check(db, session_id)
        finally:
            await db.dispose()


async def _check(db: Database, session_id: int) -> None:
    async with db.reader() as s:
        training = await trainings.get_session(s, session_id)
        rows = list(await s.scalars(select(trainings.Registration)))
        people = list(await s.scalars(select(volunteers.Volunteer)))
        members = list(await s.scalars(select(associations.Membership)))
    assert training is not None
    holding = [r for r in rows if r.status in trainings.HOLDS_SEAT]
    assert training.seats_taken == len(holding) <= 1
    assert len({r.telegram_id for r in rows}) == len(rows)
    for person in [*people, *members]:
        assert person.full_name.strip() and not any(ch.isdigit() for ch in person.full_name)
        assert phonenumbers.is_valid_number(phonenumbers.parse(person.phone))
    assert len({m.telegram_id for m in members}) == len(members)
    event(f"registrations: {len(rows)}, volunteers: {len(people)}, members: {len(members)}")


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(ACTIONS, min_size=5, max_size=50), st.lists(BEGINNINGS, min_size=2, max_size=2))
def test_random_updates_never_break_trainings_volunteering_or_associations(
    moves: list[tuple[int, tuple[str, object]]], beginnings: list[tuple[str, int]]
) -> None:
    asyncio.run(play(moves, beginnings))
