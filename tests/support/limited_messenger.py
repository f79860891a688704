"""A Messenger that keeps Telegram's limits like the real server: 429 above ``rate`` sends
in any rolling second or more than one per chat per ``per_chat`` seconds, 403 for users
who blocked the bot. In-process, for fast sender tests (the end-to-end test uses the
fake Bot API server)."""

from __future__ import annotations

import math
import time
from collections import Counter, deque

from bot.engine.messenger import RateLimited, RecipientUnreachable
from bot.engine.replies import Edit, Reply


class LimitedMessenger:
    def __init__(self, rate: int = 30, per_chat: float = 1.0) -> None:
        self.rate = rate
        self.per_chat = per_chat
        self.blocked: set[int] = set()
        self.delivered: Counter[int] = Counter()  # messages (not edits) per chat
        self.received: Counter[tuple[int, str]] = Counter()  # (chat, text) -> times
        self.screens: dict[int, dict[int, str]] = {}  # chat -> message id -> current text
        self.throttled = 0
        self.fail_next: list[Exception] = []  # raised by the next sends, in order
        self.failures: dict[int, list[Exception]] = {}  # raised by the next sends to a chat
        self._window: deque[float] = deque()
        self._last: dict[int, float] = {}
        self._ids = 0

    async def send(self, chat_id: int, reply: Reply) -> int | None:
        if chat_id in self.blocked:
            raise RecipientUnreachable("Forbidden: bot was blocked by the user")
        if isinstance(reply, Edit):
            assert reply.message_id in self.screens.get(chat_id, {}), "edit of an unknown message"
            self.screens[chat_id][reply.message_id] = reply.text
            return reply.message_id
        if self.fail_next:
            raise self.fail_next.pop(0)
        if self.failures.get(chat_id):
            raise self.failures[chat_id].pop(0)
        now = time.monotonic()
        while self._window and self._window[0] <= now - 1.0:
            self._window.popleft()
        wait = self._window[0] + 1.0 - now if len(self._window) >= self.rate else 0.0
        if chat_id in self._last:
            wait = max(wait, self._last[chat_id] + self.per_chat - now)
        if wait > 0:
            self.throttled += 1
            raise RateLimited(max(1, math.ceil(wait)))
        self._window.append(now)
        self._last[chat_id] = now
        text = getattr(reply, "text", "") or getattr(reply, "caption", "")
        self.delivered[chat_id] += 1
        self.received[(chat_id, text)] += 1
        self._ids += 1
        self.screens.setdefault(chat_id, {})[self._ids] = text
        return self._ids

    def recipients_of(self, text: str) -> set[int]:
        return {chat for (chat, got), _n in self.received.items() if got == text}

    def duplicates(self) -> dict[tuple[int, str], int]:
        """The same text delivered to the same chat more than once."""
        return {key: n for key, n in self.received.items() if n > 1}

    def on_screen(self, chat_id: int) -> list[str]:
        """Every message of this chat as it reads now (edits applied), oldest first."""
        screen = self.screens.get(chat_id, {})
        return [screen[message_id] for message_id in sorted(screen)]

    def edited(self, chat_id: int) -> bool:
        return any(
            (chat_id, text) not in self.received for text in self.screens.get(chat_id, {}).values()
        )
