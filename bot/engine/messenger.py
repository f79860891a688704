"""Sending outside the reply to an event: reminders, broadcasts, notifications."""

from __future__ import annotations

from typing import Protocol

from bot.engine.replies import Reply


class DeliveryError(Exception):
    """A message could not be delivered."""


class RecipientUnreachable(DeliveryError):
    """The user blocked the bot, deleted their account, or the chat does not exist."""


class RateLimited(DeliveryError):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"retry after {retry_after}s")
        self.retry_after = retry_after


class Messenger(Protocol):
    async def send(self, chat_id: int, reply: Reply) -> int | None:
        """Send one reply; the new message id, or None (toasts, edits).

        Raises RecipientUnreachable, RateLimited, or DeliveryError.
        """
        ...
