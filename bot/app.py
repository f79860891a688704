"""Assembles the bot: every handler and conversation module, services, the engine."""

from __future__ import annotations

from types import ModuleType

from bot.config import Settings
from bot.conversations import (
    association,
    capacity_assessment,
    consultation,
    onboarding,
    survey,
    volunteer,
)
from bot.conversations import broadcast as broadcast_conversation
from bot.conversations import training as training_conversation
from bot.engine.clock import Clock, SystemClock
from bot.engine.engine import Engine
from bot.engine.flood import FloodGuard, MemoryFloodGuard, RedisFloodGuard
from bot.engine.registry import Registry
from bot.engine.services import Services
from bot.engine.session import SessionStore
from bot.handlers import (
    associations_staff,
    cancel,
    language,
    menu,
    priorities,
    privacy,
    start,
    survey_export,
    trainings_staff,
)
from bot.handlers import settings as message_settings
from storage.db import Database

# Every module that contributes commands, conversations, menu entries or buttons.
MODULES: list[ModuleType] = [
    start,
    menu,
    cancel,
    language,
    onboarding,
    consultation,
    training_conversation,
    trainings_staff,
    survey,
    priorities,
    survey_export,
    volunteer,
    association,
    capacity_assessment,
    associations_staff,
    broadcast_conversation,
    message_settings,
    privacy,
]


def build_registry() -> Registry:
    registry = Registry()
    for module in MODULES:
        module.register(registry)
    return registry


def build_session_store(settings: Settings, db: Database) -> SessionStore:
    if settings.redis_url:
        from bot.engine.session_redis import RedisSessionStore

        return RedisSessionStore.from_url(settings.redis_url)
    from bot.engine.session_sql import SqlSessionStore

    return SqlSessionStore(db)


def build_flood_guard(settings: Settings) -> FloodGuard:
    if settings.redis_url:
        from redis.asyncio import Redis

        return RedisFloodGuard(
            Redis.from_url(settings.redis_url),
            settings.flood_max_updates,
            settings.flood_window_seconds,
        )
    return MemoryFloodGuard(settings.flood_max_updates, settings.flood_window_seconds)


def build_engine(
    settings: Settings,
    db: Database,
    *,
    store: SessionStore | None = None,
    clock: Clock | None = None,
    flood: FloodGuard | None = None,
) -> Engine:
    services = Services(
        settings=settings,
        db=db,
        store=store if store is not None else build_session_store(settings, db),
        clock=clock or SystemClock(),
    )
    return Engine(
        build_registry(),
        services,
        flood=flood if flood is not None else build_flood_guard(settings),
    )
