"""With sessions in Redis, taking a chat's lock reads the chat's session in the same round trip
(one Redis call less per update); what it read serves the update once, and never outlives
the lock."""

from __future__ import annotations

from typing import Any

from bot.engine.locks import RedisChatLocks
from bot.engine.session import Session
from bot.engine.session_redis import RedisSessionStore


def store_and_locks(redis: Any) -> tuple[RedisSessionStore, RedisChatLocks]:
    prefix = str(redis.test_prefix)
    store = RedisSessionStore(redis, prefix=f"{prefix}session:")
    locks = RedisChatLocks(redis, prefix=f"{prefix}chat-lock:", prefetch=store)
    return store, locks


async def test_the_session_read_with_the_lock_serves_one_load_under_that_lock(
    redis_client: Any,
) -> None:
    store, locks = store_and_locks(redis_client)
    assert await store.save(Session(key=7, version=1, language="ar"), 0)

    async with locks.hold(7):
        # Someone writes behind the lock's back (a worker that gave up waiting for it):
        # the first load is what the lock found, the next one reads Redis again, as the
        # engine's retry after a refused save must.
        assert await store.save(Session(key=7, version=2, language="fr"), 1)
        first = await store.load(7)
        again = await store.load(7)
    assert first is not None and (first.version, first.language) == (1, "ar")
    assert again is not None and (again.version, again.language) == (2, "fr")


async def test_what_the_lock_read_is_dropped_when_the_lock_is_let_go(redis_client: Any) -> None:
    store, locks = store_and_locks(redis_client)
    assert await store.save(Session(key=8, version=1), 0)
    async with locks.hold(8):
        pass  # the update ended before loading (it was a re-delivery, say)
    assert await store.save(Session(key=8, version=2), 1)

    loaded = await store.load(8)

    assert loaded is not None and loaded.version == 2


async def test_a_chat_with_no_session_yet_is_read_as_none(redis_client: Any) -> None:
    store, locks = store_and_locks(redis_client)
    async with locks.hold(9):
        assert await store.load(9) is None
