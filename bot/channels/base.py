"""What every channel shares: turning the engine's replies into sends, in order."""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from dataclasses import replace
from typing import TypeVar

from bot.engine.events import Event
from bot.engine.locks import KeyedLocks
from bot.engine.messenger import DeliveryError, RateLimited, RecipientUnreachable
from bot.engine.replies import (
    CAPTION_MAX_CHARS,
    TOAST_MAX_CHARS,
    Document,
    Edit,
    Outgoing,
    Photo,
    Reply,
    Text,
    Toast,
    split_long_text,
)

log = logging.getLogger(__name__)

REPLY_RETRIES = 3


class MessageNotModified(DeliveryError):
    """An edit with the same text and buttons: nothing to do."""


class EditFailed(DeliveryError):
    """The message can no longer be edited (too old, deleted)."""


class ChannelMessenger(ABC):
    """Implements ``Messenger`` on top of five channel primitives."""

    @abstractmethod
    async def send_text(self, chat_id: int, reply: Text) -> int: ...

    @abstractmethod
    async def edit_text(self, chat_id: int, message_id: int, reply: Edit) -> None: ...

    @abstractmethod
    async def send_document(self, chat_id: int, reply: Document) -> int: ...

    @abstractmethod
    async def send_photo(self, chat_id: int, reply: Photo) -> int: ...

    @abstractmethod
    async def answer_callback(self, callback_id: str, text: str, alert: bool) -> None: ...

    async def download(self, file_id: str) -> bytes:
        """The bytes of a file a user sent (Telegram lets a bot fetch files up to 20 MB)."""
        raise DeliveryError("this channel cannot fetch files")

    async def send(self, chat_id: int, reply: Reply) -> int | None:
        if isinstance(reply, Text):
            message_id = 0
            parts = split_long_text(reply.text)
            for index, part in enumerate(parts):
                last = index == len(parts) - 1
                piece = Text(
                    part,
                    reply.buttons if last else None,
                    reply.keyboard if last else None,
                    reply.remove_keyboard and last,
                )
                message_id = await self.send_text(chat_id, piece)
            return message_id
        if isinstance(reply, Edit):
            if reply.message_id is None:
                raise ValueError("an Edit sent outside a button press needs a message_id")
            try:
                await self.edit_text(chat_id, reply.message_id, reply)
            except MessageNotModified:
                pass
            except EditFailed:
                return await self.send(chat_id, Text(reply.text, reply.buttons))
            return reply.message_id
        if isinstance(reply, Document):
            return await self.send_document(chat_id, _short_caption(reply))
        if isinstance(reply, Photo):
            return await self.send_photo(chat_id, _short_caption(reply))
        raise TypeError(f"cannot send {type(reply).__name__} outside a button press")

    async def deliver(self, event: Event, outgoing: list[Outgoing]) -> None:
        """Send an event's replies in order; answer a button press first (the engine adds a
        toast to every press it handled, and none to a re-delivered one, which Telegram
        already saw answered).

        One chat's deliveries go out one after the other, in the order their updates were
        handled: the engine lets go of a chat once an update is handled, and without this
        the next update's screen could reach the resident before the previous one's."""
        locks = self.__dict__.setdefault("_delivery_locks", KeyedLocks())
        async with locks.hold(event.chat_id):
            await self._deliver(event, outgoing)

    async def _deliver(self, event: Event, outgoing: list[Outgoing]) -> None:
        toast = next((item.reply for item in outgoing if isinstance(item.reply, Toast)), None)
        if event.callback_id and isinstance(toast, Toast):
            await self._answer(event.callback_id, toast)
        for item in outgoing:
            reply = item.reply
            if isinstance(reply, Toast):
                continue
            if isinstance(reply, Edit) and reply.message_id is None:
                if event.message_id is None:
                    reply = Text(reply.text, reply.buttons)
                else:
                    reply = Edit(reply.text, reply.buttons, event.message_id)
            await self._send_with_retry(item.chat_id or event.chat_id, reply)

    async def _answer(self, callback_id: str, toast: Toast) -> None:
        try:
            await self.answer_callback(callback_id, toast.text[:TOAST_MAX_CHARS], toast.alert)
        except DeliveryError as exc:  # an expired callback query is harmless
            log.info("could not answer callback %s: %s", callback_id, exc)

    async def _send_with_retry(self, chat_id: int, reply: Reply) -> None:
        for attempt in range(REPLY_RETRIES):
            try:
                await self.send(chat_id, reply)
                return
            except RateLimited as exc:
                if attempt == REPLY_RETRIES - 1:
                    log.warning("giving up a reply to %s after rate limits", chat_id)
                    return
                await asyncio.sleep(exc.retry_after)
            except RecipientUnreachable:
                log.info("chat %s is unreachable", chat_id)
                return
            except DeliveryError as exc:
                log.warning("could not deliver to %s: %s", chat_id, exc)
                return


_Captioned = TypeVar("_Captioned", Document, Photo)


def _short_caption(reply: _Captioned) -> _Captioned:
    if len(reply.caption) <= CAPTION_MAX_CHARS:
        return reply
    return replace(reply, caption=reply.caption[: CAPTION_MAX_CHARS - 1] + "…")
