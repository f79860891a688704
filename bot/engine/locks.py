"""One lock per chat, so a user's updates are handled one at a time: in one process
(``KeyedLocks``), or across every worker sharing a Redis (``RedisChatLocks``)."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger(__name__)


class KeyedLocks:
    def __init__(self) -> None:
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiters: dict[int, int] = {}

    @asynccontextmanager
    async def hold(self, key: int) -> AsyncIterator[None]:
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiters[key] = self._waiters.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._waiters[key] -= 1
            if self._waiters[key] == 0:
                del self._waiters[key]
                del self._locks[key]

    def __len__(self) -> int:
        return len(self._locks)


class ChatLocks(Protocol):
    def hold(self, key: int) -> AbstractAsyncContextManager[None]: ...


class Prefetch(Protocol):
    """What a Redis session store offers the chat lock: the key of a chat's session, read
    in the same round trip that takes the lock, and a place to hand it over."""

    def redis_key(self, key: int) -> str: ...

    def prime(self, key: int, raw: bytes | str | None) -> None: ...

    def forget(self, key: int) -> None: ...


# Delete the lock only if it is still ours (it may have expired and been taken meanwhile).
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class RedisChatLocks:
    """One chat's updates handled one at a time across every worker process.

    Without it, a re-delivered update (or a double tap) reaching two workers runs its handler
    twice at the same moment: compare-and-set keeps the session right, but the handlers'
    database writes would race. The lock expires after ``ttl_seconds`` (a worker that dies
    holding it blocks nobody for long); a worker that cannot get it within ``wait_seconds``
    goes ahead, still protected by compare-and-set.
    """

    def __init__(
        self,
        redis: Redis,
        prefix: str = "musharaka:chat-lock:",
        ttl_seconds: float = 10.0,
        wait_seconds: float = 10.0,
        prefetch: Prefetch | None = None,
    ) -> None:
        self._redis = redis
        self._prefetch = prefetch
        self._prefix = prefix
        self._ttl_ms = int(ttl_seconds * 1000)
        self._wait = wait_seconds
        self._local = KeyedLocks()  # updates of one chat in this process queue here first
        self._release = redis.register_script(_RELEASE)

    @asynccontextmanager
    async def hold(self, key: int) -> AsyncIterator[None]:
        async with self._local.hold(key):
            name, token = f"{self._prefix}{key}", uuid.uuid4().hex
            held = await self._acquire(name, token, key)
            try:
                yield
            finally:
                if self._prefetch is not None:
                    self._prefetch.forget(key)  # read under this hold only
                if held:
                    await self._release(keys=[name], args=[token])

    async def _take(self, name: str, token: str, key: int) -> bool:
        """SET NX, and with a prefetch the chat's session in the same round trip (Redis runs
        one connection's commands in order: what it reads is the session as the lock found
        it; another worker would need the lock to change it)."""
        if self._prefetch is None:
            return bool(await self._redis.set(name, token, nx=True, px=self._ttl_ms))
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.set(name, token, nx=True, px=self._ttl_ms)
            pipe.hget(self._prefetch.redis_key(key), "s")
            taken, raw = await pipe.execute()
        if taken:
            self._prefetch.prime(key, raw)
        return bool(taken)

    async def _acquire(self, name: str, token: str, key: int) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._wait
        pause = 0.002
        while not await self._take(name, token, key):
            if loop.time() > deadline:
                log.warning("chat lock %s still held after %ss; going ahead", name, self._wait)
                return False
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.05)
        return True
