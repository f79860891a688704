"""Groups as KoBo/ODK authors write them: a group's own `relevant` skips every question in
it, and a `field-list` group (one screen in ODK Collect) is asked one question at a time
with its label shown once, above its first question."""

from __future__ import annotations

import csv
import io

from core.i18n import translate
from formengine.loader import load_xlsform
from storage.db import Database
from storage.survey_exports import survey_table, to_csv
from tests.support.chat import Chat
from tests.support.xlsforms import Row, xlsform_bytes
from tests.test_survey_question_types import open_form, stored

AR = "label::Arabic (ar)"
EN = "label::English (en)"

HOUSEHOLD: list[Row] = [
    {"type": "select_one yn", "name": "has_children", EN: "Are there children under five?",
     AR: "هل في الأسرة أطفال دون الخامسة؟", "required": "yes"},
    {"type": "begin group", "name": "children", EN: "Children under five",
     AR: "الأطفال دون الخامسة", "appearance": "field-list",
     "relevant": "${has_children} = 'yes'"},
    {"type": "integer", "name": "n_children", EN: "How many?", AR: "كم عددهم؟",
     "required": "yes"},
    {"type": "select_one yn", "name": "vaccinated", EN: "Are they all vaccinated?",
     AR: "هل جميعهم ملقّحون؟", "required": "yes"},
    {"type": "begin group", "name": "why", "relevant": "../vaccinated = 'no'"},
    {"type": "text", "name": "why_not", EN: "Why not?", AR: "لماذا؟"},
    {"type": "end group"},
    {"type": "end group"},
    {"type": "begin group", "name": "water", EN: "Water", AR: "الماء"},
    {"type": "select_one yn", "name": "tap", EN: "Do you have a tap?", AR: "هل لديكم حنفية؟",
     "required": "yes"},
    {"type": "text", "name": "source", EN: "Where else do you fetch water?",
     AR: "من أين تجلبون الماء أيضًا؟"},
    {"type": "end group"},
]  # fmt: skip
YES_NO = [
    {"list_name": "yn", "name": "yes", EN: "Yes", AR: "نعم"},
    {"list_name": "yn", "name": "no", EN: "No", AR: "لا"},
]
SETTINGS: Row = {"form_id": "household_groups", "default_language": "English (en)"}


def test_a_field_list_group_is_known_to_its_questions() -> None:
    form = load_xlsform(xlsform_bytes(HOUSEHOLD, YES_NO, SETTINGS))
    assert form.question("n_children").field_list == "children"
    assert form.question("why_not").field_list == "children"  # inside, in a sub-group
    assert form.question("tap").field_list == "" and form.question("has_children").field_list == ""
    assert form.question("why_not").relevant == ("${has_children} = 'yes'", "../vaccinated = 'no'")


async def test_a_field_list_is_asked_one_question_at_a_time_with_its_label_once(
    chat: Chat, sqlite_db: Database
) -> None:
    await open_form(chat, HOUSEHOLD, YES_NO, SETTINGS, "en")
    await chat.press("Yes")
    assert chat.said("— Children under five —\nHow many?")
    await chat.send("2")
    assert chat.said("Are they all vaccinated?") and not chat.said("Children under five")
    await chat.press("No")
    assert chat.said("Why not?") and not chat.said("Children under five")
    await chat.send("The clinic is far")
    # An ordinary group keeps its label on each of its questions.
    assert chat.said("— Water —\nDo you have a tap?")
    await chat.press("◀ Back")
    assert chat.said("Why not?")
    await chat.press("Keep this answer")
    await chat.press("No")
    assert chat.said("— Water —\nWhere else do you fetch water?")
    await chat.send("The spring")
    assert chat.said("Please check your answers:") and chat.said("The clinic is far")
    # No children after all: the whole group leaves the survey, sub-group included.
    await chat.press("✏️ Change an answer")
    await chat.press("1")
    await chat.press("No")
    review = chat.last_text
    assert "How many?" not in review and "Why not?" not in review and "The spring" in review
    await chat.press("✅ Send my answers")
    answers = await stored(sqlite_db, "household_groups")
    assert answers == {"has_children": "no", "tap": "no", "source": "The spring"}
    async with sqlite_db.reader() as s:
        table = await survey_table(s, "household_groups")
    [row] = list(csv.DictReader(io.StringIO(to_csv(table).decode("utf-8-sig"))))
    assert row["children/n_children"] == "" and row["children/why/why_not"] == ""
    assert row["water/source"] == "The spring" and row["has_children"] == "no"


async def test_an_arabic_resident_without_children_skips_the_whole_group(
    chat: Chat, sqlite_db: Database
) -> None:
    await open_form(chat, HOUSEHOLD, YES_NO, SETTINGS, "ar")
    assert chat.said("هل في الأسرة أطفال دون الخامسة؟")
    await chat.press("لا")
    assert chat.said("— الماء —\nهل لديكم حنفية؟")
    await chat.press("نعم")
    await chat.press(translate("ar", "Skip ⏭"))
    await chat.press(translate("ar", "✅ Send my answers"))
    assert await stored(sqlite_db, "household_groups") == {"has_children": "no", "tap": "yes"}
