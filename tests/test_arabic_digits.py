"""Arabic readers see Arabic-Indic digits (٠١٢٣٤٥٦٧٨٩) everywhere the bot writes a number —
survey progress, ranks, priorities, training seats, consultation slots — unless the programme
keeps Latin digits (MUSHARAKA_LATIN_DIGITS); English and French readers always see 0-9."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from core.clock import FixedClock
from core.i18n import translate
from storage.db import Database
from tests.conftest import EngineFactory
from tests.support.chat import Chat
from tests.support.consultations import MONDAY_MORNING, hm, make_consultant
from tests.support.given import CONSULTANT_ID, given_places, given_staff_team
from tests.support.training_data import button_containing, make_session
from tests.test_priorities_in_the_bot import answers_from

LATIN_DIGIT = re.compile(r"[0-9]")
ARABIC_INDIC_DIGIT = re.compile(r"[٠-٩]")
TRAINING_STARTS = datetime(2026, 12, 8, 8, 0, tzinfo=UTC)  # Tuesday 8 December, 09:00 in Tunis
COURSE = "التخطيط الاستراتيجي للجمعيات"
TUESDAY = date(2026, 12, 1)
SALMA = 7001


def t(language: str, message: str) -> str:
    return translate(language, message)


def everything_shown(chat: Chat) -> list[str]:
    """Every text, caption and button label the bot showed this person."""
    shown = [str(r.get("text") or r.get("caption") or "") for r in chat.records]
    for message in chat.sim.messenger.chat(chat.user_id).messages:
        shown += [b.label for row in message.buttons or () for b in row]
    return [text for text in shown if text]


def with_latin_digits(chat: Chat) -> list[str]:
    return [text for text in everything_shown(chat) if LATIN_DIGIT.search(text)]


async def answer_the_needs_survey(chat: Chat, language: str) -> None:
    await chat.onboard(language)
    await chat.send("/menu")
    await chat.press(t(language, "Needs survey: tell us what your district needs"))
    await chat.press(t(language, "Continue ▶"))
    await chat.press(chat.buttons()[0])  # the first district
    await chat.press(chat.buttons()[1])  # an age group
    await chat.press(t(language, "Skip ⏭"))  # gender is optional
    await chat.press(chat.buttons()[0])  # ranks a first sector
    await chat.press(chat.buttons()[1])  # ... and a second
    await chat.press(t(language, "Done ✔"))
    await chat.send("لا يوجد طبيب" if language == "ar" else "No doctor")
    await chat.press(chat.buttons()[1])  # not a volunteer
    await chat.press(t(language, "✅ Send my answers"))
    await chat.press(t(language, "See my district's priorities"))


@pytest.fixture
async def survey_db(sqlite_db: Database) -> Database:
    await given_staff_team(sqlite_db)
    first_district = "thala"
    await answers_from(sqlite_db, first_district, ["water_sanitation health"] * 12, "female")
    return sqlite_db


async def test_an_arabic_resident_sees_only_arabic_indic_digits_across_the_survey_and_priorities(
    survey_db: Database, make_engine: EngineFactory
) -> None:
    engine = make_engine(survey_db)
    resident = Chat(engine, user_id=5101, language="ar")
    await answer_the_needs_survey(resident, "ar")
    shown = "\n".join(everything_shown(resident))
    assert "٣/٦" in shown  # the progress line
    assert "١. " in shown and "٢. " in shown  # the resident's ranks
    assert "١٣ مشاركًا" in shown  # their district's priorities, counting them
    assert with_latin_digits(resident) == []

    staff = Chat(engine, user_id=CONSULTANT_ID, language="ar")
    await staff.onboard("ar")
    await staff.send("/priorities")
    assert staff.said("١. ") and staff.said("٪")
    assert with_latin_digits(staff) == []


async def test_with_latin_digits_kept_the_same_arabic_survey_shows_0_to_9(
    survey_db: Database, make_engine: EngineFactory
) -> None:
    engine = make_engine(survey_db, latin_digits=True)
    resident = Chat(engine, user_id=5102, language="ar")
    await answer_the_needs_survey(resident, "ar")
    shown = "\n".join(everything_shown(resident))
    assert "3/6" in shown and "1. " in shown and "13 مشاركًا" in shown
    assert "٣/٦" not in shown and "١. " not in shown and "١٣" not in shown
    # (the form's own labels keep the digits their author wrote: 'من ٢٥ إلى ٣٤ سنة')


@pytest.mark.parametrize("language", ["en", "fr"])
async def test_english_and_french_readers_always_see_latin_digits(
    survey_db: Database, make_engine: EngineFactory, language: str
) -> None:
    resident = Chat(make_engine(survey_db), user_id=5103, language=language)
    await answer_the_needs_survey(resident, language)
    shown = "\n".join(everything_shown(resident))
    assert "3/6" in shown and "1. " in shown and "13" in shown
    assert not ARABIC_INDIC_DIGIT.search(shown)


@pytest.fixture
async def town_db(sqlite_db: Database) -> Database:
    await given_places(sqlite_db)
    await given_staff_team(sqlite_db)
    await make_session(sqlite_db, starts_at=TRAINING_STARTS, capacity=20, branch_code="kasserine")
    await make_consultant(
        sqlite_db,
        SALMA,
        "Salma Ben Ali",
        topics=["strategic_planning"],
        weekly=[("kasserine", 1, hm(9), hm(13))],
        language="ar",
    )
    return sqlite_db


async def look_at_a_training_and_a_consultation_slot(chat: Chat) -> None:
    await chat.onboard("ar")
    await chat.send("/trainings")
    await chat.press("دليل الدورات")
    await chat.press(COURSE)
    await chat.press(button_containing(chat, "فرع القصرين"))
    await chat.send("/consult")
    await chat.press(chat.buttons()[0])  # a consultation
    await chat.press(chat.buttons()[0])  # strategic planning
    await chat.press(chat.buttons()[0])  # Kasserine: the first Tuesday's free times


async def test_an_arabic_member_sees_training_seats_and_slot_times_in_arabic_indic_digits(
    town_db: Database, make_engine: EngineFactory
) -> None:
    engine = make_engine(town_db, clock=FixedClock(MONDAY_MORNING))
    amal = Chat(engine, user_id=5201, language="ar")
    await look_at_a_training_and_a_consultation_slot(amal)
    shown = "\n".join(everything_shown(amal))
    assert "المقاعد المتاحة: ٢٠ من ٢٠" in shown
    assert "٨ ديسمبر ٢٠٢٦" in shown and "١٤٤٨ هـ" in shown  # Gregorian and Hijri
    assert "٠٩:٠٠" in amal.buttons()  # the first free slot
    assert with_latin_digits(amal) == []


async def test_with_latin_digits_kept_seats_and_slots_show_0_to_9(
    town_db: Database, make_engine: EngineFactory
) -> None:
    engine = make_engine(town_db, clock=FixedClock(MONDAY_MORNING), latin_digits=True)
    amal = Chat(engine, user_id=5202, language="ar")
    await look_at_a_training_and_a_consultation_slot(amal)
    shown = "\n".join(everything_shown(amal))
    assert "المقاعد المتاحة: 20 من 20" in shown and "8 ديسمبر 2026" in shown
    assert "09:00" in amal.buttons()
    assert not ARABIC_INDIC_DIGIT.search(shown)
