"""A small load balancer in front of several webhook workers, as a deployment would have.

Telegram (the fake) posts every update to the front; the front passes it to the next worker
in turn and gives Telegram that worker's answer (a worker that is down gives 502, so Telegram
re-delivers). With ``duplicate_every=n`` every n-th update also goes to another worker at the
same moment: what a retrying balancer, or a re-delivery racing the original, looks like.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter

from aiohttp import ClientError, ClientSession, ClientTimeout, web

FORWARDED_HEADERS = ("Content-Type", "X-Telegram-Bot-Api-Secret-Token")


class Front:
    def __init__(self, workers: list[str], *, duplicate_every: int = 0) -> None:
        self.workers = workers
        self.duplicate_every = duplicate_every
        self.handled: Counter[str] = Counter()  # 2xx answers per worker
        self.failed: Counter[str] = Counter()  # non-2xx or unreachable, per worker
        self.duplicated = 0
        self.url = ""
        self._turns = itertools.count()
        self._runner: web.AppRunner | None = None
        self._client: ClientSession | None = None

    async def start(self, path: str = "/telegram/webhook") -> None:
        app = web.Application()
        app.router.add_post(path, self._receive)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}{path}"
        self._client = ClientSession(timeout=ClientTimeout(total=60))

    async def stop(self) -> None:
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _receive(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {k: request.headers[k] for k in FORWARDED_HEADERS if k in request.headers}
        turn = next(self._turns)
        primary = self.workers[turn % len(self.workers)]
        if self.duplicate_every and turn % self.duplicate_every == 0 and len(self.workers) > 1:
            self.duplicated += 1
            other = self.workers[(turn + 1) % len(self.workers)]
            status, _ = await asyncio.gather(
                self._forward(primary, body, headers), self._forward(other, body, headers)
            )
        else:
            status = await self._forward(primary, body, headers)
        return web.Response(status=status)

    async def _forward(self, worker: str, body: bytes, headers: dict[str, str]) -> int:
        assert self._client is not None
        try:
            async with self._client.post(worker, data=body, headers=headers) as response:
                status = response.status
        except (ClientError, TimeoutError, OSError):
            status = 502
        if 200 <= status < 300:
            self.handled[worker] += 1
        else:
            self.failed[worker] += 1
        return status
