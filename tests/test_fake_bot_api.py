"""The fake Bot API accepts what aiogram and python-telegram-bot send, and catches what Telegram
would refuse."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import telegram
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
)
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)
from aiogram.types import Update as AiogramUpdate
from aiohttp import ClientSession, web

from tests.e2e.fake_process import FakeProcess
from tests.fakes.bot_api import (
    SECRET_TOKEN_HEADER,
    FakeBotApi,
    FakeBotApiThread,
    SentRecord,
)

TOKEN = "123456:TEST-token_abc"
USER = 1001
OTHER_USER = 1002
PNG = b"\x89PNG\r\n\x1a\nfake image bytes"
REPO_ROOT = Path(__file__).resolve().parents[1]

JSONDict = dict[str, Any]


class ManualClock:
    """A clock the test moves by hand, so rate limits are checked without sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def keyboard(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    row = [InlineKeyboardButton(text=label, callback_data=data) for label, data in buttons]
    return InlineKeyboardMarkup(inline_keyboard=[row])


def aiogram_bot_for(api: FakeBotApi) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(api.url))
    return Bot(token=TOKEN, session=session)


async def call_raw(api: FakeBotApi, method: str, payload: JSONDict) -> tuple[int, JSONDict]:
    async with (
        ClientSession() as session,
        session.post(f"{api.url}/bot{TOKEN}/{method}", json=payload) as response,
    ):
        return response.status, await response.json()


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as fake:
        fake.add_user(USER, "Amina", "ar")
        fake.add_user(OTHER_USER, "Karim", "fr")
        yield fake


@pytest.fixture
async def aiogram_bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    bot = aiogram_bot_for(api)
    yield bot
    await bot.session.close()


@pytest.fixture
async def ptb_bot(api: FakeBotApi) -> AsyncIterator[telegram.Bot]:
    bot = telegram.Bot(TOKEN, base_url=f"{api.url}/bot", base_file_url=f"{api.url}/file/bot")
    async with bot:
        yield bot


WebhookReceiver = tuple[str, list[tuple[str | None, JSONDict]], list[int]]


@pytest.fixture
async def webhook_receiver() -> AsyncIterator[WebhookReceiver]:
    """A bot's webhook endpoint: records (secret header, update) and answers `statuses` in
    turn, then 200."""
    received: list[tuple[str | None, JSONDict]] = []
    statuses: list[int] = []

    async def receive(request: web.Request) -> web.Response:
        received.append((request.headers.get(SECRET_TOKEN_HEADER), await request.json()))
        return web.Response(status=statuses.pop(0) if statuses else 200)

    app = web.Application()
    app.router.add_post("/webhook", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}/webhook", received, statuses
    await runner.cleanup()


# ----------------------------------------------------------------------------- aiogram


async def test_aiogram_conversation_round_trip(api: FakeBotApi, aiogram_bot: Bot) -> None:
    me = await aiogram_bot.get_me()
    assert (me.id, me.is_bot, me.username) == (123456, True, "musharaka_test_bot")

    question = await aiogram_bot.send_message(
        USER, "هل تتطوع؟", reply_markup=keyboard(("نعم", "vol:yes"), ("لا", "vol:no"))
    )
    assert question.chat.id == USER
    assert api.last_buttons(USER) == [("نعم", "vol:yes"), ("لا", "vol:no")]

    api.user_presses_button(USER, "نعم")
    [update] = await aiogram_bot.get_updates(timeout=5)
    query = update.callback_query
    assert query is not None and query.data == "vol:yes" and query.from_user.id == USER
    assert query.message is not None and query.message.message_id == question.message_id

    assert await aiogram_bot.answer_callback_query(query.id, text="شكرا")
    edited = await aiogram_bot.edit_message_text(
        "شكرا لك", chat_id=USER, message_id=question.message_id
    )
    assert not isinstance(edited, bool) and edited.text == "شكرا لك"
    assert await aiogram_bot.send_chat_action(USER, "typing")

    [message] = api.messages_for(USER)
    assert message["text"] == "شكرا لك" and "reply_markup" not in message  # an edit drops it
    assert [record.method for record in api.sent] == [
        "sendMessage",
        "answerCallbackQuery",
        "editMessageText",
        "sendChatAction",
    ]
    assert api.unanswered_callback_queries == []
    assert api.violations == []


async def test_aiogram_files_commands_and_deletion(api: FakeBotApi, aiogram_bot: Bot) -> None:
    photo = await aiogram_bot.send_photo(
        USER,
        BufferedInputFile(PNG, "chart.png"),
        caption="<b>الأولويات</b>",
        parse_mode="HTML",
        reply_markup=keyboard(("تفاصيل", "details")),
    )
    document = await aiogram_bot.send_document(
        USER, BufferedInputFile(b"district,count\nA,3\n", "report.csv")
    )
    assert photo.caption == "الأولويات"  # markup parsed like Telegram does
    assert photo.reply_markup is not None  # the JSON-in-multipart field was decoded
    assert document.document is not None and document.document.file_name == "report.csv"
    assert document.document.mime_type == "text/csv"

    assert photo.photo is not None
    downloaded = await aiogram_bot.download(photo.photo[-1].file_id)
    assert downloaded is not None and downloaded.read() == PNG

    await aiogram_bot.set_my_commands(
        [BotCommand(command="start", description="ابدأ")], language_code="ar"
    )
    arabic = await aiogram_bot.get_my_commands(language_code="ar")
    assert [command.command for command in arabic] == ["start"]
    assert await aiogram_bot.get_my_commands() == []

    assert await aiogram_bot.delete_message(USER, document.message_id)
    assert [message["message_id"] for message in api.messages_for(USER)] == [photo.message_id]
    assert api.find_button(USER, "تفاصيل") == (photo.message_id, "details")
    assert api.violations == []


async def test_user_photos_can_be_downloaded_by_the_bot(api: FakeBotApi, aiogram_bot: Bot) -> None:
    api.add_file("registered-id", b"registered bytes")
    api.user_sends_photo(USER, PNG)
    api.user_sends_photo(USER, "registered-id")

    first, second = await aiogram_bot.get_updates()
    downloads = []
    for update in (first, second):
        assert update.message is not None and update.message.photo is not None
        downloaded = await aiogram_bot.download(update.message.photo[-1].file_id)
        assert downloaded is not None
        downloads.append(downloaded.read())
    assert downloads == [PNG, b"registered bytes"]
    assert api.violations == []


# ----------------------------------------------------------------------------- python-telegram-bot


async def test_ptb_requests_are_accepted(api: FakeBotApi, ptb_bot: telegram.Bot) -> None:
    assert ptb_bot.username == "musharaka_test_bot"
    buttons = telegram.InlineKeyboardMarkup(
        [[telegram.InlineKeyboardButton("نعم", callback_data="y")]]
    )
    question = await ptb_bot.send_message(USER, "هل أنت متطوع؟", reply_markup=buttons)

    api.user_sends_text(USER, "/start")
    api.user_presses(USER, question.message_id, "y")
    command, press = await ptb_bot.get_updates(timeout=5)
    assert command.message is not None and command.message.text == "/start"
    assert press.callback_query is not None and press.callback_query.data == "y"

    assert await ptb_bot.answer_callback_query(press.callback_query.id, text="تم")
    await ptb_bot.edit_message_text("شكرا", chat_id=USER, message_id=question.message_id)
    document = await ptb_bot.send_document(USER, b"a,b\n1,2\n", filename="data.csv", caption="ok")
    photo = await ptb_bot.send_photo(USER, PNG, caption="صورة")
    await ptb_bot.set_my_commands([telegram.BotCommand("start", "Commencer")], language_code="fr")

    french = await ptb_bot.get_my_commands(language_code="fr")
    assert [command.command for command in french] == ["start"]
    assert document.document is not None and document.document.file_name == "data.csv"
    downloaded = await (await ptb_bot.get_file(photo.photo[-1].file_id)).download_as_bytearray()
    assert bytes(downloaded) == PNG
    assert [
        message.get("text") or message.get("caption") for message in api.messages_for(USER)
    ] == [
        "شكرا",
        "ok",
        "صورة",
    ]
    assert api.violations == []


async def test_simulated_updates_parse_in_both_frameworks(
    api: FakeBotApi, aiogram_bot: Bot
) -> None:
    question = await aiogram_bot.send_message(USER, "?", reply_markup=keyboard(("A", "a")))
    text = api.user_sends_text(USER, "/start ref_42")
    updates = [
        text,
        api.user_presses(USER, question.message_id, "a"),
        api.user_shares_contact(USER, "+963911111111"),
        api.user_shares_location(USER, 33.51, 36.29),
        api.user_sends_photo(USER, PNG),
        api.user_sends_sticker(USER),
        api.user_edits_message(USER, text["message"]["message_id"], "/start ref_43"),
    ]

    parsed = [AiogramUpdate.model_validate(update) for update in updates]
    ptb_parsed = [telegram.Update.de_json(update, None) for update in updates]

    assert [update.update_id for update in parsed] == [update["update_id"] for update in updates]
    assert parsed[0].message is not None and parsed[0].message.entities is not None
    entity = parsed[0].message.entities[0]
    assert (entity.type, entity.offset, entity.length) == ("bot_command", 0, 6)
    assert ptb_parsed[2].message is not None and ptb_parsed[2].message.contact is not None
    assert ptb_parsed[2].message.contact.user_id == USER
    assert ptb_parsed[3].message is not None and ptb_parsed[3].message.location is not None
    assert ptb_parsed[5].message is not None and ptb_parsed[5].message.sticker is not None
    assert ptb_parsed[6].edited_message is not None
    assert ptb_parsed[6].edited_message.text == "/start ref_43"


async def test_a_voice_note_reaches_both_runtimes_as_a_voice_event(
    api: FakeBotApi, aiogram_bot: Bot
) -> None:
    from bot.channels import aiogram_runtime, ptb_runtime
    from bot.engine.events import EventKind

    update = api.user_sends_voice(USER)
    from_aiogram = aiogram_runtime.event_of(AiogramUpdate.model_validate(update))
    from_ptb = ptb_runtime.event_of(telegram.Update.de_json(update, None))
    assert from_aiogram == from_ptb
    assert from_aiogram is not None and from_aiogram.kind == EventKind.VOICE
    file_id = update["message"]["voice"]["file_id"]
    assert from_aiogram.voice_file_id == file_id
    assert await aiogram_bot.download(file_id) is not None  # the bot can fetch the note


@pytest.mark.parametrize(
    ("send", "kind", "field"),
    [
        ("user_sends_voice", "voice", "voice"),
        ("user_sends_audio", "audio", "audio"),
        ("user_sends_video", "video", "video"),
        ("user_sends_video_note", "video_note", "video_note"),
        ("user_sends_document", "document", "document"),
    ],
)
async def test_files_reach_both_runtimes_with_their_id_size_and_type(
    api: FakeBotApi, aiogram_bot: Bot, ptb_bot: telegram.Bot, send: str, kind: str, field: str
) -> None:
    from bot.channels import aiogram_runtime, ptb_runtime
    from bot.engine.events import ATTACHMENTS, EventKind

    update = getattr(api, send)(USER)
    from_aiogram = aiogram_runtime.event_of(AiogramUpdate.model_validate(update))
    from_ptb = ptb_runtime.event_of(telegram.Update.de_json(update, None))
    assert from_aiogram == from_ptb
    assert from_aiogram is not None and from_aiogram.kind == EventKind(kind) in ATTACHMENTS
    sent = update["message"][field]
    assert from_aiogram.file_id == sent["file_id"]
    assert from_aiogram.file_size == sent["file_size"]
    assert from_aiogram.mime_type == sent.get("mime_type", "")
    assert from_aiogram.file_name == sent.get("file_name", "")
    assert await aiogram_bot.download(sent["file_id"]) is not None
    # Both runtimes' messengers fetch the bytes for the file store.
    fetched = await aiogram_runtime.AiogramMessenger(aiogram_bot).download(sent["file_id"])
    assert fetched and fetched == await ptb_runtime.PtbMessenger(ptb_bot).download(sent["file_id"])


# ----------------------------------------------------------------------------- update delivery


async def test_long_poll_returns_as_soon_as_a_user_writes(
    api: FakeBotApi, aiogram_bot: Bot
) -> None:
    poll = asyncio.create_task(aiogram_bot.get_updates(timeout=30))
    await api.wait_until(lambda: api.polls_waiting == 1)
    [in_flight] = api.requests
    assert (in_flight.method, in_flight.status) == ("getUpdates", None)

    api.user_sends_text(USER, "مرحبا")
    [update] = await asyncio.wait_for(poll, timeout=5)
    assert update.message is not None and update.message.text == "مرحبا"
    assert in_flight.status == 200


async def test_get_updates_honours_offset_limit_and_allowed_updates(
    api: FakeBotApi, aiogram_bot: Bot
) -> None:
    first = api.user_sends_text(USER, "one")
    api.user_sends_text(USER, "two")
    api.user_edits_message(USER, first["message"]["message_id"], "one, edited")

    two = await aiogram_bot.get_updates(limit=2)
    assert [update.message.text for update in two if update.message] == ["one", "two"]
    again = await aiogram_bot.get_updates()  # nothing confirmed yet: all three again
    assert len(again) == 3

    only_messages = await aiogram_bot.get_updates(
        offset=two[-1].update_id + 1, allowed_updates=["message"]
    )
    assert only_messages == []  # the edited_message is not an allowed kind
    assert api.pending_update_count == 0
    assert api.violations == []


async def test_redelivered_update_arrives_again(api: FakeBotApi, aiogram_bot: Bot) -> None:
    update = api.user_sends_text(USER, "/start")
    [first] = await aiogram_bot.get_updates()
    api.redeliver(update["update_id"])

    [duplicate] = await aiogram_bot.get_updates(offset=first.update_id + 1)
    assert duplicate.update_id == first.update_id
    assert await aiogram_bot.get_updates(offset=first.update_id + 1) == []


async def test_webhook_delivers_with_secret_and_redelivers_after_500(
    api: FakeBotApi,
    aiogram_bot: Bot,
    webhook_receiver: WebhookReceiver,
) -> None:
    url, received, statuses = webhook_receiver
    statuses.append(500)
    assert await aiogram_bot.set_webhook(url, secret_token="s3cret_token-1")

    update = api.user_sends_text(USER, "hello")
    await api.wait_until(lambda: len(api.webhook_attempts) == 2)

    assert [(attempt.update_id, attempt.status) for attempt in api.webhook_attempts] == [
        (update["update_id"], 500),
        (update["update_id"], 200),
    ]
    assert received == [("s3cret_token-1", update)] * 2
    info = await aiogram_bot.get_webhook_info()
    assert info.url == url and info.pending_update_count == 0
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"

    with pytest.raises(TelegramConflictError):
        await aiogram_bot.get_updates()
    [violation] = api.violations
    assert "Conflict: can't use getUpdates method while webhook is active" in violation

    assert await aiogram_bot.delete_webhook()
    api.user_sends_text(USER, "polling again")
    [polled] = await aiogram_bot.get_updates()
    assert polled.message is not None and polled.message.text == "polling again"


async def test_form_and_query_parameters_and_any_method_case(api: FakeBotApi) -> None:
    markup = json.dumps({"inline_keyboard": [[{"text": "نعم", "callback_data": "yes"}]]})
    async with ClientSession() as session:
        form = {"chat_id": str(USER), "text": "سؤال", "reply_markup": markup}
        async with session.post(f"{api.url}/bot{TOKEN}/SENDMESSAGE", data=form) as response:
            sent = await response.json()
        query = {"chat_id": str(USER), "action": "typing"}
        async with session.get(f"{api.url}/bot{TOKEN}/sendchataction", params=query) as response:
            action = await response.json()

    assert sent["result"]["reply_markup"] == json.loads(markup)
    assert action == {"ok": True, "result": True}
    assert [(request.method, request.params["chat_id"]) for request in api.requests] == [
        ("sendMessage", USER),
        ("sendChatAction", USER),
    ]
    assert api.violations == []


# ----------------------------------------------------------------------------- violations


async def test_limits_of_text_and_callback_data(api: FakeBotApi, aiogram_bot: Bot) -> None:
    await aiogram_bot.send_message(USER, "x" * 4096, reply_markup=keyboard(("ok", "أ" * 32)))
    assert api.violations == []  # 4096 characters and 64 bytes are still allowed

    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await aiogram_bot.send_message(USER, "?", reply_markup=keyboard(("ok", "أ" * 33)))
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await aiogram_bot.send_message(USER, "x" * 4097)
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await aiogram_bot.send_photo(USER, BufferedInputFile(PNG, "p.png"), caption="c" * 1025)

    assert [violation.split(":", 1)[0] for violation in api.violations] == [
        f"sendMessage(chat_id={USER})",
        f"sendMessage(chat_id={USER})",
        f"sendPhoto(chat_id={USER})",
    ]
    assert "66 bytes" in api.violations[0]
    assert "4097 characters" in api.violations[1]
    assert len(api.messages_for(USER)) == 1


@pytest.mark.parametrize(
    ("method", "payload", "status", "description"),
    [
        ("sendMessage", {"text": "hi"}, 400, "Bad Request: chat_id is empty"),
        ("sendMessage", {"chat_id": 999, "text": "hi"}, 400, "Bad Request: chat not found"),
        ("sendMesage", {"chat_id": USER, "text": "hi"}, 404, "Not Found"),
        (
            "sendMessage",
            {"chat_id": USER, "text": "hi", "parse_mod": "HTML"},
            400,
            'Bad Request: unknown parameter "parse_mod"',
        ),
        (
            "sendMessage",
            {"chat_id": USER, "text": "   "},
            400,
            "Bad Request: message text is empty",
        ),
        (
            "sendMessage",
            {"chat_id": USER, "text": "1 <br> 2", "parse_mode": "HTML"},
            400,
            'Bad Request: can\'t parse entities: Unsupported start tag "br" at byte offset 2',
        ),
        (
            "sendMessage",
            {"chat_id": USER, "text": "hi", "reply_markup": {"inline_keyboard": [[{"text": "x"}]]}},
            400,
            "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the "
            "inline keyboard",
        ),
        (
            "sendMessage",
            {
                "chat_id": USER,
                "text": "hi",
                "reply_markup": {"inline_keyboard": [[{"text": "x", "callback_data": 7}]]},
            },
            400,
            "Bad Request: can't parse reply_markup",
        ),
        ("answerCallbackQuery", {"callback_query_id": "42"}, 400, "Bad Request: query is too old"),
        ("getFile", {"file_id": "nope"}, 400, "Bad Request: invalid file_id"),
    ],
)
async def test_invalid_requests_are_refused_and_recorded(
    api: FakeBotApi, method: str, payload: JSONDict, status: int, description: str
) -> None:
    answer_status, body = await call_raw(api, method, payload)

    assert answer_status == status
    assert body["ok"] is False and body["error_code"] == status
    assert body["description"].startswith(description)
    [violation] = api.violations
    assert description in violation
    assert api.sent == []


async def test_inline_keyboard_size_limits(api: FakeBotApi) -> None:
    nine_in_a_row = [[{"text": str(n), "callback_data": str(n)} for n in range(9)]]
    too_many = [[{"text": str(n), "callback_data": str(n)}] for n in range(101)]
    for rows in (nine_in_a_row, too_many):
        payload = {"chat_id": USER, "text": "?", "reply_markup": {"inline_keyboard": rows}}
        status, _ = await call_raw(api, "sendMessage", payload)
        assert status == 400
    assert "row 0 has 9 buttons, at most 8" in api.violations[0]
    assert "101 buttons, at most 100" in api.violations[1]


async def test_edits_and_answers_follow_message_state(api: FakeBotApi, aiogram_bot: Bot) -> None:
    question = await aiogram_bot.send_message(USER, "?", reply_markup=keyboard(("A", "a")))
    user_message = api.user_sends_text(USER, "hello")["message"]["message_id"]
    query_id = api.user_presses(USER, question.message_id, "a")["callback_query"]["id"]

    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await aiogram_bot.edit_message_text(
            "?", chat_id=USER, message_id=question.message_id, reply_markup=keyboard(("A", "a"))
        )
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await aiogram_bot.edit_message_text("!", chat_id=USER, message_id=user_message)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await aiogram_bot.edit_message_text("!", chat_id=USER, message_id=999)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await aiogram_bot.edit_message_text("!", chat_id=OTHER_USER, message_id=question.message_id)
    assert await aiogram_bot.edit_message_reply_markup(
        chat_id=USER, message_id=question.message_id, reply_markup=keyboard(("B", "b"))
    )
    assert await aiogram_bot.answer_callback_query(query_id)
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await aiogram_bot.answer_callback_query(query_id)

    assert api.last_buttons(USER) == [("B", "b")]
    assert len(api.violations) == 5
    assert "already answered" in api.violations[-1]


async def test_user_presses_only_buttons_that_exist(api: FakeBotApi, aiogram_bot: Bot) -> None:
    question = await aiogram_bot.send_message(USER, "?", reply_markup=keyboard(("A", "a")))
    with pytest.raises(ValueError, match="has no button"):
        api.user_presses(USER, question.message_id, "forged")
    with pytest.raises(LookupError, match="no button 'Z'"):
        api.find_button(USER, "Z")
    with pytest.raises(ValueError, match="call add_user first"):
        api.user_sends_text(4242, "hi")


# ----------------------------------------------------------------------------- limit mode


async def test_limit_mode_allows_one_message_per_second_per_chat() -> None:
    clock = ManualClock()
    async with FakeBotApi(limit_mode=True, clock=clock) as api:
        api.add_user(USER)
        bot = aiogram_bot_for(api)
        try:
            await bot.send_message(USER, "first")
            with pytest.raises(TelegramRetryAfter) as throttled:
                await bot.send_message(USER, "too soon")
            clock.now += 1.0
            await bot.send_message(USER, "a second later")
        finally:
            await bot.session.close()

        assert throttled.value.retry_after == 1
        assert api.throttled == 1
        assert [message["text"] for message in api.messages_for(USER)] == [
            "first",
            "a second later",
        ]
        assert [record.method for record in api.sent] == ["sendMessage", "sendMessage"]
        assert api.violations == []


async def test_limit_mode_allows_thirty_messages_per_rolling_second() -> None:
    clock = ManualClock()
    async with FakeBotApi(limit_mode=True, clock=clock) as api:
        for user_id in range(1, 41):
            api.add_user(user_id)

        async def send(user_id: int) -> tuple[int, JSONDict]:
            return await call_raw(api, "sendMessage", {"chat_id": user_id, "text": "news"})

        statuses = [(await send(user_id))[0] for user_id in range(1, 11)]
        clock.now += 0.5
        statuses += [(await send(user_id))[0] for user_id in range(11, 31)]
        clock.now += 0.4
        status, body = await send(31)
        clock.now += 0.1  # the first ten are now a whole second old
        statuses += [(await send(user_id))[0] for user_id in range(31, 41)]

    assert statuses == [200] * 40
    assert status == 429
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    assert api.throttled == 1
    assert len(api.sent) == 40


async def test_blocked_user_gets_403(api: FakeBotApi, aiogram_bot: Bot) -> None:
    api.block_user(USER)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await aiogram_bot.send_message(USER, "hi")
    status, body = await call_raw(api, "sendMessage", {"chat_id": USER, "text": "hi"})
    with pytest.raises(ValueError, match="blocked the bot"):
        api.user_sends_text(USER, "hi")

    assert (status, body["description"]) == (403, "Forbidden: bot was blocked by the user")
    assert api.violations == [] and api.sent == []
    api.unblock_user(USER)
    await aiogram_bot.send_message(USER, "welcome back")
    assert len(api.sent) == 1


# ----------------------------------------------------------------------------- sync use and CLI


def _post_json(url: str, payload: JSONDict) -> tuple[int, JSONDict]:
    """(HTTP status, JSON body) of a synchronous POST."""
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.load(error)


def test_thread_helper_serves_synchronous_tests() -> None:
    with FakeBotApiThread() as fake:
        fake.add_user(USER, "Amina", "ar")
        fake.user_sends_text(USER, "/start")
        _, updates = _post_json(f"{fake.url}/bot{TOKEN}/getUpdates", {"timeout": 1})
        _, sent = _post_json(
            f"{fake.url}/bot{TOKEN}/sendMessage",
            {
                "chat_id": USER,
                "text": "أهلا",
                "reply_markup": {"inline_keyboard": [[{"text": "ابدأ", "callback_data": "go"}]]},
            },
        )
        refused, _ = _post_json(f"{fake.url}/bot{TOKEN}/sendMessage", {"chat_id": USER})

        [shown] = fake.wait_for_messages(USER, 1)
        record = fake.wait_for(lambda record: record.method == "sendMessage")
        assert fake.find_button(USER, "ابدأ") == (shown["message_id"], "go")
        fake.user_presses_button(USER, "ابدأ")
        violations = fake.violations

    assert updates["result"][0]["message"]["text"] == "/start"
    assert sent["result"]["message_id"] == shown["message_id"] == record.message_id
    assert refused == 400
    assert violations == ["sendMessage(chat_id=1001): Bad Request: message text is empty"]


def test_command_line_entry_prints_its_url() -> None:
    with subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.bot_api", "--port", "0", "--user", "1001:Amina:ar"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    ) as server:
        try:
            assert server.stdout is not None
            url = server.stdout.readline().strip()
            status, _ = _post_json(f"{url}/bot{TOKEN}/sendMessage", {"chat_id": USER, "text": "hi"})
        finally:
            server.terminate()
    assert url.startswith("http://127.0.0.1:")
    assert status == 200


async def test_in_its_own_process_the_fake_is_driven_by_its_control_routes(
    tmp_path: Path,
) -> None:
    log = tmp_path / "fake.log"
    async with FakeProcess(limit_mode=True, log_path=log) as fake, ClientSession() as client:
        heard: list[SentRecord] = []
        fake.sent_listeners.append(heard.append)
        await fake.add_people([(USER, "Amina", "ar"), (OTHER_USER, "Omar", "en")])

        async def call(method: str, **params: Any) -> int:
            async with client.post(f"{fake.url}/bot{TOKEN}/{method}", json=params) as response:
                return response.status

        first = await call("sendMessage", chat_id=USER, text=" <b>أهلا</b> ", parse_mode="HTML")
        too_soon = await call("sendMessage", chat_id=USER, text="again")  # 1/s per chat
        other = await call("sendMessage", chat_id=OTHER_USER, text="hello")
        edited = await call("editMessageText", chat_id=OTHER_USER, message_id=1, text="hi")
        refused = await call("sendMessage", chat_id=OTHER_USER)  # no text: a violation
        records = await fake.records()
        assert await fake.records() == records  # polled incrementally: nothing twice

    assert (first, too_soon, other, edited, refused) == (200, 429, 200, 200, 400)
    assert [(r.method, r.chat_id, r.message_id, r.params) for r in records] == [
        ("sendMessage", USER, 1, {"text": "أهلا"}),  # as the chat shows it
        ("sendMessage", OTHER_USER, 1, {"text": "hello"}),
        ("editMessageText", OTHER_USER, 1, {"text": "hi"}),
    ]
    assert heard == records
    assert records[0].timestamp <= records[1].timestamp <= records[2].timestamp
    assert fake.messages_for(OTHER_USER) == [{"message_id": 1, "text": "hi"}]
    assert fake.throttled == 1
    assert fake.violations == [
        f"sendMessage(chat_id={OTHER_USER}): Bad Request: message text is empty"
    ]
    assert "message text is empty" in log.read_text()  # the server's log: its violations
