"""How the broadcast sender runs: its settings (workers, lease, what to do with rows left in
doubt), its send limiter (one process, or shared through Redis), the delay before a retry."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from datetime import timedelta

from bot.workers.send_limiter import LocalSendLimiter, SendLimiter
from core.config import Settings
from storage.broadcasts import InDoubt

PROGRESS_SECONDS = 3.0  # at most one edit of a progress message this often


def default_worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


@dataclass
class SenderConfig:
    concurrency: int = 8
    lease: timedelta = timedelta(seconds=60)
    in_doubt: InDoubt = InDoubt.RESEND
    poll_seconds: float = 2.0
    progress_seconds: float = PROGRESS_SECONDS
    worker: str = field(default_factory=default_worker_name)

    @classmethod
    def from_settings(cls, settings: Settings) -> SenderConfig:
        return cls(
            concurrency=settings.broadcast_concurrency,
            lease=timedelta(seconds=settings.broadcast_lease_seconds),
            in_doubt=InDoubt(settings.broadcast_in_doubt),
            poll_seconds=settings.broadcast_poll_seconds,
        )


def limiter_from_settings(settings: Settings) -> SendLimiter:
    """In one process, aiolimiter; with Redis, one budget shared by every sender worker."""
    rate = (
        settings.broadcast_paid_rate_per_second
        if settings.paid_broadcasts
        else settings.global_rate_per_second
    )
    from core.redis_client import redis_client

    redis = redis_client(settings)
    if redis is not None:
        from bot.workers.redis_send_limiter import RedisSendLimiter

        return RedisSendLimiter(
            redis,
            rate,
            settings.per_chat_interval_seconds,
            prefix=settings.redis_prefix,
        )
    return LocalSendLimiter(rate, settings.per_chat_interval_seconds)


def retry_delay(attempts: int) -> timedelta:
    """5 s, 10 s, 20 s, ... at most 5 minutes."""
    return timedelta(seconds=min(300, 5 * 2 ** max(attempts - 1, 0)))
