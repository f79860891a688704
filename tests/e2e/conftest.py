"""Fixtures for end-to-end tests: a fake Bot API server and real bot processes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
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


@pytest.fixture
def bot_processes(tmp_path: Path) -> Iterator[Callable[..., BotProcess]]:
    """Start bot processes; every one is stopped at the end of the test."""
    started: list[BotProcess] = []

    def start(api: FakeBotApi, **settings: str) -> BotProcess:
        process = BotProcess(api, tmp_path, **settings).start()
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()
