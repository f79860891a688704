"""The aiogram 3 adapter: updates in as Events, Replies out as Bot API calls."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
)
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import ClientError, ClientTimeout, web
from pydantic import ValidationError

from bot.channels.base import ChannelMessenger, EditFailed, MessageNotModified
from bot.channels.commands import published_commands, secret_matches, webhook_secret_for
from bot.channels.convert import IncomingMessage, attachment, button_event, message_event
from bot.channels.lifecycle import wait_for_stop_signal
from bot.engine.engine import Engine
from bot.engine.events import Event
from bot.engine.messenger import DeliveryError, RateLimited, RecipientUnreachable
from bot.engine.replies import Buttons, Document, Edit, KeyboardButton, Photo, Text
from core.config import SUPPORTED_LANGUAGES, Settings

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]


def inline_markup(buttons: Buttons | None) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text=b.label, url=b.url)
                if b.url
                else InlineKeyboardButton(text=b.label, callback_data=b.payload)
                for b in row
            ]
            for row in buttons
        ]
    )


def inline_markup_json(buttons: Buttons | None) -> dict[str, Any] | None:
    if not buttons:
        return None
    return {
        "inline_keyboard": [
            [
                {"text": b.label, "url": b.url}
                if b.url
                else {"text": b.label, "callback_data": b.payload}
                for b in row
            ]
            for row in buttons
        ]
    }


def reply_markup_json(reply: Text) -> dict[str, Any] | None:
    if reply.buttons:
        return inline_markup_json(reply.buttons)
    if reply.keyboard:
        return {
            "keyboard": [[_key_json(k) for k in row] for row in reply.keyboard],
            "resize_keyboard": True,
            "one_time_keyboard": True,
        }
    if reply.remove_keyboard:
        return {"remove_keyboard": True}
    return None


def _key_json(button: KeyboardButton) -> dict[str, Any]:
    key: dict[str, Any] = {"text": button.label}
    if button.request == "contact":
        key["request_contact"] = True
    elif button.request == "location":
        key["request_location"] = True
    return key


def raise_for_answer(status: int, answer: dict[str, Any]) -> None:
    """Telegram's refusal as the engine's delivery error (what ``translate_errors`` does
    for aiogram's own calls)."""
    description = str(answer.get("description", f"HTTP {status}"))
    text = description.lower()
    if status == 429:
        retry_after = (answer.get("parameters") or {}).get("retry_after", 1)
        raise RateLimited(float(retry_after))
    if status == 403:
        raise RecipientUnreachable(description)
    if status == 400:
        if "message is not modified" in text:
            raise MessageNotModified(description)
        if "chat not found" in text or "user is deactivated" in text:
            raise RecipientUnreachable(description)
        if "message to edit not found" in text or "can't be edited" in text:
            raise EditFailed(description)
    raise DeliveryError(description)


@contextmanager
def translate_errors() -> Iterator[None]:
    """Map aiogram's exceptions onto the engine's delivery errors."""
    try:
        yield
    except TelegramRetryAfter as exc:
        raise RateLimited(float(exc.retry_after)) from exc
    except TelegramForbiddenError as exc:
        raise RecipientUnreachable(str(exc)) from exc
    except TelegramBadRequest as exc:
        text = str(exc).lower()
        if "message is not modified" in text:
            raise MessageNotModified(str(exc)) from exc
        if "chat not found" in text or "user is deactivated" in text:
            raise RecipientUnreachable(str(exc)) from exc
        if "message to edit not found" in text or "can't be edited" in text:
            raise EditFailed(str(exc)) from exc
        raise DeliveryError(str(exc)) from exc
    except (TelegramAPIError, TelegramNetworkError) as exc:
        raise DeliveryError(str(exc)) from exc


class AiogramMessenger(ChannelMessenger):
    def __init__(self, bot: Bot, *, allow_paid_broadcast: bool = False) -> None:
        self.bot = bot
        # Paid broadcasts (Telegram Stars) lift the 30 messages/s limit; the broadcast
        # sender's messenger sets it when MUSHARAKA_PAID_BROADCASTS is on.
        self.allow_paid_broadcast = allow_paid_broadcast or None

    async def post(self, method: str, payload: dict[str, Any]) -> Any:
        """One Bot API call as plain JSON, for the calls every update makes.

        aiogram's own path builds a pydantic model of the method, a multipart form and a
        pydantic model of the answer: under bench/throughput.py that was about a fifth of
        the bot's CPU (py-spy), for answers of which the bot reads one number."""
        session = self.bot.session
        http = await session.create_session()  # type: ignore[attr-defined]
        url = session.api.api_url(token=self.bot.token, method=method)
        body = json.dumps({k: v for k, v in payload.items() if v is not None})
        try:
            async with http.post(
                url,
                data=body,
                headers={"Content-Type": "application/json"},
                timeout=ClientTimeout(total=session.timeout),
            ) as response:
                answer = json.loads(await response.read())
        except (TimeoutError, ClientError, ValueError) as exc:
            raise DeliveryError(f"{method}: {exc!r}") from exc
        if not isinstance(answer, dict) or not answer.get("ok"):
            raise_for_answer(response.status, answer if isinstance(answer, dict) else {})
        return answer["result"]

    async def send_text(self, chat_id: int, reply: Text) -> int:
        message = await self.post(
            "sendMessage",
            {
                "chat_id": chat_id,
                "text": reply.text,
                "reply_markup": reply_markup_json(reply),
                "allow_paid_broadcast": self.allow_paid_broadcast,
            },
        )
        return int(message["message_id"])

    async def edit_text(self, chat_id: int, message_id: int, reply: Edit) -> None:
        await self.post(
            "editMessageText",
            {
                "chat_id": chat_id,
                "message_id": message_id,
                "text": reply.text,
                "reply_markup": inline_markup_json(reply.buttons),
            },
        )

    async def send_document(self, chat_id: int, reply: Document) -> int:
        with translate_errors():
            message = await self.bot.send_document(
                chat_id,
                BufferedInputFile(reply.data, filename=reply.filename),
                caption=reply.caption or None,
            )
        return message.message_id

    async def send_photo(self, chat_id: int, reply: Photo) -> int:
        photo: Any = reply.file_id or BufferedInputFile(reply.data, filename="image.png")
        with translate_errors():
            message = await self.bot.send_photo(
                chat_id,
                photo,
                caption=reply.caption or None,
                reply_markup=inline_markup(reply.buttons),
                allow_paid_broadcast=self.allow_paid_broadcast,
            )
        return message.message_id

    async def download(self, file_id: str) -> bytes:
        with translate_errors():
            found = await self.bot.download(file_id)
        if found is None:
            raise DeliveryError(f"no file {file_id}")
        return found.read()

    async def answer_callback(self, callback_id: str, text: str, alert: bool) -> None:
        await self.post(
            "answerCallbackQuery",
            {"callback_query_id": callback_id, "text": text or None, "show_alert": alert or None},
        )


def incoming(message: Message, update_id: int, edited: bool = False) -> IncomingMessage:
    user = message.from_user
    photo = message.photo[-1].file_id if message.photo else ""
    return IncomingMessage(
        user_id=user.id if user else message.chat.id,
        chat_id=message.chat.id,
        is_private=message.chat.type == "private",
        text=message.text or message.caption or "",
        phone=message.contact.phone_number if message.contact else "",
        contact_user_id=message.contact.user_id if message.contact else None,
        latitude=message.location.latitude if message.location else None,
        longitude=message.location.longitude if message.location else None,
        photo_file_id=photo,
        voice_file_id=message.voice.file_id if message.voice else "",
        **attachment(message),
        edited=edited,
        update_id=update_id,
        message_id=message.message_id,
        language_code=user.language_code if user else None,
        first_name=user.first_name if user else "",
        username=(user.username or "") if user else "",
    )


def button_of(query: CallbackQuery, update_id: int) -> Event:
    chat = query.message.chat if query.message else None
    return button_event(
        user_id=query.from_user.id,
        chat_id=chat.id if chat else query.from_user.id,
        payload=query.data or "",
        callback_id=query.id,
        message_id=query.message.message_id if query.message else None,
        update_id=update_id,
        language_code=query.from_user.language_code,
        first_name=query.from_user.first_name,
        username=query.from_user.username or "",
        is_private=chat is None or chat.type == "private",
    )


def event_of(update: Update) -> Event | None:
    """The engine's Event for an aiogram update, or None for kinds the bot does not read."""
    if update.callback_query is not None:
        return button_of(update.callback_query, update.update_id)
    if update.message is not None:
        return message_event(incoming(update.message, update.update_id))
    if update.edited_message is not None:
        return message_event(incoming(update.edited_message, update.update_id, edited=True))
    return None


def build_dispatcher(engine: Engine, messenger: AiogramMessenger) -> Dispatcher:
    router = Router(name="musharaka")

    @router.message()
    async def on_message(message: Message, event_update: Update) -> None:
        event = message_event(incoming(message, event_update.update_id))
        await messenger.deliver(event, await engine.handle(event))

    @router.edited_message()
    async def on_edited(message: Message, event_update: Update) -> None:
        event = message_event(incoming(message, event_update.update_id, edited=True))
        await messenger.deliver(event, await engine.handle(event))

    @router.callback_query()
    async def on_button(query: CallbackQuery, event_update: Update) -> None:
        event = button_of(query, event_update.update_id)
        await messenger.deliver(event, await engine.handle(event))

    # The engine keeps every conversation's state: aiogram's own FSM (a storage look-up and a
    # context object per update) would only cost time.
    dispatcher = Dispatcher(disable_fsm=True)
    dispatcher.include_router(router)
    return dispatcher


# aiogram reads every answer of Telegram as ``Response[<the method's return type>]``; pydantic
# keeps such generic models only while something refers to them, so in a busy process (where
# the garbage collector runs often) each call built the model anew: ~0.5 ms, 6 % of the bot's
# CPU under bench/throughput.py (py-spy). Holding each one here makes it a dictionary look-up.
_RESPONSE_TYPES: dict[Any, Any] = {}


class KeptResponseTypesSession(AiohttpSession):
    def check_response(
        self, bot: Bot, method: TelegramMethod[Any], status_code: int, content: str
    ) -> Response[Any]:
        returning = method.__returning__
        if returning not in _RESPONSE_TYPES:
            _RESPONSE_TYPES[returning] = Response[returning]  # type: ignore[valid-type]
        return super().check_response(bot, method, status_code, content)


def build_bot(settings: Settings) -> Bot:
    assert settings.bot_token
    session = KeptResponseTypesSession(
        api=TelegramAPIServer.from_base(settings.bot_api_url.rstrip("/"))
    )
    return Bot(settings.bot_token, session=session)


@asynccontextmanager
async def sending_only(settings: Settings) -> AsyncIterator[AiogramMessenger]:
    """A messenger for processes that send but take no updates (the scheduler)."""
    bot = build_bot(settings)
    try:
        yield AiogramMessenger(bot)
    finally:
        await bot.session.close()


async def publish_commands(bot: Bot, engine: Engine) -> None:
    default = engine.services.settings.default_language
    for language in (*SUPPORTED_LANGUAGES, None):
        commands = published_commands(engine.registry, language or default)
        await bot.set_my_commands(
            [BotCommand(command=c, description=d) for c, d in commands], language_code=language
        )


async def run(engine: Engine, settings: Settings) -> None:
    bot = build_bot(settings)
    messenger = AiogramMessenger(bot)
    engine.services.messenger = messenger
    dispatcher = build_dispatcher(engine, messenger)
    await publish_commands(bot, engine)
    if settings.webhook_url:
        await _run_webhook(bot, dispatcher, settings)
    else:
        await bot.delete_webhook(drop_pending_updates=False)
        log.info("aiogram runtime: long polling")
        await dispatcher.start_polling(bot, allowed_updates=ALLOWED_UPDATES)


class CheckedRequestHandler(SimpleRequestHandler):
    """aiogram's webhook handler, made safe against what strangers post: a secret header that
    is not ASCII is a wrong secret (401, not 500), and a body that is not an update is 400."""

    def verify_secret(self, telegram_secret_token: str, bot: Bot) -> bool:
        return self.secret_token is None or secret_matches(telegram_secret_token, self.secret_token)

    async def _handle_request(self, bot: Bot, request: web.Request) -> web.Response:
        try:
            update = await request.json(loads=bot.session.json_loads)
            if not isinstance(update, dict):
                raise ValueError("not an object")
            Update.model_validate(update, context={"bot": bot})
        except (ValueError, ValidationError) as exc:
            log.warning("unreadable webhook body: %s", exc)
            return web.Response(status=400, text="Bad Request")
        result: Any = await self.dispatcher.feed_webhook_update(bot, update, **self.data)
        return web.Response(body=self._build_response_writer(bot=bot, result=result))


async def _run_webhook(bot: Bot, dispatcher: Dispatcher, settings: Settings) -> None:
    from aiogram.webhook.aiohttp_server import setup_application

    assert settings.bot_token and settings.webhook_url
    secret = settings.webhook_secret or webhook_secret_for(settings.bot_token)
    app = web.Application()
    # handle_in_background=False: answer Telegram only after the update is handled, so a
    # crash mid-way gets the update re-delivered (the engine de-duplicates it).
    CheckedRequestHandler(
        dispatcher, bot, secret_token=secret, handle_in_background=False
    ).register(app, path=settings.webhook_path)
    setup_application(app, dispatcher, bot=bot)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, settings.webhook_host, settings.webhook_port)
    await site.start()
    await bot.set_webhook(
        settings.webhook_url, secret_token=secret, allowed_updates=ALLOWED_UPDATES
    )
    log.info(
        "aiogram runtime: webhook on %s:%s%s",
        settings.webhook_host,
        settings.webhook_port,
        settings.webhook_path,
    )
    try:
        await wait_for_stop_signal()
    finally:
        await runner.cleanup()
