"""One announcement to many residents, sent by the real sender process
(`musharaka send-broadcasts`) to the fake Bot API server in Telegram-limit mode. Shared by
tests/e2e/test_broadcast_process.py and bench/broadcast_rate.py.

The fake server records every message it accepted (``api.sent``), so ``Deliveries`` knows
exactly who got the announcement and how many times, independently of what the sender's
outbox says. The fake runs either in this process (``FakeBotApi``) or in its own
(``FakeProcess``, tests/e2e/fake_process.py: its records arrive by polling, so read
``Deliveries`` after ``await api.sync()`` where it must be complete)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sqlalchemy import select

from storage.broadcasts import OutboxMessage
from storage.db import Database
from tests.e2e.fake_process import FakeProcess
from tests.e2e.harness import BotProcess
from tests.fakes.bot_api import FakeBotApi, SentRecord
from tests.support.broadcasts import add_residents, new_broadcast

STAFF = 9001  # composes the announcement and watches its progress (announcements off)
TEXT = "ورشة حول كتابة المقترحات يوم السبت في مركز الدعم، سجّلوا من القائمة"


async def add_people(api: FakeBotApi | FakeProcess, recipients: range) -> None:
    """Everyone has a private chat with the bot on the fake server."""
    people = [(STAFF, "Staff", "en")]
    people += [(telegram_id, f"Resident {telegram_id}", "ar") for telegram_id in recipients]
    if isinstance(api, FakeProcess):
        await api.add_people(people)
        return
    for person in people:
        api.add_user(*person)


async def prepare(url: str, recipients: range, *, text: str = TEXT) -> int:
    """The schema as deployed, the residents, and a broadcast due now; its number."""
    db = Database(url)
    try:
        await db.upgrade()
        await add_residents(db, [STAFF], language="en", announcements_enabled=False)
        await add_residents(db, recipients)
        return await new_broadcast(db, created_by=STAFF, text=text)
    finally:
        await db.dispose()


async def outbox(url: str, broadcast_id: int) -> dict[int, str]:
    """Each recipient's outbox status (pending, claimed, sent, failed, skipped)."""
    db = Database(url)
    try:
        async with db.reader() as s:
            rows = await s.execute(
                select(OutboxMessage.chat_id, OutboxMessage.status).where(
                    OutboxMessage.broadcast_id == broadcast_id
                )
            )
            return {int(chat_id): str(status) for chat_id, status in rows}
    finally:
        await db.dispose()


class Deliveries:
    """The announcements the fake server accepted: per chat, and when (its clock)."""

    def __init__(self, api: FakeBotApi | FakeProcess, text: str = TEXT) -> None:
        self.text = text
        self.per_chat: Counter[int] = Counter()
        self.times: list[float] = []
        api.sent_listeners.append(self._record)

    def _record(self, record: SentRecord) -> None:
        if record.method == "sendMessage" and record.params.get("text") == self.text:
            self.per_chat[record.chat_id] += 1
            self.times.append(record.timestamp)

    @property
    def total(self) -> int:
        return len(self.times)

    def duplicates(self) -> dict[int, int]:
        return {chat: n for chat, n in self.per_chat.items() if n > 1}

    def busiest_second(self) -> int:
        """The most announcements accepted within any one second."""
        best, start = 0, 0
        for end, moment in enumerate(self.times):
            while self.times[start] <= moment - 1.0:
                start += 1
            best = max(best, end - start + 1)
        return best


def sender_process(
    api: FakeBotApi | FakeProcess, workdir: Path, database_url: str, **settings: str
) -> BotProcess:
    """`musharaka send-broadcasts` configured like in production (not yet started)."""
    settings.setdefault("log_level", "INFO")
    return BotProcess(
        api, workdir, database_url=database_url, command=("send-broadcasts",), **settings
    )


def progress_screen(api: FakeBotApi | FakeProcess) -> str:
    """The staff member's newest message as it reads now (the progress message)."""
    messages = api.messages_for(STAFF)
    return str(messages[-1].get("text", "")) if messages else ""
