"""A stranger posting to the webhook: a secret header in Arabic, or garbage with the right
secret. Both runtimes answer 401 / 400 (never 500, which Telegram would retry forever)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from aiogram import Bot, Dispatcher
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from telegram import Bot as PtbBot

from bot.channels.aiogram_runtime import CheckedRequestHandler
from bot.channels.ptb_runtime import SECRET_HEADER, webhook_app

TOKEN = "123456:TEST-token-for-the-webhook"
SECRET = "right-secret_0123456789"
PATH = "/telegram/webhook"


class NeverHandles:
    async def handle(self, update: object) -> None:
        raise AssertionError("a refused request reached the engine")


def aiogram_app() -> web.Application:
    app = web.Application()
    CheckedRequestHandler(
        Dispatcher(), Bot(TOKEN), secret_token=SECRET, handle_in_background=False
    ).register(app, path=PATH)
    return app


def ptb_app() -> web.Application:
    return webhook_app(NeverHandles(), PtbBot(TOKEN), SECRET, PATH)  # type: ignore[arg-type]


@pytest.fixture(params=[aiogram_app, ptb_app], ids=["aiogram", "ptb"])
async def client(request: pytest.FixtureRequest) -> AsyncIterator[TestClient]:
    make: Callable[[], web.Application] = request.param
    async with TestClient(TestServer(make())) as test_client:
        yield test_client


async def raw_post(client: TestClient, secret: bytes, body: bytes) -> int:
    """Send the header as raw bytes, as a hostile client can (aiohttp's client would not)."""
    import asyncio

    reader, writer = await asyncio.open_connection(client.host, client.port)
    writer.write(
        b"POST "
        + PATH.encode()
        + b" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + SECRET_HEADER.encode()
        + b": "
        + secret
        + b"\r\n"
        + b"Content-Length: "
        + str(len(body)).encode()
        + b"\r\nConnection: close\r\n\r\n"
        + body
    )
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    return int(status_line.split()[1])


async def test_a_secret_header_in_arabic_is_a_wrong_secret_not_a_crash(client: TestClient) -> None:
    assert await raw_post(client, "سر".encode(), b'{"update_id": 1}') == 401
    assert await raw_post(client, b"\xff\xfe", b'{"update_id": 1}') == 401


async def test_garbage_with_the_right_secret_is_a_bad_request(client: TestClient) -> None:
    for body in (b"{not json", b"[1, 2]", b'"text"', b'{"update_id": "many"}'):
        response = await client.post(
            PATH, data=body, headers={SECRET_HEADER: SECRET, "Content-Type": "application/json"}
        )
        assert response.status == 400, body
