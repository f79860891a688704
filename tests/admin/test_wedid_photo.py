"""You said, we did, with a photo: Karim attaches a photo of Thala's new health centre; the
participants receive the photo with the update as its caption (sendPhoto through the fake
Telegram), the admin shows it beside the update and the priority; a file that is not a JPEG
or PNG, or one too large, is refused with a clear message and nothing is recorded."""

from __future__ import annotations

import struct
import zlib
from datetime import timedelta

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.channels.aiogram_runtime import AiogramMessenger
from bot.workers.broadcast_config import SenderConfig
from bot.workers.broadcast_sender import BroadcastSender
from bot.workers.send_limiter import LocalSendLimiter
from storage import wedid
from tests.admin.conftest import SignIn
from tests.admin.support import AdminSite, StaffClient
from tests.admin.surveydata import nine_residents_answer
from tests.fakes.bot_api import FakeBotApi
from tests.support.broadcasts import add_residents

THALA_TOOK_PART = [5001, 5002, 5004, 5005]
FORM = {
    "district": "thala",
    "sector": "health",
    "status": "done",
    "text_ar": "افتُتح المركز الصحي الجديد في تالة ويستقبل المرضى كل يوم.",
    "text_en": "The new health centre in Thala is open every day.",
    "text_fr": "Le nouveau centre de santé de Thala est ouvert tous les jours.",
}


def png(width: int = 4, height: int = 3) -> bytes:
    """A small, valid PNG picture."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x20\x80\x60" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


async def send_with_photo(
    staff: StaffClient, key: str, name: str, data: bytes, kind: str = "image/png"
) -> None:
    await staff.open("/we-did")
    fields = {**FORM, "key": key, "csrf_token": staff.csrf()}
    staff.page = await staff.http.post(
        "/we-did", data=fields, files={"photo": (name, data, kind)}, follow_redirects=True
    )


async def test_a_we_did_photo_reaches_the_participants_with_the_update_as_its_caption(
    site: AdminSite, sign_in: SignIn
) -> None:
    await nine_residents_answer(site.db)
    await add_residents(site.db, THALA_TOOK_PART, district="thala")
    karim = await sign_in("karim")

    await send_with_photo(karim, "bad", "centre.txt", b"not a picture", "text/plain")
    assert "يجب أن تكون الصورة بصيغة JPEG أو PNG." in karim.text
    big = b"\x89PNG\r\n\x1a\n" + b"\0" * wedid.MAX_PHOTO_BYTES
    await send_with_photo(karim, "big", "centre.png", big)
    assert "الصورة أكبر من ٥ ميغابايت" in karim.text
    async with site.db.reader() as s:
        assert await wedid.updates_for(s, "needs_survey") == []  # nothing recorded

    picture = png()
    await send_with_photo(karim, "k1", "centre.png", picture)
    assert "في طريقه إلى ٤ من المقيمين المشاركين" in karim.text
    async with site.db.reader() as s:
        [update] = await wedid.updates_for(s, "needs_survey")
    assert update.photo_key
    page = karim.page.text if karim.page else ""
    assert f'src="/we-did/{update.id}/photo"' in page
    shown = await karim.download(f"/we-did/{update.id}/photo")
    assert shown.status_code == 200 and shown.content == picture
    assert shown.headers["content-type"] == "image/png"
    await karim.open("/priorities", district="thala")  # beside Thala's health priority
    assert f'src="/we-did/{update.id}/photo"' in (karim.page.text if karim.page else "")
    consultant = await sign_in("salma")
    assert (await consultant.download(f"/we-did/{update.id}/photo")).status_code == 200
    assert (await consultant.download("/we-did/999/photo")).status_code == 404

    async with FakeBotApi() as telegram:
        for user_id in THALA_TOOK_PART:
            telegram.add_user(user_id, f"R{user_id}", "ar")
        bot = Bot(
            "123456:TEST-token",
            session=AiohttpSession(api=TelegramAPIServer.from_base(telegram.url)),
        )
        try:
            site.clock.advance(timedelta(seconds=2))
            sender = BroadcastSender(
                site.db,
                site.settings,
                AiogramMessenger(bot),
                limiter=LocalSendLimiter(30, 1.0, clock=lambda: site.clock.now().timestamp()),
                config=SenderConfig(concurrency=2, worker="test", poll_seconds=0.01),
                clock=site.clock,
            )
            assert await sender.drain() == 4
        finally:
            await bot.session.close()
        for user_id in THALA_TOOK_PART:
            [message] = telegram.messages_for(user_id)
            assert message["photo"][0]["file_size"] == len(picture)
            assert message["caption"].startswith("📣 قلتم، فعلنا — تالة")
            assert "افتُتح المركز الصحي الجديد في تالة" in message["caption"]
            assert "أولويات منطقتك اليوم:" in message["caption"]
            assert "text" not in message  # one message: the photo and its caption
