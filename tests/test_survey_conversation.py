"""Residents answering surveys in the chat: the shipped needs survey and forms with skip logic."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from bot.engine.conversation import Conversation
from bot.engine.engine import Engine
from bot.engine.events import Event, EventKind
from bot.engine.session import MemorySessionStore
from core.clock import FixedClock
from core.i18n import translate
from formengine.loader import load_xlsform
from formengine.store import SHIPPED, import_xlsform
from storage import people, surveys
from storage.db import Database
from storage.surveys import SurveySubmission
from tests.conftest import EngineFactory
from tests.support.chat import Chat
from tests.support.xlsforms import choice_rows, xlsform_bytes

ARABIC = re.compile(r"[\u0600-\u06FF]")
NEEDS = load_xlsform(SHIPPED["needs_survey"])


def t(language: str, message: str) -> str:
    return translate(language, message)


def choice(question: str, name: str, language: str = "en") -> str:
    """The button label of a choice of the needs survey, in a language."""
    found = NEEDS.choice(NEEDS.question(question), name)
    assert found is not None
    return found.text(language)


async def start_needs_survey(chat: Chat, language: str = "en") -> None:
    await chat.onboard(language)
    await chat.send("/menu")
    await chat.press(t(language, "Needs survey: tell us what your district needs"))
    await chat.press(t(language, "Continue ▶"))  # the introduction note


async def answer_needs_survey(
    chat: Chat,
    language: str = "en",
    *,
    district: str = "thala",
    ranking: tuple[str, ...] = ("water_sanitation", "health", "roads_transport"),
    volunteer: str = "no",
    needs: str | None = "The clinic has no doctor on Saturdays",
) -> None:
    await chat.press(choice("district", district, language))
    await chat.press(choice("age_group", "25_34", language))
    await chat.press(choice("gender", "female", language))
    for sector in ranking:
        await chat.press(choice("top_sectors", sector, language))
    if len(ranking) < 3:
        await chat.press(t(language, "Done ✔"))
    if needs is None:
        await chat.press(t(language, "Skip ⏭"))
    else:
        await chat.send(needs)
    await chat.press(choice("volunteer", volunteer, language))


async def stored(db: Database) -> list[tuple[SurveySubmission, dict[str, str]]]:
    async with db.reader() as s:
        rows = list(await s.scalars(select(SurveySubmission).order_by(SurveySubmission.id)))
        return [(row, await surveys.submission_answers(s, row.id)) for row in rows]


def db_of(chat: Chat) -> Database:
    return chat.sim.engine.services.db


# --- the shipped needs survey ------------------------------------------------------------------


@pytest.mark.parametrize("language", ["ar", "en", "fr"])
async def test_the_needs_survey_runs_in_each_language(chat: Chat, language: str) -> None:
    chat.sim.language = language
    await start_needs_survey(chat, language)
    assert chat.said("١/٦" if language == "ar" else "1/6")
    await answer_needs_survey(chat, language)
    assert chat.said(t(language, "Please check your answers:"))
    await chat.press(t(language, "✅ Send my answers"))
    assert chat.said(
        t(
            language,
            "Thank you! Your answers were received. They will help plan your district's future.",
        )
    )
    for record in chat.records:
        if language == "ar" and record.get("text"):
            assert ARABIC.search(str(record["text"])), record
    [(submission, answers)] = await stored(db_of(chat))
    assert answers["top_sectors"] == "water_sanitation health roads_transport"
    assert answers["district"] == "thala" and submission.district_code == "thala"
    assert submission.gender == "female" and submission.age_group == "25_34"
    assert submission.language == language and submission.round == "2026"


async def test_a_resident_answers_in_arabic_goes_back_and_finishes(chat: Chat) -> None:
    await start_needs_survey(chat, "ar")
    await chat.press("تالة")
    await chat.press("من ٢٥ إلى ٣٤ سنة")
    assert chat.said("٣/٦")
    await chat.press(t("ar", "◀ Back"))  # back to the age question, the answer kept
    assert chat.said("٢/٦") and "• من ٢٥ إلى ٣٤ سنة" in chat.buttons()
    await chat.press("• من ٢٥ إلى ٣٤ سنة")
    await chat.press(t("ar", "Skip ⏭"))  # gender is optional
    await chat.press("الماء والتطهير")
    assert chat.said("١. الماء والتطهير")
    await chat.press("الصحة")
    await chat.press(t("ar", "↩ Undo"))
    assert not chat.said("٢. الصحة")
    await chat.press("التعليم")
    await chat.press(t("ar", "Done ✔"))
    await chat.send("لا يوجد طبيب في المستوصف")
    await chat.press("لا")
    assert chat.said("١. الماء والتطهير  ٢. التعليم")
    await chat.press(t("ar", "✅ Send my answers"))
    [(submission, answers)] = await stored(db_of(chat))
    assert answers["top_sectors"] == "water_sanitation education"
    assert "gender" not in answers and submission.gender is None
    assert answers["specific_needs"] == "لا يوجد طبيب في المستوصف"
    async with db_of(chat).reader() as s:
        user = await people.get_user(s, chat.user_id)
    assert user is not None and user.district_code == "thala"  # broadcasts can reach them


async def test_review_lets_a_resident_change_any_answer_then_returns_to_review(chat: Chat) -> None:
    await start_needs_survey(chat)
    await answer_needs_survey(chat)
    await chat.press("✏️ Change an answer")
    await chat.press("1")
    assert chat.said("Which district do you live in?")
    await chat.press("Sbiba")
    assert chat.said("Please check your answers:") and chat.said("Sbiba")
    await chat.press("✏️ Change an answer")
    await chat.press("5")  # the free text
    await chat.send("Water cuts every evening")
    assert chat.said("Water cuts every evening")
    await chat.press("✅ Send my answers")
    [(submission, answers)] = await stored(db_of(chat))
    assert submission.district_code == "sbiba"
    assert answers["specific_needs"] == "Water cuts every evening"


async def test_a_resident_who_leaves_resumes_at_the_same_question_with_answers_kept(
    sqlite_db: Database, make_engine: EngineFactory
) -> None:
    from tests.support.given import given_places

    await given_places(sqlite_db)
    store = MemorySessionStore()
    chat = Chat(make_engine(sqlite_db, store=store), language="en")
    await start_needs_survey(chat)
    await chat.press("Thala")
    await chat.press("35 to 49")
    await chat.press("Skip ⏭")  # gender
    await chat.press("Health")  # 1st of the ranking, not finished
    await chat.send("/menu")
    assert chat.said("What would you like to do?")
    await chat.press("Language")  # another flow
    await chat.press("English")

    # The bot restarts: a new engine on the same session store.
    chat.sim.engine = make_engine(sqlite_db, store=store)
    await chat.send("/menu")
    await chat.press("Needs survey: tell us what your district needs")
    print("LAST", chat.last)
    assert chat.said("Welcome back! Let us continue where you stopped.")
    assert chat.said("4/6") and chat.said("1. Health")
    await chat.press("Education")
    await chat.press("Housing")  # the third place completes the ranking
    await chat.press("Skip ⏭")
    await chat.press("Yes")
    await chat.press("✅ Send my answers")
    [(_submission, answers)] = await stored(sqlite_db)
    assert answers["district"] == "thala" and answers["age_group"] == "35_49"
    assert answers["top_sectors"] == "health education housing"


async def test_one_answer_per_resident_per_round(chat: Chat) -> None:
    await start_needs_survey(chat)
    await answer_needs_survey(chat)
    await chat.press("✅ Send my answers")
    await chat.send("/menu")
    await chat.press("Needs survey: tell us what your district needs")
    assert chat.said("You have already answered this survey for this round.")
    assert "See my district's priorities" in chat.buttons()
    assert len(await stored(db_of(chat))) == 1


async def test_a_double_tap_on_send_stores_one_submission(chat: Chat) -> None:
    await start_needs_survey(chat)
    await answer_needs_survey(chat)
    send = chat.payload_of("✅ Send my answers")
    engine = chat.sim.engine
    presses = [
        Event(
            chat.user_id,
            chat.user_id,
            EventKind.BUTTON,
            payload=send,
            callback_id=f"cb-{n}",
            message_id=1,
            update_id=90_000 + n,
        )
        for n in range(2)
    ]
    first = await engine.handle(presses[0])
    second = await engine.handle(presses[1])
    assert any("Thank you" in str(getattr(r.reply, "text", "")) for r in first)
    assert [type(r.reply).__name__ for r in second] == ["Toast"]
    assert await engine.handle(presses[0]) == []  # re-delivered: ignored
    assert len(await stored(db_of(chat))) == 1


async def test_bad_input_gets_a_clear_answer_and_changes_nothing(chat: Chat) -> None:
    await start_needs_survey(chat)
    store = chat.sim.engine.services.store
    before = await store.load(chat.user_id)
    assert before is not None and before.flow is not None
    await chat.send("Thala please")  # free text where a button is expected
    assert chat.said("Please answer with the buttons below.") and chat.said("1/6")
    await chat.send_sticker()
    assert chat.said("I cannot read stickers")
    await chat.send("x" * 5000)
    assert chat.said("too long")
    await chat.share_location(35.1, 8.8)
    assert chat.said("Please answer with the buttons below.")
    forged = Event(
        chat.user_id,
        chat.user_id,
        EventKind.BUTTON,
        payload=f"{before.version + 3}:a:999",
        callback_id="x",
        message_id=1,
        update_id=77_777,
    )
    await chat.sim.engine.handle(forged)
    after = await store.load(chat.user_id)
    assert after is not None and after.flow is not None
    assert after.flow.data["d"]["answers"] == before.flow.data["d"]["answers"]
    assert after.flow.data["d"]["current"] == "district"
    # The typed label of a choice is accepted (cheap phones, no buttons shown).
    await chat.send("thala")
    assert chat.said("2/6")


async def test_deep_link_prefills_the_district_and_records_the_campaign(chat: Chat) -> None:
    await chat.onboard("en")
    await chat.send("/start survey_needs_survey_kasserine_north")
    assert chat.said("District: Kasserine North (from your link")
    await chat.press("Continue ▶")
    assert chat.said("How old are you?")  # the district question is already answered
    assert chat.said("2/6")
    await chat.press("15 to 24")
    await chat.press("Man")
    await chat.press("Jobs and livelihoods")
    await chat.press("Done ✔")
    await chat.press("Skip ⏭")
    await chat.press("No")
    await chat.press("✅ Send my answers")
    [(submission, _answers)] = await stored(db_of(chat))
    assert submission.district_code == "kasserine_north"
    assert submission.campaign == "survey_needs_survey_kasserine_north"


async def test_a_deep_link_before_onboarding_continues_into_the_survey(chat: Chat) -> None:
    await chat.send("/start survey_needs_survey_el_ayoun")
    await chat.press("Français")
    await chat.press("J'accepte")
    linked = t("fr", "District: {district} (from your link; you can change it at the end).")
    assert chat.said(linked.format(district="El Ayoun"))
    assert t("fr", "Continue ▶") in chat.buttons()


async def test_a_link_with_an_unknown_district_opens_the_survey_without_one(chat: Chat) -> None:
    await chat.onboard("en")
    await chat.send("/start survey_needs_survey_atlantis")
    await chat.press("Continue ▶")
    assert chat.said("Which district do you live in?")
    await chat.send("/start survey_nothing_here")
    assert chat.said("This survey link is not valid any more.")


async def test_volunteers_go_on_into_the_volunteer_sign_up_when_it_exists(
    engine: Engine,
) -> None:
    started: list[dict[str, Any]] = []

    class FakeVolunteer(Conversation):
        name = "volunteer"

        async def begin(self, ctx: Any, **kwargs: Any) -> None:
            started.append(kwargs)
            ctx.say("VOLUNTEER SIGN-UP")

    engine.registry.conversations["volunteer"] = FakeVolunteer()
    chat = Chat(engine, language="en")
    await start_needs_survey(chat)
    await answer_needs_survey(chat, volunteer="yes", district="feriana")
    await chat.press("✅ Send my answers")
    assert chat.said("VOLUNTEER SIGN-UP")
    assert started == [{"district": "feriana"}]


async def test_volunteers_continue_into_the_real_volunteer_sign_up(chat: Chat) -> None:
    await start_needs_survey(chat)
    await answer_needs_survey(chat, volunteer="yes", district="sbiba")
    await chat.press("✅ Send my answers")
    assert chat.said("Thank you! Your answers were received.")
    assert chat.said("What is your full name?")  # the volunteer conversation's first question


async def test_volunteers_are_thanked_when_the_bot_has_no_sign_up(engine: Engine) -> None:
    engine.registry.conversations.pop("volunteer", None)
    chat = Chat(engine, language="en")
    await start_needs_survey(chat)
    await answer_needs_survey(chat, volunteer="yes")
    await chat.press("✅ Send my answers")
    assert chat.said("staff will contact you")


async def test_after_submitting_a_resident_sees_their_district_priorities(chat: Chat) -> None:
    db = db_of(chat)
    engine = chat.sim.engine
    for n in range(5):
        neighbour = Chat(engine, user_id=2000 + n, language="en")
        await start_needs_survey(neighbour)
        await answer_needs_survey(neighbour, ranking=("electricity", "health", "housing"))
        await neighbour.press("✅ Send my answers")
    await start_needs_survey(chat)
    await answer_needs_survey(chat)
    await chat.press("✅ Send my answers")
    await chat.press("See my district's priorities")
    assert chat.said("What residents of Thala ranked first so far (6 respondents)")
    assert chat.said("1. Electricity — index")
    assert len(await stored(db)) == 6


# --- a form with skip logic ----------------------------------------------------------------------


def skip_logic_form() -> bytes:
    survey = [
        {
            "type": "select_one yes_no",
            "name": "has_children",
            "label": "Do you have children?",
            "required": "yes",
        },
        {
            "type": "integer",
            "name": "children",
            "label": "How many?",
            "required": "yes",
            "relevant": "${has_children} = 'yes'",
            "constraint": ". > 0 and . <= 15",
            "constraint_message": "Between 1 and 15, please",
        },
        {
            "type": "select_multiple school",
            "name": "school",
            "label": "Who goes to school?",
            "relevant": "${children} > 0",
            "constraint": "count-selected(.) <= 2",
        },
        {
            "type": "date",
            "name": "visit",
            "label": "When did you last see a doctor?",
            "constraint": ". <= today()",
            "constraint_message": "That date is in the future",
        },
        {"type": "decimal", "name": "spend", "label": "Monthly spending on water (dinars)?"},
        {"type": "geopoint", "name": "home", "label": "Where is your home?"},
        {"type": "image", "name": "photo", "label": "A photo of the water point"},
    ]
    choices = [
        *choice_rows("yes_no", ("yes", "Yes"), ("no", "No")),
        *choice_rows("school", ("primary", "Primary"), ("middle", "Middle"), ("high", "High")),
    ]
    return xlsform_bytes(survey, choices, {"form_id": "family", "version": "1"})


@pytest.fixture
async def family_chat(engine: Engine, sqlite_db: Database) -> Chat:
    async with sqlite_db.transaction() as s:
        await import_xlsform(s, skip_logic_form())
    engine.services.clock = FixedClock(
        __import__("datetime").datetime(2026, 11, 24, 9, 0, tzinfo=__import__("datetime").UTC)
    )
    chat = Chat(engine, language="en")
    await chat.onboard("en")
    await chat.send("/start survey_family")
    return chat


async def test_back_skips_questions_that_skip_logic_left_out(family_chat: Chat) -> None:
    chat = family_chat
    assert chat.said("1/5")  # children and school are not relevant yet
    await chat.press("No")
    assert chat.said("When did you last see a doctor?") and chat.said("2/5")
    await chat.press("◀ Back")
    assert chat.said("Do you have children?")
    await chat.press("• No")
    await chat.press("◀ Back")
    await chat.press("Yes")
    assert chat.said("How many?") and chat.said("2/6")  # school still waits for a number
    await chat.send("٢٠")  # Arabic-Indic digits are read, then the constraint applies
    assert chat.said("Between 1 and 15, please")
    await chat.send("two")
    assert chat.said("Please type a number")
    await chat.send("٣")
    await chat.press("Primary")
    await chat.press("Middle")
    await chat.press("High")
    await chat.press("Done ✔")
    assert chat.said("This answer is not accepted here")  # 3 ticked, 2 allowed
    await chat.press("✅ High")
    await chat.press("Done ✔")
    await chat.send("31/12/2026")
    assert chat.said("That date is in the future")
    await chat.send("٠٥/١١/٢٠٢٦")
    await chat.send("12,5")
    await chat.share_location(35.1676, 8.8365)
    assert chat.said("Location received")
    await chat.send("here is a photo")
    assert chat.said("Please send a photo")
    await chat.send_photo()
    assert chat.said("Please check your answers:")
    assert chat.said("Primary, Middle") and chat.said("(photo received)")
    # Going back to "no children" drops the answers that depended on it.
    await chat.press("✏️ Change an answer")
    await chat.press("1")
    await chat.press("• Yes")  # keeping the answer returns to the review
    await chat.press("✅ Send my answers")
    [(submission, answers)] = await stored(db_of(chat))
    assert answers["children"] == "3" and answers["school"] == "primary middle"
    assert answers["visit"] == "2026-11-05" and answers["spend"] == "12.5"
    assert answers["home"].startswith("35.167600 8.836500")
    assert answers["photo"].startswith("photo-") and answers["photo"].endswith(".jpg")
    assert submission.respondent_id == chat.user_id


async def test_changing_an_answer_asks_the_questions_it_made_relevant(family_chat: Chat) -> None:
    chat = family_chat
    await chat.press("No")
    await chat.press("Skip ⏭")  # date
    await chat.press("Skip ⏭")  # spending
    await chat.press("Skip ⏭")  # location
    await chat.press("Skip ⏭")  # photo
    assert chat.said("Please check your answers:")
    await chat.press("✏️ Change an answer")
    await chat.press("1")
    await chat.press("Yes")
    assert chat.said("How many?")  # now relevant and required: asked before the review
    await chat.send("1")
    assert chat.said("Who goes to school?")
    await chat.press("Skip ⏭")
    assert chat.said("Please check your answers:")
    await chat.press("✅ Send my answers")
    [(_submission, answers)] = await stored(db_of(chat))
    assert answers == {"has_children": "yes", "children": "1"}


async def test_the_needs_survey_is_the_first_thing_residents_see_in_the_menu(chat: Chat) -> None:
    await chat.onboard("ar")
    await chat.send("/menu")
    assert chat.buttons()[0] == t("ar", "Needs survey: tell us what your district needs")


async def test_mydata_shows_the_answers_and_delete_keeps_only_anonymous_counts(
    chat: Chat,
) -> None:
    import json

    from bot.engine.replies import Document

    await start_needs_survey(chat)
    await answer_needs_survey(chat, needs="My street floods every winter")
    await chat.press("✅ Send my answers")
    engine = chat.sim.engine
    replies = await engine.handle(Event.from_text(chat.user_id, "/mydata", update_id=70_001))
    [document] = [r.reply for r in replies if isinstance(r.reply, Document)]
    exported = json.loads(document.data)
    [mine] = exported["areas"]["surveys"]["survey_submissions"]
    assert mine["answers"]["specific_needs"] == "My street floods every winter"

    await chat.send("/delete")
    await chat.press("Yes, erase my data")
    [(submission, answers)] = await stored(db_of(chat))
    assert submission.respondent_id is None
    assert "specific_needs" not in answers
    assert answers["top_sectors"] == "water_sanitation health roads_transport"
