"""Turning a channel's incoming message into an engine Event (shared by all adapters)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.engine.events import Event, EventKind, parse_command

# Telegram's message fields that carry a file, in the order we look at them (an animation
# also comes as a document; a voice note is never anything else).
ATTACHMENT_FIELDS = ("voice", "video_note", "video", "audio", "document")


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    """The fields every channel can give us about one incoming message."""

    user_id: int
    chat_id: int
    is_private: bool = True
    text: str = ""
    phone: str = ""
    contact_user_id: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    photo_file_id: str = ""
    voice_file_id: str = ""
    media_kind: str = ""  # one of ATTACHMENT_FIELDS, for a message with a file
    file_id: str = ""
    file_size: int | None = None
    mime_type: str = ""
    file_name: str = ""
    edited: bool = False
    update_id: int | None = None
    message_id: int | None = None
    language_code: str | None = None
    first_name: str = ""
    username: str = ""


def attachment(message: Any) -> dict[str, Any]:
    """The file a Telegram message carries (aiogram's and PTB's Message name the fields as
    the Bot API does), as IncomingMessage fields; {} when it carries none."""
    for field_name in ATTACHMENT_FIELDS:
        item = getattr(message, field_name, None)
        if item is None:
            continue
        size = getattr(item, "file_size", None)
        return {
            "media_kind": field_name,
            "file_id": str(item.file_id),
            "file_size": int(size) if isinstance(size, int) else None,
            "mime_type": str(getattr(item, "mime_type", None) or ""),
            "file_name": str(getattr(item, "file_name", None) or ""),
        }
    return {}


def _kind(m: IncomingMessage) -> EventKind:
    if m.edited:
        return EventKind.EDITED
    if m.phone:
        return EventKind.CONTACT
    if m.latitude is not None and m.longitude is not None:
        return EventKind.LOCATION
    if m.photo_file_id:
        return EventKind.PHOTO
    if m.voice_file_id:
        return EventKind.VOICE
    if m.media_kind in ATTACHMENT_FIELDS:
        return EventKind(m.media_kind)
    if m.text:
        return EventKind.COMMAND if parse_command(m.text) else EventKind.TEXT
    return EventKind.OTHER


def message_event(m: IncomingMessage) -> Event:
    kind = _kind(m)
    command, args = (parse_command(m.text) or ("", "")) if kind == EventKind.COMMAND else ("", "")
    return Event(
        user_id=m.user_id,
        chat_id=m.chat_id,
        kind=kind,
        text=m.text,
        command=command,
        args=args,
        phone=m.phone,
        contact_user_id=m.contact_user_id,
        latitude=m.latitude,
        longitude=m.longitude,
        photo_file_id=m.photo_file_id,
        voice_file_id=m.voice_file_id,
        file_id=m.file_id,
        file_size=m.file_size,
        mime_type=m.mime_type,
        file_name=m.file_name,
        update_id=m.update_id,
        message_id=m.message_id,
        language_code=m.language_code,
        first_name=m.first_name,
        username=m.username,
        is_private=m.is_private,
    )


def button_event(
    *,
    user_id: int,
    chat_id: int,
    payload: str,
    callback_id: str,
    message_id: int | None,
    update_id: int | None,
    language_code: str | None,
    first_name: str = "",
    username: str = "",
    is_private: bool = True,
) -> Event:
    return Event(
        user_id,
        chat_id,
        EventKind.BUTTON,
        payload=payload,
        callback_id=callback_id,
        message_id=message_id,
        update_id=update_id,
        language_code=language_code,
        first_name=first_name,
        username=username,
        is_private=is_private,
    )
