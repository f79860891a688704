"""Per-user flood limit: too many updates in a short window get one polite answer.

Two counts per user, each with its own limit over the same window: *taps* — presses of the
buttons the user's conversation is showing now — and everything else (texts, stickers,
commands, stale or forged buttons, menus). A resident tapping steadily through an 80-question
survey makes many taps and nothing else; a flood is mostly messages, and the taps it can
add are bounded by their own, higher limit.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

from redis.asyncio import Redis

TAPS_PER_UPDATE = 3  # default tap limit: this many times the limit on other updates


class FloodGuard(Protocol):
    async def check(self, user_id: int, *, tap: bool = False) -> tuple[bool, bool]:
        """(allowed, first_refusal_in_window). ``tap``: a press of a current button."""
        ...


class MemoryFloodGuard:
    def __init__(
        self,
        max_updates: int,
        window_seconds: float,
        max_taps: int | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_updates = max_updates
        self.max_taps = max_taps if max_taps is not None else max_updates * TAPS_PER_UPDATE
        self.window = window_seconds
        self._clock = clock
        self._hits: dict[tuple[int, bool], deque[float]] = {}
        self._warned_at: dict[int, float] = {}

    async def check(self, user_id: int, *, tap: bool = False) -> tuple[bool, bool]:
        now = self._clock()
        hits = self._hits.setdefault((user_id, tap), deque())
        while hits and now - hits[0] > self.window:
            hits.popleft()
        if not hits and not self._hits.get((user_id, not tap)):
            self._warned_at.pop(user_id, None)
        if len(hits) >= (self.max_taps if tap else self.max_updates):
            first = now - self._warned_at.get(user_id, -1e9) > self.window
            if first:
                self._warned_at[user_id] = now
            return False, first
        hits.append(now)
        if len(self._hits) > 100_000:
            self._forget_idle(now)
        return True, False

    def _forget_idle(self, now: float) -> None:
        for key in [k for k, v in self._hits.items() if not v or now - v[-1] > self.window]:
            self._hits.pop(key, None)
        for user_id in [u for u, at in self._warned_at.items() if now - at > self.window]:
            self._warned_at.pop(user_id, None)


class RedisFloodGuard:
    """The same limits shared by every worker (fixed window counters)."""

    def __init__(
        self,
        redis: Redis,
        max_updates: int,
        window_seconds: float,
        max_taps: int | None = None,
        prefix: str = "musharaka:flood:",
    ) -> None:
        self._redis = redis
        self.max_updates = max_updates
        self.max_taps = max_taps if max_taps is not None else max_updates * TAPS_PER_UPDATE
        self.window = max(1, int(window_seconds))
        self._prefix = prefix

    async def check(self, user_id: int, *, tap: bool = False) -> tuple[bool, bool]:
        bucket = int(time.time() // self.window)
        key = f"{self._prefix}{user_id}:{'t' if tap else 'u'}:{bucket}"
        # One round trip without MULTI/EXEC: the count is INCR's own answer, and the EXPIRE
        # after it only has to happen at all (the bucket's key names its window).
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.incr(key)
            pipe.expire(key, self.window * 2)
            count, _ = await pipe.execute()
        limit = self.max_taps if tap else self.max_updates
        if count <= limit:
            return True, False
        return False, count == limit + 1
