"""Forms written the way published XLSForms are, answered in the chat: tables of questions
(table-list, label + list-nolabel), labels that carry their own numbers, and the form's own
closing words after sending."""

from __future__ import annotations

from core.i18n import translate
from formengine.loader import load_xlsform
from formengine.store import import_xlsform
from storage.db import Database
from tests.support.chat import Chat
from tests.support.xlsforms import Row, choice_rows, xlsform_bytes

RATING = choice_rows("rating", ("good", "Good"), ("poor", "Poor"))
YES_NO = choice_rows("yn", ("yes", "Yes"), ("no", "No"))
DISTRICT_FUTURE = "They will help plan your district's future."


async def open_form(
    chat: Chat, survey: list[Row], choices: list[Row], settings: Row, language: str = "en"
) -> None:
    db: Database = chat.sim.engine.services.db
    async with db.transaction() as s:
        live, _outcome = await import_xlsform(s, xlsform_bytes(survey, choices, settings))
    await chat.onboard(language)
    await chat.send(f"/start survey_{live.form_id}")


def everything_said(chat: Chat) -> str:
    return "\n".join(str(record.get("text", "")) for record in chat.records)


# --- item 3: tables of questions ---------------------------------------------------------------

TABLE_LIST: list[Row] = [
    {
        "type": "begin_group",
        "name": "services",
        "label": "How are these services in your street?",
        "appearance": "table-list",
    },
    {"type": "select_one rating", "name": "water", "label": "Water", "required": "yes"},
    {"type": "select_one rating", "name": "lighting", "label": "Street lighting"},
    {"type": "end_group", "name": ""},
    {"type": "select_one rating", "name": "header", "appearance": "label", "label": "Schools"},
    {"type": "select_one rating", "name": "primary", "label": "Primary school",
     "appearance": "list-nolabel"},
    {"type": "select_one rating", "name": "college", "label": "Middle school",
     "appearance": "list-nolabel"},
]  # fmt: skip


def test_table_headers_are_not_questions() -> None:
    form = load_xlsform(xlsform_bytes(TABLE_LIST, RATING, {"form_id": "streets"}))
    assert [q.name for q in form.asked] == ["water", "lighting", "primary", "college"]
    assert form.question("water").heading == {"": "How are these services in your street?"}
    assert form.question("primary").heading == {"": "Schools"}
    assert not form.question("lighting").heading and not form.question("college").heading


async def test_a_table_list_shows_its_header_once_and_never_an_internal_name(chat: Chat) -> None:
    await open_form(chat, TABLE_LIST, RATING, {"form_id": "streets"})
    assert chat.said("1/4") and chat.said("How are these services in your street?\n\nWater")
    await chat.press("Good")
    assert chat.said("Street lighting") and not chat.said("How are these services")
    await chat.press("Poor")
    assert chat.said("Schools\n\nPrimary school")
    await chat.press("Good")
    assert chat.said("Middle school") and not chat.said("Schools")
    await chat.press("Good")
    assert chat.said("Please check your answers:")
    assert chat.said("1. Water\n   ➜ Good") and chat.said("4. Middle school\n   ➜ Good")
    await chat.press("✅ Send my answers")
    said = everything_said(chat)
    assert "reserved_name" not in said and "generated_table_list" not in said
    assert "header" not in said


# --- item 6: labels that carry their own numbers ---------------------------------------------

NUMBERED: list[Row] = [
    {"type": "text", "name": "name", "label::English (en)": "1. What is your name?",
     "label::Arabic (ar)": "١. ما اسمك؟"},
    {"type": "select_one yn", "name": "works", "label::English (en)": "Q2. Do you work?",
     "label::Arabic (ar)": "س٢. هل تعمل؟"},
    {"type": "integer", "name": "children", "label::English (en)": "How many children?",
     "label::Arabic (ar)": "كم عدد أطفالك؟"},
]  # fmt: skip
NUMBERED_CHOICES: list[Row] = [
    {"list_name": "yn", "name": "yes", "label::English (en)": "Yes", "label::Arabic (ar)": "نعم"},
    {"list_name": "yn", "name": "no", "label::English (en)": "No", "label::Arabic (ar)": "لا"},
]


async def test_numbered_labels_are_not_numbered_twice_in_the_review(chat: Chat) -> None:
    await open_form(chat, NUMBERED, NUMBERED_CHOICES, {"form_id": "numbered"})
    await chat.send("Amal")
    await chat.press("Yes")
    await chat.send("2")
    assert chat.said("1. What is your name?\n   ➜ Amal")
    assert chat.said("Q2. Do you work?\n   ➜ Yes")
    assert chat.said("3. How many children?\n   ➜ 2")  # a label without its own number
    assert not chat.said("1. 1.") and not chat.said("2. Q2.")
    # The numbers to press are the ones the review shows.
    await chat.press("✏️ Change an answer")
    assert chat.buttons()[:3] == ["1", "Q2", "3"]
    await chat.press("Q2")
    assert chat.said("Q2. Do you work?")
    await chat.press("No")
    assert chat.said("Q2. Do you work?\n   ➜ No")


async def test_arabic_indic_numbers_in_labels_are_kept_as_the_only_numbers(chat: Chat) -> None:
    await open_form(chat, NUMBERED, NUMBERED_CHOICES, {"form_id": "numbered"}, language="ar")
    await chat.send("أمل")
    await chat.press("نعم")
    await chat.send("٢")
    assert chat.said("١. ما اسمك؟\n   ➜ أمل") and chat.said("س٢. هل تعمل؟\n   ➜ نعم")
    assert not chat.said("1. ١.") and not chat.said("2. س٢.")


# --- item 7: the form's own closing words ------------------------------------------------------

ONE_QUESTION: list[Row] = [
    {"type": "select_one yn", "name": "open", "label": "Was the youth centre open today?"},
]


async def test_a_form_without_closing_words_gets_a_neutral_thank_you(chat: Chat) -> None:
    await open_form(chat, ONE_QUESTION, YES_NO, {"form_id": "youth_centre"})
    await chat.press("Yes")
    await chat.press("✅ Send my answers")
    assert chat.said("Thank you! Your answers were received.")
    assert not chat.said(DISTRICT_FUTURE)


async def test_the_thanks_setting_is_what_a_resident_reads_after_sending(chat: Chat) -> None:
    settings = {
        "form_id": "youth_centre",
        "default_language": "English (en)",
        "musharaka:thanks::English (en)": "Thank you, the youth centre team will read this.",
        "musharaka:thanks::Arabic (ar)": "شكرًا لك، سيقرأ فريق دار الشباب إجابتك.",
    }
    survey = [
        {"type": "select_one yn", "name": "open", "label::English (en)": "Open today?",
         "label::Arabic (ar)": "هل كانت مفتوحة اليوم؟"},
    ]  # fmt: skip
    await open_form(chat, survey, NUMBERED_CHOICES, settings, language="ar")
    await chat.press("نعم")
    await chat.press(translate("ar", "✅ Send my answers"))
    assert chat.said("شكرًا لك، سيقرأ فريق دار الشباب إجابتك.")
    assert not chat.said(translate("ar", "Thank you! Your answers were received."))


async def test_the_forms_last_note_closes_the_survey_after_sending(chat: Chat) -> None:
    survey = [
        *ONE_QUESTION,
        {"type": "note", "name": "bye", "label": "Thank you! The centre answered: ${open}."},
    ]
    await open_form(chat, survey, YES_NO, {"form_id": "youth_centre"})
    await chat.press("Yes")
    assert chat.said("Please check your answers:")  # no note to press through first
    await chat.press("✅ Send my answers")
    assert chat.said("Thank you! The centre answered: Yes.")
    assert not chat.said(DISTRICT_FUTURE)
