"""A pressed answer turns its own message into the next question: the survey stays one
message on the resident's phone (and one Bot API call less per tap at a campaign's peak)."""

from __future__ import annotations

from bot.engine.engine import Engine
from bot.engine.events import Event, EventKind
from core.i18n import translate
from formengine.store import import_xlsform
from storage.db import Database
from tests.support.chat import Chat
from tests.support.xlsforms import Row, choice_rows, xlsform_bytes

YES_NO = choice_rows("yn", ("yes", "Yes"), ("no", "No"))
SIZES = choice_rows("size", ("small", "Small"), ("large", "Large"))


async def open_form(chat: Chat, survey: list[Row], choices: list[Row]) -> None:
    db: Database = chat.sim.engine.services.db
    async with db.transaction() as s:
        live, _outcome = await import_xlsform(
            s, xlsform_bytes(survey, choices, {"form_id": "street"})
        )
    await chat.onboard("en")
    await chat.send(f"/start survey_{live.form_id}")


def messages(chat: Chat) -> list[str]:
    return [m.text for m in chat.sim.messenger.chat(chat.user_id).messages]


async def test_pressed_answers_move_one_message_from_question_to_question(
    chat: Chat, engine: Engine
) -> None:
    survey: list[Row] = [
        {"type": "select_one yn", "name": "lights", "label": "Does your street have lights?"},
        {"type": "select_one size", "name": "family", "label": "How big is your family?"},
        {"type": "text", "name": "missing", "label": "What is missing?"},
    ]
    await open_form(chat, survey, YES_NO + SIZES)
    before = len(messages(chat))
    asked = messages(chat)[-1]
    assert "Does your street have lights?" in asked
    old_yes = chat.payload_of("Yes")

    replies = await chat.press("Yes")

    # One edit (and the empty answer that stops the spinner): no new message.
    assert [r["kind"] for r in replies] == ["edit"], replies
    assert len(messages(chat)) == before
    now = messages(chat)[-1]
    assert now.startswith("✓ Yes\n\n"), now  # the answer, said at the top
    assert "How big is your family?" in now
    assert chat.buttons()[:2] == ["Small", "Large"]

    # A second tap on the first question's Yes (a double tap, or the old screen) changes
    # nothing: its buttons were drawn for a screen that has moved on.
    message_id = chat.sim.messenger.chat(chat.user_id).messages[-1].message_id
    stale = await engine.handle(
        Event(
            chat.user_id,
            chat.user_id,
            EventKind.BUTTON,
            payload=old_yes,
            callback_id="double",
            message_id=message_id,
            update_id=90_001,
        )
    )
    assert [type(r.reply).__name__ for r in stale] == ["Toast"], stale
    assert messages(chat)[-1] == now

    await chat.press("Large")
    await chat.send("A bus stop")  # typed: the next screen comes as a new message
    review = messages(chat)[-1]
    assert len(messages(chat)) == before + 1
    assert "Does your street have lights?\n   ➜ Yes" in review
    assert "How big is your family?\n   ➜ Large" in review
    await chat.press(translate("en", "✅ Send my answers"))
    assert chat.said(translate("en", "✔ Sent."))


async def test_a_location_question_after_a_pressed_answer_comes_as_a_new_message(
    chat: Chat,
) -> None:
    """Telegram carries a "Send my location" key only on a new message: the pressed answer
    stays in the message that asked it, and the location question comes below."""
    survey: list[Row] = [
        {"type": "select_one yn", "name": "lights", "label": "Does your street have lights?"},
        {"type": "geopoint", "name": "where", "label": "Where is the dark corner?"},
    ]
    await open_form(chat, survey, YES_NO)
    before = len(messages(chat))

    replies = await chat.press("No")

    assert [r["kind"] for r in replies][:2] == ["edit", "message"], replies
    assert messages(chat)[before - 1].endswith("Does your street have lights?\n➜ No")
    assert any("Where is the dark corner?" in text for text in messages(chat)[before:])
