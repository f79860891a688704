"""Exactly one scheduler among many processes: a leader lock in Redis.

Every process that may run the scheduler (``musharaka run`` with ``MUSHARAKA_RUN_SCHEDULER``,
or ``musharaka scheduler``) keeps trying to take the lock. The holder runs APScheduler and
renews the lock every third of its time to live; if it dies or loses Redis, the lock
expires and another process takes over within ``ttl`` seconds. A leader that fails to renew
stops its scheduler at once.

Two leaders can overlap only for the short moment between a lock expiring under a stalled
leader and that leader noticing; reminders are claimed row by row in the database
(``storage.reminders.claim``), so even then each is sent once.

Without Redis there is one process, and it is always the leader.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Callable
from typing import Any, Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from core.config import Settings
from core.redis_client import redis_client

log = logging.getLogger(__name__)

DEFAULT_TTL_SECONDS = 15.0

# KEYS[1] = lock; ARGV[1] = our token, ARGV[2] = ttl in ms. Extend only a lock we hold.
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
# Delete only a lock we hold (never a successor's).
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


def holder_name() -> str:
    """Who holds the lock, readable in Redis (host:pid) plus a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class LeaderLock(Protocol):
    async def acquire(self) -> bool:
        """Take the lock if nobody holds it; True if we hold it now."""
        ...

    async def renew(self) -> bool:
        """Extend our hold; False if the lock expired or someone else holds it."""
        ...

    async def release(self) -> None: ...


class SoleLeader:
    """One process, no Redis: always the leader."""

    async def acquire(self) -> bool:
        return True

    async def renew(self) -> bool:
        return True

    async def release(self) -> None:
        return None


class RedisLeaderLock:
    def __init__(
        self,
        redis: Redis,
        key: str = "musharaka:scheduler-leader",
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        token: str | None = None,
    ) -> None:
        self._redis = redis
        self.key = key
        self.ttl_ms = max(1, int(ttl_seconds * 1000))
        self.token = token or holder_name()
        self._renew = redis.register_script(_RENEW)
        self._release = redis.register_script(_RELEASE)

    async def acquire(self) -> bool:
        if await self._redis.set(self.key, self.token, nx=True, px=self.ttl_ms):
            return True
        return await self.renew()  # already ours (a restart of the loop)

    async def renew(self) -> bool:
        return bool(await self._renew(keys=[self.key], args=[self.token, self.ttl_ms]))

    async def release(self) -> None:
        await self._release(keys=[self.key], args=[self.token])

    async def holder(self) -> str | None:
        raw = await self._redis.get(self.key)
        return raw.decode() if isinstance(raw, bytes) else raw


class Leadership:
    """Runs ``start()`` while this process holds the lock and ``stop()`` when it loses it."""

    def __init__(
        self,
        lock: LeaderLock,
        start: Callable[[], Any],
        stop: Callable[[], Any],
        *,
        check_seconds: float,
    ) -> None:
        self.lock = lock
        self._start = start
        self._stop = stop
        self.check_seconds = check_seconds
        self.leading = False

    async def step(self) -> None:
        """One look at the lock: take it, keep it, or notice it is gone."""
        try:
            held = await (self.lock.renew() if self.leading else self.lock.acquire())
        except (RedisError, OSError) as exc:
            log.warning("leader lock unreachable: %s", exc)
            held = False
        if held and not self.leading:
            log.info("this process is now the scheduler leader")
            self.leading = True
            self._start()
        elif not held and self.leading:
            log.warning("scheduler leadership lost; stopping the scheduler")
            self.leading = False
            self._stop()

    async def run(self) -> None:
        try:
            while True:
                await self.step()
                await asyncio.sleep(self.check_seconds)
        finally:
            await self.resign()

    async def resign(self) -> None:
        if self.leading:
            self.leading = False
            self._stop()
            try:
                await self.lock.release()  # a successor need not wait for the expiry
            except (RedisError, OSError) as exc:
                log.info("could not release the leader lock: %s", exc)


def build_leader_lock(settings: Settings, redis: Redis | None = None) -> LeaderLock:
    """Who runs the scheduler: with Redis, the holder of a lock that expires if it dies."""
    redis = redis or redis_client(settings)
    if redis is None:
        return SoleLeader()
    return RedisLeaderLock(
        redis,
        key=f"{settings.redis_prefix}scheduler-leader",
        ttl_seconds=settings.leader_ttl_seconds,
    )
