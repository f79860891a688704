"""The terminal simulator: try the bot with no token, by hand or from a script.

Script lines (one per message):
  text                    a typed message        /command args   a command
  [Button label]          press a button (newest message first; reply-keyboard
                          buttons that ask for a contact or location share a demo one)
  @location LAT,LON       share a location       @contact +PHONE  share a phone number
  @photo                  send a photo           @sticker         send a sticker
  @voice                  send a voice note
  @audio / @video / @videonote  send an audio file, a video, a round video message
  @document NAME [MIME [BYTES]]  send a file (default application/pdf, 20000 bytes)
  @as USER_ID             continue as another user (staff, a second resident...)
  # comment               ignored
Every bot reply becomes one JSON line in the transcript.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from bot.channels.base import ChannelMessenger, EditFailed, MessageNotModified
from bot.channels.convert import IncomingMessage, button_event, message_event
from bot.engine.engine import Engine
from bot.engine.events import Event
from bot.engine.messenger import DeliveryError
from bot.engine.replies import Buttons, Document, Edit, KeyboardButton, Photo, Text

DEMO_PHONE = "+21698000000"
DEMO_LOCATION = (35.1676, 8.8365)


@dataclass
class ChatMessage:
    message_id: int
    text: str
    buttons: Buttons | None = None
    keyboard: list[list[KeyboardButton]] | None = None
    kind: str = "message"


@dataclass
class Chat:
    messages: list[ChatMessage] = field(default_factory=list)
    keyboard: list[list[KeyboardButton]] | None = None


def _labels(buttons: Buttons | None) -> list[list[str]]:
    return [[b.label for b in row] for row in buttons or []]


class SimulatorMessenger(ChannelMessenger):
    """Keeps every chat's messages in memory and reports each reply to a listener."""

    def __init__(self) -> None:
        self.chats: dict[int, Chat] = {}
        self.records: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self.fail_downloads = False  # tests: Telegram cannot be reached for files

    def chat(self, chat_id: int) -> Chat:
        return self.chats.setdefault(chat_id, Chat())

    async def download(self, file_id: str) -> bytes:
        """A simulated user's file: its id as content (the simulator has no real files)."""
        if self.fail_downloads:
            raise DeliveryError("simulated download failure")
        return f"simulated file {file_id}".encode()

    def _record(self, **fields: Any) -> None:
        self.records.append(fields)

    async def send_text(self, chat_id: int, reply: Text) -> int:
        message = ChatMessage(next(self._ids), reply.text, reply.buttons, reply.keyboard)
        chat = self.chat(chat_id)
        chat.messages.append(message)
        if reply.keyboard:
            chat.keyboard = reply.keyboard
        elif reply.remove_keyboard:
            chat.keyboard = None
        self._record(
            kind="message",
            chat_id=chat_id,
            message_id=message.message_id,
            text=reply.text,
            buttons=_labels(reply.buttons),
            keyboard=[[k.label for k in row] for row in reply.keyboard or []],
        )
        return message.message_id

    async def edit_text(self, chat_id: int, message_id: int, reply: Edit) -> None:
        for message in self.chat(chat_id).messages:
            if message.message_id == message_id:
                if message.text == reply.text and message.buttons == reply.buttons:
                    raise MessageNotModified()
                message.text, message.buttons = reply.text, reply.buttons
                self._record(
                    kind="edit",
                    chat_id=chat_id,
                    message_id=message_id,
                    text=reply.text,
                    buttons=_labels(reply.buttons),
                )
                return
        raise EditFailed(f"message {message_id} not found")

    async def send_document(self, chat_id: int, reply: Document) -> int:
        message = ChatMessage(next(self._ids), reply.caption, kind="document")
        self.chat(chat_id).messages.append(message)
        self._record(
            kind="document",
            chat_id=chat_id,
            message_id=message.message_id,
            filename=reply.filename,
            size=len(reply.data),
            text=reply.caption,
        )
        return message.message_id

    async def send_photo(self, chat_id: int, reply: Photo) -> int:
        message = ChatMessage(next(self._ids), reply.caption, reply.buttons, kind="photo")
        self.chat(chat_id).messages.append(message)
        self._record(
            kind="photo",
            chat_id=chat_id,
            message_id=message.message_id,
            text=reply.caption,
            size=len(reply.data),
            buttons=_labels(reply.buttons),
        )
        return message.message_id

    async def answer_callback(self, callback_id: str, text: str, alert: bool) -> None:
        if text:
            self._record(kind="toast", text=text, alert=alert)


class Simulator:
    def __init__(
        self, engine: Engine, user_id: int = 1000, language: str = "ar", first_name: str = "Demo"
    ) -> None:
        self.engine = engine
        self.messenger = SimulatorMessenger()
        engine.services.messenger = self.messenger
        self.user_id = user_id
        self.language = language
        self.first_name = first_name
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)

    def _message(self, **fields: Any) -> Event:
        return message_event(
            IncomingMessage(
                user_id=self.user_id,
                chat_id=self.user_id,
                update_id=next(self._update_ids),
                message_id=None,
                language_code=self.language,
                first_name=self.first_name,
                **fields,
            )
        )

    def _find_button(self, label: str) -> Event | str:
        chat = self.messenger.chat(self.user_id)
        for message in reversed(chat.messages):
            for row in message.buttons or []:
                for button in row:
                    if button.label == label and button.payload:
                        return button_event(
                            user_id=self.user_id,
                            chat_id=self.user_id,
                            payload=button.payload,
                            callback_id=f"cb{next(self._callback_ids)}",
                            message_id=message.message_id,
                            update_id=next(self._update_ids),
                            language_code=self.language,
                            first_name=self.first_name,
                        )
        for key_row in chat.keyboard or []:
            for key_button in key_row:
                if key_button.label == label:
                    if key_button.request == "contact":
                        return self._message(phone=DEMO_PHONE, contact_user_id=self.user_id)
                    if key_button.request == "location":
                        return self._message(latitude=DEMO_LOCATION[0], longitude=DEMO_LOCATION[1])
                    return self._message(text=label)
        return f"no button labelled {label!r} on screen"

    @staticmethod
    def _file(kind: str, file_id: str, mime: str, name: str, size: int) -> dict[str, Any]:
        return {
            "media_kind": kind,
            "file_id": file_id,
            "file_size": size,
            "mime_type": mime,
            "file_name": name,
        }

    def event_for(self, line: str) -> Event | str | None:
        """The event a script line stands for, an error text, or None for no event."""
        stripped = line.rstrip("\n")
        if not stripped.strip() or stripped.lstrip().startswith("#"):
            return None
        if stripped.startswith("[") and stripped.endswith("]"):
            return self._find_button(stripped[1:-1])
        if stripped.startswith("@as "):
            self.user_id = int(stripped[4:].strip())
            return None
        if stripped.startswith("@location "):
            lat, lon = (float(x) for x in stripped[10:].split(","))
            return self._message(latitude=lat, longitude=lon)
        if stripped.startswith("@contact "):
            return self._message(phone=stripped[9:].strip(), contact_user_id=self.user_id)
        if stripped == "@photo":
            return self._message(photo_file_id=f"demo-photo-{next(self._update_ids)}")
        if stripped == "@voice":
            file_id = f"demo-voice-{next(self._update_ids)}"
            return self._message(
                voice_file_id=file_id, **self._file("voice", file_id, "audio/ogg", "", 8000)
            )
        if stripped in ("@audio", "@video", "@videonote"):
            kind, mime, name = {
                "@audio": ("audio", "audio/mpeg", "recording.mp3"),
                "@video": ("video", "video/mp4", "video.mp4"),
                "@videonote": ("video_note", "", ""),
            }[stripped]
            file_id = f"demo-{kind}-{next(self._update_ids)}"
            return self._message(**self._file(kind, file_id, mime, name, 200_000))
        if stripped.startswith("@document "):
            parts = stripped[10:].split()
            name = parts[0] if parts else "document.pdf"
            mime = parts[1] if len(parts) > 1 else "application/pdf"
            size = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else 20_000
            file_id = f"demo-document-{next(self._update_ids)}"
            return self._message(**self._file("document", file_id, mime, name, size))
        if stripped == "@sticker":
            return self._message()
        return self._message(text=stripped)

    async def feed(self, line: str) -> list[dict[str, Any]]:
        """Handle one script line; the replies it produced, as transcript records."""
        event = self.event_for(line)
        if event is None:
            return []
        if isinstance(event, str):
            return [{"kind": "error", "input": line, "text": event}]
        before = len(self.messenger.records)
        await self.messenger.deliver(event, await self.engine.handle(event))
        return [dict(record, input=line) for record in self.messenger.records[before:]]

    async def run_script(
        self, lines: list[str], transcript: IO[str] | None = None, echo: IO[str] | None = None
    ) -> list[dict[str, Any]]:
        everything: list[dict[str, Any]] = []
        for line in lines:
            records = await self.feed(line)
            everything.extend(records)
            for record in records:
                if transcript is not None:
                    transcript.write(json.dumps(record, ensure_ascii=False) + "\n")
                if echo is not None:
                    echo.write(render(record))
        return everything

    async def interactive(self) -> None:
        print(_banner())
        self_records = await self.feed("/start")
        for record in self_records:
            sys.stdout.write(render(record))
        while True:
            try:
                line = await asyncio.to_thread(input, "> ")
            except (EOFError, KeyboardInterrupt):
                print()
                return
            for record in await self.feed(line):
                sys.stdout.write(render(record))


def _banner() -> str:
    return (
        "Musharaka simulator. Type as the user; [Label] presses a button; "
        "@location LAT,LON, @contact +PHONE, @photo, @voice, @audio, @video, @videonote, "
        "@document NAME [MIME [BYTES]], @sticker; Ctrl-D quits."
    )


def render(record: dict[str, Any]) -> str:
    """A reply as a human reads it in the terminal."""
    kind = record.get("kind")
    if kind == "toast":
        return f"  ({record['text']})\n"
    if kind == "error":
        return f"  !! {record['text']}\n"
    head = {"edit": "~ ", "document": "📄 ", "photo": "🖼  "}.get(str(kind), "")
    if kind == "document":
        head += f"{record.get('filename')} "
    lines = [f"{head}{record.get('text', '')}"]
    for row in record.get("buttons") or []:
        lines.append("   " + "  ".join(f"[{label}]" for label in row))
    for row in record.get("keyboard") or []:
        lines.append("   ⌨ " + "  ".join(f"[{label}]" for label in row))
    return "\n".join(lines) + "\n\n"


def read_script(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()
