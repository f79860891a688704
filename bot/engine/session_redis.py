"""SessionStore in Redis, for several bot workers sharing conversations."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.engine.session import Session

# KEYS[1] = session key; ARGV = expected version, new version, new state, ttl seconds
_CAS_SCRIPT = """
local current = redis.call('HGET', KEYS[1], 'v')
if (current == false and ARGV[1] ~= '0') or (current ~= false and current ~= ARGV[1]) then
  return 0
end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 's', ARGV[3])
if tonumber(ARGV[4]) > 0 then redis.call('EXPIRE', KEYS[1], ARGV[4]) end
return 1
"""


class RedisSessionStore:
    def __init__(self, redis: Redis, prefix: str = "musharaka:session:", ttl_seconds: int = 0):
        self._redis = redis
        self._prefix = prefix
        self._ttl = ttl_seconds
        self._cas = redis.register_script(_CAS_SCRIPT)
        # Sessions read by the chat lock as it was taken (locks.RedisChatLocks' prefetch):
        # one Redis round trip less per update. Held only while that lock is.
        self._primed: dict[int, bytes | str | None] = {}

    @classmethod
    def from_url(cls, url: str, prefix: str = "musharaka:session:") -> RedisSessionStore:
        return cls(Redis.from_url(url), prefix=prefix)

    def _key(self, key: int) -> str:
        return f"{self._prefix}{key}"

    @property
    def client(self) -> Redis:
        return self._redis

    def redis_key(self, key: int) -> str:
        return self._key(key)

    def prime(self, key: int, raw: bytes | str | None) -> None:
        self._primed[key] = raw

    def forget(self, key: int) -> None:
        self._primed.pop(key, None)

    async def load(self, key: int) -> Session | None:
        if key in self._primed:
            raw = self._primed.pop(key)  # once: a retry after a refused save reads again
        else:
            raw = await self._redis.hget(self._key(key), "s")
        return Session.from_json(raw) if raw is not None else None

    async def save(self, session: Session, expected_version: int) -> bool:
        ok = await self._cas(
            keys=[self._key(session.key)],
            args=[str(expected_version), str(session.version), session.to_json(), self._ttl],
        )
        return bool(ok)

    async def delete(self, key: int) -> None:
        await self._redis.delete(self._key(key))

    async def close(self) -> None:
        await self._redis.aclose()
