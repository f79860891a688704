"""Keeping outgoing messages within Telegram's limits.

Telegram allows about 30 messages per second to different chats (up to 1000 with paid
broadcasts) and about one per second to the same chat; above that it answers 429 with
``retry_after``. ``SendLimiter`` is what the broadcast sender asks before each message.

``LocalSendLimiter`` keeps the limits inside one process, with aiolimiter. Several sender
processes sharing one bot token need one shared budget instead (a Redis token bucket):
write another class with the same three methods.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Protocol

from aiolimiter import AsyncLimiter

# Telegram counts sends in a rolling second as they *arrive*; requests leave us evenly
# spaced but reach Telegram with some jitter. Pacing a little under the limit keeps any
# 31 consecutive sends more than a second apart even when some arrive 70 ms late.
HEADROOM = 0.93
CHAT_MEMORY = 20_000  # remembered per-chat send times before old ones are forgotten


class SendLimiter(Protocol):
    async def wait_for_turn(self) -> None:
        """Wait until one more message fits within the overall rate."""
        ...

    async def reserve_chat(self, chat_id: int) -> float:
        """0.0 when ``chat_id`` may get a message now (and reserve it); otherwise the
        number of seconds until it may."""
        ...

    async def pause(self, seconds: float) -> None:
        """Telegram answered 429: nobody sends for ``seconds``."""
        ...


class LocalSendLimiter:
    """Evenly spaced sends (aiolimiter with a bucket of one), one per chat per interval,
    and a shared pause after a 429."""

    def __init__(
        self,
        rate_per_second: float,
        per_chat_interval: float = 1.0,
        *,
        headroom: float = HEADROOM,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate_per_second <= 0 or not 0 < headroom <= 1:
            raise ValueError("rate must be positive and headroom in (0, 1]")
        self.rate_per_second = rate_per_second
        self.effective_rate = rate_per_second * headroom
        # The same margin per chat: two messages to one person leave a little over a
        # second apart, so they still arrive more than a second apart.
        self.per_chat_interval = per_chat_interval / headroom
        self._spacing = AsyncLimiter(1, 1 / self.effective_rate)
        self._clock = clock
        self._paused_until = 0.0
        self._next_for_chat: dict[int, float] = {}

    async def wait_for_turn(self) -> None:
        await self._wait_out_pause()
        await self._spacing.acquire()
        await self._wait_out_pause()  # a 429 may have arrived while we queued

    async def _wait_out_pause(self) -> None:
        """Sleep through a pause; a later 429 may lengthen it while we sleep."""
        for _round in range(100):
            wait = self._paused_until - self._clock()
            if wait <= 0:
                return
            await asyncio.sleep(wait)

    async def reserve_chat(self, chat_id: int) -> float:
        now = self._clock()
        ready_at = self._next_for_chat.get(chat_id, 0.0)
        if ready_at > now:
            return ready_at - now
        if len(self._next_for_chat) >= CHAT_MEMORY:
            self._forget_idle_chats(now)
        self._next_for_chat[chat_id] = now + self.per_chat_interval
        return 0.0

    def _forget_idle_chats(self, now: float) -> None:
        self._next_for_chat = {c: t for c, t in self._next_for_chat.items() if t > now}

    async def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, self._clock() + max(seconds, 0.0))
