"""Salwa registers her women's association from Kasserine and becomes its coordinator.
Mounir joins with the code she gives him (typed in Arabic-Indic digits after one mistake),
and she is told at once. She sees her members' phones; nobody else but staff does. A
copy-cat registration of the same name is refused; a leaked code is replaced; Salwa hands
the coordination over; a registration for a training keeps the association it was made
under."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.engine.engine import Engine
from bot.engine.events import Event, EventKind
from core.clock import FixedClock
from storage import associations, trainings
from storage.db import Database
from tests.conftest import EngineFactory
from tests.support.chat import Chat
from tests.support.given import given_places, given_staff_team
from tests.support.training_data import button_containing, make_session, messages_of, town

SALWA, MOUNIR, HALA, STAFF = 3001, 3002, 3003, 9001
NAME = "جمعية الأمل للتنمية"
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
async def engine(sqlite_db: Database, make_engine: EngineFactory) -> Engine:
    await given_places(sqlite_db)
    await given_staff_team(sqlite_db)
    return make_engine(sqlite_db, clock=FixedClock(NOW))


def _to_arabic_digits(text: str) -> str:
    return text.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))


async def _register_association(salwa: Chat, name: str = NAME) -> None:
    await salwa.send("/association")
    await salwa.press("تسجيل جمعيتي")
    await salwa.send(name)
    await salwa.press("القصرين الشمالية")
    await salwa.press("حقوق المرأة وتمكينها")


async def _join_code(db: Database, telegram_id: int) -> str:
    async with db.reader() as s:
        found = await associations.association_of(s, telegram_id)
    assert found is not None
    return found[0].join_code


async def test_a_coordinator_registers_her_association_and_a_member_joins_with_the_code(
    engine: Engine, sqlite_db: Database
) -> None:
    salwa, mounir, hala, staff = town(engine, SALWA, MOUNIR, HALA, STAFF)
    await salwa.onboard("ar")
    await salwa.send("/menu")
    await salwa.press("جمعيتي")
    assert salwa.said("لست منتميًا إلى أي جمعية")
    await salwa.press("تسجيل جمعيتي")
    assert salwa.said("ما الاسم الكامل لجمعيتك؟")
    await salwa.send("ج")
    assert salwa.said("يُرجى كتابة اسم الجمعية")
    await salwa.send(NAME)
    await salwa.send("لا أعرف")  # typed instead of pressing a district: asked again
    assert salwa.said("يُرجى الإجابة باستعمال الأزرار.")
    await salwa.press("القصرين الشمالية")
    await salwa.press("حقوق المرأة وتمكينها")
    await salwa.send("كثير")
    assert salwa.said("يُرجى كتابة عدد الأعضاء بالأرقام")
    await salwa.send("٤٢")
    await salwa.send("سلوى الهمامي")
    await salwa.send("98 410 233")
    assert salwa.said("✅ +21698410233")
    assert salwa.said("• الجمعية: جمعية الأمل للتنمية")
    assert salwa.said("• الأعضاء: ٤٢")
    await salwa.press("التسجيل")
    assert salwa.said("وأنت منسّقها")
    code = await _join_code(sqlite_db, SALWA)
    assert salwa.said(f"/join {code}")

    # Mounir mistypes the code once, then types it in Arabic-Indic digits.
    await mounir.onboard("ar")
    await mounir.send("/join")
    assert mounir.said("اكتب رمز الانضمام")
    await mounir.send("12345")
    assert mounir.said("يتكوّن رمز الانضمام من ٦ أرقام")
    wrong = "000000" if code != "000000" else "111111"
    await mounir.send(wrong)
    assert mounir.said("لا توجد جمعية بهذا الرمز")
    await mounir.send(_to_arabic_digits(code))
    assert mounir.said(f"هل تريد الانضمام إلى «{NAME}» (القصرين الشمالية)؟")
    await mounir.press("نعم، أنضم")
    await mounir.send("منير العيادي")
    await mounir.press("📱 مشاركة رقم هاتفي")
    assert mounir.said(f"مرحبًا بك في «{NAME}»!")
    assert mounir.said("دورك: عضو")
    assert "الأعضاء" not in mounir.buttons()  # members' phones are for the coordinator

    # Salwa hears about it at once, in her own chat, and sees his phone.
    assert "انضم منير العيادي إلى جمعيتك" in messages_of(salwa)[-1]
    await salwa.send("/association")
    await salwa.press("الأعضاء")
    assert salwa.said("١. سلوى الهمامي — +21698410233 (منسّق)")
    assert salwa.said("٢. منير العيادي — +21698000000 (عضو)")

    # Mounir cannot reach the member list by replaying Salwa's button or a forged one.
    for payload in (salwa.payload_of("الأعضاء"), "1:members", "g:as:1"):
        replies = await engine.handle(
            Event(
                MOUNIR,
                MOUNIR,
                EventKind.BUTTON,
                payload=payload,
                callback_id="x",
                update_id=70_000 + len(payload),
            )
        )
        assert not any("+21698410233" in getattr(r.reply, "text", "") for r in replies)

    # Staff see every association and its members.
    await staff.send("/associations")
    assert staff.said(NAME)
    await staff.press(NAME)
    assert staff.said("منير العيادي — +21698000000")

    # Hala tries to register the same association under a slightly different spelling.
    await hala.onboard("ar")
    await _register_association(hala, "  جمعيّة الامل   للتنمية ")
    await hala.send("12")
    await hala.send("هالة الزغلامي")
    await hala.send("54981276")
    await hala.press("التسجيل")
    assert hala.said("توجد جمعية مسجّلة بهذا الاسم في هذه المنطقة")

    # The code leaked: Salwa makes a new one; the old one stops working.
    await salwa.send("/association")
    await salwa.press("رمز انضمام جديد")
    new_code = await _join_code(sqlite_db, SALWA)
    assert new_code != code and salwa.said(f"رمز الانضمام الجديد: {new_code}")
    await hala.send(f"/join {code}")
    assert hala.said("لا توجد جمعية بهذا الرمز")
    await hala.send(new_code)
    await hala.press("نعم، أنضم")
    await hala.send("هالة الزغلامي")
    await hala.send("54 981 276")
    assert hala.said(f"مرحبًا بك في «{NAME}»!")

    # Salwa cannot leave while she coordinates; she hands over to Mounir, then may leave.
    await salwa.send("/association")
    await salwa.press("مغادرة الجمعية")
    await salwa.press("نعم، أغادر")
    assert salwa.said("يُرجى تسليم التنسيق إلى عضو آخر قبل المغادرة")
    await salwa.press("الأعضاء")
    await salwa.press("تسليم التنسيق")
    await salwa.press("منير العيادي")
    assert salwa.said("سلّمت التنسيق")
    assert "أصبحت منسّق" in messages_of(mounir)[-1]
    async with sqlite_db.reader() as s:
        coordinator = await associations.coordinator_of(
            s, (await associations.membership_of(s, MOUNIR)).association_id
        )  # type: ignore[union-attr]
    assert coordinator is not None and coordinator.telegram_id == MOUNIR
    await salwa.send("/association")
    await salwa.press("مغادرة الجمعية")
    await salwa.press("نعم، أغادر")
    assert salwa.said("غادرت الجمعية.")


async def test_a_registration_keeps_the_association_it_was_made_under(
    engine: Engine, sqlite_db: Database
) -> None:
    await make_session(sqlite_db, starts_at=NOW + timedelta(days=7), branch_code="kasserine")
    (salwa,) = town(engine, SALWA)
    await salwa.onboard("ar")
    await _register_association(salwa)
    await salwa.send("42")
    await salwa.send("سلوى الهمامي")
    await salwa.send("98410233")
    await salwa.press("التسجيل")

    await salwa.send("/trainings")
    await salwa.press("دليل الدورات")
    await salwa.press("التخطيط الاستراتيجي للجمعيات")
    await salwa.press(button_containing(salwa, "فرع القصرين"))
    await salwa.press("التسجيل")
    assert not salwa.said("ما الاسم الذي تريد أن يظهر")  # known from her membership
    await salwa.press("امرأة")
    assert salwa.said("تم تسجيلك!")

    async with sqlite_db.transaction() as s:
        await associations.erase_person(s, SALWA)  # she leaves (/delete of that area)
    async with sqlite_db.reader() as s:
        registration = await s.scalar(select(trainings.Registration))
    assert registration is not None
    assert (registration.participant_name, registration.association_name) == (
        "سلوى الهمامي",
        NAME,
    )
    assert re.fullmatch(r"\d+", str(registration.association_id))
