"""What a user did, independent of the channel it came through."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class EventKind(StrEnum):
    TEXT = "text"
    COMMAND = "command"
    BUTTON = "button"
    CONTACT = "contact"
    LOCATION = "location"
    PHOTO = "photo"
    VOICE = "voice"  # a voice note (its file id in voice_file_id, and in file_id)
    AUDIO = "audio"  # an audio file (music, a recording sent as a file)
    VIDEO = "video"
    VIDEO_NOTE = "video_note"  # a round video message
    DOCUMENT = "document"  # any file sent as a file (PDF, spreadsheet...)
    EDITED = "edited"
    OTHER = "other"  # stickers, videos, polls...: anything we cannot read


@dataclass(frozen=True, slots=True)
class Event:
    user_id: int
    chat_id: int
    kind: EventKind
    text: str = ""
    command: str = ""
    args: str = ""
    payload: str = ""
    phone: str = ""
    contact_user_id: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    photo_file_id: str = ""
    voice_file_id: str = ""
    # The attachment of a VOICE, AUDIO, VIDEO, VIDEO_NOTE or DOCUMENT, as Telegram gives it
    # (size in bytes, None when unknown; MIME type and file name when the sender's app said).
    file_id: str = ""
    file_size: int | None = None
    mime_type: str = ""
    file_name: str = ""
    update_id: int | None = None
    message_id: int | None = None
    callback_id: str | None = None
    language_code: str | None = None
    first_name: str = ""
    username: str = ""
    is_private: bool = True

    @classmethod
    def from_text(
        cls,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        update_id: int | None = None,
        message_id: int | None = None,
        language_code: str | None = None,
    ) -> Event:
        """A TEXT or COMMAND event, the way Telegram delivers typed text."""
        parsed = parse_command(text)
        kind = EventKind.COMMAND if parsed else EventKind.TEXT
        command, args = parsed or ("", "")
        return cls(
            user_id,
            user_id if chat_id is None else chat_id,
            kind,
            text=text,
            command=command,
            args=args,
            update_id=update_id,
            message_id=message_id,
            language_code=language_code,
        )


# Kinds a conversation cannot take as an answer unless it asks for them: the generic
# "I can only read..." answer covers both.
UNREADABLE = frozenset(
    {
        EventKind.OTHER,
        EventKind.VOICE,
        EventKind.AUDIO,
        EventKind.VIDEO,
        EventKind.VIDEO_NOTE,
        EventKind.DOCUMENT,
    }
)
# Kinds that carry a file (file_id, file_size, mime_type, file_name).
ATTACHMENTS = frozenset(
    {EventKind.VOICE, EventKind.AUDIO, EventKind.VIDEO, EventKind.VIDEO_NOTE, EventKind.DOCUMENT}
)


def parse_command(text: str) -> tuple[str, str] | None:
    """'/start@bot survey_x' -> ('start', 'survey_x'); None when text is not a command."""
    if not text.startswith("/") or len(text) < 2 or text[1].isspace():
        return None
    head, _, rest = text[1:].partition(" ")
    command = head.split("@", 1)[0].lower()
    if not command:
        return None
    return command, rest.strip()
