"""Nobody is booked twice: not the consultant's slot, not the requester's time.

Runs on SQLite and PostgreSQL: many presses at once, and the database constraint itself.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from storage import consultations
from storage.consultations import Booking, BookingKind, BookingStatus
from storage.db import Database
from tests.support.consultations import MONDAY_MORNING, TUNIS, at, make_consultant, make_requester
from tests.support.given import given_places


async def _try_book(db: Database, consultant_id: int, requester_id: int, starts_at: object) -> str:
    try:
        async with db.transaction() as s:
            await consultations.book(
                s,
                consultant_id=consultant_id,
                requester_id=requester_id,
                kind=BookingKind.CONSULTATION,
                topic="strategic_planning",
                branch_code="kasserine",
                starts_at=starts_at,  # type: ignore[arg-type]
                description="",
                now=MONDAY_MORNING,
                tz=TUNIS,
            )
    except consultations.BookingError as exc:
        return exc.reason
    return "booked"


async def _active(db: Database) -> list[Booking]:
    async with db.reader() as s:
        rows = await s.scalars(select(Booking).where(Booking.status == BookingStatus.BOOKED))
        return list(rows)


async def test_twelve_people_press_the_same_slot_at_once_and_one_gets_it(any_db: Database) -> None:
    await given_places(any_db)
    salma = await make_consultant(any_db, 7001, "Salma")
    requesters = [await make_requester(any_db, 2000 + i) for i in range(12)]
    outcomes = await asyncio.gather(
        *(_try_book(any_db, salma, r, at(1, 10, 15)) for r in requesters)
    )
    assert sorted(outcomes) == ["booked"] + ["taken"] * 11
    assert len(await _active(any_db)) == 1


async def test_one_person_pressing_two_consultants_at_the_same_time_gets_one(
    any_db: Database,
) -> None:
    await given_places(any_db)
    salma = await make_consultant(any_db, 7001, "Salma")
    karim = await make_consultant(any_db, 7002, "Karim")
    amal = await make_requester(any_db, 1000)
    outcomes = await asyncio.gather(
        _try_book(any_db, salma, amal, at(1, 9)), _try_book(any_db, karim, amal, at(1, 9))
    )
    assert sorted(outcomes) == ["booked", "requester_busy"]


async def test_the_database_itself_refuses_a_second_active_booking_of_a_slot(
    any_db: Database,
) -> None:
    await given_places(any_db)
    salma = await make_consultant(any_db, 7001, "Salma")
    amal, omar = await make_requester(any_db, 1000), await make_requester(any_db, 1001)

    def row(requester: int, status: str) -> Booking:
        return Booking(
            kind="consultation",
            consultant_id=salma,
            requester_id=requester,
            topic="strategic_planning",
            branch_code="kasserine",
            starts_at=at(1, 9),
            ends_at=at(1, 10),
            status=status,
        )

    async with any_db.transaction() as s:
        s.add(row(amal, "cancelled"))  # a cancelled booking does not hold the slot
        s.add(row(omar, "booked"))
    with pytest.raises(IntegrityError):
        async with any_db.transaction() as s:
            s.add(row(amal, "booked"))  # bypassing every check in Python
    with pytest.raises(IntegrityError):
        async with any_db.transaction() as s:
            s.add(row(amal, "maybe"))  # the status is checked too


async def test_moving_a_booking_onto_a_taken_slot_leaves_it_where_it_was(any_db: Database) -> None:
    await given_places(any_db)
    salma = await make_consultant(any_db, 7001, "Salma")
    amal, omar = await make_requester(any_db, 1000), await make_requester(any_db, 1001)
    assert await _try_book(any_db, salma, amal, at(1, 9)) == "booked"
    assert await _try_book(any_db, salma, omar, at(1, 10, 15)) == "booked"
    mine = next(b for b in await _active(any_db) if b.requester_id == amal)

    with pytest.raises(consultations.SlotTaken):
        async with any_db.transaction() as s:
            await consultations.move(
                s,
                mine.id,
                requester_id=amal,
                consultant_id=salma,
                starts_at=at(1, 10, 15),
                now=MONDAY_MORNING,
                tz=TUNIS,
            )
    with pytest.raises(consultations.NotAllowed):  # not Omar's to move
        async with any_db.transaction() as s:
            await consultations.move(
                s,
                mine.id,
                requester_id=omar,
                consultant_id=salma,
                starts_at=at(1, 11, 30),
                now=MONDAY_MORNING,
                tz=TUNIS,
            )
    async with any_db.transaction() as s:
        moved = await consultations.move(
            s,
            mine.id,
            requester_id=amal,
            consultant_id=salma,
            starts_at=at(1, 11, 30),
            now=MONDAY_MORNING,
            tz=TUNIS,
        )
        assert (moved.starts_at, moved.reschedule_count) == (at(1, 11, 30), 1)
    # The old 09:00 slot is free again.
    assert await _try_book(any_db, salma, omar, at(1, 9)) == "booked"


async def test_two_people_moving_onto_the_same_free_slot_at_once(any_db: Database) -> None:
    await given_places(any_db)
    salma = await make_consultant(any_db, 7001, "Salma")
    amal, omar = await make_requester(any_db, 1000), await make_requester(any_db, 1001)
    assert await _try_book(any_db, salma, amal, at(1, 9)) == "booked"
    assert await _try_book(any_db, salma, omar, at(1, 10, 15)) == "booked"
    ids = {b.requester_id: b.id for b in await _active(any_db)}

    async def move(requester: int) -> str:
        try:
            async with any_db.transaction() as s:
                await consultations.move(
                    s,
                    ids[requester],
                    requester_id=requester,
                    consultant_id=salma,
                    starts_at=at(1, 11, 30),
                    now=MONDAY_MORNING,
                    tz=TUNIS,
                )
        except consultations.BookingError as exc:
            return exc.reason
        return "moved"

    assert sorted(await asyncio.gather(move(amal), move(omar))) == ["moved", "taken"]
    starts = sorted(b.starts_at for b in await _active(any_db))
    assert len(starts) == 2 and len(set(starts)) == 2


async def test_a_slot_outside_the_timetable_or_too_soon_is_refused(any_db: Database) -> None:
    await given_places(any_db)
    salma = await make_consultant(any_db, 7001, "Salma")
    amal = await make_requester(any_db, 1000)
    assert await _try_book(any_db, salma, amal, at(1, 9, 30)) == "unavailable"  # off the grid
    assert await _try_book(any_db, salma, amal, at(2, 9)) == "unavailable"  # a Wednesday
    assert await _try_book(any_db, salma, amal, at(30, 9, month=11)) == "unavailable"  # past
