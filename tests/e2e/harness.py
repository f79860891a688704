"""Running the real bot process against the fake Bot API server."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tests.e2e.fake_process import FakeProcess
from tests.fakes.bot_api import FakeBotApi

TOKEN = "123456:TEST-token-for-the-fake-server"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class BotProcess:
    """`musharaka run` (or another ``command``, e.g. ``("send-broadcasts",)``) in a
    subprocess, configured through its environment like in production. The fake server runs
    in this process (``FakeBotApi``) or in its own (``FakeProcess``: no request log, so no
    ``wait_polling``/``wait_webhook``)."""

    def __init__(
        self,
        api: FakeBotApi | FakeProcess,
        workdir: Path,
        *,
        database_url: str | None = None,
        command: tuple[str, ...] = ("run",),
        **settings: str,
    ) -> None:
        self.api = api
        self.command = command
        self.workdir = workdir
        self.log_path = workdir / f"bot-{len(list(workdir.glob('bot-*.log')))}.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("MUSHARAKA_")}
        env.update(
            {
                "MUSHARAKA_BOT_TOKEN": TOKEN,
                "MUSHARAKA_BOT_API_URL": api.url,
                "MUSHARAKA_DATABASE_URL": database_url
                or f"sqlite+aiosqlite:///{workdir / 'bot.sqlite'}",
                "MUSHARAKA_LOG_LEVEL": "INFO",
                "PYTHONPATH": str(PROJECT_ROOT),
            }
        )
        env.update({f"MUSHARAKA_{key.upper()}": value for key, value in settings.items()})
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None
        self._first_request = 0

    def start(self) -> BotProcess:
        if isinstance(self.api, FakeBotApi):
            self._first_request = len(self.api.requests)  # only this process's calls count
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", *self.command],
            cwd=self.workdir,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        return self

    async def wait_polling(self, timeout: float = 60) -> None:  # noqa: ASYNC109
        """Until the bot asks for updates (it has started and published its commands)."""
        await self._wait_for_request("getUpdates", timeout)

    async def wait_webhook(self, timeout: float = 60) -> None:  # noqa: ASYNC109
        await self._wait_for_request("setWebhook", timeout)

    async def _wait_for_request(self, method: str, timeout: float) -> None:  # noqa: ASYNC109
        api = self.api
        if not isinstance(api, FakeBotApi):
            raise TypeError("waiting for a request needs the fake server in this process")
        deadline = asyncio.get_running_loop().time() + timeout
        while not any(r.method == method for r in api.requests[self._first_request :]):
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"bot exited early:\n{self.log()}")
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"bot never called {method}:\n{self.log()}")
            await asyncio.sleep(0.05)

    async def wait_until(self, condition: Callable[[], bool], timeout: float, what: str) -> None:  # noqa: ASYNC109
        """Until ``condition()`` holds; fails with the process's log if it exits first or
        ``timeout`` passes (a guard against hanging, not a measure)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not condition():
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"the process exited before {what}:\n{self.log()}")
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"no {what} within {timeout:.0f} s:\n{self.log()}")
            await asyncio.sleep(0.05)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-6000:]

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    async def stop_async(self, timeout: float = 15) -> None:  # noqa: ASYNC109
        """SIGTERM and wait without blocking the event loop, so the fake server in this
        process can still answer the bot while it shuts down."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        deadline = asyncio.get_running_loop().time() + timeout
        while self.process.poll() is None:
            if asyncio.get_running_loop().time() > deadline:
                self.kill()
                return
            await asyncio.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL: no goodbye, like a crash or an out-of-memory kill."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
