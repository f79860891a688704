"""Scale-out pieces, each between two "workers" sharing one PostgreSQL and one Redis: update
de-duplication through the session store, the flood limit, the scheduler leader lock, and the
send-rate token bucket of the broadcast senders."""

from __future__ import annotations

import asyncio
import bisect
import itertools
import time
from datetime import timedelta
from typing import Any

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from bot.app import build_engine, chat_locks
from bot.engine.engine import Engine
from bot.engine.events import Event, EventKind
from bot.engine.flood import MemoryFloodGuard, RedisFloodGuard
from bot.engine.replies import Outgoing, Text
from bot.engine.session import SessionStore
from bot.engine.session_redis import RedisSessionStore
from bot.engine.session_sql import SqlSessionStore
from bot.workers.broadcast_config import SenderConfig
from bot.workers.broadcast_sender import BroadcastSender
from bot.workers.leader import Leadership, RedisLeaderLock
from bot.workers.redis_send_limiter import RedisSendLimiter
from core.i18n import translate
from core.redis_client import redis_client as redis_client_for
from storage.db import Database
from tests.conftest import EngineFactory
from tests.support import services
from tests.support.broadcasts import add_residents, new_broadcast, run_until
from tests.support.given import given_places
from tests.support.limited_messenger import LimitedMessenger
from tests.support.settings import settings_for_tests

_update_ids = itertools.count(1)


def prefix_of(redis: Any) -> str:
    return str(redis.test_prefix)


async def second_client(redis: Any) -> Redis:
    """Another connection pool to the same Redis: what a second process would have."""
    return Redis.from_url(services.redis_url())


# --- two workers, one conversation --------------------------------------------------------------


def stores(kind: str, db: Database, redis: Any) -> tuple[SessionStore, SessionStore]:
    if kind == "redis":
        prefix = f"{prefix_of(redis)}session:"
        return RedisSessionStore(redis, prefix=prefix), RedisSessionStore(redis, prefix=prefix)
    return SqlSessionStore(db), SqlSessionStore(db)


@pytest.fixture(params=["redis", "postgres"])
async def two_workers(
    request: pytest.FixtureRequest,
    postgres_db: Database,
    redis_client: Any,
    make_engine: EngineFactory,
) -> tuple[Engine, Engine]:
    """Two engines (each with its own in-process locks, like two processes) on one database
    and one session store."""
    await given_places(postgres_db)
    first, second = stores(request.param, postgres_db, redis_client)
    return worker(postgres_db, first, redis_client), worker(postgres_db, second, redis_client)


def worker(db: Database, store: SessionStore, redis: Any) -> Engine:
    """An engine as `musharaka run` builds it: with Redis sessions come the chat locks."""
    settings = settings_for_tests(redis_prefix=prefix_of(redis))
    locks = chat_locks(settings, redis, store) if isinstance(store, RedisSessionStore) else None
    return build_engine(settings, db, store=store, flood=MemoryFloodGuard(1000, 1.0), locks=locks)


def text_event(user_id: int, text: str, update_id: int | None = None) -> Event:
    return Event.from_text(
        user_id, text, update_id=update_id or next(_update_ids), language_code="en"
    )


def press_event(user_id: int, payload: str) -> Event:
    return Event(
        user_id, user_id, EventKind.BUTTON, payload=payload, callback_id="q",
        message_id=1, update_id=next(_update_ids), language_code="en",
    )  # fmt: skip


def first_button(outgoing: list[Outgoing]) -> str:
    for item in outgoing:
        if isinstance(item.reply, Text) and item.reply.buttons:
            return item.reply.buttons[0][0].payload
    raise AssertionError(f"no buttons in {outgoing}")


async def both_at_once(workers: tuple[Engine, Engine], event: Event) -> list[list[Outgoing]]:
    """The same update handled by both workers at the same moment (a re-delivery racing the
    original, or a load balancer retrying on the other worker)."""
    return list(await asyncio.gather(*(worker.handle(event) for worker in workers)))


async def test_an_update_delivered_to_both_workers_at_once_is_handled_once(
    two_workers: tuple[Engine, Engine],
) -> None:
    user = 61_000
    answers = await both_at_once(two_workers, text_event(user, "/start"))
    assert sorted(len(a) for a in answers) == [0, 1]  # one answered, the other saw a duplicate
    [language_prompt] = next(a for a in answers if a)
    english = next(
        b.payload
        for row in language_prompt.reply.buttons or []
        for b in row
        if b.label == "English"
    )
    answers = await both_at_once(two_workers, press_event(user, english))
    assert sorted(len(a) for a in answers)[0] == 0
    agree = first_button([o for a in answers for o in a])
    answers = await both_at_once(two_workers, press_event(user, agree))
    session = await two_workers[0].services.store.load(user)
    assert session is not None and session.profile.get("consent") is True
    assert session.language == "en"
    assert len(session.recent_updates) == 3  # three updates, each remembered once


async def test_many_residents_racing_on_two_workers_lose_nothing(
    two_workers: tuple[Engine, Engine],
) -> None:
    """Forty residents, each update sent to a random worker and a third of them to both."""
    users = range(62_000, 62_040)

    async def resident(user: int) -> int:
        worker = two_workers[user % 2]
        outgoing = await worker.handle(text_event(user, "/start"))
        language = next(b for row in outgoing[0].reply.buttons or [] for b in row  # type: ignore[union-attr]
                        if b.label == "English")  # fmt: skip
        event = press_event(user, language.payload)
        results = await both_at_once(two_workers, event) if user % 3 == 0 else [
            await two_workers[(user + 1) % 2].handle(event)]  # fmt: skip
        agree = first_button([o for r in results for o in r])
        await two_workers[user % 2].handle(press_event(user, agree))
        for n in range(5):
            await two_workers[n % 2].handle(text_event(user, "/help"))
        session = await two_workers[0].services.store.load(user)
        assert session is not None
        return len(session.recent_updates)

    counts = await asyncio.gather(*(resident(user) for user in users))
    assert counts == [8] * len(users)


async def test_the_flood_limit_is_shared_by_the_workers(
    postgres_db: Database, redis_client: Any, make_engine: EngineFactory
) -> None:
    await given_places(postgres_db)
    prefix = f"{prefix_of(redis_client)}flood:"
    workers = [
        make_engine(postgres_db, flood=RedisFloodGuard(redis_client, 6, 60, prefix=prefix))  # type: ignore[arg-type]
        for _worker in range(2)
    ]
    replies = [await workers[n % 2].handle(text_event(63_000, "/help")) for n in range(10)]
    polite = translate(
        "en", "You are sending messages very quickly. Please wait a few seconds, then continue."
    )
    assert all(r for r in replies[:6])
    assert [[o.reply.text for o in r] for r in replies[6:]] == [[polite], [], [], []]  # type: ignore[attr-defined]


async def test_a_burst_of_residents_waits_for_redis_connections_instead_of_failing(
    postgres_db: Database, redis_client: Any, make_engine: EngineFactory
) -> None:
    """Two hundred residents write at once to a worker allowed four Redis connections: each update
    waits its turn for a connection, none is dropped with "Too many connections"."""
    await given_places(postgres_db)
    settings = settings_for_tests(
        redis_url=services.redis_url(), redis_prefix=prefix_of(redis_client),
        redis_max_connections=4,
    )  # fmt: skip
    redis = redis_client_for(settings)
    assert redis is not None
    try:
        store = RedisSessionStore(redis, prefix=f"{prefix_of(redis_client)}session:")
        engine = build_engine(
            settings, postgres_db, store=store, flood=MemoryFloodGuard(1000, 1.0),
            locks=chat_locks(settings, redis, store),
        )  # fmt: skip
        users = range(64_000, 64_200)
        replies = await asyncio.gather(*(engine.handle(text_event(u, "/start")) for u in users))
        language_buttons = [first_button(r) for r in replies]
        assert all(language_buttons)
        sessions = await asyncio.gather(*(store.load(u) for u in users))
        assert all(s is not None and len(s.recent_updates) == 1 for s in sessions)
    finally:
        await redis.aclose()


# --- the scheduler leader -------------------------------------------------------------------------


class Recorder:
    def __init__(self) -> None:
        self.running = False
        self.starts = 0

    def start(self) -> None:
        assert not self.running
        self.running, self.starts = True, self.starts + 1

    def stop(self) -> None:
        self.running = False


async def eventually(condition: Any, within: float = 10.0) -> None:
    async with asyncio.timeout(within):
        while not await condition():  # noqa: ASYNC110 - polling Redis: no event to wait on
            await asyncio.sleep(0.02)


async def test_one_leader_and_a_follower_takes_over_when_it_dies(redis_client: Any) -> None:
    key = f"{prefix_of(redis_client)}scheduler-leader"
    other = await second_client(redis_client)
    try:
        locks = [RedisLeaderLock(redis_client, key, 0.4), RedisLeaderLock(other, key, 0.4)]
        schedulers = [Recorder(), Recorder()]
        leaders = [
            Leadership(lock, rec.start, rec.stop, check_seconds=0.1)
            for lock, rec in zip(locks, schedulers, strict=True)
        ]
        for _round in range(3):
            for leader in leaders:
                await leader.step()
            assert [r.running for r in schedulers] == [True, False]
        assert await locks[0].holder() == locks[0].token

        # The leader freezes (a long GC pause, a lost network): it stops renewing.
        async def follower_took_over() -> bool:
            await leaders[1].step()
            return schedulers[1].running

        await eventually(follower_took_over)
        await leaders[0].step()  # it wakes up: renewing fails, so it stops at once
        assert [r.running for r in schedulers] == [False, True]
        assert not await locks[0].renew()
        await locks[0].release()  # must not free the new leader's lock
        assert await locks[1].holder() == locks[1].token

        await leaders[1].resign()  # a clean stop hands over without waiting for the expiry
        await leaders[0].step()
        assert [r.running for r in schedulers] == [True, False]
        assert (schedulers[0].starts, schedulers[1].starts) == (2, 1)
    finally:
        await other.aclose()


async def test_a_leader_that_cannot_reach_redis_stops_its_scheduler(redis_client: Any) -> None:
    lock = RedisLeaderLock(redis_client, f"{prefix_of(redis_client)}leader", 5)
    scheduler = Recorder()
    leader = Leadership(lock, scheduler.start, scheduler.stop, check_seconds=1)
    await leader.step()
    assert scheduler.running

    async def unreachable() -> bool:
        raise RedisConnectionError("Redis went away")

    lock.renew = unreachable  # type: ignore[method-assign]
    await leader.step()
    assert not scheduler.running


# --- the shared send budget -----------------------------------------------------------------------


async def test_two_limiters_never_hand_out_turns_closer_than_the_spacing(redis_client: Any) -> None:
    other = await second_client(redis_client)
    prefix = prefix_of(redis_client)
    try:
        limiters = [RedisSendLimiter(r, 30, prefix=prefix) for r in (redis_client, other)]
        turns = await asyncio.gather(*(limiters[n % 2].reserve_turn() for n in range(60)))
        moments = sorted(turn.at_us for turn in turns)
        gaps = [b - a for a, b in itertools.pairwise(moments)]
        assert min(gaps) >= limiters[0].spacing_us  # 30/s with headroom: ≥ 35.8 ms apart
        assert all(turn.wait >= 0 for turn in turns)

        assert await limiters[0].reserve_chat(5) == 0.0
        assert await limiters[1].reserve_chat(5) > 0.9  # one message per chat per second
        assert await limiters[1].reserve_chat(6) == 0.0

        await limiters[1].pause(0.5)  # a 429 seen by one worker pauses the other too
        paused = await limiters[0].reserve_turn()
        assert paused.at_us == 0 and 0.3 < paused.wait <= 0.5
    finally:
        await other.aclose()


async def test_a_stalled_sender_does_not_catch_up_in_a_burst(redis_client: Any) -> None:
    """Sixteen sends waiting on their turns when the process freezes for a quarter of a
    second (a long garbage collection, a busy core): the turns that fell due during the
    freeze are given up, not sent all at once, so no rolling second holds more than the
    limit."""
    other = await second_client(redis_client)
    prefix = prefix_of(redis_client)
    loop = asyncio.get_running_loop()
    sent_at: list[float] = []
    started = loop.time()

    async def sender(limiter: RedisSendLimiter) -> None:
        while loop.time() - started < 2.6:
            await limiter.wait_for_turn()
            sent_at.append(loop.time())

    async def freezes() -> None:
        for at in (0.8, 1.7):
            await asyncio.sleep(at - (loop.time() - started))
            time.sleep(0.25)  # noqa: ASYNC251 (blocks the whole event loop, as a stall does)

    try:
        limiters = [RedisSendLimiter(r, 60, prefix=prefix) for r in (redis_client, other)]
        await asyncio.gather(freezes(), *(sender(limiters[n % 2]) for n in range(16)))
    finally:
        await other.aclose()
    sent_at.sort()
    busiest = max(bisect.bisect_left(sent_at, t + 1.0) - i for i, t in enumerate(sent_at))
    assert busiest <= 60
    assert len(sent_at) > 100  # and it kept sending: about 56 a second outside the freezes


async def test_two_sender_workers_share_thirty_messages_a_second(
    postgres_db: Database, redis_client: Any
) -> None:
    """Two broadcast senders on one outbox and one Redis budget: every resident gets the
    announcement exactly once, and "Telegram" never has to answer 429."""
    await add_residents(postgres_db, range(64_000, 64_120))
    text = "ورشة حول كتابة المقترحات يوم السبت"
    await new_broadcast(postgres_db, text=text)
    telegram = LimitedMessenger(rate=60)
    other = await second_client(redis_client)
    senders = [
        BroadcastSender(
            postgres_db,
            settings_for_tests(),
            telegram,
            limiter=RedisSendLimiter(client, 60, 1.0, prefix=prefix_of(redis_client)),
            config=SenderConfig(
                concurrency=8, worker=f"w{n}", poll_seconds=0.05, lease=timedelta(seconds=30)
            ),
        )
        for n, client in enumerate((redis_client, other))
    ]
    try:
        await asyncio.gather(
            *(run_until(s, lambda: len(telegram.recipients_of(text)) == 120) for s in senders)
        )
    finally:
        await other.aclose()
    assert telegram.throttled == 0
    assert telegram.duplicates() == {}
    assert telegram.recipients_of(text) == set(range(64_000, 64_120))
    assert all(sender.sent > 0 for sender in senders)  # both really took part
