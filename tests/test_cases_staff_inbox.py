"""Karim answers from his phone with /inbox; a page he read before Amal wrote again cannot
answer her; a consultant has no /inbox; a confidential case is only in the admin's list."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.engine.engine import Engine
from core.clock import FixedClock
from storage import audit, people
from storage.broadcasts import Broadcast
from storage.db import Database
from storage.people import Role
from tests.conftest import EngineFactory
from tests.support.chat import Chat
from tests.support.given import given_places

AMAL, HIBA, KARIM, AMINA, SALMA = 3101, 3102, 9201, 9202, 9203


@pytest.fixture
async def engine(any_db: Database, make_engine: EngineFactory) -> Engine:
    await given_places(any_db)
    async with any_db.transaction() as s:
        for telegram_id, role, name in (
            (KARIM, Role.STAFF, "karim"),
            (AMINA, Role.ADMIN, "amina"),
            (SALMA, Role.CONSULTANT, "salma"),
        ):
            await people.add_staff(s, role=role, telegram_id=telegram_id, username=name)
    return make_engine(any_db, clock=FixedClock(datetime(2026, 11, 2, 8, tzinfo=UTC)))


async def _writes(engine: Engine, user_id: int, *, confidential: bool) -> Chat:
    chat = Chat(engine, user_id=user_id, language="ar")
    await chat.onboard("ar")
    await chat.send("/contact")
    await chat.press("⚠️ شكوى")
    await chat.press("🔒 نعم، اجعلها سرية" if confidential else "لا، شكوى عادية")
    if confidential:
        await chat.press("إخفاء هويتي")
    await chat.press("تالة")
    await chat.send(
        "الحافلة المدرسية لا تمر بحيّنا منذ أسبوع." if not confidential else "تحرش في المركز."
    )
    await chat.press("📨 إرسال")
    return chat


async def test_staff_answer_from_the_bot_and_a_stale_answer_is_refused(
    engine: Engine, any_db: Database
) -> None:
    amal = await _writes(engine, AMAL, confidential=False)
    await _writes(engine, HIBA, confidential=True)

    salma = Chat(engine, user_id=SALMA, language="ar")
    await salma.send("/inbox")
    assert salma.said("هذا الأمر مخصّص لفريق عمل البرنامج فقط.")

    karim = Chat(engine, user_id=KARIM, language="ar")
    await karim.send("/inbox")
    assert karim.said("الحالات المفتوحة: ١.")
    assert karim.buttons() == ["M-٠٠٠٠١ · ⚠️ شكوى · تالة"]
    await karim.press("M-٠٠٠٠١ · ⚠️ شكوى · تالة")
    assert karim.said("الحافلة المدرسية لا تمر") and karim.said("من Amal")
    await karim.press("✍️ الرد")
    await amal.send("/contact")
    await amal.press("↩️ الرد على M-٠٠٠٠١")
    await amal.send("والسائق لا يرد على الهاتف.")  # Amal writes again meanwhile
    await karim.send("سنتصل بالشركة اليوم.")
    assert karim.said("لم يُرسَل أي شيء")
    assert karim.said("والسائق لا يرد على الهاتف.")  # shown again, with her new message
    await karim.press("✍️ الرد")
    await karim.send("x" * 3600)
    assert karim.said("يُرجى كتابة رد من حرف واحد إلى ٣٥٠٠ حرف.")
    await karim.send("شكرًا، سنتصل بالشركة والسائق اليوم.")
    assert karim.said("ردّك في طريقه إلى المقيم.")
    async with any_db.reader() as s:
        texts = list(await s.scalars(select(Broadcast.text)))
        views = list(await s.scalars(select(audit.AuditEntry.subject)))
    assert texts == ["💬 رد البرنامج بخصوص M-٠٠٠٠١:\n\nشكرًا، سنتصل بالشركة والسائق اليوم."]
    assert views.count("case:1") == 2 and "case:2" not in views

    amina = Chat(engine, user_id=AMINA, language="ar")
    await amina.send("/inbox")
    assert "M-٠٠٠٠٢ · ⚠️ شكوى · تالة" in amina.buttons()
    await amina.press("M-٠٠٠٠٢ · ⚠️ شكوى · تالة")
    assert amina.said("من مقيم مجهول الهوية") and not amina.said("Amal")


async def test_staff_answering_a_case_another_staff_just_closed_sends_nothing(
    engine: Engine, any_db: Database
) -> None:
    await _writes(engine, AMAL, confidential=False)
    karim = Chat(engine, user_id=KARIM, language="ar")
    await karim.send("/inbox")
    await karim.press("M-٠٠٠٠١ · ⚠️ شكوى · تالة")
    await karim.press("✍️ الرد")
    await karim.send_sticker()  # not a text: asked again, nothing sent
    assert karim.said("يُرجى كتابة رد من حرف واحد إلى ٣٥٠٠ حرف.")
    await karim.send("\u200f \u200e")  # an empty answer
    assert karim.said("يُرجى كتابة رد من حرف واحد إلى ٣٥٠٠ حرف.")

    amina = Chat(engine, user_id=AMINA, language="ar")  # meanwhile Amina closes the case
    await amina.send("/inbox")
    await amina.press("M-٠٠٠٠١ · ⚠️ شكوى · تالة")
    await amina.press("✅ إغلاق")
    assert amina.said("تم إغلاق الحالة")

    await karim.send("سنتصل بالشركة اليوم.")
    assert karim.said("لم يُرسَل أي شيء") or karim.said("هذه الحالة مغلقة بالفعل.")
    async with any_db.reader() as s:
        texts = list(await s.scalars(select(Broadcast.text)))
    assert len(texts) == 1 and "سنتصل بالشركة" not in texts[0]  # only the closing message
