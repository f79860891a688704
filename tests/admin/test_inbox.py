"""The inbox in the admin, in Arabic: Amal's complaint answered by Karim (with a canned
reply), a second answer from a stale page refused, Amal's reply and rating; Hiba's
confidential complaint is invisible to staff and to a consultant, and only an admin reads
it; every opening of a case is in the audit log."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.engine.engine import Engine
from bot.workers.broadcast_config import SenderConfig
from bot.workers.broadcast_sender import BroadcastSender
from bot.workers.send_limiter import LocalSendLimiter
from storage import audit
from storage.broadcasts import Broadcast
from storage.cases import Case
from tests.admin.conftest import SignIn
from tests.admin.support import AdminSite
from tests.conftest import EngineFactory
from tests.support.chat import Chat

AMAL, HIBA = 4001, 4002


async def _deliver(site: AdminSite, chat: Chat) -> int:
    site.clock.advance(timedelta(seconds=2))
    sender = BroadcastSender(
        site.db,
        site.settings,
        chat.sim.messenger,
        limiter=LocalSendLimiter(30, 1.0, clock=lambda: site.clock.now().timestamp()),
        config=SenderConfig(concurrency=1, worker="test", poll_seconds=0.01),
        clock=site.clock,
    )
    return await sender.drain()


async def _complaint(engine: Engine, user_id: int, text: str, *, confidential: bool) -> Chat:
    chat = Chat(engine, user_id=user_id, language="ar")
    await chat.onboard("ar")
    await chat.send("/contact")
    await chat.press("⚠️ شكوى")
    if confidential:
        await chat.press("🔒 نعم، اجعلها سرية")
        await chat.press("إخفاء هويتي")
    else:
        await chat.press("لا، شكوى عادية")
    await chat.press("القصرين الشمالية")
    await chat.send(text)
    await chat.press("📨 إرسال")
    assert chat.said("رقمك المرجعي")
    return chat


async def _views(site: AdminSite) -> list[tuple[str, str, str]]:
    async with site.db.reader() as s:
        entries = await audit.list_entries(s, audit.AuditFilter(), limit=100)
    return [(e.username, e.action, e.subject) for e in reversed(entries) if e.action == "view"]


async def test_a_complaint_is_answered_from_the_arabic_inbox_and_rated(
    site: AdminSite, sign_in: SignIn, make_engine: EngineFactory
) -> None:
    engine = make_engine(site.db, clock=site.clock)
    amal = await _complaint(
        engine, AMAL, "الحاوية أمام المدرسة لا تُفرغ منذ أسبوعين.", confidential=False
    )

    karim = await sign_in("karim")
    await karim.open("/inbox/canned")
    await karim.submit(
        "/inbox/canned",
        {
            "title": "شكر ومتابعة",
            "text_ar": "شكرًا على رسالتك. أحلنا الأمر إلى البلدية وسنعلمك بالنتيجة.",
            "text_en": "Thank you for your message. We passed it to the municipality.",
            "text_fr": "Merci pour votre message. Nous l'avons transmis à la mairie.",
        },
    )
    assert "شكر ومتابعة" in karim.text

    page = await karim.open("/inbox")
    assert 'dir="rtl"' in page.text
    assert "M-٠٠٠٠١" in karim.text and "⚠️ شكوى" in karim.text and "القصرين الشمالية" in karim.text
    assert "جديدة" in karim.text
    assert await _views(site) == []  # the list shows nobody's personal data

    case_page = await karim.open("/inbox/1")
    assert "الحاوية أمام المدرسة" in karim.text and "Amal" in karim.text
    assert case_page.text.count('name="csrf_token" value="') >= 5  # every form carries it
    assert 'name="csrf_token" value=""' not in case_page.text
    assert await _views(site) == [("karim", "view", "case:1")]

    # Amina opens the case too, and answers first; Karim's page is now out of date.
    amina = await sign_in("amina")
    await amina.open("/inbox/1")
    await amina.submit("/inbox/1/reply", {"text": "نحن نتابع الأمر.", "version": "0"})
    assert "في طريقه إلى المقيم" in amina.text
    await karim.open("/inbox/1?canned=1")
    karim_page = karim.page
    await amina.open("/inbox/1")
    await amina.submit("/inbox/1/close", {"version": "1"})  # and even closes it...
    assert "تم إغلاق الحالة" in amina.text
    karim.page = karim_page
    await karim.submit(
        "/inbox/1/reply", {"text": "شكرًا على رسالتك. أحلنا الأمر إلى البلدية.", "version": "1"}
    )
    assert "هذه الحالة مغلقة" in karim.text  # nothing sent twice, a clear message

    assert await _deliver(site, amal) + await _deliver(site, amal) == 2  # 1 a second per chat
    texts = [m.text for m in amal.sim.messenger.chat(AMAL).messages]
    assert any("💬 رد البرنامج بخصوص M-٠٠٠٠١:" in t and "نحن نتابع الأمر." in t for t in texts)
    assert not any("أحلنا الأمر إلى البلدية" in t for t in texts)
    await amal.press("⭐⭐⭐⭐⭐")
    assert amal.said("شكرًا على تقييمك للرد على M-٠٠٠٠١.")
    await karim.open("/inbox/1")
    assert "⭐⭐⭐⭐⭐" in karim.text and "مغلقة" in karim.text
    assert "سُلِّم إلى تيليغرام" in karim.text  # Amina's answer went out
    # Answers travel through the announcements' outbox but are never shown among them.
    await karim.open("/broadcasts")
    assert "نحن نتابع الأمر." not in karim.text
    async with site.db.reader() as s:
        reply_broadcast = await s.scalar(select(Broadcast.id))
    assert (await karim.open(f"/broadcasts/{reply_broadcast}")).status_code == 404


async def test_a_stale_page_cannot_answer_after_the_resident_wrote_again(
    site: AdminSite, sign_in: SignIn, make_engine: EngineFactory
) -> None:
    engine = make_engine(site.db, clock=site.clock)
    amal = await _complaint(engine, AMAL, "لا يوجد ماء منذ ثلاثة أيام.", confidential=False)
    karim = await sign_in("karim")
    await karim.open("/inbox/1")
    await karim.submit("/inbox/1/reply", {"text": "هل المشكلة في الحي كله؟", "version": "0"})
    assert "في انتظار الإرسال" in karim.text  # queued in the outbox, not sent yet
    await _deliver(site, amal)
    await karim.open("/inbox/1")  # Karim's page at version 1
    await amal.press("↩️ الرد")
    await amal.send("نعم، في الحي كله.")
    await karim.submit("/inbox/1/reply", {"text": "سنتصل بالشركة.", "version": "1"})
    assert "لم يُرسَل أي شيء" in karim.text
    assert "نعم، في الحي كله." in karim.text  # the page shows the new message
    await karim.submit("/inbox/1/note", {"text": "اتصلت بشركة المياه.", "key": "a"})
    await karim.submit("/inbox/1/assign", {"assignee": "2"})
    assert "اتصلت بشركة المياه." in karim.text
    async with site.db.reader() as s:
        case = await s.scalar(select(Case))
    assert case is not None and case.status == "assigned" and case.assignee_id == 2
    # Empty and over-long answers change nothing.
    await karim.submit("/inbox/1/reply", {"text": "   ", "version": str(case.version)})
    assert "اكتب ردًّا" in karim.text
    forged = await karim.submit("/inbox/1/assign", {"assignee": "999"})
    assert forged.status_code == 400


async def test_a_confidential_complaint_is_invisible_to_staff_and_consultants(
    site: AdminSite, sign_in: SignIn, make_engine: EngineFactory
) -> None:
    engine = make_engine(site.db, clock=site.clock)
    await _complaint(engine, HIBA, "أحد الموظفين طلب مني مالًا مقابل التسجيل.", confidential=True)

    salma = await sign_in("salma")  # a consultant: no inbox at all
    assert (await salma.open("/inbox")).status_code == 403
    assert (await salma.open("/inbox/1")).status_code == 403

    karim = await sign_in("karim")  # staff: the case is not there
    await karim.open("/inbox")
    assert "M-٠٠٠٠١" not in karim.text
    assert (await karim.open("/inbox/1")).status_code == 404
    assert (await karim.open("/inbox/1/state")).status_code == 404

    amina = await sign_in("amina")  # an admin reads it, without the resident's name
    await amina.open("/inbox")
    assert "M-٠٠٠٠١" in amina.text and "سرية" in amina.text
    await amina.open("/inbox/1")
    assert "طلب مني مالًا" in amina.text
    assert "مقيم مجهول الهوية" in amina.text and "Amal" not in amina.text
    assert await _views(site) == [("amina", "view", "case:1")]


async def test_staff_manage_canned_replies_in_three_languages(
    site: AdminSite, sign_in: SignIn
) -> None:
    karim = await sign_in("karim")
    await karim.open("/inbox/canned")
    await karim.submit(
        "/inbox/canned", {"title": "موعد", "text_ar": "غدًا", "text_en": "", "text_fr": "x"}
    )
    assert "أعطِ الرد عنوانًا ونصًّا بالعربية والإنجليزية والفرنسية." in karim.text
    fields = {"title": "موعد", "text_ar": "غدًا صباحًا", "text_en": "Tomorrow", "text_fr": "Demain"}
    await karim.submit("/inbox/canned", fields)
    await karim.submit("/inbox/canned", {**fields, "text_ar": "بعد غد"})  # same title: updated
    assert "بعد غد" in karim.text and "غدًا صباحًا" not in karim.text
    assert karim.text.count("موعد") >= 1
    assert (await karim.submit("/inbox/canned/999/retire")).status_code == 404
    await karim.open("/inbox/canned")
    await karim.submit("/inbox/canned/1/retire")
    assert "حُذف الرد الجاهز." in karim.text and "بعد غد" not in karim.text
    salma = await sign_in("salma")
    assert (await salma.open("/inbox/canned")).status_code == 403


async def test_an_empty_or_too_long_answer_from_the_inbox_is_refused_and_nothing_is_sent(
    site: AdminSite, sign_in: SignIn, make_engine: EngineFactory
) -> None:
    engine = make_engine(site.db, clock=site.clock)
    await _complaint(engine, AMAL, "لا يوجد ماء منذ ثلاثة أيام.", confidential=False)
    karim = await sign_in("karim")
    for text in ("", "   \u200f ", "ب" * 5000):
        await karim.open("/inbox/1")
        await karim.submit("/inbox/1/reply", {"text": text, "version": "0"})
        assert "اكتب ردًّا من حرف واحد إلى ٣٥٠٠ حرف." in karim.text
    async with site.db.reader() as s:
        assert await s.scalar(select(Broadcast.id)) is None  # nothing on its way
        case = await s.get(Case, 1)
    assert case is not None and case.status == "new" and case.version == 0
