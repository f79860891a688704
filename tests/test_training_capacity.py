"""A training's capacity holds in the database, even when everyone presses Register at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from storage import trainings
from storage.db import Database
from tests.support.training_data import make_session, make_users

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


async def _register(db: Database, session_id: int, telegram_id: int) -> None:
    async with db.transaction() as s:
        await trainings.register(s, session_id=session_id, telegram_id=telegram_id, now=NOW)


async def _all_registrations(db: Database, session_id: int) -> list[trainings.Registration]:
    async with db.reader() as s:
        rows = await s.scalars(
            select(trainings.Registration)
            .where(trainings.Registration.session_id == session_id)
            .order_by(trainings.Registration.id)
        )
        return list(rows)


async def test_two_hundred_people_press_register_at_once_for_twenty_seats(any_db: Database) -> None:
    session_id = await make_session(any_db, starts_at=NOW + timedelta(days=10), capacity=20)
    people = list(range(5001, 5201))
    await make_users(any_db, people)

    await asyncio.gather(*(_register(any_db, session_id, person) for person in people))

    rows = await _all_registrations(any_db, session_id)
    assert len(rows) == 200
    assert len({r.telegram_id for r in rows}) == 200
    # In the order the database served them: the first twenty got seats...
    assert [r.status for r in rows[:20]] == [trainings.REGISTERED] * 20
    # ...and everyone after waits, numbered 1..180 in that same order, no gaps, no repeats.
    assert [r.status for r in rows[20:]] == [trainings.WAITLISTED] * 180
    assert [r.waitlist_no for r in rows[20:]] == list(range(1, 181))
    async with any_db.reader() as s:
        training = await trainings.get_session(s, session_id)
        assert training is not None and training.seats_taken == 20
        assert await trainings.waitlist_position(s, rows[20]) == 1
        assert await trainings.waitlist_position(s, rows[-1]) == 180


async def test_pressing_register_twice_at_once_registers_once(any_db: Database) -> None:
    session_id = await make_session(any_db, starts_at=NOW + timedelta(days=10), capacity=5)
    await make_users(any_db, [6001])

    await asyncio.gather(*(_register(any_db, session_id, 6001) for _ in range(10)))

    rows = await _all_registrations(any_db, session_id)
    assert [(r.telegram_id, r.status) for r in rows] == [(6001, trainings.REGISTERED)]
    async with any_db.reader() as s:
        training = await trainings.get_session(s, session_id)
        assert training is not None and training.seats_taken == 1


async def test_the_database_itself_refuses_an_extra_seat_or_a_second_row(any_db: Database) -> None:
    session_id = await make_session(any_db, starts_at=NOW + timedelta(days=10), capacity=2)
    await make_users(any_db, [7001])
    await _register(any_db, session_id, 7001)

    with pytest.raises(IntegrityError):
        async with any_db.transaction() as s:
            await s.execute(
                update(trainings.TrainingSession)
                .where(trainings.TrainingSession.id == session_id)
                .values(seats_taken=3)
            )
    with pytest.raises(IntegrityError):
        async with any_db.transaction() as s:
            s.add(
                trainings.Registration(
                    session_id=session_id, telegram_id=7001, status=trainings.REGISTERED
                )
            )
    with pytest.raises(IntegrityError):
        async with any_db.transaction() as s:
            s.add(
                trainings.Registration(
                    session_id=session_id, telegram_id=None, status=trainings.WAITLISTED
                )
            )  # a waiting place always has its ticket number
