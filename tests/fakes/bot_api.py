"""A fake Telegram Bot API server for end-to-end tests.

Every request is checked against the machine-readable Bot API spec and Telegram's limits; problems
are answered like the real server (400 "Bad Request: ...") and collected in ``api.violations``.
The fake simulates users, delivers their updates by long polling or webhook, and records what the
bot sent so tests can read each user's chat.

    async with FakeBotApi() as api:                    # or: await api.start() ... await api.stop()
        api.add_user(1001, "Amina", "ar")
        session = AiohttpSession(api=TelegramAPIServer.from_base(api.url))
        bot = Bot("123:ABC", session=session)          # PTB: base_url=api.url + "/bot"
        api.user_sends_text(1001, "/start")
        ...
        await api.wait_for_messages(1001, 1)
        assert api.violations == []

Synchronous tests use ``with FakeBotApiThread() as fake: ...``; developers can run
``python -m tests.fakes.bot_api --port 8081 --user 1001:Amina:ar``. Run that way, the fake
is driven over HTTP by its /control/ routes (users in, sent records and 429s out); see
tests/e2e/fake_process.py.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import itertools
import json
import logging
import math
import mimetypes
import os
import re
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, ParamSpec, Self, TypeVar

from aiohttp import ClientError, ClientSession, ClientTimeout, web

logger = logging.getLogger(__name__)

JSONDict = dict[str, Any]
T = TypeVar("T")
P = ParamSpec("P")

SPEC_PATH_ENV = "MUSHARAKA_BOT_API_SPEC"
DEFAULT_SPEC_PATH = (
    Path(__file__).resolve().parent.parent / "data" / "telegram-bot-api" / "api.json"
)

DEFAULT_FIRST_NAME = "Test User"
DEFAULT_LANGUAGE = "ar"
BOT_FIRST_NAME = "Musharaka Test"

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_BUTTONS = 100
MAX_INLINE_BUTTONS_PER_ROW = 8
MAX_COMMANDS = 100
MAX_COMMAND_DESCRIPTION_LENGTH = 256
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_UPDATES_PER_POLL = 100

PHOTO_WIDTH, PHOTO_HEIGHT = 1280, 960
STICKER_SIDE = 512
CALLBACK_QUERY_ID_BASE = 4_000_000_000_000_000
WEBHOOK_TIMEOUT = ClientTimeout(total=10)
DEFAULT_WEBHOOK_CONNECTIONS = 40
SECRET_TOKEN_HEADER = "X-Telegram-Bot-Api-Secret-Token"

TEXT_METHODS = frozenset({"sendMessage", "editMessageText"})
REPLY_WINDOW = 60.0  # seconds; see FakeBotApi.replies_outside_bulk_limit
SENDING_METHODS = frozenset({
    "sendMessage", "forwardMessage", "forwardMessages", "copyMessage", "copyMessages",
    "sendPhoto", "sendLivePhoto", "sendAudio", "sendDocument", "sendVideo", "sendAnimation",
    "sendVoice", "sendVideoNote", "sendPaidMedia", "sendMediaGroup", "sendLocation", "sendVenue",
    "sendContact", "sendPoll", "sendChecklist", "sendDice", "sendSticker", "sendRichMessage",
    "sendInvoice", "sendGame",
})  # fmt: skip
# Update kinds Telegram leaves out unless allowed_updates asks for them.
OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
# The fields of InlineKeyboardButton that are not its one action.
BUTTON_DECORATIONS = frozenset({"text", "icon_custom_emoji_id", "style"})
HTML_TAGS = frozenset({
    "a", "b", "blockquote", "code", "del", "em", "i", "ins", "pre", "s", "span", "strike",
    "strong", "tg-emoji", "tg-spoiler", "tg-time", "u",
})  # fmt: skip
MISSING_PARAMETER_DESCRIPTIONS = {"text": "message text is empty"}

_TOKEN = re.compile(r"\d+:[\w-]+", re.ASCII)
_SECRET_TOKEN = re.compile(r"[\w-]{1,256}", re.ASCII)
_BOT_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_INTEGER = re.compile(r"-?\d+", re.ASCII)
_ATTACHMENT = re.compile(r"attach://([\w-]+)")
_HTML_TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)[^<>]*>")
_ARRAY = "Array of "


# ----------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class SentRecord:
    """One successful bot->user call: a message sent, edited or deleted, a toast, a chat action."""

    method: str
    chat_id: int
    params: JSONDict
    message_id: int | None
    timestamp: float


@dataclass
class RequestRecord:
    """One Bot API request, valid or not, recorded on arrival; status is None while in flight
    (a long poll, for instance)."""

    method: str
    timestamp: float
    params: JSONDict = field(default_factory=dict)
    status: int | None = None


@dataclass(frozen=True)
class WebhookAttempt:
    """One POST of an update to the bot's webhook; status 0 means the connection failed."""

    update_id: int
    status: int


@dataclass
class FakeUser:
    """A Telegram user who has a private chat with the bot."""

    id: int
    first_name: str
    language_code: str
    blocked: bool = False

    def as_user(self) -> JSONDict:
        return {
            "id": self.id,
            "is_bot": False,
            "first_name": self.first_name,
            "language_code": self.language_code,
        }

    def as_chat(self) -> JSONDict:
        return {"id": self.id, "type": "private", "first_name": self.first_name}


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    file_name: str | None = None
    mime_type: str | None = None

    def as_file(self) -> JSONDict:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }

    def as_photo_size(self) -> JSONDict:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "width": PHOTO_WIDTH,
            "height": PHOTO_HEIGHT,
            "file_size": len(self.data),
        }

    def as_document(self) -> JSONDict:
        document = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
        }
        if self.file_name:
            document["file_name"] = self.file_name
        if self.mime_type:
            document["mime_type"] = self.mime_type
        return document

    def as_voice(self, duration: int) -> JSONDict:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": len(self.data),
        }

    def as_media(self, kind: str, duration: int) -> JSONDict:
        """An audio, video or video_note object of the Bot API."""
        media: JSONDict = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "duration": duration,
            "file_size": len(self.data),
        }
        if kind in ("video", "video_note"):
            media["length" if kind == "video_note" else "width"] = 240
        if kind == "video":
            media["height"] = 240
        if kind != "video_note":
            if self.file_name:
                media["file_name"] = self.file_name
            if self.mime_type:
                media["mime_type"] = self.mime_type
        return media

    def as_sticker(self) -> JSONDict:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "type": "regular",
            "width": STICKER_SIDE,
            "height": STICKER_SIDE,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
            "file_size": len(self.data),
        }


@dataclass(eq=False)
class _PendingUpdate:
    update: JSONDict
    redelivery: bool = False
    delivered: bool = False

    @property
    def update_id(self) -> int:
        return int(self.update["update_id"])

    @property
    def kind(self) -> str:
        return next(key for key in self.update if key != "update_id")


@dataclass
class _Webhook:
    url: str
    secret_token: str | None
    # Telegram's default: up to 40 updates in flight at once (never two of one chat).
    max_connections: int = DEFAULT_WEBHOOK_CONNECTIONS
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class _CallbackQuery:
    user_id: int
    message_id: int
    answered: bool = False


@dataclass(frozen=True)
class _Call:
    token: str
    method: str
    params: JSONDict


class ApiError(Exception):
    """An error answer of the Bot API; `violation` says whether the bot is at fault."""

    def __init__(
        self,
        status: int,
        description: str,
        *,
        detail: str = "",
        retry_after: int | None = None,
        violation: bool = True,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.detail = detail
        self.retry_after = retry_after
        self.violation = violation

    def body(self) -> JSONDict:
        body: JSONDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def _json_copy(value: Any) -> Any:
    """A deep copy of JSON data (what every message and update here is): several times
    quicker than copy.deepcopy, which was a tenth of a campaign benchmark's CPU."""
    return json.loads(json.dumps(value))


def _bad_request(description: str, detail: str = "") -> ApiError:
    return ApiError(400, f"Bad Request: {description}", detail=detail)


def _not_modified() -> ApiError:
    return _bad_request(
        "message is not modified: specified new message content and reply markup are exactly "
        "the same as a current content and reply markup of the message"
    )


# ----------------------------------------------------------------------------- HTML entities


class EntityParseError(ValueError):
    """The reason Telegram gives for "can't parse entities"."""


def html_visible_text(markup: str) -> str:
    """The text Telegram shows for `markup` sent with parse_mode HTML."""
    open_tags: list[str] = []
    pieces: list[str] = []
    position = 0
    for tag in _HTML_TAG.finditer(markup):
        pieces.append(_html_plain_text(markup, position, tag.start()))
        _track_html_tag(open_tags, tag, _byte_offset(markup, tag.start()))
        position = tag.end()
    pieces.append(_html_plain_text(markup, position, len(markup)))
    if open_tags:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{open_tags[-1]}"')
    return html.unescape("".join(pieces))


def _html_plain_text(markup: str, start: int, end: int) -> str:
    piece = markup[start:end]
    if "<" in piece:
        offset = _byte_offset(markup, start + piece.index("<"))
        raise EntityParseError(f'Unsupported start tag "" at byte offset {offset}')
    return piece


def _track_html_tag(open_tags: list[str], tag: re.Match[str], offset: int) -> None:
    closing, name = tag.group(1) == "/", tag.group(2).lower()
    if name not in HTML_TAGS:
        kind = "end" if closing else "start"
        raise EntityParseError(f'Unsupported {kind} tag "{name}" at byte offset {offset}')
    if not closing:
        open_tags.append(name)
        return
    if not open_tags:
        raise EntityParseError(f"Unexpected end tag at byte offset {offset}")
    expected = open_tags.pop()
    if expected != name:
        raise EntityParseError(
            f'Unmatched end tag at byte offset {offset}, expected "</{expected}>", '
            f'found "</{name}>"'
        )


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode())


def _rendered_text(params: JSONDict, key: str) -> str:
    """`params[key]` as the user will see it, with HTML markup parsed like Telegram does."""
    value = str(params[key])
    if str(params.get("parse_mode", "")).lower() != "html":
        return value
    try:
        return html_visible_text(value)
    except EntityParseError as error:
        raise _bad_request(f"can't parse entities: {error}") from error


# ----------------------------------------------------------------------------- the spec

_PRIMITIVES: dict[str, Callable[[Any], bool]] = {
    "String": lambda value: isinstance(value, str),
    "Integer": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "Float": lambda value: isinstance(value, int | float) and not isinstance(value, bool),
    "Boolean": lambda value: isinstance(value, bool),
    "InputFile": lambda value: isinstance(value, Upload),
}


def _fields_by_name(entry: JSONDict) -> dict[str, JSONDict]:
    return {spec_field["name"]: spec_field for spec_field in entry.get("fields", [])}


class BotApiSpec:
    """The methods and types of the machine-readable Bot API spec, and value checks against them."""

    def __init__(self, document: JSONDict) -> None:
        self.version: str = document["version"]
        self._names: dict[str, str] = {name.lower(): name for name in document["methods"]}
        self._method_fields = {
            name: _fields_by_name(method) for name, method in document["methods"].items()
        }
        self._subtypes = {name: entry.get("subtypes") for name, entry in document["types"].items()}
        self._type_fields = {
            name: _fields_by_name(entry) for name, entry in document["types"].items()
        }

    def canonical_name(self, method: str) -> str:
        """The spec's spelling of a method name (Telegram ignores case), or `method` if unknown."""
        return self._names.get(method.lower(), method)

    def fields(self, method: str) -> dict[str, JSONDict] | None:
        return self._method_fields.get(method)

    def update_kinds(self) -> frozenset[str]:
        return frozenset(self._type_fields["Update"]) - {"update_id"}

    def button_actions(self) -> frozenset[str]:
        return frozenset(self._type_fields["InlineKeyboardButton"]) - BUTTON_DECORATIONS

    def coerce(self, types: list[str], raw: str) -> Any:
        """A form or query-string value as the JSON value its declared types call for."""
        structured = any(type_name not in _PRIMITIVES for type_name in types)
        if structured and raw.startswith(("{", "[")):
            return json.loads(raw)
        if "Integer" in types and _INTEGER.fullmatch(raw):
            return int(raw)
        if "Float" in types and raw.isascii():
            with contextlib.suppress(ValueError):
                return float(raw)
        if "Boolean" in types and raw.lower() in ("true", "false"):
            return raw.lower() == "true"
        return raw

    def value_errors(self, value: Any, types: list[str], path: str) -> list[str]:
        """Why `value` matches none of `types`; empty when it matches one of them."""
        best: list[str] = []
        for type_name in types:
            errors = self._type_errors(value, type_name, path)
            if not errors:
                return []
            if not best or len(errors) < len(best):
                best = errors
        return best

    def _type_errors(self, value: Any, type_name: str, path: str) -> list[str]:
        if type_name.startswith(_ARRAY):
            return self._array_errors(value, type_name.removeprefix(_ARRAY), path)
        if type_name in _PRIMITIVES:
            return [] if _PRIMITIVES[type_name](value) else [f"{path} must be {type_name}"]
        subtypes = self._subtypes[type_name]
        if subtypes:
            return self.value_errors(value, subtypes, path)
        return self._object_errors(value, type_name, path)

    def _array_errors(self, value: Any, item_type: str, path: str) -> list[str]:
        if not isinstance(value, list):
            return [f"{path} must be an Array of {item_type}"]
        return [
            error
            for index, item in enumerate(value)
            for error in self.value_errors(item, [item_type], f"{path}[{index}]")
        ]

    def _object_errors(self, value: Any, type_name: str, path: str) -> list[str]:
        if not isinstance(value, dict):
            return [f"{path} must be a {type_name} object"]
        fields = self._type_fields[type_name]
        unknown = [
            f"{path}.{key} is not a field of {type_name}" for key in value if key not in fields
        ]
        missing = [
            f"{path}.{name} is required in {type_name}"
            for name, spec_field in fields.items()
            if spec_field["required"] and name not in value
        ]
        nested = [
            error
            for key, item in value.items()
            if key in fields
            for error in self.value_errors(item, fields[key]["types"], f"{path}.{key}")
        ]
        return unknown + missing + nested


@cache
def load_spec(path: Path) -> BotApiSpec:
    if not path.is_file():
        raise FileNotFoundError(f"no Bot API spec at {path}; point {SPEC_PATH_ENV} at api.json")
    return BotApiSpec(json.loads(path.read_text(encoding="utf-8")))


def _default_spec_path() -> Path:
    return Path(os.environ.get(SPEC_PATH_ENV, DEFAULT_SPEC_PATH))


# ----------------------------------------------------------------------------- requests


async def _read_request(request: web.Request) -> tuple[JSONDict, dict[str, Upload]]:
    """The raw parameters (strings or JSON values) and the file parts of a Bot API request."""
    values: JSONDict = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.content_type == "application/json":
        body = await request.json()
        if not isinstance(body, dict):
            raise ValueError("the JSON body is not an object")
        values.update((name, value) for name, value in body.items() if value is not None)
        return values, uploads
    for name, value in (await request.post()).items():
        if isinstance(value, web.FileField):
            uploads[name] = Upload(value.filename, value.content_type, value.file.read())
        elif isinstance(value, str):
            values[name] = value
        else:
            uploads[name] = Upload(name, "application/octet-stream", bytes(value))
    return values, uploads


def _attachment_names(values: JSONDict) -> set[str]:
    return {
        name
        for value in values.values()
        if isinstance(value, str)
        for name in _ATTACHMENT.findall(value)
    }


def _resolve_attachment(value: Any, uploads: dict[str, Upload]) -> Any:
    if isinstance(value, str) and value.startswith("attach://"):
        return uploads.get(value.removeprefix("attach://"), value)
    return value


def _inline_markup(source: JSONDict) -> JSONDict:
    """{"reply_markup": ...} when `source` carries an inline keyboard, else {}."""
    markup = source.get("reply_markup")
    if isinstance(markup, dict) and "inline_keyboard" in markup:
        return {"reply_markup": markup}
    return {}


def _inline_buttons(message: JSONDict) -> list[JSONDict]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [button for row in rows for button in row]


def _present(params: JSONDict, *keys: str) -> JSONDict:
    return {key: params[key] for key in keys if key in params}


def _check_length(text: str, limit: int, too_long: str, empty: str | None = None) -> None:
    length = len(text.strip())
    if empty and length == 0:
        raise _bad_request(empty)
    if length > limit:
        raise _bad_request(too_long, f"{length} characters, at most {limit}")


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _text_content(text: str) -> JSONDict:
    """A user's text message body; commands carry a bot_command entity like Telegram adds."""
    content: JSONDict = {"text": text}
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        content["entities"] = [
            {"type": "bot_command", "offset": 0, "length": _utf16_length(command)}
        ]
    return content


def _update_chat(update: JSONDict) -> int:
    """The chat an update belongs to (Telegram keeps each chat's updates in order)."""
    for kind in ("message", "edited_message"):
        if kind in update:
            return int(update[kind]["chat"]["id"])
    if "callback_query" in update:
        return int(update["callback_query"]["from"]["id"])
    return 0


def _commands_key(params: JSONDict) -> tuple[str, str]:
    scope = params.get("scope", {"type": "default"})
    return json.dumps(scope, sort_keys=True), params.get("language_code", "")


def _now() -> int:
    return int(time.time())


# ----------------------------------------------------------------------------- the server

Handler = Callable[[_Call], Awaitable[Any]]


class FakeBotApi:
    """A Bot API server for tests: validates, answers, simulates users, delivers updates."""

    def __init__(
        self,
        *,
        limit_mode: bool = False,
        global_rate: int = 30,
        per_chat_rate: float = 1.0,
        replies_outside_bulk_limit: bool = False,
        bot_username: str = "musharaka_test_bot",
        webhook_retry_delay: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
        spec_path: Path | None = None,
    ) -> None:
        self.limit_mode = limit_mode
        self.global_rate = global_rate
        self.per_chat_rate = per_chat_rate
        # Telegram documents ~30 messages/s for *bulk* notifications. With this on, a message
        # to someone who wrote to the bot in the last REPLY_WINDOW seconds counts as a reply:
        # it keeps the one-per-second-per-chat limit but not the global one (campaigns).
        self.replies_outside_bulk_limit = replies_outside_bulk_limit
        self._last_update_from: dict[int, float] = {}
        self.bot_username = bot_username
        self.webhook_retry_delay = webhook_retry_delay
        self.latency = 0.0
        self.url = ""
        self.violations: list[str] = []
        self.requests: list[RequestRecord] = []
        self.sent: list[SentRecord] = []
        self.throttled = 0
        self.polls_waiting = 0
        self.unimplemented: list[str] = []
        self.webhook_attempts: list[WebhookAttempt] = []
        # Called with every SentRecord as it is recorded (many-user tests wait per chat).
        self.sent_listeners: list[Callable[[SentRecord], None]] = []
        self._clock = clock
        self._spec = load_spec(spec_path or _default_spec_path())
        self._button_actions = self._spec.button_actions()
        self._users: dict[int, FakeUser] = {}
        self._chats: dict[int, dict[int, JSONDict]] = {}
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        self._file_numbers = itertools.count(1)
        self._update_ids = itertools.count(1)
        self._updates: dict[int, JSONDict] = {}
        self._pending: list[_PendingUpdate] = []
        self._allowed_updates = self._default_allowed_updates()
        self._callback_queries: dict[str, _CallbackQuery] = {}
        self._callback_numbers = itertools.count(1)
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        self._webhook: _Webhook | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._recent_sends: deque[float] = deque()
        self._last_send_to_chat: dict[int, float] = {}
        self._tick = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._client: ClientSession | None = None
        self._handlers: dict[str, Handler] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendChatAction": self._send_chat_action,
            "setChatMenuButton": self._return_true,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getFile": self._get_file,
        }

    # --------------------------------------------------------------------- lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Serves on host:port (0 picks a free port) and sets `url`."""
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES)
        app.add_routes([
            web.route("*", "/bot{token}/{method}", self._handle_api),
            web.get("/file/bot{token}/{path:.+}", self._handle_file),
            web.post("/control/users", self._control_add_users),
            web.get("/control/sent", self._control_sent),
            web.get("/control/state", self._control_state),
            web.route("*", "/{tail:.*}", self._handle_unknown_path),
        ])  # fmt: skip
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        self.url = f"http://{host}:{self._runner.addresses[0][1]}"
        self._client = ClientSession()
        self._closing = False

    async def stop(self) -> None:
        """Ends long polls and webhook delivery, then closes the server."""
        self._closing = True
        self._notify()
        await self._replace_webhook(None)
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # --------------------------------------------------------------------- world setup

    def add_user(
        self,
        user_id: int,
        first_name: str = DEFAULT_FIRST_NAME,
        language_code: str = DEFAULT_LANGUAGE,
    ) -> None:
        """A user who has started a private chat with the bot, so the bot may message them."""
        self._users[user_id] = FakeUser(user_id, first_name, language_code)
        self._chats.setdefault(user_id, {})
        self._message_ids.setdefault(user_id, itertools.count(1))

    def add_file(self, file_id: str, data: bytes) -> None:
        """A file the bot can fetch with getFile and download from /file/."""
        self._store_file(data, "files", file_id=file_id)

    def block_user(self, user_id: int) -> None:
        """From now on the bot's calls for this chat get 403 "bot was blocked by the user"."""
        self._user(user_id).blocked = True

    def unblock_user(self, user_id: int) -> None:
        self._user(user_id).blocked = False

    # --------------------------------------------------------------------- simulated users

    def user_sends_text(self, user_id: int, text: str) -> JSONDict:
        """Queues a message update; text starting with "/" carries a bot_command entity."""
        return self._user_message(user_id, _text_content(text))

    def user_presses(self, user_id: int, message_id: int, callback_data: str) -> JSONDict:
        """Queues a callback_query for a button on one of the bot's messages."""
        user = self._active_user(user_id)
        message = self._bot_message(user_id, message_id)
        datas = [button.get("callback_data") for button in _inline_buttons(message)]
        if callback_data not in datas:
            raise ValueError(f"message {message_id} has no button {callback_data!r}, only {datas}")
        query_id = str(CALLBACK_QUERY_ID_BASE + next(self._callback_numbers))
        self._callback_queries[query_id] = _CallbackQuery(user_id, message_id)
        query = {
            "id": query_id,
            "from": user.as_user(),
            "message": _json_copy(message),
            "chat_instance": f"instance-{user_id}",
            "data": callback_data,
        }
        return self._queue({"callback_query": query})

    def user_presses_button(self, user_id: int, label: str) -> JSONDict:
        """Presses the newest inline button labelled `label` in the user's chat."""
        return self.user_presses(user_id, *self.find_button(user_id, label))

    def user_shares_contact(self, user_id: int, phone: str) -> JSONDict:
        user = self._user(user_id)
        contact = {"phone_number": phone, "first_name": user.first_name, "user_id": user_id}
        return self._user_message(user_id, {"contact": contact})

    def user_shares_location(self, user_id: int, latitude: float, longitude: float) -> JSONDict:
        location = {"latitude": latitude, "longitude": longitude}
        return self._user_message(user_id, {"location": location})

    def user_sends_photo(self, user_id: int, photo: str | bytes) -> JSONDict:
        """Sends new image bytes, or a file_id registered with add_file."""
        if isinstance(photo, bytes):
            stored = self._store_file(photo, "photos", file_name="photo.jpg")
        else:
            stored = self._known_file(photo)
        return self._user_message(user_id, {"photo": [stored.as_photo_size()]})

    def user_sends_voice(
        self, user_id: int, data: bytes = b"OggS\0voice", duration: int = 3
    ) -> JSONDict:
        stored = self._store_file(data, "voice", file_name="voice.ogg")
        return self._user_message(user_id, {"voice": stored.as_voice(duration)})

    def user_sends_audio(
        self, user_id: int, data: bytes = b"ID3\0audio", file_name: str = "recording.mp3"
    ) -> JSONDict:
        stored = self._store_file(data, "music", file_name, "audio/mpeg")
        return self._user_message(user_id, {"audio": stored.as_media("audio", 5)})

    def user_sends_video(self, user_id: int, data: bytes = b"\0\0\0\x18ftypmp42") -> JSONDict:
        stored = self._store_file(data, "videos", "video.mp4", "video/mp4")
        return self._user_message(user_id, {"video": stored.as_media("video", 4)})

    def user_sends_video_note(self, user_id: int, data: bytes = b"\0\0\0\x18ftypmp42") -> JSONDict:
        stored = self._store_file(data, "video_notes", file_name="note.mp4")
        return self._user_message(user_id, {"video_note": stored.as_media("video_note", 4)})

    def user_sends_document(
        self,
        user_id: int,
        data: bytes = b"%PDF-1.4\n",
        file_name: str = "report.pdf",
        mime_type: str = "application/pdf",
    ) -> JSONDict:
        stored = self._store_file(data, "documents", file_name, mime_type)
        stored.mime_type = mime_type  # what the sender's app said, whatever the name says
        return self._user_message(user_id, {"document": stored.as_document()})

    def user_sends_sticker(self, user_id: int) -> JSONDict:
        stored = self._store_file(b"RIFF\0\0\0\0WEBPVP8 ", "stickers", file_name="sticker.webp")
        return self._user_message(user_id, {"sticker": stored.as_sticker()})

    def user_edits_message(self, user_id: int, message_id: int, new_text: str) -> JSONDict:
        """Queues an edited_message update for one of the user's own text messages."""
        self._active_user(user_id)
        message = self._chats[user_id].get(message_id)
        if message is None or message["from"]["is_bot"] or "text" not in message:
            raise ValueError(f"user {user_id} sent no text message {message_id}")
        message.pop("entities", None)
        message.update(_text_content(new_text), edit_date=_now())
        return self._queue({"edited_message": _json_copy(message)})

    def redeliver(self, update_id: int) -> None:
        """Queues an update again, as Telegram does when a delivery was not acknowledged."""
        self._pending.append(_PendingUpdate(self._updates[update_id], redelivery=True))
        self._notify()

    # --------------------------------------------------------------------- observation

    def messages_for(self, user_id: int) -> list[JSONDict]:
        """The bot's messages the user's chat shows now: edits applied, deleted ones gone."""
        return [_json_copy(message) for message in self._bot_messages(user_id)]

    def last_buttons(self, user_id: int) -> list[tuple[str, str | None]]:
        """(label, callback_data) of the newest bot message with an inline keyboard."""
        for message in reversed(self._bot_messages(user_id)):
            buttons = _inline_buttons(message)
            if buttons:
                return [(button["text"], button.get("callback_data")) for button in buttons]
        return []

    def find_button(self, user_id: int, label: str) -> tuple[int, str]:
        """(message_id, callback_data) of the newest callback button labelled `label`."""
        for message in reversed(self._bot_messages(user_id)):
            for button in _inline_buttons(message):
                if button["text"] == label and "callback_data" in button:
                    return message["message_id"], button["callback_data"]
        raise LookupError(
            f"no button {label!r} for user {user_id}; newest buttons: {self.last_buttons(user_id)}"
        )

    @property
    def unanswered_callback_queries(self) -> list[str]:
        """Ids of callback queries the bot never answered (the user's spinner keeps turning)."""
        queries = self._callback_queries.items()
        return [query_id for query_id, query in queries if not query.answered]

    @property
    def pending_update_count(self) -> int:
        return len(self._pending)

    async def wait_until(
        self,
        condition: Callable[[], bool],
        timeout: float | None = 10.0,  # noqa: ASYNC109 - a plain timeout keeps tests short
    ) -> None:
        """Returns once `condition()` holds, re-checking after every change; TimeoutError after."""
        async with asyncio.timeout(timeout):
            while not condition():
                await self._tick.wait()

    async def wait_for(
        self,
        predicate: Callable[[SentRecord], bool],
        timeout: float = 10.0,  # noqa: ASYNC109
        since: int = 0,
    ) -> SentRecord:
        """The first record in `sent[since:]` matching `predicate`, waiting for it if needed."""
        cursor = since

        def found() -> bool:
            nonlocal cursor
            while cursor < len(self.sent):
                if predicate(self.sent[cursor]):
                    return True
                cursor += 1
            return False

        try:
            await self.wait_until(found, timeout)
        except TimeoutError as error:
            raise TimeoutError(
                f"the bot sent nothing matching within {timeout}s; "
                f"last sends: {self.sent[-5:]}; violations: {self.violations}"
            ) from error
        return self.sent[cursor]

    async def wait_for_messages(
        self,
        user_id: int,
        count: int,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> list[JSONDict]:
        """The user's chat (see messages_for) once it shows at least `count` bot messages."""
        try:
            await self.wait_until(lambda: len(self._bot_messages(user_id)) >= count, timeout)
        except TimeoutError as error:
            raise TimeoutError(
                f"user {user_id} has {len(self._bot_messages(user_id))} bot messages, not {count}, "
                f"after {timeout}s; violations: {self.violations}"
            ) from error
        return self.messages_for(user_id)

    # --------------------------------------------------------------------- HTTP

    async def _handle_api(self, request: web.Request) -> web.Response:
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        record = RequestRecord(
            self._spec.canonical_name(request.match_info["method"]), self._clock()
        )
        self.requests.append(record)
        try:
            record.params = await self._read_params(request, record.method)
            self._notify()
            result = await self._execute(request.match_info["token"], record.method, record.params)
            body, record.status = {"ok": True, "result": result}, 200
        except ApiError as error:
            body, record.status = error.body(), error.status
            if error.violation:
                self._add_violation(record.method, record.params, error)
        return web.json_response(body, status=record.status)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        stored = self._files_by_path.get(request.match_info["path"])
        if stored is None or not _TOKEN.fullmatch(request.match_info["token"]):
            return self._not_found(request)
        content_type = stored.mime_type or "application/octet-stream"
        return web.Response(body=stored.data, content_type=content_type)

    async def _handle_unknown_path(self, request: web.Request) -> web.StreamResponse:
        return self._not_found(request)

    # --------------------------------------------------------------------- control (tests)
    # For a test that runs the fake in a process of its own (tests/e2e/fake_process.py):
    # plain JSON under /control/, apart from the Bot API routes, never checked against the
    # spec, recorded in `requests` or counted against any limit.

    async def _control_add_users(self, request: web.Request) -> web.Response:
        """POST {"users": [[id, first_name, language_code], ...]}: add_user for each."""
        users = (await request.json())["users"]
        for user_id, first_name, language_code in users:
            self.add_user(int(user_id), str(first_name), str(language_code))
        return web.json_response({"added": len(users)})

    async def _control_sent(self, request: web.Request) -> web.Response:
        """GET ?offset=N: `sent[N:]` (method, chat_id, message_id, timestamp by the fake's
        clock, and text as the chat shows it, or null) and `next`, the offset to ask next."""
        offset = int(request.query.get("offset", "0"))
        records = [
            {
                "method": record.method,
                "chat_id": record.chat_id,
                "message_id": record.message_id,
                "timestamp": record.timestamp,
                "text": (
                    _rendered_text(record.params, "text").strip()
                    if "text" in record.params
                    else None
                ),
            }
            for record in self.sent[offset:]
        ]
        return web.json_response({"records": records, "next": offset + len(records)})

    async def _control_state(self, request: web.Request) -> web.Response:
        """GET: the 429s answered so far (`throttled`) and the spec `violations`."""
        return web.json_response({"throttled": self.throttled, "violations": self.violations})

    def _not_found(self, request: web.Request) -> web.Response:
        error = ApiError(404, "Not Found", detail=f"no such path {request.method} {request.path}")
        self._add_violation("HTTP", {}, error)
        return web.json_response(error.body(), status=error.status)

    async def _read_params(self, request: web.Request, method: str) -> JSONDict:
        try:
            values, uploads = await _read_request(request)
        except ValueError as error:
            raise _bad_request("can't parse request body", str(error)) from error
        fields = self._spec.fields(method) or {}
        attached = _attachment_names(values)
        params = {name: self._coerce(fields, name, value) for name, value in values.items()}
        params.update((name, upload) for name, upload in uploads.items() if name not in attached)
        return {name: _resolve_attachment(value, uploads) for name, value in params.items()}

    def _coerce(self, fields: dict[str, JSONDict], name: str, value: Any) -> Any:
        if not isinstance(value, str) or name not in fields:
            return value
        try:
            return self._spec.coerce(fields[name]["types"], value)
        except ValueError as error:
            raise _bad_request(f"can't parse {name} JSON object", str(error)) from error

    async def _execute(self, token: str, method: str, params: JSONDict) -> Any:
        if not _TOKEN.fullmatch(token):
            raise ApiError(401, "Unauthorized", detail=f"malformed bot token {token!r}")
        self._check_params(method, params)
        call = _Call(token, method, params)
        self._check_content(call)
        chat_id = self._target_chat(params)
        self._check_rate(method, chat_id)
        return await self._handlers.get(method, self._unimplemented)(call)

    def _add_violation(self, method: str, params: JSONDict, error: ApiError) -> None:
        where = f"{method}(chat_id={params['chat_id']!r})" if "chat_id" in params else method
        detail = f" ({error.detail})" if error.detail else ""
        violation = f"{where}: {error.description}{detail}"
        self.violations.append(violation)
        logger.warning("Bot API violation: %s", violation)

    # --------------------------------------------------------------------- checks

    def _check_params(self, method: str, params: JSONDict) -> None:
        fields = self._spec.fields(method)
        if fields is None:
            detail = f"{method!r} is not a method of {self._spec.version}"
            raise ApiError(404, "Not Found", detail=detail)
        for name in params:
            if name not in fields:
                detail = f"not a parameter of {method} in {self._spec.version}"
                raise _bad_request(f'unknown parameter "{name}"', detail)
        for name, spec_field in fields.items():
            if spec_field["required"] and name not in params:
                raise _bad_request(MISSING_PARAMETER_DESCRIPTIONS.get(name, f"{name} is empty"))
        for name, value in params.items():
            errors = self._spec.value_errors(value, fields[name]["types"], name)
            if errors:
                raise _bad_request(f"can't parse {name}", "; ".join(errors))

    def _check_content(self, call: _Call) -> None:
        params = call.params
        if call.method in TEXT_METHODS:
            text = _rendered_text(params, "text")
            _check_length(text, MAX_TEXT_LENGTH, "message is too long", "message text is empty")
        if "caption" in params:
            caption = _rendered_text(params, "caption")
            _check_length(caption, MAX_CAPTION_LENGTH, "message caption is too long")
        if call.method == "answerCallbackQuery" and "text" in params:
            _check_length(params["text"], MAX_CALLBACK_ANSWER_LENGTH, "MESSAGE_TOO_LONG")
        if "reply_markup" in params:
            self._check_inline_keyboard(params["reply_markup"])

    def _check_inline_keyboard(self, markup: Any) -> None:
        if not isinstance(markup, dict) or "inline_keyboard" not in markup:
            return
        rows = markup["inline_keyboard"]
        count = sum(len(row) for row in rows)
        if count > MAX_INLINE_BUTTONS:
            limit = f"{count} buttons, at most {MAX_INLINE_BUTTONS}"
            raise _bad_request("reply markup is too long", limit)
        for index, row in enumerate(rows):
            if len(row) > MAX_INLINE_BUTTONS_PER_ROW:
                limit = f"row {index} has {len(row)} buttons, at most {MAX_INLINE_BUTTONS_PER_ROW}"
                raise _bad_request("too many buttons in a row of the inline keyboard", limit)
            for button in row:
                self._check_button(button)

    def _check_button(self, button: JSONDict) -> None:
        if not button["text"].strip():
            raise _bad_request("inline keyboard button text must be non-empty", repr(button))
        actions = self._button_actions.intersection(button)
        if not actions:
            raise _bad_request(
                "can't parse inline keyboard button: Text buttons are unallowed in the inline "
                "keyboard",
                repr(button),
            )
        if len(actions) > 1:
            raise _bad_request(
                "can't parse inline keyboard button: a button must have exactly one action",
                f"{button['text']!r} has {sorted(actions)}",
            )
        data = button.get("callback_data")
        if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
            size = f"callback_data {data!r} is {len(data.encode())} bytes, must be 1-64"
            raise _bad_request("BUTTON_DATA_INVALID", size)

    def _target_chat(self, params: JSONDict) -> int | None:
        """The private chat the call is for, if any; raises for unknown chats and blocked users."""
        if "chat_id" not in params:
            return None
        chat_id = params["chat_id"]
        user = self._users.get(chat_id) if isinstance(chat_id, int) else None
        if user is None:
            raise _bad_request("chat not found", f"no user {chat_id!r}; call add_user first")
        if user.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user", violation=False)
        return user.id

    def _check_rate(self, method: str, chat_id: int | None) -> None:
        """Telegram's limits: `global_rate` sends per rolling second, `per_chat_rate` per chat."""
        if not self.limit_mode or method not in SENDING_METHODS:
            return
        now = self._clock()
        reply = self._is_reply(chat_id, now)
        wait = self._chat_wait(chat_id, now) if reply else 0.0
        if not reply:
            wait = max(self._global_wait(now), self._chat_wait(chat_id, now))
        if wait > 0:
            self.throttled += 1
            retry_after = max(1, math.ceil(wait))
            raise ApiError(
                429,
                f"Too Many Requests: retry after {retry_after}",
                retry_after=retry_after,
                violation=False,
            )
        if not reply:
            self._recent_sends.append(now)
        if chat_id is not None:
            self._last_send_to_chat[chat_id] = now

    def _is_reply(self, chat_id: int | None, now: float) -> bool:
        if not self.replies_outside_bulk_limit or chat_id is None:
            return False
        wrote_at = self._last_update_from.get(chat_id)
        return wrote_at is not None and now - wrote_at <= REPLY_WINDOW

    def _global_wait(self, now: float) -> float:
        """Seconds until the rolling one-second window has room for another send."""
        window = self._recent_sends
        while window and window[0] <= now - 1.0:
            window.popleft()
        if len(window) < self.global_rate:
            return 0.0
        return window[-self.global_rate] + 1.0 - now

    def _chat_wait(self, chat_id: int | None, now: float) -> float:
        last = self._last_send_to_chat.get(chat_id) if chat_id is not None else None
        return 0.0 if last is None else last + 1.0 / self.per_chat_rate - now

    # --------------------------------------------------------------------- method handlers

    async def _return_true(self, call: _Call) -> bool:
        return True

    async def _unimplemented(self, call: _Call) -> bool:
        self.unimplemented.append(call.method)
        return True

    async def _get_me(self, call: _Call) -> JSONDict:
        return {
            **self._bot_user(call.token),
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, call: _Call) -> list[JSONDict]:
        if self._webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        params = call.params
        self._set_allowed_updates(params)
        if "offset" in params:
            self._confirm_updates(params["offset"])
        await self._long_poll(max(0, params.get("timeout", 0)))
        limit = min(max(params.get("limit", MAX_UPDATES_PER_POLL), 1), MAX_UPDATES_PER_POLL)
        batch = self._deliverable()[:limit]
        for pending in batch:
            pending.delivered = True
        return [pending.update for pending in batch]

    async def _long_poll(self, seconds: float) -> None:
        """Waits up to `seconds` for an update to deliver (or for the server to stop)."""
        self.polls_waiting += 1
        self._notify()
        try:
            with contextlib.suppress(TimeoutError):
                await self.wait_until(lambda: self._closing or bool(self._deliverable()), seconds)
        finally:
            self.polls_waiting -= 1

    async def _set_webhook(self, call: _Call) -> bool:
        params = call.params
        secret_token = params.get("secret_token")
        if secret_token is not None and not _SECRET_TOKEN.fullmatch(secret_token):
            raise _bad_request("secret token contains unallowed characters")
        self._set_allowed_updates(params)
        self._drop_pending_if_asked(params)
        connections = params.get("max_connections", DEFAULT_WEBHOOK_CONNECTIONS)
        if not 1 <= connections <= 100:
            raise _bad_request("bad webhook: max_connections must be 1-100")
        webhook = _Webhook(params["url"], secret_token, connections) if params["url"] else None
        await self._replace_webhook(webhook)
        return True

    async def _delete_webhook(self, call: _Call) -> bool:
        self._drop_pending_if_asked(call.params)
        await self._replace_webhook(None)
        return True

    async def _get_webhook_info(self, call: _Call) -> JSONDict:
        info: JSONDict = {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        webhook = self._webhook
        if webhook is not None:
            info.update(url=webhook.url, allowed_updates=sorted(self._allowed_updates))
        if webhook is not None and webhook.last_error_date is not None:
            info.update(
                last_error_date=webhook.last_error_date,
                last_error_message=webhook.last_error_message,
            )
        return info

    async def _send_message(self, call: _Call) -> JSONDict:
        text = _rendered_text(call.params, "text").strip()
        return self._deliver(call, {"text": text, **_present(call.params, "entities")})

    async def _send_photo(self, call: _Call) -> JSONDict:
        photo = self._file_param(call.params["photo"], "photos")
        content = {"photo": [photo.as_photo_size()], **self._caption(call.params)}
        return self._deliver(call, content)

    async def _send_document(self, call: _Call) -> JSONDict:
        document = self._file_param(call.params["document"], "documents")
        content = {"document": document.as_document(), **self._caption(call.params)}
        return self._deliver(call, content)

    async def _edit_message_text(self, call: _Call) -> JSONDict:
        message = self._editable_message(call.params)
        if "text" not in message:
            raise _bad_request("there is no text in the message to edit")
        new_content = {
            "text": _rendered_text(call.params, "text").strip(),
            **_present(call.params, "entities"),
            **_inline_markup(call.params),
        }
        if _present(message, "text", "entities", "reply_markup") == new_content:
            raise _not_modified()
        for key in ("entities", "reply_markup"):
            message.pop(key, None)
        message.update(new_content, edit_date=_now())
        self._record_sent(call, message["chat"]["id"], message["message_id"])
        return message

    async def _edit_message_reply_markup(self, call: _Call) -> JSONDict:
        message = self._editable_message(call.params)
        new_markup = _inline_markup(call.params)
        if _inline_markup(message) == new_markup:
            raise _not_modified()
        message.pop("reply_markup", None)
        message.update(new_markup)
        self._record_sent(call, message["chat"]["id"], message["message_id"])
        return message

    async def _delete_message(self, call: _Call) -> bool:
        chat_id, message_id = call.params["chat_id"], call.params["message_id"]
        if self._chats[chat_id].pop(message_id, None) is None:
            raise _bad_request("message to delete not found", f"no message {message_id}")
        self._record_sent(call, chat_id, message_id)
        return True

    async def _answer_callback_query(self, call: _Call) -> bool:
        query_id = call.params["callback_query_id"]
        query = self._callback_queries.get(query_id)
        if query is None or query.answered:
            reason = "already answered" if query else "never issued by the fake"
            raise _bad_request(
                "query is too old and response timeout expired or query ID is invalid",
                f"callback query {query_id!r} was {reason}",
            )
        query.answered = True
        self._record_sent(call, query.user_id, query.message_id)
        return True

    async def _send_chat_action(self, call: _Call) -> bool:
        self._record_sent(call, call.params["chat_id"], None)
        return True

    async def _set_my_commands(self, call: _Call) -> bool:
        commands = call.params["commands"]
        if len(commands) > MAX_COMMANDS:
            raise _bad_request("too many commands", f"{len(commands)}, at most {MAX_COMMANDS}")
        for command in commands:
            if not _BOT_COMMAND.fullmatch(command["command"]):
                raise _bad_request("BOT_COMMAND_INVALID", repr(command["command"]))
            if not 1 <= len(command["description"]) <= MAX_COMMAND_DESCRIPTION_LENGTH:
                raise _bad_request("command description must be 1-256 characters", repr(command))
        self._commands[_commands_key(call.params)] = commands
        return True

    async def _get_my_commands(self, call: _Call) -> list[JSONDict]:
        return self._commands.get(_commands_key(call.params), [])

    async def _delete_my_commands(self, call: _Call) -> bool:
        self._commands.pop(_commands_key(call.params), None)
        return True

    async def _get_file(self, call: _Call) -> JSONDict:
        stored = self._files.get(call.params["file_id"])
        if stored is None:
            raise _bad_request("invalid file_id", repr(call.params["file_id"]))
        return stored.as_file()

    # --------------------------------------------------------------------- messages and files

    def _bot_user(self, token: str) -> JSONDict:
        bot_id = int(token.split(":", 1)[0])
        return {
            "id": bot_id,
            "is_bot": True,
            "first_name": BOT_FIRST_NAME,
            "username": self.bot_username,
        }

    def _deliver(self, call: _Call, content: JSONDict) -> JSONDict:
        """Stores a new bot message in the call's chat and records the send."""
        chat_id = call.params["chat_id"]
        message = {
            "message_id": next(self._message_ids[chat_id]),
            "from": self._bot_user(call.token),
            "chat": self._users[chat_id].as_chat(),
            "date": _now(),
            **content,
            **_inline_markup(call.params),
        }
        self._chats[chat_id][message["message_id"]] = message
        self._record_sent(call, chat_id, message["message_id"])
        return message

    def _record_sent(self, call: _Call, chat_id: int, message_id: int | None) -> None:
        record = SentRecord(call.method, chat_id, call.params, message_id, self._clock())
        self.sent.append(record)
        for listener in self.sent_listeners:
            listener(record)
        self._notify()

    def _caption(self, params: JSONDict) -> JSONDict:
        if "caption" not in params:
            return {}
        caption = _rendered_text(params, "caption").strip()
        return {"caption": caption, **_present(params, "caption_entities")}

    def _editable_message(self, params: JSONDict) -> JSONDict:
        if "inline_message_id" in params:
            raise _bad_request("MESSAGE_ID_INVALID", "the fake knows no inline messages")
        if "chat_id" not in params:
            raise _bad_request("chat_id is empty")
        if "message_id" not in params:
            raise _bad_request("message identifier is not specified")
        chat_id, message_id = params["chat_id"], params["message_id"]
        message = self._chats[chat_id].get(message_id)
        if message is None:
            raise _bad_request("message to edit not found", f"no message {message_id}")
        if not message["from"]["is_bot"]:
            raise _bad_request("message can't be edited", f"message {message_id} is the user's")
        return message

    def _file_param(self, value: Upload | str, folder: str) -> _StoredFile:
        """The file an InputFile-or-String parameter names: a new upload, a file_id or a URL."""
        if isinstance(value, Upload):
            return self._store_file(value.data, folder, value.filename, value.content_type)
        if value in self._files:
            return self._files[value]
        if value.startswith(("http://", "https://")):
            return self._store_file(b"", folder, value.rsplit("/", 1)[-1])
        raise _bad_request("wrong file identifier/HTTP URL specified", f"unknown file {value!r}")

    def _store_file(
        self,
        data: bytes,
        folder: str,
        file_name: str | None = None,
        content_type: str | None = None,
        *,
        file_id: str | None = None,
    ) -> _StoredFile:
        number = next(self._file_numbers)
        suffix = Path(file_name).suffix if file_name else ""
        mime_type = (mimetypes.guess_type(file_name)[0] if file_name else None) or content_type
        stored = _StoredFile(
            file_id=file_id or f"{folder}-{number}",
            file_unique_id=f"unique-{number}",
            file_path=f"{folder}/file_{number}{suffix}",
            data=data,
            file_name=file_name,
            mime_type=mime_type,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def _known_file(self, file_id: str) -> _StoredFile:
        if file_id not in self._files:
            raise ValueError(f"unknown file_id {file_id!r}; register it with add_file")
        return self._files[file_id]

    # --------------------------------------------------------------------- users and chats

    def _user(self, user_id: int) -> FakeUser:
        if user_id not in self._users:
            raise ValueError(f"unknown user {user_id}; call add_user first")
        return self._users[user_id]

    def _active_user(self, user_id: int) -> FakeUser:
        user = self._user(user_id)
        if user.blocked:
            raise ValueError(f"user {user_id} blocked the bot; call unblock_user first")
        return user

    def _bot_messages(self, user_id: int) -> list[JSONDict]:
        chat = self._chats[self._user(user_id).id]
        return [message for message in chat.values() if message["from"]["is_bot"]]

    def _bot_message(self, user_id: int, message_id: int) -> JSONDict:
        message = self._chats[self._user(user_id).id].get(message_id)
        if message is None or not message["from"]["is_bot"]:
            raise ValueError(f"the chat of user {user_id} shows no bot message {message_id}")
        return message

    def _user_message(self, user_id: int, content: JSONDict) -> JSONDict:
        user = self._active_user(user_id)
        message = {
            "message_id": next(self._message_ids[user_id]),
            "from": user.as_user(),
            "chat": user.as_chat(),
            "date": _now(),
            **content,
        }
        self._chats[user_id][message["message_id"]] = message
        return self._queue({"message": _json_copy(message)})

    # --------------------------------------------------------------------- update queue

    def _queue(self, payload: JSONDict) -> JSONDict:
        update = {"update_id": next(self._update_ids), **payload}
        sender = (payload.get("message") or payload.get("callback_query") or {}).get("from")
        if isinstance(sender, dict) and isinstance(sender.get("id"), int):
            self._last_update_from[sender["id"]] = self._clock()
        self._updates[update["update_id"]] = update
        self._pending.append(_PendingUpdate(update))
        self._notify()
        return _json_copy(update)

    def _notify(self) -> None:
        """Wakes everything waiting in wait_until: long polls, webhook delivery, tests."""
        self._tick.set()
        self._tick = asyncio.Event()

    def _default_allowed_updates(self) -> frozenset[str]:
        return self._spec.update_kinds() - OPT_IN_UPDATES

    def _set_allowed_updates(self, params: JSONDict) -> None:
        if "allowed_updates" in params:
            allowed = frozenset(params["allowed_updates"])
            self._allowed_updates = allowed or self._default_allowed_updates()

    def _deliverable(self) -> list[_PendingUpdate]:
        """Pending updates of allowed kinds; Telegram never sends the others: drop them."""
        allowed = self._allowed_updates
        self._pending = [pending for pending in self._pending if pending.kind in allowed]
        return self._pending

    def _confirm_updates(self, offset: int) -> None:
        """getUpdates' offset: forget confirmed updates (a redelivery only once it went out)."""
        if offset < 0:
            self._pending = self._pending[offset:]
            return
        self._pending = [
            pending
            for pending in self._pending
            if pending.update_id >= offset or (pending.redelivery and not pending.delivered)
        ]

    def _drop_pending_if_asked(self, params: JSONDict) -> None:
        if params.get("drop_pending_updates"):
            self._pending = []

    # --------------------------------------------------------------------- webhook delivery

    async def _replace_webhook(self, webhook: _Webhook | None) -> None:
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            await asyncio.wait({self._webhook_task})
        self._webhook, self._webhook_task = webhook, None
        if webhook is not None:
            self._webhook_task = asyncio.create_task(self._deliver_to_webhook(webhook))

    async def _deliver_to_webhook(self, webhook: _Webhook) -> None:
        """Posts pending updates, up to `max_connections` at once like Telegram, one at a time
        per chat and in order; each is retried until the bot answers 2xx."""
        in_flight: dict[int, asyncio.Task[None]] = {}  # chat -> its delivery
        try:
            while True:
                await self.wait_until(lambda: bool(self._ready_updates(webhook, in_flight)), None)
                for chat, pending in self._ready_updates(webhook, in_flight):
                    in_flight[chat] = asyncio.create_task(
                        self._deliver_one(webhook, pending, chat, in_flight)
                    )
        finally:
            for task in in_flight.values():
                task.cancel()
            if in_flight:
                await asyncio.wait(set(in_flight.values()))

    def _ready_updates(
        self, webhook: _Webhook, in_flight: dict[int, asyncio.Task[None]]
    ) -> list[tuple[int, _PendingUpdate]]:
        """The oldest pending update of each chat with nothing in flight, within the limit."""
        ready: list[tuple[int, _PendingUpdate]] = []
        seen: set[int] = set()
        room = webhook.max_connections - len(in_flight)
        for pending in self._deliverable():
            chat = _update_chat(pending.update)
            if chat in seen:
                continue
            seen.add(chat)
            if chat not in in_flight and len(ready) < room:
                ready.append((chat, pending))
        return ready

    async def _deliver_one(
        self,
        webhook: _Webhook,
        pending: _PendingUpdate,
        chat: int,
        in_flight: dict[int, asyncio.Task[None]],
    ) -> None:
        try:
            if await self._post_update(webhook, pending.update):
                self._pending = [other for other in self._pending if other is not pending]
            else:
                await asyncio.sleep(self.webhook_retry_delay)
        finally:
            in_flight.pop(chat, None)
            self._notify()

    async def _post_update(self, webhook: _Webhook, update: JSONDict) -> bool:
        if self._client is None:
            raise RuntimeError("FakeBotApi.start() was not called")
        headers = {SECRET_TOKEN_HEADER: webhook.secret_token} if webhook.secret_token else {}
        try:
            async with self._client.post(
                webhook.url, json=update, headers=headers, timeout=WEBHOOK_TIMEOUT
            ) as response:
                status = response.status
                error = f"Wrong response from the webhook: {response.status} {response.reason}"
        except (ClientError, TimeoutError) as exc:
            status, error = 0, f"Connection failed: {exc!r}"
        self.webhook_attempts.append(WebhookAttempt(update["update_id"], status))
        self._notify()
        if 200 <= status < 300:
            return True
        webhook.last_error_date, webhook.last_error_message = _now(), error
        return False


# ----------------------------------------------------------------------------- sync helper


class FakeBotApiThread:
    """Runs a FakeBotApi in its own event-loop thread, for synchronous tests.

    Every method runs on that loop, so it is safe to call from the test's thread.
    """

    def __init__(self, api: FakeBotApi | None = None) -> None:
        self.api = api or FakeBotApi()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="fake-bot-api", daemon=True
        )

    def __enter__(self) -> Self:
        self._thread.start()
        self._await(self.api.start())
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            self._await(self.api.stop())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
            self._loop.close()

    @property
    def url(self) -> str:
        return self.api.url

    @property
    def violations(self) -> list[str]:
        return self._call(list, self.api.violations)

    @property
    def sent(self) -> list[SentRecord]:
        return self._call(list, self.api.sent)

    @property
    def requests(self) -> list[RequestRecord]:
        return self._call(list, self.api.requests)

    def add_user(
        self,
        user_id: int,
        first_name: str = DEFAULT_FIRST_NAME,
        language_code: str = DEFAULT_LANGUAGE,
    ) -> None:
        self._call(self.api.add_user, user_id, first_name, language_code)

    def add_file(self, file_id: str, data: bytes) -> None:
        self._call(self.api.add_file, file_id, data)

    def block_user(self, user_id: int) -> None:
        self._call(self.api.block_user, user_id)

    def unblock_user(self, user_id: int) -> None:
        self._call(self.api.unblock_user, user_id)

    def user_sends_text(self, user_id: int, text: str) -> JSONDict:
        return self._call(self.api.user_sends_text, user_id, text)

    def user_presses(self, user_id: int, message_id: int, callback_data: str) -> JSONDict:
        return self._call(self.api.user_presses, user_id, message_id, callback_data)

    def user_presses_button(self, user_id: int, label: str) -> JSONDict:
        return self._call(self.api.user_presses_button, user_id, label)

    def user_shares_contact(self, user_id: int, phone: str) -> JSONDict:
        return self._call(self.api.user_shares_contact, user_id, phone)

    def user_shares_location(self, user_id: int, latitude: float, longitude: float) -> JSONDict:
        return self._call(self.api.user_shares_location, user_id, latitude, longitude)

    def user_sends_photo(self, user_id: int, photo: str | bytes) -> JSONDict:
        return self._call(self.api.user_sends_photo, user_id, photo)

    def user_sends_voice(self, user_id: int) -> JSONDict:
        return self._call(self.api.user_sends_voice, user_id)

    def user_sends_audio(self, user_id: int) -> JSONDict:
        return self._call(self.api.user_sends_audio, user_id)

    def user_sends_video(self, user_id: int) -> JSONDict:
        return self._call(self.api.user_sends_video, user_id)

    def user_sends_video_note(self, user_id: int) -> JSONDict:
        return self._call(self.api.user_sends_video_note, user_id)

    def user_sends_document(self, user_id: int) -> JSONDict:
        return self._call(self.api.user_sends_document, user_id)

    def user_sends_sticker(self, user_id: int) -> JSONDict:
        return self._call(self.api.user_sends_sticker, user_id)

    def user_edits_message(self, user_id: int, message_id: int, new_text: str) -> JSONDict:
        return self._call(self.api.user_edits_message, user_id, message_id, new_text)

    def redeliver(self, update_id: int) -> None:
        self._call(self.api.redeliver, update_id)

    def messages_for(self, user_id: int) -> list[JSONDict]:
        return self._call(self.api.messages_for, user_id)

    def last_buttons(self, user_id: int) -> list[tuple[str, str | None]]:
        return self._call(self.api.last_buttons, user_id)

    def find_button(self, user_id: int, label: str) -> tuple[int, str]:
        return self._call(self.api.find_button, user_id, label)

    def wait_for(
        self, predicate: Callable[[SentRecord], bool], timeout: float = 10.0, since: int = 0
    ) -> SentRecord:
        return self._await(self.api.wait_for(predicate, timeout, since))

    def wait_for_messages(self, user_id: int, count: int, timeout: float = 10.0) -> list[JSONDict]:
        return self._await(self.api.wait_for_messages(user_id, count, timeout))

    def _await(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def _call(self, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        async def run() -> T:
            return function(*args, **kwargs)

        return self._await(run())


# ----------------------------------------------------------------------------- command line


def _parse_user(spec: str) -> tuple[int, str, str]:
    """ "1001:Amina:ar" -> (1001, "Amina", "ar"); name and language are optional."""
    user_id, _, rest = spec.partition(":")
    first_name, _, language_code = rest.partition(":")
    return int(user_id), first_name or DEFAULT_FIRST_NAME, language_code or DEFAULT_LANGUAGE


async def _serve(args: argparse.Namespace) -> None:
    api = FakeBotApi(limit_mode=args.limit_mode)
    for user in args.user:
        api.add_user(*_parse_user(user))
    await api.start(args.host, args.port)
    print(api.url, flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await api.stop()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m tests.fakes.bot_api",
        description="Run the fake Telegram Bot API server; prints its URL, logs violations.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port")
    parser.add_argument(
        "--user",
        action="append",
        default=[],
        metavar="ID[:NAME[:LANG]]",
        help="a user the bot may message; repeat for more",
    )
    parser.add_argument(
        "--limit-mode", action="store_true", help="answer 429 above Telegram's rate limits"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
