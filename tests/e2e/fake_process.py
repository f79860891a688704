"""The fake Bot API server (tests/fakes/bot_api.py) in a process of its own, driven over its
/control/ routes.

In the pytest process, the fake shares one event loop with the test, its fixtures and whatever
else the suite has left in memory; the loop's pauses then bunch the bot's requests, and a
sender pacing itself just under Telegram's 30 messages a second meets a few 429s that are the
test's doing, not the sender's. In a process of its own, the fake sees requests as they come.

    fake = FakeProcess(limit_mode=True, log_path=tmp_path / "fake.log")
    await fake.start()               # fake.url for MUSHARAKA_BOT_API_URL
    await fake.add_people([(1001, "Amina", "ar")])
    ...
    await fake.sync()                # the records so far (also polled in the background)
    assert fake.throttled == 0 and fake.violations == []
    await fake.stop()

What it offers mirrors the in-process ``FakeBotApi`` where tests/e2e/broadcasts.py reads it:
``sent`` and ``sent_listeners`` (records arrive by polling, each ``params`` holding only the
text as the chat shows it), ``messages_for`` (rebuilt from the records: text only),
``throttled`` and ``violations`` (as of the last poll)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from aiohttp import ClientError, ClientSession

from tests.fakes.bot_api import JSONDict, SentRecord

PROJECT_ROOT = Path(__file__).resolve().parents[2]
POLL_SECONDS = 0.1
START_TIMEOUT = 60.0


class FakeProcess:
    """`python -m tests.fakes.bot_api --port 0` in a subprocess; its records polled in."""

    def __init__(self, *, limit_mode: bool = False, log_path: Path | None = None) -> None:
        self.limit_mode = limit_mode
        self.log_path = log_path
        self.url = ""
        self.sent: list[SentRecord] = []
        self.sent_listeners: list[Callable[[SentRecord], None]] = []
        self.throttled = 0
        self.violations: list[str] = []
        self._chats: dict[int, dict[int, JSONDict]] = {}
        self._process: asyncio.subprocess.Process | None = None
        self._client: ClientSession | None = None
        self._poller: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        """Starts the server, waits for the URL it prints, and starts polling its records."""
        command = [sys.executable, "-m", "tests.fakes.bot_api", "--port", "0"]
        if self.limit_mode:
            command.append("--limit-mode")
        with contextlib.ExitStack() as files:
            log = files.enter_context(self.log_path.open("wb")) if self.log_path else None
            self._process = await asyncio.create_subprocess_exec(
                *command,
                cwd=PROJECT_ROOT,
                stdout=asyncio.subprocess.PIPE,
                stderr=log if log is not None else asyncio.subprocess.DEVNULL,
            )
        assert self._process.stdout is not None
        try:
            line = await asyncio.wait_for(self._process.stdout.readline(), START_TIMEOUT)
        except TimeoutError:
            await self.stop()
            raise
        self.url = line.decode().strip()
        if not self.url.startswith("http://"):
            await self.stop()
            raise RuntimeError(f"the fake Bot API server did not start: {line!r}")
        self._client = ClientSession(base_url=self.url)
        self._poller = asyncio.create_task(self._poll())

    async def stop(self) -> None:
        """A last sync, then SIGINT (the server closes cleanly); SIGKILL if it lingers."""
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            self._poller = None
        if self._client is not None:
            with contextlib.suppress(ClientError):
                await self.sync()
            await self._client.close()
            self._client = None
        process, self._process = self._process, None
        if process is None or process.returncode is not None:
            return
        process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(process.wait(), 10)
        except TimeoutError:
            process.kill()
            await process.wait()

    async def __aenter__(self) -> FakeProcess:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # --------------------------------------------------------------------- control

    async def add_people(self, people: Iterable[tuple[int, str, str]]) -> None:
        """(user_id, first_name, language_code): each has a private chat with the bot."""
        users = [list(person) for person in people]
        await self._request("POST", "/control/users", json={"users": users})

    async def records(self) -> list[SentRecord]:
        """Every record so far: what the bot sent, edited, deleted (see ``sync``)."""
        await self.sync()
        return list(self.sent)

    async def sync(self) -> None:
        """Fetches the records since the last sync (listeners hear each one), then the 429s
        and violations so far. The background poll does this every POLL_SECONDS; call it to
        be sure that everything the server recorded before now is in."""
        async with self._lock:
            answer = await self._request("GET", "/control/sent", params={"offset": len(self.sent)})
            for raw in answer["records"]:
                self._add(raw)
            state = await self._request("GET", "/control/state")
            self.throttled = int(state["throttled"])
            self.violations = [str(violation) for violation in state["violations"]]

    def messages_for(self, user_id: int) -> list[JSONDict]:
        """The bot's messages in the user's chat as the records tell (edits applied, deleted
        ones gone): message_id and text."""
        return [dict(message) for message in self._chats.get(user_id, {}).values()]

    # --------------------------------------------------------------------- inside

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(POLL_SECONDS)
            with contextlib.suppress(ClientError):  # the server going away: stop() syncs last
                await self.sync()

    async def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        if self._client is None:
            raise RuntimeError("the fake Bot API process is not running")
        async with self._client.request(method, path, **kwargs) as response:
            response.raise_for_status()
            return await response.json()

    def _add(self, raw: JSONDict) -> None:
        text = raw["text"]
        record = SentRecord(
            method=str(raw["method"]),
            chat_id=int(raw["chat_id"]),
            params={} if text is None else {"text": text},
            message_id=raw["message_id"],
            timestamp=float(raw["timestamp"]),
        )
        self.sent.append(record)
        self._apply(record)
        for listener in self.sent_listeners:
            listener(record)

    def _apply(self, record: SentRecord) -> None:
        chat = self._chats.setdefault(record.chat_id, {})
        if record.message_id is None:
            return
        if record.method == "deleteMessage":
            chat.pop(record.message_id, None)
        elif record.method.startswith("send"):
            chat[record.message_id] = {"message_id": record.message_id, **record.params}
        elif record.method == "editMessageText" and record.message_id in chat:
            chat[record.message_id]["text"] = record.params.get("text", "")
