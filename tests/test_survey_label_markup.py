"""Labels formatted for ODK Collect (HTML spans, Markdown stress, headings, links) reach the
resident as plain words: the chat sends plain text, so tags and stars would be read as they
are."""

from __future__ import annotations

from formengine.loader import load_xlsform
from formengine.markup import plain_text
from tests.support.chat import Chat
from tests.support.xlsforms import Row, xlsform_bytes
from tests.test_survey_question_types import open_form

AR, EN = "label::Arabic (ar)", "label::English (en)"

FORM: list[Row] = [
    {"type": "note", "name": "intro",
     EN: "# Household visit\nRead [the notice](https://example.org/notice) to the family.",
     AR: "# زيارة الأسرة\nاقرأ [الإشعار](https://example.org/notice) على الأسرة."},
    {"type": "select_one yn", "name": "adult", "required": "yes",
     EN: '<span style="color:red">**Only adults**</span> may answer: are you 18 or older?',
     AR: '<span style="color:red">**البالغون فقط**</span> يجيبون: هل عمرك 18 سنة أو أكثر؟',
     "hint::English (en)": "Ask *politely*; 5 \\* 3 stays a star.",
     "hint::Arabic (ar)": "اسأل *بلطف*."},
]  # fmt: skip
YES_NO: list[Row] = [
    {"list_name": "yn", "name": "yes", EN: "__Yes__", AR: "__نعم__"},
    {"list_name": "yn", "name": "no", EN: "No", AR: "لا"},
]


def test_collect_formatting_becomes_plain_words() -> None:
    assert plain_text('<span style="color:#ff0000">**Important**</span>') == "Important"
    assert plain_text("${m_name}_${hh_size}_total of _all_") == "${m_name}_${hh_size}_total of all"
    assert plain_text("Age < 18 and > 5; 5 * 3 * 2") == "Age < 18 and > 5; 5 * 3 * 2"
    assert plain_text("line<br>two") == "line\ntwo"
    form = load_xlsform(xlsform_bytes(FORM, YES_NO, {"form_id": "visit"}))
    assert form.question("adult").label["en"] == "Only adults may answer: are you 18 or older?"


async def test_an_arabic_resident_reads_the_words_without_tags_or_stars(chat: Chat) -> None:
    await open_form(chat, FORM, YES_NO, {"form_id": "visit"}, "ar")
    assert chat.said("زيارة الأسرة\nاقرأ الإشعار (https://example.org/notice) على الأسرة.")
    await chat.press("متابعة ◀")
    assert chat.said("البالغون فقط يجيبون: هل عمرك 18 سنة أو أكثر؟")
    assert chat.said("اسأل بلطف.")
    assert not any("<span" in text or "**" in text for text in chat.texts)
    assert "نعم" in chat.buttons()
