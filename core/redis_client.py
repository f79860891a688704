"""The process's one Redis client (sessions, flood limits, chat locks, the leader lock and
send tokens share its pool), or None without MUSHARAKA_REDIS_URL."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.config import Settings

if TYPE_CHECKING:
    from redis.asyncio import Redis


def redis_client(settings: Settings) -> Redis | None:
    """One Redis client per process (its pool is shared by sessions, flood limits, the
    leader lock and send tokens), or None without MUSHARAKA_REDIS_URL.

    The pool *waits* for a free connection when all are busy: redis-py's default pool
    raises "Too many connections" instead, which under a burst of a few hundred residents
    dropped their updates (seen in bench/throughput.py on PostgreSQL + Redis)."""
    if not settings.redis_url:
        return None
    from redis.asyncio import BlockingConnectionPool, Redis

    pool = BlockingConnectionPool.from_url(
        settings.redis_url,
        max_connections=settings.redis_max_connections,
        timeout=settings.redis_pool_timeout_seconds,
    )
    return Redis(connection_pool=pool)
