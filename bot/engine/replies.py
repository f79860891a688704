"""What the bot answers, independent of the channel that delivers it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

CALLBACK_DATA_MAX_BYTES = 64
TEXT_MAX_CHARS = 4096
CAPTION_MAX_CHARS = 1024
TOAST_MAX_CHARS = 200


class PayloadTooLong(ValueError):
    """A button payload would not fit Telegram's 64-byte callback_data."""


@dataclass(frozen=True, slots=True)
class Button:
    """An inline button. ``payload`` is the full callback_data sent back on a press."""

    label: str
    payload: str = ""
    url: str = ""

    def __post_init__(self) -> None:
        if not self.url and not self.payload:
            raise ValueError("a button needs a payload or a url")
        if len(self.payload.encode("utf-8")) > CALLBACK_DATA_MAX_BYTES:
            raise PayloadTooLong(self.payload)


@dataclass(frozen=True, slots=True)
class KeyboardButton:
    """A reply-keyboard button; ``request`` asks Telegram for the contact or location."""

    label: str
    request: Literal["contact", "location", ""] = ""


Buttons = list[list[Button]]


@dataclass(frozen=True, slots=True)
class Text:
    text: str
    buttons: Buttons | None = None
    keyboard: list[list[KeyboardButton]] | None = None
    remove_keyboard: bool = False


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace the text (and buttons) of a message the bot sent earlier.

    ``message_id`` None means "the message whose button was just pressed".
    """

    text: str
    buttons: Buttons | None = None
    message_id: int | None = None


@dataclass(frozen=True, slots=True)
class Toast:
    """The short notice shown when a button is pressed (answerCallbackQuery)."""

    text: str
    alert: bool = False


@dataclass(frozen=True, slots=True)
class Document:
    filename: str
    data: bytes
    caption: str = ""
    mime_type: str = "application/octet-stream"


@dataclass(frozen=True, slots=True)
class Photo:
    """An image: raw PNG/JPEG bytes, or a Telegram file_id to re-send."""

    data: bytes = b""
    file_id: str = ""
    caption: str = ""
    buttons: Buttons | None = None


Reply = Text | Edit | Toast | Document | Photo


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A reply addressed to a chat; ``chat_id`` None means the chat the event came from."""

    reply: Reply
    chat_id: int | None = None
    meta: dict[str, str] = field(default_factory=dict)


def split_long_text(text: str, limit: int = TEXT_MAX_CHARS) -> list[str]:
    """Split text into Telegram-sized parts, preferring line breaks."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit)
        if cut <= 0:
            cut = limit
        parts.append(rest[:cut])
        rest = rest[cut:].lstrip("\n")
    if rest:
        parts.append(rest)
    return parts
