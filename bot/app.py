"""Assembles the bot: every handler and conversation module, services, the engine."""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING

from bot.engine.engine import Engine
from bot.engine.flood import FloodGuard, MemoryFloodGuard, RedisFloodGuard
from bot.engine.locks import ChatLocks, RedisChatLocks
from bot.engine.registry import Registry
from bot.engine.services import Services
from bot.engine.session import SessionStore
from bot.features import (
    associations,
    broadcasts,
    cases,
    consultations,
    priorities,
    privacy,
    surveys,
    trainings,
    volunteers,
)
from bot.features import core as bot_core
from core.clock import Clock, SystemClock
from core.config import Settings
from core.redis_client import redis_client
from storage import files
from storage.db import Database
from storage.files import build_file_store

if TYPE_CHECKING:
    from redis.asyncio import Redis

# Every module that contributes commands, conversations, menu entries or buttons.
MODULES: list[ModuleType] = [
    bot_core,
    consultations,
    trainings,
    surveys,
    priorities,
    volunteers,
    associations,
    broadcasts,
    cases,
    privacy,
]


def build_registry() -> Registry:
    registry = Registry()
    for module in MODULES:
        module.register(registry)
    return registry


def build_session_store(
    settings: Settings, db: Database, redis: Redis | None = None, clock: Clock | None = None
) -> SessionStore:
    redis = redis or redis_client(settings)
    if redis is not None:
        from bot.engine.session_redis import RedisSessionStore

        return RedisSessionStore(redis, prefix=f"{settings.redis_prefix}session:")
    from bot.engine.session_sql import SqlSessionStore

    return SqlSessionStore(db, clock)


def build_flood_guard(settings: Settings, redis: Redis | None = None) -> FloodGuard:
    redis = redis or redis_client(settings)
    if redis is not None:
        return RedisFloodGuard(
            redis,
            settings.flood_max_updates,
            settings.flood_window_seconds,
            settings.flood_max_taps,
            prefix=f"{settings.redis_prefix}flood:",
        )
    return MemoryFloodGuard(
        settings.flood_max_updates, settings.flood_window_seconds, settings.flood_max_taps
    )


def chat_locks(settings: Settings, redis: Redis, store: SessionStore) -> RedisChatLocks:
    """Each chat's updates one at a time across all workers sharing this Redis; with the
    sessions in the same Redis, the lock reads the chat's session as it is taken."""
    from bot.engine.session_redis import RedisSessionStore

    prefetch = store if isinstance(store, RedisSessionStore) and store.client is redis else None
    return RedisChatLocks(redis, prefix=f"{settings.redis_prefix}chat-lock:", prefetch=prefetch)


def build_engine(
    settings: Settings,
    db: Database,
    *,
    store: SessionStore | None = None,
    clock: Clock | None = None,
    flood: FloodGuard | None = None,
    locks: ChatLocks | None = None,
) -> Engine:
    redis = redis_client(settings) if store is None or flood is None else None
    clock = clock or SystemClock()
    store = store if store is not None else build_session_store(settings, db, redis, clock)
    services = Services(
        settings=settings,
        db=db,
        store=store,
        clock=clock,
        files=build_file_store(settings),
    )
    files.use(services.files)  # /delete reaches the same store
    if redis is not None:
        services.extras["redis"] = redis
    return Engine(
        build_registry(),
        services,
        flood=flood if flood is not None else build_flood_guard(settings, redis),
        locks=locks or (chat_locks(settings, redis, store) if redis is not None else None),
    )
