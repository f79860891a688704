"""Shared fixtures: databases (SQLite, PostgreSQL), Redis, engines, chats."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.app import build_engine
from bot.engine.engine import Engine
from bot.engine.flood import MemoryFloodGuard
from bot.engine.session import MemorySessionStore, SessionStore
from bot.engine.steps import STRICT_VARIABLE
from core.clock import Clock
from core.config import Settings
from storage.db import Database
from tests.support import services
from tests.support.chat import Chat
from tests.support.settings import settings_for_tests

CLOCK_OFFSET_VARIABLE = "MUSHARAKA_TEST_CLOCK_OFFSET_DAYS"
# A flow that moves between steps in a way its declared steps do not say fails the story (and
# the bot processes the end-to-end tests start, which inherit the variable); see bot.engine.steps.
os.environ[STRICT_VARIABLE] = "1"


def pytest_configure(config: pytest.Config) -> None:
    """With MUSHARAKA_TEST_CLOCK_OFFSET_DAYS=N the real clock of this process runs N days
    ahead (time-machine: datetime.now, time.time, date.today; time keeps ticking). A test
    that passes today but not a year from now used the real clock where it needed the
    injected one (tests/test_clock_independence.py runs the suite that way)."""
    offset = os.environ.get(CLOCK_OFFSET_VARIABLE)
    if not offset:
        return
    import time_machine

    shifted = datetime.now(UTC) + timedelta(days=int(offset))
    traveller = time_machine.travel(shifted, tick=True)
    traveller.start()
    config.add_cleanup(traveller.stop)


@pytest.fixture
def settings() -> Settings:
    return settings_for_tests()


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[Database]:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite'}")
    await db.create_all()
    yield db
    await db.dispose()


@pytest.fixture
async def postgres_db() -> AsyncIterator[Database]:
    """A fresh schema in the CI PostgreSQL, dropped afterwards."""
    url = services.postgres_url()
    schema = services.unique_name("t")
    admin = Database(url)
    try:
        async with admin.engine.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OSError as exc:
        await admin.dispose()
        services.unavailable(f"PostgreSQL at {url} is unreachable: {exc}")
    db = Database(url, schema=schema)
    await db.create_all()
    try:
        yield db
    finally:
        await db.dispose()
        async with admin.engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


@pytest.fixture
async def redis_client() -> AsyncIterator[object]:
    """A Redis client plus a private key prefix; the prefix's keys are removed afterwards."""
    from redis.asyncio import Redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    url = services.redis_url()
    client = Redis.from_url(url)
    try:
        await client.ping()
    except (RedisConnectionError, OSError) as exc:
        await client.aclose()
        services.unavailable(f"Redis at {url} is unreachable: {exc}")
    prefix = services.unique_name("musharaka-test") + ":"
    client.test_prefix = prefix  # type: ignore[attr-defined]
    yield client
    async for key in client.scan_iter(match=f"{prefix}*"):
        await client.delete(key)
    await client.aclose()


@pytest.fixture(params=["sqlite", "postgres"])
def any_db(request: pytest.FixtureRequest) -> Database:
    """The same test on the embedded default and on PostgreSQL."""
    name = "sqlite_db" if request.param == "sqlite" else "postgres_db"
    return request.getfixturevalue(name)  # type: ignore[no-any-return]


EngineFactory = Callable[..., Engine]


@pytest.fixture
def make_engine(settings: Settings) -> EngineFactory:
    def factory(
        db: Database,
        *,
        store: SessionStore | None = None,
        clock: Clock | None = None,
        flood: MemoryFloodGuard | None = None,
        **overrides: object,
    ) -> Engine:
        engine_settings = settings_for_tests(**overrides) if overrides else settings
        return build_engine(
            engine_settings,
            db,
            store=store if store is not None else MemorySessionStore(),  # an empty store is falsy
            clock=clock,
            flood=flood or MemoryFloodGuard(1000, 1.0),
        )

    return factory


@pytest.fixture
async def engine(sqlite_db: Database, make_engine: EngineFactory) -> Engine:
    from tests.support.given import given_places

    await given_places(sqlite_db)
    return make_engine(sqlite_db)


@pytest.fixture
def chat(engine: Engine) -> Chat:
    return Chat(engine, user_id=1000, language="ar")
