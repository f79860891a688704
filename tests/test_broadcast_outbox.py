"""The outbox: who is in an audience, launching once, claiming without overlap."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from storage import broadcasts
from storage.broadcasts import Audience, OutboxMessage
from storage.db import Database
from storage.people import User
from tests.support.broadcasts import add_residents, new_broadcast
from tests.support.given import given_places

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


async def test_people_who_said_no_are_never_in_an_audience(any_db: Database) -> None:
    await given_places(any_db)
    await add_residents(any_db, [1, 2, 3], district="thala")
    await add_residents(any_db, [4], district="thala", language="fr")
    await add_residents(any_db, [5], district="sbeitla")
    await add_residents(any_db, [6], announcements_enabled=False)
    await add_residents(any_db, [7], messages_stopped=True)
    await add_residents(any_db, [8], unreachable_at=NOW)
    await add_residents(any_db, [9], erased_at=NOW)
    async with any_db.transaction() as s:
        s.add(User(telegram_id=10, first_name="Declined the notice"))  # no consent

    async def members(audience: Audience) -> set[int]:
        async with any_db.reader() as s:
            found = set(await s.scalars(broadcasts.audience_query(audience)))
            assert await broadcasts.count_audience(s, audience) == len(found)
            return found

    assert await members(Audience("everyone")) == {1, 2, 3, 4, 5}
    assert await members(Audience("districts", ("thala",))) == {1, 2, 3, 4}
    assert await members(Audience("districts", ("thala", "sbeitla"))) == {1, 2, 3, 4, 5}
    assert await members(Audience("languages", ("fr",))) == {4}
    with pytest.raises(ValueError):
        broadcasts.audience_query(Audience("astrologers"))


async def test_a_broadcast_is_launched_once_even_by_two_senders_at_once(any_db: Database) -> None:
    await add_residents(any_db, range(100, 150))
    number = await new_broadcast(any_db, send_at=NOW)

    async def launch() -> int | None:
        async with any_db.transaction() as s:
            return await broadcasts.launch(s, number, NOW)

    results = await asyncio.gather(launch(), launch(), launch())
    assert sorted(results, key=lambda r: r is None) == [50, None, None]
    async with any_db.reader() as s:
        rows = await s.scalar(select(func.count()).select_from(OutboxMessage))
        broadcast = await broadcasts.get_broadcast(s, number)
    assert rows == 50 and broadcast is not None and broadcast.recipients == 50


async def test_the_database_refuses_a_second_outbox_row_for_one_person(any_db: Database) -> None:
    await add_residents(any_db, [100])
    number = await new_broadcast(any_db, send_at=NOW)
    async with any_db.transaction() as s:
        await broadcasts.launch(s, number, NOW)
    with pytest.raises(IntegrityError):
        async with any_db.transaction() as s:
            s.add(OutboxMessage(broadcast_id=number, chat_id=100))


async def test_concurrent_claims_never_hand_out_the_same_row(any_db: Database) -> None:
    await add_residents(any_db, range(1000, 1200))
    number = await new_broadcast(any_db, send_at=NOW)
    async with any_db.transaction() as s:
        await broadcasts.launch(s, number, NOW)

    async def worker(name: str) -> list[int]:
        mine: list[int] = []
        while True:
            async with any_db.transaction() as s:
                rows = await broadcasts.claim(
                    s,
                    worker=name,
                    now=NOW,
                    lease=timedelta(seconds=60),
                    limit=7,
                    dialect=any_db.dialect,
                )
            if not rows:
                return mine
            mine.extend(r.chat_id for r in rows)

    claimed = await asyncio.gather(*(worker(f"w{i}") for i in range(5)))
    everything = [chat for batch in claimed for chat in batch]
    assert len(everything) == 200 and len(set(everything)) == 200


async def test_a_row_left_claimed_by_a_dead_sender_is_resent_or_settled_by_policy(
    any_db: Database,
) -> None:
    await add_residents(any_db, [1, 2])
    number = await new_broadcast(any_db, send_at=NOW)
    async with any_db.transaction() as s:
        await broadcasts.launch(s, number, NOW)
        dead = await broadcasts.claim(
            s, worker="dead", now=NOW, lease=timedelta(seconds=30), limit=2, dialect=any_db.dialect
        )
    assert len(dead) == 2
    later = NOW + timedelta(seconds=31)
    async with any_db.transaction() as s:  # within the lease nobody takes them
        assert (
            await broadcasts.claim(
                s, worker="new", now=NOW + timedelta(seconds=5), lease=timedelta(seconds=30)
            )
            == []
        )
    async with any_db.transaction() as s:
        again = await broadcasts.claim(
            s, worker="new", now=later, lease=timedelta(seconds=30), limit=1
        )
        assert [r.attempts for r in again] == [2]
        assert await broadcasts.settle_in_doubt(s, later) == 1  # the other one, under "skip"
        figures = await broadcasts.progress(s, number)
    assert figures.counts == {"claimed": 1, "failed": 1}
    # The dead sender's late record does not count: the row is no longer its own.
    async with any_db.transaction() as s:
        assert not await broadcasts.record_sent(
            s, again[0].id, worker="dead", now=later, message_id=1
        )
