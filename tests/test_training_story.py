"""Amal, a member of a women's association in Kasserine, finds a training in the catalogue,
registers in Arabic, is reminded the evening before, checks in with the trainer's code,
receives her certificate message and rates the training. Karim registers but does not
come: he gets no certificate and no questions."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.engine.engine import Engine
from bot.engine.events import Event, EventKind
from bot.workers.scheduler import send_due
from core.clock import FixedClock
from storage import people, trainings
from storage.db import Database
from tests.conftest import EngineFactory
from tests.support.given import given_places, given_staff_team
from tests.support.training_data import button_containing, make_session, messages_of, town

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # Tuesday 1 December, 09:00 in Tunis
STARTS = datetime(2026, 12, 8, 8, 0, tzinfo=UTC)  # the next Tuesday, 09:00 to 15:00
AMAL, KARIM, TRAINER = 1001, 1002, 9001
COURSE = "التخطيط الاستراتيجي للجمعيات"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
async def engine(sqlite_db: Database, make_engine: EngineFactory, clock: FixedClock) -> Engine:
    await given_places(sqlite_db)
    await given_staff_team(sqlite_db)
    await make_session(sqlite_db, starts_at=STARTS, capacity=20, branch_code="kasserine")
    return make_engine(sqlite_db, clock=clock)


async def _registration(db: Database, telegram_id: int) -> trainings.Registration:
    async with db.reader() as s:
        found = await s.scalar(
            select(trainings.Registration).where(trainings.Registration.telegram_id == telegram_id)
        )
    assert found is not None
    return found


async def test_a_trainee_registers_is_reminded_checks_in_and_rates_the_training(
    engine: Engine, sqlite_db: Database, clock: FixedClock
) -> None:
    amal, karim, trainer = town(engine, AMAL, KARIM, TRAINER)
    await amal.onboard("ar")

    await amal.send("/menu")
    await amal.press("الدورات التدريبية")
    await amal.press("دليل الدورات")
    await amal.press(COURSE)
    assert amal.said("اختر موعدًا:")
    await amal.press(button_containing(amal, "فرع القصرين"))
    assert amal.said("الثلاثاء، ٨ ديسمبر ٢٠٢٦")  # the date, with the Hijri date beside it
    assert amal.said("جمادى الآخرة")
    assert amal.said("المقاعد المتاحة: ٢٠ من ٢٠")

    await amal.press("التسجيل")
    assert amal.said("ما الاسم الذي تريد أن يظهر في شهادة الحضور؟")
    await amal.send_sticker()
    assert amal.said("يُرجى كتابة إجابتك في رسالة نصية.")
    await amal.send("٣٤")
    assert amal.said("يُرجى كتابة اسمك الكامل")
    await amal.send("x" * 5000)
    assert amal.said("طويلة جدًا")
    await amal.send("أمل بن صالح")
    assert amal.said("هل أنتِ امرأة أم أنتَ رجل؟")
    await amal.press("امرأة")
    assert amal.said("تم تسجيلك! مقعدك مؤكَّد.")

    # Karim registers too (his gender is asked once, his name too).
    await karim.onboard("ar")
    await karim.send("/trainings")
    await karim.press("دليل الدورات")
    await karim.press(COURSE)
    await karim.press(button_containing(karim, "فرع القصرين"))
    assert karim.said("المقاعد المتاحة: ١٩ من ٢٠")
    await karim.press("التسجيل")
    await karim.send("كريم العياري")
    await karim.press("رجل")
    assert karim.said("تم تسجيلك!")

    # Amal's profile changes later; her registration keeps what was true when she registered.
    async with sqlite_db.transaction() as s:
        user = await people.get_user(s, AMAL)
        assert user is not None
        user.gender = "unspecified"
    registration = await _registration(sqlite_db, AMAL)
    assert (registration.participant_name, registration.gender) == ("أمل بن صالح", "female")

    # The evening before, at 18:00 Tunis time, both are reminded.
    clock.set(datetime(2026, 12, 7, 17, 0, tzinfo=UTC))
    assert await send_due(engine, clock.now()) == 2  # the follow-ups come after the session
    assert "تذكير: تدريبك غدًا." in messages_of(amal)[-1]
    assert "تذكير: تدريبك غدًا." in messages_of(karim)[-1]

    # On the day, the trainer opens check-in and shows the code in the room.
    clock.set(STARTS + timedelta(minutes=5))
    await trainer.send("/checkin")
    await trainer.press(button_containing(trainer, COURSE[:20]))
    shown = re.search(r"رمز الحضور: (\d) (\d) (\d) (\d)", trainer.last_text)
    assert shown, trainer.last_text
    code = "".join(shown.groups())
    assert trainer.said("الحاضرون: ٠ من أصل ٢")

    await amal.send("/present")
    await amal.send("12")
    assert amal.said("يتكوّن الرمز من ٤ أرقام")
    wrong = "0000" if code != "0000" else "1111"
    await amal.send(wrong)
    assert amal.said("هذا الرمز غير صالح")
    arabic_indic = code.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    await amal.send(arabic_indic)
    assert amal.said(f"سُجّل حضورك في «{COURSE}»")
    await amal.send("/present")
    await amal.send(code)
    assert amal.said("حضورك في")  # already marked: nothing changes

    await trainer.press("تحديث")
    assert trainer.said("الحاضرون: ١ من أصل ٢")

    # After the session: only the attendee gets the certificate message and the questions.
    clock.set(STARTS + timedelta(hours=6, minutes=20))
    assert await send_due(engine, clock.now()) == 1
    certificate = messages_of(amal)[-1]
    assert "تهانينا! لقد حضرت" in certificate
    assert "إليك شهادة الحضور باسم: أمل بن صالح" in certificate
    sent = [r for r in amal.sim.messenger.records if r.get("chat_id") == AMAL]
    assert sent[-1]["kind"] == "photo" and sent[-1]["size"] > 20_000  # the certificate image
    assert not any("تهانينا" in text for text in messages_of(karim))

    await amal.press("٤ ⭐")
    assert amal.said("شكرًا على تقييمك!")
    await amal.send("كانت الأمثلة العملية مفيدة جدًا، ونحتاج إلى حصة ثانية عن الميزانية.")
    assert amal.said("سيساعدنا تعليقك")
    await amal.press("٥ ⭐")  # the old rating buttons: she already rated
    assert amal.said("لقد وصلنا تقييمك من قبل")

    registration = await _registration(sqlite_db, AMAL)
    assert registration.attended_at is not None
    assert registration.feedback_rating == 4
    assert registration.feedback_comment and "الميزانية" in registration.feedback_comment
    assert (await _registration(sqlite_db, KARIM)).attended_at is None


async def test_someone_who_did_not_attend_cannot_rate_or_check_in_for_others(
    engine: Engine, sqlite_db: Database, clock: FixedClock
) -> None:
    amal, karim, trainer = town(engine, AMAL, KARIM, TRAINER)
    for person, name in ((amal, "أمل بن صالح"), (karim, "كريم العياري")):
        await person.onboard("ar")
        await person.send("/trainings")
        await person.press("دليل الدورات")
        await person.press(COURSE)
        await person.press(button_containing(person, "فرع القصرين"))
        await person.press("التسجيل")
        await person.send(name)
        await person.press("امرأة" if person is amal else "رجل")
    clock.set(STARTS)
    await trainer.send("/checkin")
    await trainer.press(button_containing(trainer, COURSE[:20]))
    await amal.send("/present")
    code = "".join(re.findall(r"رمز الحضور: (\d) (\d) (\d) (\d)", trainer.last_text)[0])
    await amal.send(code)
    clock.set(STARTS + timedelta(hours=7))
    await send_due(engine, clock.now())

    # Karim forges Amal's rating button: refused, nothing recorded.
    registration = await _registration(sqlite_db, AMAL)
    forged = Event(
        KARIM,
        KARIM,
        EventKind.BUTTON,
        payload=f"g:tr:{registration.id}:1",
        callback_id="forged",
        message_id=1,
        update_id=99_001,
    )
    replies = await engine.handle(forged)
    assert [r.reply.text for r in replies] == ["هذا الزر ليس لك."]  # type: ignore[union-attr]
    assert (await _registration(sqlite_db, AMAL)).feedback_rating is None
    # and a check-in code means nothing to someone without a seat once check-in closed
    await trainer.press("إغلاق تسجيل الحضور")
    await karim.send("/present")
    await karim.send(code)
    assert karim.said("هذا الرمز غير صالح")


async def test_only_staff_open_check_in_and_read_suggestions(engine: Engine) -> None:
    (amal, trainer) = town(engine, AMAL, TRAINER)
    await amal.onboard("ar")
    await amal.send("/checkin")
    assert amal.said("هذا الأمر مخصّص لفريق عمل البرنامج فقط.")
    await amal.send("/trainings")
    await amal.press("اقتراح تدريب")
    await amal.send_sticker()
    assert amal.said("يُرجى كتابة إجابتك في رسالة نصية.")
    await amal.send("تدريب على إعداد التقارير المالية للمانحين")
    assert amal.said("يقرأ فريق التدريب كل اقتراح")
    await amal.send("/suggestions")
    assert not amal.said("إعداد التقارير المالية")

    await trainer.send("/suggestions")
    assert trainer.said("تدريب على إعداد التقارير المالية للمانحين")
    assert trainer.said("🆕")
    await trainer.send("/suggestions")
    assert not trainer.said("🆕")  # read now
