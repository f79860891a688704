"""Fixtures for end-to-end tests: a fake Bot API server and real bot processes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from tests.e2e.harness import BotProcess
from tests.fakes.bot_api import FakeBotApi


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
