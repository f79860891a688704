"""A Messenger that records what would be sent, and can pretend users blocked the bot."""

from __future__ import annotations

from bot.engine.messenger import RecipientUnreachable
from bot.engine.replies import Reply


class RecordingMessenger:
    def __init__(self) -> None:
        self.sent: list[tuple[int, Reply]] = []
        self.blocked: set[int] = set()

    async def send(self, chat_id: int, reply: Reply) -> int | None:
        if chat_id in self.blocked:
            raise RecipientUnreachable("Forbidden: bot was blocked by the user")
        self.sent.append((chat_id, reply))
        return len(self.sent)

    def texts_for(self, chat_id: int) -> list[str]:
        return [getattr(r, "text", getattr(r, "caption", "")) for c, r in self.sent if c == chat_id]
