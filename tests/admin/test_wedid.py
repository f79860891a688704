"""You said, we did: Karim records in the admin that the new health centre of Thala is open;
exactly the residents of Thala who took part in the survey round receive it, through the fake
Telegram, each in their language with Thala's current ranking, and not the one who turned
announcements off, nor Thala residents who did not answer, nor Sbeitla. The dashboard and the
bot's priorities show it too."""

from __future__ import annotations

from datetime import timedelta

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.channels.aiogram_runtime import AiogramMessenger
from bot.engine.events import Event, EventKind
from bot.workers.broadcast_config import SenderConfig
from bot.workers.broadcast_sender import BroadcastSender
from bot.workers.send_limiter import LocalSendLimiter
from storage import wedid
from tests.admin.conftest import SignIn
from tests.admin.support import AdminSite
from tests.admin.surveydata import nine_residents_answer
from tests.conftest import EngineFactory
from tests.fakes.bot_api import FakeBotApi
from tests.support.broadcasts import add_residents

THALA_TOOK_PART = [5001, 5002, 5004, 5005]  # in Arabic; 5003 reads French, 5006 opted out
FRENCH, OPTED_OUT, THALA_SILENT, SBEITLA = 5003, 5006, 5100, [5007, 5008, 5009]


async def test_a_we_did_update_reaches_exactly_thala_s_participants_through_telegram(
    site: AdminSite, sign_in: SignIn, make_engine: EngineFactory
) -> None:
    await nine_residents_answer(site.db)
    await add_residents(site.db, [*THALA_TOOK_PART, THALA_SILENT], district="thala")
    await add_residents(site.db, [FRENCH], district="thala", language="fr")
    await add_residents(site.db, [OPTED_OUT], district="thala", announcements_enabled=False)
    await add_residents(site.db, SBEITLA, district="sbeitla")

    karim = await sign_in("karim")
    await karim.open("/we-did")
    assert "قلتم، فعلنا" in karim.text
    form = {
        "district": "thala",
        "sector": "health",
        "status": "done",
        "text_ar": "افتُتح المركز الصحي الجديد في تالة ويستقبل المرضى كل يوم.",
        "text_en": "The new health centre in Thala is open every day.",
        "text_fr": "Le nouveau centre de santé de Thala est ouvert tous les jours.",
        "key": "k1",
    }
    await karim.submit("/we-did", form)
    assert "في طريقه إلى ٥ من المقيمين المشاركين" in karim.text
    await karim.submit("/we-did", form)  # the same form sent twice: nothing more
    async with site.db.reader() as s:
        [update] = await wedid.updates_for(s, "needs_survey")
    assert update.recipients == 5
    await karim.open("/broadcasts")  # listed among the announcements by name, not by code
    assert "المشاركون في الاستبيان من معتمدية (قلتم، فعلنا)" in karim.text
    assert "wedid" not in karim.text
    await karim.submit("/we-did", {**form, "district": "nowhere", "key": "k2"})
    assert "اختر معتمدية وقطاعًا وحالة" in karim.text

    async with FakeBotApi() as telegram:
        everyone = [*THALA_TOOK_PART, FRENCH, OPTED_OUT, THALA_SILENT, *SBEITLA]
        for user_id in everyone:
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
            assert await sender.drain() == 5
        finally:
            await bot.session.close()
        received = {u: [m.get("text", "") for m in telegram.messages_for(u)] for u in everyone}

    for user_id in THALA_TOOK_PART:
        [text] = received[user_id]
        assert text.startswith("📣 قلتم، فعلنا — تالة")
        assert "(✅ أُنجز): افتُتح المركز الصحي الجديد في تالة" in text
        assert "أولويات منطقتك اليوم:" in text and "١. " in text
    [french] = received[FRENCH]
    assert "Vous avez dit, nous avons fait — Thala" in french and "centre de santé" in french
    for user_id in [OPTED_OUT, THALA_SILENT, *SBEITLA]:
        assert received[user_id] == []

    # The dashboard shows it beside Thala's health priority; the bot's priorities too.
    await karim.open("/priorities", district="thala")
    assert "ما أنجزه البرنامج" in karim.text and "افتُتح المركز الصحي الجديد" in karim.text
    engine = make_engine(site.db, clock=site.clock)
    replies = await engine.handle(
        Event(5001, 5001, EventKind.BUTTON, payload="g:sp:needs_survey", callback_id="c1",
              update_id=77)
    )  # fmt: skip
    text = " ".join(str(getattr(r.reply, "text", "")) for r in replies)
    assert "ما أنجزه البرنامج:" in text and "افتُتح المركز الصحي الجديد" in text
