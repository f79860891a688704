"""Fixtures for end-to-end tests: a fake Bot API server and real bot processes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.e2e.harness import BotProcess
from tests.fakes.bot_api import FakeBotApi
from tests.support import services


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    server = FakeBotApi()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture(params=["aiogram", "ptb"])
def runtime(request: pytest.FixtureRequest) -> str:
    """Every end-to-end test runs on both Telegram frameworks (MUSHARAKA_RUNTIME)."""
    return str(request.param)


@pytest.fixture
async def bot_processes(tmp_path: Path, runtime: str) -> AsyncIterator[Callable[..., BotProcess]]:
    """Start bot processes on this test's runtime; every one is stopped at the end."""
    started: list[BotProcess] = []

    def start(api: FakeBotApi, **settings: str) -> BotProcess:
        settings.setdefault("runtime", runtime)
        process = BotProcess(api, tmp_path, **settings).start()
        started.append(process)
        return process

    yield start
    for process in started:
        await process.stop_async()


@pytest.fixture
async def postgres_database() -> AsyncIterator[str]:
    """The URL of a fresh PostgreSQL database for bot processes, dropped afterwards."""
    base = services.postgres_url()
    name = services.unique_name("e2e")
    admin = create_async_engine(base, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OSError as exc:
        await admin.dispose()
        services.unavailable(f"PostgreSQL at {base} is unreachable: {exc}")
    try:
        yield f"{base.rsplit('/', 1)[0]}/{name}"
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()
