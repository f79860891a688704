"""Per-user flood limit: too many updates in a short window get one polite answer."""

from __future__ import annotations

import time
from collections import deque
from typing import Protocol

from redis.asyncio import Redis


class FloodGuard(Protocol):
    async def check(self, user_id: int) -> tuple[bool, bool]:
        """(allowed, first_refusal_in_window)."""
        ...


class MemoryFloodGuard:
    def __init__(self, max_updates: int, window_seconds: float) -> None:
        self.max_updates = max_updates
        self.window = window_seconds
        self._hits: dict[int, deque[float]] = {}
        self._warned_at: dict[int, float] = {}

    async def check(self, user_id: int) -> tuple[bool, bool]:
        now = time.monotonic()
        hits = self._hits.setdefault(user_id, deque())
        while hits and now - hits[0] > self.window:
            hits.popleft()
        if not hits:
            self._warned_at.pop(user_id, None)
        if len(hits) >= self.max_updates:
            first = now - self._warned_at.get(user_id, -1e9) > self.window
            if first:
                self._warned_at[user_id] = now
            return False, first
        hits.append(now)
        if len(self._hits) > 50_000:
            self._forget_idle(now)
        return True, False

    def _forget_idle(self, now: float) -> None:
        for key in [k for k, v in self._hits.items() if not v or now - v[-1] > self.window]:
            self._hits.pop(key, None)
            self._warned_at.pop(key, None)


class RedisFloodGuard:
    """The same limit shared by every worker (fixed window counter)."""

    def __init__(
        self,
        redis: Redis,
        max_updates: int,
        window_seconds: float,
        prefix: str = "musharaka:flood:",
    ) -> None:
        self._redis = redis
        self.max_updates = max_updates
        self.window = max(1, int(window_seconds))
        self._prefix = prefix

    async def check(self, user_id: int) -> tuple[bool, bool]:
        bucket = int(time.time() // self.window)
        key = f"{self._prefix}{user_id}:{bucket}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, self.window * 2)
            count, _ = await pipe.execute()
        if count <= self.max_updates:
            return True, False
        return False, count == self.max_updates + 1
