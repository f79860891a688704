"""The sender keeps Telegram's limits, copes with 429 and 403, shows progress, and resumes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.engine.messenger import DeliveryError, RateLimited
from bot.workers import broadcast_sender
from bot.workers.broadcast_config import SenderConfig
from bot.workers.broadcast_sender import BroadcastSender
from bot.workers.send_limiter import LocalSendLimiter
from core.clock import FixedClock
from storage import broadcasts, people
from storage.broadcasts import Audience, Claimed, InDoubt
from storage.db import Database
from tests.support.broadcasts import add_residents, new_broadcast, run_until
from tests.support.limited_messenger import LimitedMessenger
from tests.support.settings import settings_for_tests

STAFF = 9001


def _sender(
    db: Database,
    messenger: LimitedMessenger,
    rate: float,
    *,
    worker: str = "test",
    in_doubt: InDoubt = InDoubt.RESEND,
    clock: FixedClock | None = None,
    lease: timedelta = timedelta(seconds=30),
) -> BroadcastSender:
    return BroadcastSender(
        db,
        settings_for_tests(),
        messenger,
        # With a fixed clock, the per-chat pause follows it too.
        limiter=LocalSendLimiter(rate, 1.0, clock=lambda: clock.now().timestamp())
        if clock is not None
        else LocalSendLimiter(rate, 1.0),
        config=SenderConfig(
            concurrency=8,
            worker=worker,
            poll_seconds=0.05,
            progress_seconds=0.2,
            in_doubt=in_doubt,
            lease=lease,
        ),
        clock=clock,
    )


async def test_three_hundred_residents_get_it_once_with_no_429_and_the_staff_sees_progress(
    sqlite_db: Database,
) -> None:
    await add_residents(sqlite_db, [STAFF], language="en")
    await add_residents(sqlite_db, range(10_000, 10_300))
    number = await new_broadcast(sqlite_db)
    telegram = LimitedMessenger(rate=150)  # a faster "Telegram", to keep the test short
    # Nobody crashes here: a lease far longer than any claim-to-record time, however busy
    # the machine, so a slow row is never taken for one in doubt and sent again.
    sender = _sender(sqlite_db, telegram, rate=150, lease=timedelta(minutes=10))

    text = "ورشة حول كتابة المقترحات يوم السبت"
    # A few seconds normally; on a loaded two-core machine every SQLite commit queues, so
    # the guard against hanging is generous (nothing here is timed).
    await run_until(
        sender,
        lambda: len(telegram.recipients_of(text)) == 301 and telegram.edited(STAFF),
        within=240,
    )
    await sender.drain()

    assert telegram.throttled == 0 and telegram.duplicates() == {}
    assert telegram.recipients_of(text) == {STAFF, *range(10_000, 10_300)}  # staff included
    # The staff member's progress message was edited along the way and ends with the figures.
    progress = [t for t in telegram.on_screen(STAFF) if f"Announcement #{number}" in t]
    assert progress == [f"✅ Announcement #{number} sent: 301 of 301 delivered."]
    async with sqlite_db.reader() as s:
        broadcast = await broadcasts.get_broadcast(s, number)
    assert broadcast is not None and broadcast.status == "done"


async def test_a_429_pauses_everyone_and_nobody_is_skipped_or_doubled(sqlite_db: Database) -> None:
    await add_residents(sqlite_db, range(20_000, 20_040))
    await new_broadcast(sqlite_db, created_by=20_000)
    telegram = LimitedMessenger(rate=100)
    telegram.fail_next = [RateLimited(1), RateLimited(1)]
    sender = _sender(sqlite_db, telegram, rate=100)
    await run_until(
        sender, lambda: len(telegram.recipients_of("ورشة حول كتابة المقترحات يوم السبت")) == 40
    )
    assert telegram.duplicates() == {}
    assert telegram.throttled == 0  # the forced 429s were not from going too fast


async def test_people_who_blocked_the_bot_are_marked_and_left_out_next_time(
    sqlite_db: Database,
) -> None:
    await add_residents(sqlite_db, [STAFF], language="en")
    await add_residents(sqlite_db, range(30_000, 30_010))
    number = await new_broadcast(sqlite_db)
    telegram = LimitedMessenger(rate=100)
    telegram.blocked = {30_003, 30_007}
    sender = _sender(sqlite_db, telegram, rate=100)
    await sender.drain()
    assert len(telegram.recipients_of("ورشة حول كتابة المقترحات يوم السبت")) == 9
    [progress] = [t for t in telegram.on_screen(STAFF) if "Announcement #" in t]
    assert "2 could not be reached (they blocked the bot)." in progress
    async with sqlite_db.reader() as s:
        assert (await people.get_user(s, 30_003)).unreachable_at is not None  # type: ignore[union-attr]
        assert await broadcasts.count_audience(s, Audience("everyone")) == 9
        figures = await broadcasts.progress(s, number)
    assert (figures.sent, figures.failed) == (9, 2)


async def test_a_passing_error_is_retried_later_and_a_permanent_one_gives_up(
    sqlite_db: Database,
) -> None:
    await add_residents(sqlite_db, [40_000])
    clock = FixedClock(datetime.now(UTC))
    number = await new_broadcast(sqlite_db, send_at=clock.now())
    telegram = LimitedMessenger(rate=100)
    telegram.failures[40_000] = [DeliveryError("Bad Gateway")] * 5
    sender = _sender(sqlite_db, telegram, rate=100, clock=clock)
    for _attempt in range(5):
        await sender.drain()
        clock.advance(timedelta(minutes=6))
    async with sqlite_db.reader() as s:
        figures = await broadcasts.progress(s, number)
    assert 40_000 not in telegram.delivered and figures.counts == {"failed": 1}


async def test_someone_who_turns_announcements_off_meanwhile_is_skipped(
    sqlite_db: Database,
) -> None:
    await add_residents(sqlite_db, [50_000, 50_001])
    number = await new_broadcast(sqlite_db, created_by=50_000)
    async with sqlite_db.transaction() as s:
        await broadcasts.launch(s, number, datetime.now(UTC))
        user = await people.get_user(s, 50_001)
        assert user is not None
        user.announcements_enabled = False
    telegram = LimitedMessenger(rate=100)
    await _sender(sqlite_db, telegram, rate=100).drain()
    assert telegram.recipients_of("ورشة حول كتابة المقترحات يوم السبت") == {50_000}


async def test_a_stopped_broadcast_sends_no_more(sqlite_db: Database) -> None:
    await add_residents(sqlite_db, range(60_000, 60_020))
    number = await new_broadcast(sqlite_db, created_by=60_000)
    async with sqlite_db.transaction() as s:
        await broadcasts.launch(s, number, datetime.now(UTC))
        assert await broadcasts.cancel_broadcast(s, number, datetime.now(UTC))
    telegram = LimitedMessenger(rate=100)
    await _sender(sqlite_db, telegram, rate=100).drain()
    assert telegram.delivered == {}


async def test_a_scheduled_broadcast_waits_for_its_time(sqlite_db: Database) -> None:
    await add_residents(sqlite_db, [70_000])
    clock = FixedClock(datetime(2026, 12, 1, 8, tzinfo=UTC))
    await new_broadcast(sqlite_db, created_by=70_000, send_at=datetime(2026, 12, 1, 9, tzinfo=UTC))
    telegram = LimitedMessenger(rate=100)
    sender = _sender(sqlite_db, telegram, rate=100, clock=clock)
    assert await sender.drain() == 0
    clock.advance(timedelta(hours=1))
    assert await sender.drain() == 1


async def test_after_a_crash_in_flight_rows_are_resent_once_under_resend_and_never_under_skip(
    sqlite_db: Database,
) -> None:
    await add_residents(sqlite_db, range(80_000, 80_006))
    number = await new_broadcast(sqlite_db)  # the progress goes to STAFF, not a recipient
    clock = FixedClock(datetime.now(UTC))
    async with sqlite_db.transaction() as s:
        await broadcasts.launch(s, number, clock.now())
        # A sender claimed two rows and died before Telegram answered.
        await broadcasts.claim(
            s, worker="dead", now=clock.now(), lease=timedelta(seconds=30), limit=2
        )
    telegram = LimitedMessenger(rate=100)
    restarted = _sender(sqlite_db, telegram, rate=100, clock=clock)
    assert await restarted.drain() == 4  # the claimed two wait for their lease
    clock.advance(timedelta(seconds=31))
    assert await restarted.drain() == 2
    assert len(telegram.recipients_of("ورشة حول كتابة المقترحات يوم السبت")) == 6
    assert telegram.duplicates() == {}


async def test_under_the_skip_policy_rows_in_doubt_are_counted_not_resent(
    sqlite_db: Database,
) -> None:
    await add_residents(sqlite_db, range(90_000, 90_004))
    number = await new_broadcast(sqlite_db)
    clock = FixedClock(datetime.now(UTC))
    async with sqlite_db.transaction() as s:
        await broadcasts.launch(s, number, clock.now())
        await broadcasts.claim(
            s, worker="dead", now=clock.now(), lease=timedelta(seconds=30), limit=1
        )
    telegram = LimitedMessenger(rate=100)
    restarted = _sender(sqlite_db, telegram, rate=100, clock=clock, in_doubt=InDoubt.SKIP)
    clock.advance(timedelta(seconds=31))
    await restarted.tick()
    assert await restarted.drain() == 3
    async with sqlite_db.reader() as s:
        figures = await broadcasts.progress(s, number)
    assert (figures.sent, figures.failed) == (3, 1)


async def test_a_sender_told_to_stop_does_not_wait_for_work_that_will_never_come(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker that was looking for a row when the stop came must not clear away run()'s
    last wake-up call and sleep (it used to sleep 30 s, so every clean stop could hang)."""
    monkeypatch.setattr(broadcast_sender, "IDLE_SECONDS", 3600.0)
    sender = _sender(sqlite_db, LimitedMessenger(rate=100), rate=100)
    sender.config.concurrency = 1
    looking, answer = asyncio.Event(), asyncio.Event()
    claim = sender._claim

    async def slow_claim() -> Claimed | None:
        looking.set()
        await answer.wait()
        return await claim()

    sender._claim = slow_claim  # type: ignore[method-assign]
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop))
    await looking.wait()  # the worker is asking the outbox for a row...
    stop.set()  # ... when the sender is told to stop
    await asyncio.wait_for(sender._work.wait(), 60)  # run() has made its last wake-up call
    answer.set()  # only now does the worker hear there is nothing to send
    await asyncio.wait_for(task, 60)  # a guard against hanging (an hour before the fix)
