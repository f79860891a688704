"""Youssef, a young resident of Sbeitla, signs up as a volunteer in Arabic, fumbling a few
answers on the way; later he changes his phone number, pauses, comes back, and finally
erases his data. Hiba comes from the needs survey, which already knows her district."""

from __future__ import annotations

import pytest

from bot.engine.context import Context
from bot.engine.engine import Engine
from bot.engine.events import Event, EventKind
from bot.engine.registry import Command
from storage import volunteers
from storage.db import Database
from tests.conftest import EngineFactory
from tests.support.chat import Chat
from tests.support.given import given_places, given_skills

YOUSSEF, HIBA = 2001, 2002


@pytest.fixture
async def engine(sqlite_db: Database, make_engine: EngineFactory) -> Engine:
    await given_places(sqlite_db)
    await given_skills(sqlite_db)
    return make_engine(sqlite_db)


async def _profile(db: Database, telegram_id: int) -> tuple[volunteers.Volunteer, list[str]]:
    async with db.reader() as s:
        volunteer = await volunteers.get_volunteer(s, telegram_id)
        assert volunteer is not None
        return volunteer, await volunteers.skills_of(s, volunteer.id)


async def test_a_resident_signs_up_as_a_volunteer_in_arabic(
    engine: Engine, sqlite_db: Database
) -> None:
    youssef = Chat(engine, user_id=YOUSSEF, language="ar")
    await youssef.onboard("ar")
    await youssef.send("/menu")
    await youssef.press("التطوع")
    assert youssef.said("شكرًا على رغبتك في التطوع")
    assert youssef.said("ما اسمك الكامل؟")

    await youssef.send_sticker()
    assert youssef.said("يُرجى كتابة إجابتك في رسالة نصية.")
    await youssef.send("٣٤٥")
    assert youssef.said("يُرجى كتابة اسمك الكامل بالحروف")
    await youssef.send("x" * 5000)
    assert youssef.said("طويلة جدًا")
    await youssef.send("يوسف القاسمي")
    assert youssef.said("ما رقم الهاتف الذي يمكن لفريق البرنامج الاتصال بك عليه؟")

    # Someone else's contact card is refused, politely.
    replies = await engine.handle(
        Event(
            YOUSSEF,
            YOUSSEF,
            EventKind.CONTACT,
            phone="+21655000111",
            contact_user_id=777,
            update_id=50_000,
        )
    )
    assert "هذا رقم شخص آخر" in replies[0].reply.text  # type: ignore[union-attr]
    await youssef.send("12")
    assert youssef.said("لم أتمكن من قراءة رقم هاتف")
    await youssef.press("📱 مشاركة رقم هاتفي")
    assert youssef.said("✅ +21698000000")
    assert youssef.said("في أي منطقة تسكن؟")

    await youssef.press("سبيطلة")
    assert youssef.said("بماذا يمكنك المساعدة؟")
    await youssef.press("الإعلامية والحاسوب")
    await youssef.press("الترجمة")
    await youssef.press("✅ الترجمة")  # changed his mind
    assert "✅ الإعلامية والحاسوب" in youssef.buttons()
    assert "الترجمة" in youssef.buttons()
    await youssef.press("✏️ مهارات أخرى")
    await youssef.send("إصلاح الدراجات")
    assert "✏️ أخرى: إصلاح الدراجات" in youssef.buttons()
    await youssef.press("تم ✔")

    assert youssef.said("في أي الأيام تكون متاحًا عادةً؟")
    await youssef.press("تم ✔")
    assert youssef.said("يُرجى اختيار خيار واحد على الأقل.")
    await youssef.press("السبت")
    await youssef.press("الأحد")
    await youssef.press("تم ✔")
    await youssef.press("الصباح")
    await youssef.press("تم ✔")
    assert youssef.said("ما اللغات التي تتحدثها؟")
    await youssef.press("العربية")
    await youssef.press("الفرنسية")
    await youssef.press("تم ✔")

    assert youssef.said("• الاسم: يوسف القاسمي")
    assert youssef.said("• المهارات: الإعلامية والحاسوب، إصلاح الدراجات")
    assert youssef.said("• الأيام: السبت، الأحد")
    await youssef.press("أوافق، احفظ")
    assert youssef.said("أصبحت مسجّلًا متطوعًا")

    volunteer, skills = await _profile(sqlite_db, YOUSSEF)
    assert (volunteer.full_name, volunteer.phone, volunteer.district_code) == (
        "يوسف القاسمي",
        "+21698000000",
        "sbeitla",
    )
    assert skills == ["computers"] and volunteer.other_skills == "إصلاح الدراجات"
    assert (volunteer.days, volunteer.times, volunteer.languages) == (
        ["sat", "sun"],
        ["morning"],
        ["ar", "fr"],
    )

    # A new SIM card: he types the number, in Arabic-Indic digits.
    await youssef.send("/volunteer")
    assert youssef.said("ملفك التطوعي")
    await youssef.press("تعديل: الهاتف")
    await youssef.send("٩٨ ١٢٣ ٤٥٦")
    assert youssef.said("تم الحفظ.")
    assert (await _profile(sqlite_db, YOUSSEF))[0].phone == "+21698123456"

    # He pauses, then comes back.
    await youssef.press("التوقف عن التطوع")
    await youssef.press("نعم، أتوقف")
    assert youssef.said("لم تعد مسجّلًا ضمن المتطوعين")
    assert not (await _profile(sqlite_db, YOUSSEF))[0].active
    await youssef.send("/volunteer")
    assert youssef.said("ملفك التطوعي (موقوف مؤقتًا)")
    await youssef.press("العودة إلى التطوع")
    assert (await _profile(sqlite_db, YOUSSEF))[0].active

    # /mydata shows what is kept; /delete erases it.
    exporter, eraser = engine.registry.personal_data["volunteers"]
    async with sqlite_db.transaction() as s:
        exported = await exporter(s, YOUSSEF)
    assert exported["phone"] == "+21698123456" and exported["skills"] == ["computers"]
    async with sqlite_db.transaction() as s:
        await eraser(s, YOUSSEF, engine.services.clock.now())
    async with sqlite_db.reader() as s:
        assert await volunteers.get_volunteer(s, YOUSSEF) is None
        assert await exporter(s, YOUSSEF) == {}


async def test_from_the_survey_the_district_is_not_asked_again(
    engine: Engine, sqlite_db: Database
) -> None:
    async def from_survey(ctx: Context) -> None:  # what the survey does for "I would help"
        await ctx.start("volunteer", district="thala")

    engine.registry.add_command(Command("from_survey", from_survey, "test"))
    hiba = Chat(engine, user_id=HIBA, language="ar")
    await hiba.onboard("ar")
    await hiba.send("/from_survey")
    await hiba.send("هبة المحمدي")
    await hiba.send("+216 22 450 871")
    assert hiba.said("✅ +21622450871")
    assert not hiba.said("في أي منطقة تسكن؟")
    assert hiba.said("بماذا يمكنك المساعدة؟")
    await hiba.press("تنشيط الأطفال")
    await hiba.press("تم ✔")
    for choice in ("الأربعاء", "تم ✔", "المساء", "تم ✔", "العربية", "تم ✔", "أوافق، احفظ"):
        await hiba.press(choice)
    volunteer, skills = await _profile(sqlite_db, HIBA)
    assert volunteer.district_code == "thala" and skills == ["children"]


async def test_a_double_tap_on_a_skill_toggles_it_once_and_declining_saves_nothing(
    engine: Engine, sqlite_db: Database
) -> None:
    hiba = Chat(engine, user_id=HIBA, language="ar")
    await hiba.onboard("ar")
    await hiba.send("/volunteer")
    await hiba.send("هبة المحمدي")
    await hiba.send("22450871")
    await hiba.press("تالة")
    taps = [hiba.sim.event_for("[الترجمة]") for _ in range(2)]  # both before any answer
    for tap in taps:
        assert isinstance(tap, Event), tap
        await hiba.sim.messenger.deliver(tap, await engine.handle(tap))
    session = await engine.services.store.load(HIBA)
    assert session is not None and session.flow is not None
    assert session.flow.data["skills"] == ["translation"]

    await hiba.press("تم ✔")
    for choice in ("السبت", "تم ✔", "الصباح", "تم ✔", "العربية", "تم ✔"):
        await hiba.press(choice)
    await hiba.press("لا، ألغِ")
    assert hiba.said("لم يُحفظ شيء")
    async with sqlite_db.reader() as s:
        assert await volunteers.get_volunteer(s, HIBA) is None
