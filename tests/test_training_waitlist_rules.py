"""Whatever people do, in whatever order (register, cancel, confirm, decline, let an offer
lapse), the session never holds more seats than it has, its seat count matches the seats
really held, nobody is in it twice, and the waiting list is served first come, first served."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from storage import trainings
from storage.db import Database
from tests.support.training_data import make_session, make_users

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
STARTS = NOW + timedelta(days=20)
PEOPLE = list(range(1, 7))

# Registering is the most common move, so that the session fills and people wait.
moves_strategy = st.lists(
    st.tuples(
        st.sampled_from(["register"] * 3 + ["cancel", "confirm", "decline", "wait"]),
        st.sampled_from(PEOPLE),
    ),
    min_size=4,
    max_size=40,
)


async def _check_invariants(db: Database, session_id: int, capacity: int) -> None:
    async with db.reader() as s:
        training = await trainings.get_session(s, session_id)
        rows = list(
            await s.scalars(
                select(trainings.Registration).where(
                    trainings.Registration.session_id == session_id
                )
            )
        )
    assert training is not None
    holding = [r for r in rows if r.status in trainings.HOLDS_SEAT]
    waiting = sorted(
        (r for r in rows if r.status == trainings.WAITLISTED), key=lambda r: r.waitlist_no or 0
    )
    assert training.seats_taken == len(holding) <= capacity
    assert len({r.telegram_id for r in rows}) == len(rows)
    assert len({r.waitlist_no for r in waiting}) == len(waiting)
    if waiting:  # people wait only while every seat is held
        assert training.seats_taken == capacity


async def _play(moves: list[tuple[str, int]], capacity: int) -> None:
    db = Database("sqlite+aiosqlite:///:memory:")
    await db.create_all()
    try:
        await make_users(db, PEOPLE)
        session_id = await make_session(db, starts_at=STARTS, capacity=capacity)
        now = NOW
        served: list[int] = []  # who was offered or given a seat, in order
        for action, person in moves:
            async with db.transaction() as s:
                mine = await trainings.registration_for(s, session_id, person)
                waiting_before = [
                    r.telegram_id
                    for r in sorted(
                        await s.scalars(
                            select(trainings.Registration).where(
                                trainings.Registration.status == trainings.WAITLISTED
                            )
                        ),
                        key=lambda r: r.waitlist_no or 0,
                    )
                ]
                changes = trainings.Changes()
                if action == "register":
                    outcome = await trainings.register(
                        s, session_id=session_id, telegram_id=person, now=now
                    )
                    changes = outcome.changes
                elif action == "cancel" and mine is not None:
                    changes = (
                        await trainings.cancel(
                            s, registration_id=mine.id, telegram_id=person, now=now
                        )
                    ).changes
                elif action in ("confirm", "decline") and mine is not None:
                    changes = (
                        await trainings.answer_offer(
                            s,
                            registration_id=mine.id,
                            telegram_id=person,
                            accept=action == "confirm",
                            now=now,
                        )
                    ).changes
                elif action == "wait":
                    now += timedelta(hours=13)
                    if mine is not None:
                        changes = await trainings.expire_offer(s, registration_id=mine.id, now=now)
            offered = [r.telegram_id for r in changes.offered]
            # offers go to the people who waited longest, in their order
            assert offered == waiting_before[: len(offered)]
            served.extend(p for p in offered if p is not None)
            await _check_invariants(db, session_id, capacity)
    finally:
        await db.dispose()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(moves=moves_strategy, capacity=st.integers(min_value=1, max_value=3))
def test_any_sequence_of_moves_keeps_the_session_honest(
    moves: list[tuple[str, int]], capacity: int
) -> None:
    asyncio.run(_play(moves, capacity))
