"""Both runtimes read any Telegram update into the same engine Event, so every flow behaves the
same on aiogram and on python-telegram-bot; and both map Bot API errors the same way."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
import telegram
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter
from aiogram.methods import SendMessage
from aiogram.types import Update as AiogramUpdate
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.channels import aiogram_runtime, ptb_runtime
from bot.channels.base import EditFailed, MessageNotModified
from bot.engine.events import EventKind
from bot.engine.messenger import DeliveryError, RateLimited, RecipientUnreachable

USER = {"id": 7001, "is_bot": False, "first_name": "سلمى", "language_code": "ar"}
CHAT = {"id": 7001, "type": "private", "first_name": "سلمى"}
BOT_MESSAGE = {
    "message_id": 3,
    "date": 0,
    "chat": CHAT,
    "from": {"id": 1, "is_bot": True, "first_name": "bot"},
    "text": "سؤال",
}
TEXTS = st.one_of(
    st.text(min_size=1, max_size=50),
    st.sampled_from(["/start survey_needs_survey_thala", "/START", "٣٤", "😀", "ب" * 5000]),
)


def message(content: dict[str, Any], message_id: int, chat: dict[str, Any]) -> dict[str, Any]:
    return {"message_id": message_id, "date": 0, "chat": chat, "from": USER, **content}


CONTENTS = st.one_of(
    TEXTS.map(lambda t: {"text": t}),
    TEXTS.map(lambda t: {"caption": t, "photo": [
        {"file_id": "p1", "file_unique_id": "u1", "width": 1, "height": 1}]}),
    st.just({"voice": {"file_id": "v1", "file_unique_id": "vu", "duration": 3}}),
    st.just({"audio": {"file_id": "a1", "file_unique_id": "au", "duration": 3,
                       "mime_type": "audio/mpeg", "file_size": 99, "file_name": "a.mp3"}}),
    st.just({"video": {"file_id": "m1", "file_unique_id": "mu", "duration": 3, "width": 2,
                       "height": 2, "file_size": 99}}),
    st.just({"video_note": {"file_id": "n1", "file_unique_id": "nu", "duration": 3,
                            "length": 2}}),
    TEXTS.map(lambda t: {"caption": t, "document": {
        "file_id": "d1", "file_unique_id": "du", "file_name": t[:20], "mime_type": "text/csv",
        "file_size": 2**31 + 5}}),
    st.just({"sticker": {"file_id": "s", "file_unique_id": "su", "type": "regular", "width": 1,
                         "height": 1, "is_animated": False, "is_video": False}}),
    st.builds(lambda lat, lon: {"location": {"latitude": lat, "longitude": lon}},
              st.floats(-90, 90), st.floats(-180, 180)),
    st.builds(lambda phone, uid: {"contact": {"phone_number": phone, "first_name": "x",
                                              **({"user_id": uid} if uid else {})}},
              st.sampled_from(["+21698000000", "٠٩٨"]), st.sampled_from([None, 7001, 9])),
)  # fmt: skip
CHATS = st.sampled_from([CHAT, {"id": -100, "type": "group", "title": "g"}])
UPDATES = st.one_of(
    st.builds(lambda c, mid, chat: {"message": message(c, mid, chat)},
              CONTENTS, st.integers(1, 10**6), CHATS),
    st.builds(lambda c, mid: {"edited_message": {**message(c, mid, CHAT), "edit_date": 1}},
              CONTENTS, st.integers(1, 10**6)),
    st.builds(lambda data: {"callback_query": {"id": "42", "from": USER, "chat_instance": "i",
                                               "message": BOT_MESSAGE, "data": data}},
              st.text(max_size=64)),
)  # fmt: skip


@settings(max_examples=150)
@given(UPDATES, st.integers(1, 2**31))
def test_both_runtimes_read_any_update_into_the_same_event(
    update: dict[str, Any], update_id: int
) -> None:
    raw = {"update_id": update_id, **update}
    from_aiogram = aiogram_runtime.event_of(AiogramUpdate.model_validate(raw))
    from_ptb = ptb_runtime.event_of(telegram.Update.de_json(raw, None))
    assert from_aiogram == from_ptb
    assert from_aiogram is not None and from_aiogram.update_id == update_id
    if "sticker" in str(update.get("message", {}).keys()):
        assert from_aiogram.kind == EventKind.OTHER
    if "voice" in str(update.get("message", {}).keys()):
        assert from_aiogram.kind == EventKind.VOICE and from_aiogram.voice_file_id == "v1"
    for field, file_id in (
        ("audio", "a1"),
        ("video", "m1"),
        ("video_note", "n1"),
        ("document", "d1"),
    ):
        if field in update.get("message", {}):
            assert from_aiogram.kind == EventKind(field) and from_aiogram.file_id == file_id


AIOGRAM_METHOD = SendMessage(chat_id=1, text="x")
with warnings.catch_warnings():  # PTB 22 warns that retry_after will become a timedelta
    warnings.simplefilter("ignore")
    PTB_RETRY_AFTER = RetryAfter(7)
ERRORS = [
    (TelegramRetryAfter(AIOGRAM_METHOD, "Too Many Requests", 7), PTB_RETRY_AFTER, RateLimited),
    (
        TelegramForbiddenError(AIOGRAM_METHOD, "Forbidden: bot was blocked by the user"),
        Forbidden("Forbidden: bot was blocked by the user"),
        RecipientUnreachable,
    ),
    (
        TelegramBadRequest(AIOGRAM_METHOD, "Bad Request: chat not found"),
        BadRequest("Chat not found"),
        RecipientUnreachable,
    ),
    (
        TelegramBadRequest(AIOGRAM_METHOD, "Bad Request: message is not modified: same"),
        BadRequest("Message is not modified: same"),
        MessageNotModified,
    ),
    (
        TelegramBadRequest(AIOGRAM_METHOD, "Bad Request: message to edit not found"),
        BadRequest("Message to edit not found"),
        EditFailed,
    ),
    (
        TelegramBadRequest(AIOGRAM_METHOD, "Bad Request: message is too long"),
        BadRequest("Message is too long"),
        DeliveryError,
    ),
    (None, TimedOut(), DeliveryError),
    (None, NetworkError("connection reset"), DeliveryError),
]


@pytest.mark.parametrize(("aiogram_error", "ptb_error", "expected"), ERRORS)
def test_both_runtimes_map_bot_api_errors_alike(
    aiogram_error: Exception | None, ptb_error: Exception, expected: type[Exception]
) -> None:
    caught: list[Exception] = []
    for translate, error in (
        (aiogram_runtime.translate_errors, aiogram_error),
        (ptb_runtime.translate_errors, ptb_error),
    ):
        if error is None:
            continue
        with pytest.raises(expected) as raised, translate():
            raise error
        assert type(raised.value) is expected
        caught.append(raised.value)
    if expected is RateLimited:
        assert [e.retry_after for e in caught] == [7.0, 7.0]  # type: ignore[attr-defined]
