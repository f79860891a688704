"""Telegram's sending limits shared by every sender process: a token bucket in Redis.

Implements ``bot.workers.send_limiter.SendLimiter`` like ``LocalSendLimiter`` does inside one
process, but the budget lives in Redis, so two, five or ten sender workers sharing one bot
token send at most ``rate`` messages per second *together*:

* the overall rate is a shared schedule of evenly spaced turns: each caller reserves the
  next free turn (an atomic Lua script on Redis's own clock, so the machines' clocks do not
  matter) and sleeps until it comes;
* one message per chat per interval is a key per chat that expires after the interval;
* a 429 pauses everyone: a pause key every worker checks, and the next turns start after it;
* a turn woken up late (the process stalled: a long garbage collection, a busy core) is given
  up and a new one taken: turns are reserved ahead, so without this every turn that fell due
  during the stall would be sent at once when it ends, and that burst is what Telegram counts.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from redis.asyncio import Redis

HEADROOM = 0.93  # as LocalSendLimiter: pace a little under the limit (arrival jitter)
MAX_PAUSE_ROUNDS = 100
# A turn is sent if its sleep ended at most this late. At 93 % of the limit, the sends
# of any second can then be at most 3 % early: 0.93 x 1.03 < 1.
LATE_TURN_SECONDS = 0.03
MAX_LATE_TURNS = 5  # on a loop that is late every time, send after this many rather than starve

# KEYS[1] = next free turn (µs, Redis clock), KEYS[2] = pause; ARGV[1] = spacing (µs).
# Returns {wait µs, reserved turn µs}; while paused, {pause µs, 0} and nothing is reserved.
_RESERVE_TURN = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local paused = redis.call('PTTL', KEYS[2])
if paused > 0 then return {paused * 1000, 0} end
local turn = tonumber(redis.call('GET', KEYS[1]) or '0')
if turn < now then turn = now end
local spacing = tonumber(ARGV[1])
redis.call('SET', KEYS[1], string.format('%d', turn + spacing), 'PX', 60000)
return {turn - now, turn}
"""
# KEYS[1] = the chat's key; ARGV[1] = interval (ms). 0 and reserve, or ms until allowed.
_RESERVE_CHAT = """
local left = redis.call('PTTL', KEYS[1])
if left > 0 then return left end
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
return 0
"""
# KEYS[1] = pause, KEYS[2] = next free turn; ARGV[1] = pause (ms). Longest pause wins, and
# no turn is handed out before it ends (no burst of turns reserved before the 429).
_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local ms = tonumber(ARGV[1])
if redis.call('PTTL', KEYS[1]) < ms then redis.call('SET', KEYS[1], '1', 'PX', ms) end
local resume = now + ms * 1000
local turn = tonumber(redis.call('GET', KEYS[2]) or '0')
if turn < resume then redis.call('SET', KEYS[2], string.format('%d', resume), 'PX', 60000 + ms) end
return 1
"""


@dataclass(frozen=True)
class Turn:
    wait: float  # seconds to sleep before sending
    at_us: int  # the reserved turn on Redis's clock (µs); 0 while everyone is paused


class RedisSendLimiter:
    def __init__(
        self,
        redis: Redis,
        rate_per_second: float,
        per_chat_interval: float = 1.0,
        *,
        prefix: str = "musharaka:",
        headroom: float = HEADROOM,
    ) -> None:
        if rate_per_second <= 0 or not 0 < headroom <= 1:
            raise ValueError("rate must be positive and headroom in (0, 1]")
        self.rate_per_second = rate_per_second
        self.effective_rate = rate_per_second * headroom
        self.per_chat_interval = per_chat_interval / headroom
        self.spacing_us = max(1, int(1_000_000 / self.effective_rate))
        self._next_key = f"{prefix}send:next-turn"
        self._pause_key = f"{prefix}send:pause"
        self._chat_prefix = f"{prefix}send:chat:"
        self._turn = redis.register_script(_RESERVE_TURN)
        self._chat = redis.register_script(_RESERVE_CHAT)
        self._pause = redis.register_script(_PAUSE)
        self._redis = redis

    async def reserve_turn(self) -> Turn:
        wait_us, at_us = await self._turn(
            keys=[self._next_key, self._pause_key], args=[self.spacing_us]
        )
        return Turn(max(0, int(wait_us)) / 1_000_000, int(at_us))

    async def wait_for_turn(self) -> None:
        loop = asyncio.get_running_loop()
        late_turns = 0
        for _round in range(MAX_PAUSE_ROUNDS):
            asked_at = loop.time()
            turn = await self.reserve_turn()
            if turn.wait > 0:
                await asyncio.sleep(turn.wait)
            if not turn.at_us:
                continue  # everyone was paused: ask again when the pause is over
            late = loop.time() - (asked_at + turn.wait)
            if late > LATE_TURN_SECONDS and late_turns < MAX_LATE_TURNS:
                late_turns += 1
                continue
            await self._wait_out_pause()  # a 429 may have come while we slept
            return

    async def _wait_out_pause(self) -> None:
        for _round in range(MAX_PAUSE_ROUNDS):
            left_ms = int(await self._redis.pttl(self._pause_key))
            if left_ms <= 0:
                return
            await asyncio.sleep(left_ms / 1000)

    async def reserve_chat(self, chat_id: int) -> float:
        interval_ms = max(1, int(self.per_chat_interval * 1000))
        left_ms = await self._chat(keys=[f"{self._chat_prefix}{chat_id}"], args=[interval_ms])
        return int(left_ms) / 1000

    async def pause(self, seconds: float) -> None:
        milliseconds = max(1, int(seconds * 1000))
        await self._pause(keys=[self._pause_key, self._next_key], args=[milliseconds])
