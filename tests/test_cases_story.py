"""Amal, a resident of Sbeitla, writes a complaint to the programme in Arabic, fumbling on the
way; staff answer (through the broadcast outbox, like announcements), she answers back and
rates the answer once the case is closed. Hiba files a confidential, anonymous complaint
that only the roles allowed see. Erasing one's data anonymises the cases, never loses them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.engine.engine import Engine
from bot.engine.events import Event, EventKind
from bot.workers.broadcast_config import SenderConfig
from bot.workers.broadcast_sender import BroadcastSender
from bot.workers.send_limiter import LocalSendLimiter
from core.clock import FixedClock
from core.i18n import translate
from storage import cases, people
from storage.cases import Case, CaseFilter, CaseMessage, Outcome
from storage.cases.texts import closing_text, reply_text
from storage.db import Database
from storage.people import Role, StaffMember
from tests.conftest import EngineFactory
from tests.support.chat import Chat
from tests.support.given import given_places
from tests.support.settings import settings_for_tests

AMAL, HIBA, STAFF_A, STAFF_B = 3001, 3002, 9101, 9102
START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
async def engine(any_db: Database, make_engine: EngineFactory, clock: FixedClock) -> Engine:
    await given_places(any_db)
    return make_engine(any_db, clock=clock)


async def _staff(db: Database, telegram_id: int, name: str) -> StaffMember:
    async with db.transaction() as s:
        member = await people.add_staff(
            s, role=Role.STAFF, telegram_id=telegram_id, display_name=name
        )
        s.expunge(member)
    return member


def _sender(db: Database, chat: Chat, clock: FixedClock) -> BroadcastSender:
    """The broadcast sender, delivering into the resident's simulated chat."""
    return BroadcastSender(
        db,
        settings_for_tests(),
        chat.sim.messenger,
        limiter=LocalSendLimiter(30, 1.0, clock=lambda: clock.now().timestamp()),
        config=SenderConfig(concurrency=1, worker="test", poll_seconds=0.01),
        clock=clock,
    )


async def _deliver(db: Database, chat: Chat, clock: FixedClock) -> int:
    clock.advance(timedelta(seconds=2))
    return await _sender(db, chat, clock).drain()


async def _only_case(db: Database) -> Case:
    async with db.reader() as s:
        [case] = list(await s.scalars(select(Case)))
    return case


async def test_a_resident_complains_in_arabic_gets_an_answer_replies_and_rates_it(
    engine: Engine, any_db: Database, clock: FixedClock
) -> None:
    amal = Chat(engine, user_id=AMAL, language="ar")
    await amal.onboard("ar")
    await amal.send("/menu")
    await amal.press("راسل البرنامج")
    assert amal.said("بخصوص ماذا تريد أن تكتب إلى البرنامج؟")
    await amal.send_sticker()
    assert amal.said("يُرجى الإجابة باستعمال الأزرار.")
    await amal.press("⚠️ شكوى")
    assert amal.said("هل تتعلق شكواك بأحد العاملين")
    await amal.press("لا، شكوى عادية")
    assert amal.said("في أي منطقة تسكن؟")
    await amal.press("سبيطلة")
    assert amal.said("يُرجى كتابة رسالتك في رسالة نصية واحدة")

    await amal.send_voice()  # a voice note before the text
    assert amal.said("يُرجى كتابة رسالتك نصًّا أولًا")
    await amal.send("ب" * 5000)
    assert amal.said("طويلة جدًا")  # the engine refuses it before any conversation
    await amal.send("ب" * 2500)
    assert amal.said("حتى ٢٠٠٠ حرف")
    await amal.send("\u200f\u200e")  # only invisible characters: nothing to read
    assert amal.said("حتى ٢٠٠٠ حرف")
    await amal.send("الإنارة العمومية معطلة في حي النور منذ شهر، والأطفال يعودون من المدرسة ليلًا.")
    assert amal.said("يمكنك إرفاق صورة أو رسالة صوتية أو موقع واحد")
    await amal.send_sticker()
    assert amal.said("يمكنني إرفاق صورة أو رسالة صوتية أو موقع")
    await amal.send_voice()
    assert amal.said("تم الإرفاق")
    send = amal.payload_of("📨 إرسال")
    await amal.press("📨 إرسال")
    assert amal.said("✅ تم الإرسال. رقمك المرجعي هو M-٠٠٠٠١.")
    assert amal.said("سيرد عليك فريق البرنامج هنا، في هذه المحادثة، خلال ٣ أيام عمل.")
    # A double tap on Send (or Telegram delivering the press again) files nothing more.
    again = await engine.handle(Event(AMAL, AMAL, EventKind.BUTTON, payload=send, update_id=8_000))
    assert again and "M-٠٠٠٠٢" not in str(again)

    case = await _only_case(any_db)
    assert (case.kind, case.district_code, case.language) == ("complaint", "sbeitla", "ar")
    assert (case.status, case.confidential) == ("new", False)
    async with any_db.reader() as s:
        [first] = await cases.messages_of(s, case.id)
    assert first.voice_file_id.startswith("demo-voice-") and first.author == "resident"

    # Two staff load the case; Salma answers first, Karim's answer is refused.
    salma = await _staff(any_db, STAFF_A, "Salma")
    karim = await _staff(any_db, STAFF_B, "Karim")
    clock.advance(timedelta(hours=5))
    answer = "شكرًا لك. أبلغنا البلدية، وسيتم إصلاح الإنارة هذا الأسبوع."
    async with any_db.transaction() as s:
        outcome = await cases.staff_reply(
            s, case_id=case.id, staff=salma, seen_version=0, text=answer,
            outgoing_text=reply_text(case.reference, answer, case.language), now=clock.now(),
        )  # fmt: skip
        assert outcome == Outcome.DONE
        again_outcome = await cases.staff_reply(
            s, case_id=case.id, staff=salma, seen_version=0, text=answer,
            outgoing_text=reply_text(case.reference, answer, case.language), now=clock.now(),
        )  # fmt: skip
        assert again_outcome == Outcome.ALREADY  # the same form sent twice
        late = await cases.staff_reply(
            s, case_id=case.id, staff=karim, seen_version=0, text="سنتابع الأمر.",
            outgoing_text=reply_text(case.reference, "سنتابع الأمر.", "ar"), now=clock.now(),
        )  # fmt: skip
        assert late == Outcome.STALE
    assert await _deliver(any_db, amal, clock) == 1
    amal.last = [{"text": m.text} for m in amal.sim.messenger.chat(AMAL).messages[-1:]]
    assert amal.said("💬 رد البرنامج بخصوص M-٠٠٠٠١:")
    assert amal.said(answer)
    assert amal.buttons() == ["↩️ الرد"]
    case = await _only_case(any_db)
    assert case.status == "waiting" and case.assignee_id == salma.id
    assert case.first_response_at == START + timedelta(hours=5)

    # Amal answers back, with a photo of the street.
    await amal.press("↩️ الرد")
    assert amal.said("اكتب ردّك بخصوص M-٠٠٠٠١")
    await amal.send("شكرًا، سأنتظر. هذه صورة الشارع.")
    assert amal.said("✅ أُضيف ردّك إلى M-٠٠٠٠١. شكرًا لك.")
    case = await _only_case(any_db)
    assert case.status == "assigned" and case.version == 2

    # Salma closes the case; Amal is asked to rate the answer, once.
    async with any_db.transaction() as s:
        stale_close = await cases.close(
            s, case_id=case.id, staff=salma, seen_version=1,
            closing_text=closing_text(case.reference, "ar"), now=clock.now(),
        )  # fmt: skip
        assert stale_close == Outcome.STALE  # she had not seen Amal's answer yet
        closed = await cases.close(
            s, case_id=case.id, staff=salma, seen_version=2,
            closing_text=closing_text(case.reference, "ar"), now=clock.now(),
        )  # fmt: skip
        assert closed == Outcome.DONE
    assert await _deliver(any_db, amal, clock) == 1
    assert amal.buttons() == ["⭐⭐⭐⭐⭐", "⭐⭐⭐⭐", "⭐⭐⭐", "⭐⭐", "⭐"]
    await amal.press("⭐⭐⭐⭐")
    assert amal.said("شكرًا على تقييمك للرد على M-٠٠٠٠١.")
    assert (await _only_case(any_db)).rating == 4

    # Old buttons after closing: rating again, replying to the closed case, forged ids.
    forged = [f"g:crt:{case.id}:2", f"g:crt:{case.id}:9", "g:crt:999:5", "g:cr:999", "g:cr:x"]
    for n, payload in enumerate(forged):
        replies = await engine.handle(
            Event(AMAL, AMAL, EventKind.BUTTON, payload=payload, callback_id=f"c{n}",
                  update_id=9_000 + n)
        )  # fmt: skip
        assert replies and "شكرًا على تقييمك" not in str(replies)
    assert (await _only_case(any_db)).rating == 4
    await amal.press("↩️ الرد")
    assert amal.said("تم إغلاق M-٠٠٠٠١. لمراسلة البرنامج من جديد، أرسل /contact.")
    async with any_db.reader() as s:
        authors = [m.author for m in await cases.messages_of(s, case.id)]
    assert authors == ["resident", "staff", "resident"]


async def test_a_confidential_anonymous_complaint_is_kept_from_those_not_allowed(
    engine: Engine, any_db: Database
) -> None:
    hiba = Chat(engine, user_id=HIBA, language="ar", first_name="Hiba")
    await hiba.onboard("ar")
    await hiba.send("/contact")
    await hiba.press("⚠️ شكوى")
    await hiba.press("🔒 نعم، اجعلها سرية")
    assert hiba.said("هل تريد إخفاء هويتك؟")
    await hiba.press("إخفاء هويتي")
    await hiba.press("أفضّل عدم الإجابة")
    await hiba.send("أحد المنشطين يعامل الأطفال بقسوة في المركز.")
    await hiba.press("📨 إرسال")
    assert hiba.said("M-٠٠٠٠١")
    case = await _only_case(any_db)
    assert case.confidential and case.anonymous and case.district_code is None

    async with any_db.reader() as s:
        assert await cases.list_cases(s, CaseFilter()) == []
        assert await cases.count_cases(s, CaseFilter()) == 0
        [seen] = await cases.list_cases(s, CaseFilter(see_confidential=True))
    assert seen.id == case.id


async def test_an_erased_resident_s_open_case_stays_anonymised_and_cannot_be_answered(
    engine: Engine, any_db: Database, clock: FixedClock
) -> None:
    amal = Chat(engine, user_id=AMAL, language="ar")
    await amal.onboard("ar")
    await amal.send("/contact")
    await amal.press("❓ سؤال")
    await amal.press("سبيطلة")
    await amal.send("متى تبدأ الدورة التدريبية القادمة؟")
    await amal.share_location(35.23, 9.12)
    await amal.press("📨 إرسال")
    [export] = await engine.handle(Event.from_text(AMAL, "/mydata", update_id=7_000))
    mydata = export.reply.data.decode("utf-8")  # type: ignore[union-attr]
    assert "M-00001" in mydata and "متى تبدأ الدورة" in mydata

    await amal.send("/delete")
    await amal.press(translate("ar", "Yes, erase my data"))
    case = await _only_case(any_db)
    assert case.erased and case.anonymous and case.telegram_id != AMAL
    assert case.status == "new" and case.kind == "question"  # still counted, still open
    async with any_db.reader() as s:
        [message] = list(await s.scalars(select(CaseMessage)))
        assert message.latitude is None and message.text  # the location went, the words stay
        assert await cases.cases_of(s, AMAL) == []
    salma = await _staff(any_db, STAFF_A, "Salma")
    async with any_db.transaction() as s:
        outcome = await cases.staff_reply(
            s, case_id=case.id, staff=salma, seen_version=case.version, text="...",
            outgoing_text="...", now=clock.now(),
        )  # fmt: skip
    assert outcome == Outcome.UNREACHABLE


async def test_answers_to_residents_are_never_listed_among_announcements(
    engine: Engine, any_db: Database, clock: FixedClock
) -> None:
    from storage import broadcasts

    amal = Chat(engine, user_id=AMAL, language="ar")
    await amal.onboard("ar")
    await amal.send("/contact")
    await amal.press("🙏 شكر")
    await amal.press("تالة")
    await amal.send("شكرًا على الدورة التدريبية.")
    await amal.press("📨 إرسال")
    salma = await _staff(any_db, STAFF_A, "Salma")
    async with any_db.transaction() as s:
        await cases.staff_reply(
            s, case_id=1, staff=salma, seen_version=0, text="العفو!",
            outgoing_text=reply_text("M-00001", "العفو!", "ar"), now=clock.now(),
        )  # fmt: skip
        announcement = await broadcasts.create_broadcast(
            s, created_by=STAFF_A, text="ورشة يوم السبت", send_at=clock.now(),
            audience=broadcasts.Audience("everyone"),
        )  # fmt: skip
    async with any_db.reader() as s:
        listed = await broadcasts.recent_broadcasts(s, limit=10)
    assert [b.id for b in listed] == [announcement.id]
