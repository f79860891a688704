"""The python-telegram-bot 22 adapter (``MUSHARAKA_RUNTIME=ptb``): updates in as Events,
Replies out as Bot API calls, over the same engine and ``ChannelMessenger`` as aiogram.

Polling uses PTB's ``Application`` and ``Updater`` with a bounded number of updates in
flight (``CONCURRENT_UPDATES``: far faster than PTB's 256 on a small machine). Webhook
mode serves its own aiohttp endpoint: it checks Telegram's secret header, handles the
update, and only then answers 200, so an update whose handling failed is re-delivered by
Telegram (and de-duplicated by the engine). PTB's JobQueue is not used: the scheduler is
``bot.workers.scheduler``.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress
from datetime import timedelta
from typing import Any

from aiohttp import web
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram import KeyboardButton as PtbKeyboardButton
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

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
# Updates handled at once. PTB's own "True" (256) thrashes a small machine; 16-32 keeps the
# database and the event loop busy without piling up work.
CONCURRENT_UPDATES = 24
# HTTP connections to the Bot API. httpcore looks at every connection of its pool (a
# system call each) for every request: with 48 that was a sixth of the bot's CPU (py-spy
# under bench/throughput.py); 8 keep up with 24 updates at once.
CONNECTIONS = 8
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# On SIGTERM, the long poll in flight gets this long to return before it is cancelled (its
# updates are fetched again on the next start, and the engine drops the ones it handled).
STOP_GRACE_SECONDS = 2.0


# --- replies out -------------------------------------------------------------------------


def inline_markup(buttons: Buttons | None) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(b.label, url=b.url)
                if b.url
                else InlineKeyboardButton(b.label, callback_data=b.payload)
                for b in row
            ]
            for row in buttons
        ]
    )


def reply_markup(reply: Text) -> Any:
    if reply.buttons:
        return inline_markup(reply.buttons)
    if reply.keyboard:
        return ReplyKeyboardMarkup(
            [[_key(k) for k in row] for row in reply.keyboard],
            resize_keyboard=True,
            one_time_keyboard=True,
        )
    if reply.remove_keyboard:
        return ReplyKeyboardRemove()
    return None


def _key(button: KeyboardButton) -> PtbKeyboardButton:
    return PtbKeyboardButton(
        button.label,
        request_contact=button.request == "contact" or None,
        request_location=button.request == "location" or None,
    )


def retry_seconds(exc: RetryAfter) -> float:
    """RetryAfter's delay in seconds (PTB 22 keeps it as a timedelta and warns on access)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value)


@contextmanager
def translate_errors() -> Iterator[None]:
    """Map PTB's exceptions onto the engine's delivery errors (as the aiogram adapter does)."""
    try:
        yield
    except RetryAfter as exc:
        raise RateLimited(retry_seconds(exc)) from exc
    except Forbidden as exc:
        raise RecipientUnreachable(str(exc)) from exc
    except BadRequest as exc:
        text = str(exc).lower()
        if "message is not modified" in text:
            raise MessageNotModified(str(exc)) from exc
        if "chat not found" in text or "user is deactivated" in text:
            raise RecipientUnreachable(str(exc)) from exc
        if "message to edit not found" in text or "can't be edited" in text:
            raise EditFailed(str(exc)) from exc
        raise DeliveryError(str(exc)) from exc
    except TelegramError as exc:  # NetworkError, TimedOut, Conflict, ...
        raise DeliveryError(str(exc)) from exc


class PtbMessenger(ChannelMessenger):
    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def post(self, method: str, payload: dict[str, Any]) -> Any:
        """One Bot API call whose answer is read as plain JSON, for the calls every update
        makes: PTB's own methods build a ``Message`` (and every object in it) from each
        answer, of which the bot reads one number."""
        arguments = {k: v for k, v in payload.items() if v is not None}
        with translate_errors():
            return await self.bot.do_api_request(method, api_kwargs=arguments)

    async def send_text(self, chat_id: int, reply: Text) -> int:
        markup = reply_markup(reply)
        message = await self.post(
            "sendMessage",
            {
                "chat_id": chat_id,
                "text": reply.text,
                "reply_markup": markup.to_json() if markup is not None else None,
            },
        )
        return int(message["message_id"])

    async def edit_text(self, chat_id: int, message_id: int, reply: Edit) -> None:
        markup = inline_markup(reply.buttons)
        await self.post(
            "editMessageText",
            {
                "chat_id": chat_id,
                "message_id": message_id,
                "text": reply.text,
                "reply_markup": markup.to_json() if markup is not None else None,
            },
        )

    async def send_document(self, chat_id: int, reply: Document) -> int:
        with translate_errors():
            message = await self.bot.send_document(
                chat_id,
                InputFile(reply.data, filename=reply.filename),
                caption=reply.caption or None,
            )
        return message.message_id

    async def send_photo(self, chat_id: int, reply: Photo) -> int:
        photo: Any = reply.file_id or InputFile(reply.data, filename="image.png")
        with translate_errors():
            message = await self.bot.send_photo(
                chat_id,
                photo,
                caption=reply.caption or None,
                reply_markup=inline_markup(reply.buttons),
            )
        return message.message_id

    async def download(self, file_id: str) -> bytes:
        with translate_errors():
            found = await self.bot.get_file(file_id)
            data = await found.download_as_bytearray()
        return bytes(data)

    async def answer_callback(self, callback_id: str, text: str, alert: bool) -> None:
        await self.post(
            "answerCallbackQuery",
            {"callback_query_id": callback_id, "text": text or None, "show_alert": alert or None},
        )


# --- updates in ----------------------------------------------------------------------------


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


def event_of(update: Update) -> Event | None:
    """The engine's Event for a PTB update, or None for kinds the bot does not read."""
    if update.callback_query is not None:
        query = update.callback_query
        message = query.message
        chat = message.chat if message is not None else None
        return button_event(
            user_id=query.from_user.id,
            chat_id=chat.id if chat else query.from_user.id,
            payload=query.data or "",
            callback_id=query.id,
            message_id=message.message_id if message is not None else None,
            update_id=update.update_id,
            language_code=query.from_user.language_code,
            first_name=query.from_user.first_name,
            username=query.from_user.username or "",
            is_private=chat is None or chat.type == "private",
        )
    if update.message is not None:
        return message_event(incoming(update.message, update.update_id))
    if update.edited_message is not None:
        return message_event(incoming(update.edited_message, update.update_id, edited=True))
    return None


class UpdateHandler:
    """One update: Event in, the engine's replies out. Errors propagate to the caller
    (the webhook answers 500 so Telegram re-delivers; polling logs them)."""

    def __init__(self, engine: Engine, messenger: PtbMessenger) -> None:
        self.engine = engine
        self.messenger = messenger

    async def handle(self, update: Update) -> None:
        event = event_of(update)
        if event is None:
            return
        await self.messenger.deliver(event, await self.engine.handle(event))


# --- running ---------------------------------------------------------------------------------


def build_application(
    settings: Settings, *, polling: bool
) -> Application[Any, Any, Any, Any, Any, Any]:
    assert settings.bot_token
    base = settings.bot_api_url.rstrip("/")
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder()
        .token(settings.bot_token)
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .concurrent_updates(CONCURRENT_UPDATES)
        .connection_pool_size(CONNECTIONS)
    )
    if not polling:
        builder = builder.updater(None)
    return builder.build()


@asynccontextmanager
async def sending_only(settings: Settings) -> AsyncIterator[PtbMessenger]:
    """A messenger for processes that send but take no updates (the scheduler)."""
    assert settings.bot_token
    base = settings.bot_api_url.rstrip("/")
    bot = Bot(settings.bot_token, base_url=f"{base}/bot", base_file_url=f"{base}/file/bot")
    async with bot:
        yield PtbMessenger(bot)


async def publish_commands(bot: Bot, engine: Engine) -> None:
    default = engine.services.settings.default_language
    for language in (*SUPPORTED_LANGUAGES, None):
        commands = published_commands(engine.registry, language or default)
        await bot.set_my_commands([BotCommand(c, d) for c, d in commands], language_code=language)


async def run(engine: Engine, settings: Settings) -> None:
    polling = not settings.webhook_url
    application = build_application(settings, polling=polling)
    messenger = PtbMessenger(application.bot)
    engine.services.messenger = messenger
    handler = UpdateHandler(engine, messenger)
    await application.initialize()
    try:
        await publish_commands(application.bot, engine)
        if polling:
            await _run_polling(application, handler)
        else:
            await _run_webhook(application, handler, settings)
    finally:
        await application.shutdown()


async def _run_polling(
    application: Application[Any, Any, Any, Any, Any, Any], handler: UpdateHandler
) -> None:
    async def on_update(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        await handler.handle(update)

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("update %s failed", getattr(update, "update_id", "?"), exc_info=context.error)

    application.add_handler(TypeHandler(Update, on_update))
    application.add_error_handler(on_error)
    updater = application.updater
    assert updater is not None
    await application.start()
    await updater.start_polling(allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False)
    log.info("python-telegram-bot runtime: long polling")
    try:
        await wait_for_stop_signal()
    finally:
        with suppress(TimeoutError):
            await asyncio.wait_for(updater.stop(), STOP_GRACE_SECONDS)
        await application.stop()


def webhook_app(handler: UpdateHandler, bot: Bot, secret: str, path: str) -> web.Application:
    """The webhook endpoint: refuses requests without the secret, answers after handling."""
    gate = asyncio.Semaphore(CONCURRENT_UPDATES)

    async def receive(request: web.Request) -> web.Response:
        if not secret_matches(request.headers.get(SECRET_HEADER, ""), secret):
            return web.Response(status=401, text="Unauthorized")
        try:
            data = await request.json()
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("not an update")
            update = Update.de_json(data, bot)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            log.warning("unreadable webhook body: %s", exc)
            return web.Response(status=400, text="Bad Request")
        async with gate:
            await handler.handle(update)
        return web.Response(text="OK")

    app = web.Application()
    app.router.add_post(path, receive)
    return app


async def _run_webhook(
    application: Application[Any, Any, Any, Any, Any, Any],
    handler: UpdateHandler,
    settings: Settings,
) -> None:
    assert settings.bot_token and settings.webhook_url
    secret = settings.webhook_secret or webhook_secret_for(settings.bot_token)
    app = webhook_app(handler, application.bot, secret, settings.webhook_path)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.webhook_host, settings.webhook_port)
    await site.start()
    await application.bot.set_webhook(
        settings.webhook_url, secret_token=secret, allowed_updates=ALLOWED_UPDATES
    )
    log.info(
        "python-telegram-bot runtime: webhook on %s:%s%s",
        settings.webhook_host,
        settings.webhook_port,
        settings.webhook_path,
    )
    try:
        await wait_for_stop_signal()
    finally:
        await runner.cleanup()
