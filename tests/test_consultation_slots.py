"""Free slots come from the consultant's week, session length, buffer and notice."""

from __future__ import annotations

from datetime import date, timedelta

from storage import consultations
from storage.consultations import ExceptionKind, Slot
from storage.db import Database
from tests.support.consultations import (
    MONDAY_MORNING,
    TUNIS,
    at,
    hm,
    make_consultant,
    make_requester,
)
from tests.support.given import given_places

TUESDAY = date(2026, 12, 1)


def times(slots: list[Slot]) -> list[str]:
    return [s.starts_at.astimezone(TUNIS).strftime("%d %H:%M") for s in slots]


async def _slots(db: Database, **kwargs: object) -> list[Slot]:
    async with db.reader() as s:
        return await consultations.free_slots(
            s,
            topic="strategic_planning",
            branch_code="kasserine",
            now=MONDAY_MORNING,
            tz=TUNIS,
            **kwargs,  # type: ignore[arg-type]
        )


async def test_a_morning_of_one_hour_sessions_with_a_quarter_hour_between(
    sqlite_db: Database,
) -> None:
    await given_places(sqlite_db)
    await make_consultant(sqlite_db, 7001, "Salma")
    slots = await _slots(sqlite_db, last_day=TUESDAY)
    # 09:00-13:00: 09:00, 10:15, 11:30 fit; 12:45 would end after 13:00.
    assert times(slots) == ["01 09:00", "01 10:15", "01 11:30"]
    assert all(s.ends_at - s.starts_at == timedelta(hours=1) for s in slots)


async def test_minimum_notice_hides_slots_that_are_too_soon(sqlite_db: Database) -> None:
    await given_places(sqlite_db)
    await make_consultant(sqlite_db, 7001, "Salma", min_notice_hours=26)
    # Now is Monday 09:00; 26 hours later is Tuesday 11:00.
    assert times(await _slots(sqlite_db, last_day=TUESDAY)) == ["01 11:30"]


async def test_days_off_extra_hours_and_other_branches(sqlite_db: Database) -> None:
    await given_places(sqlite_db)
    consultant_id = await make_consultant(
        sqlite_db,
        7001,
        "Salma",
        weekly=[("kasserine", 1, hm(9), hm(13)), ("sbeitla", 3, hm(9), hm(11))],
    )
    async with sqlite_db.transaction() as s:
        await consultations.add_exception(
            s, consultant_id, TUESDAY, start_minute=hm(10), end_minute=hm(12), note="meeting"
        )
        await consultations.add_exception(
            s, consultant_id, TUESDAY + timedelta(days=7), note="leave"
        )
        await consultations.add_exception(
            s,
            consultant_id,
            date(2026, 12, 5),
            kind=ExceptionKind.EXTRA,
            branch_code="kasserine",
            start_minute=hm(14),
            end_minute=hm(16),
        )
    slots = await _slots(sqlite_db, last_day=TUESDAY + timedelta(days=7))
    # Tuesday: 09:00 before the 10:00-12:00 meeting, 12:00 after it; Saturday 5th: the
    # extra afternoon; Tuesday 8th: on leave; Thursdays are in Sbeitla.
    assert times(slots) == ["01 09:00", "01 12:00", "05 14:00"]
    async with sqlite_db.reader() as s:
        assert await consultations.branches_for_topic(s, "strategic_planning") == [
            "kasserine",
            "sbeitla",
        ]
        assert await consultations.offered_topics(s) == ["strategic_planning"]


async def test_a_booking_takes_its_slot_and_the_requester_is_not_offered_clashing_times(
    sqlite_db: Database,
) -> None:
    await given_places(sqlite_db)
    salma = await make_consultant(sqlite_db, 7001, "Salma")
    await make_consultant(sqlite_db, 7002, "Karim")  # same hours, same topic
    amal = await make_requester(sqlite_db, 1000)
    async with sqlite_db.transaction() as s:
        booking = await consultations.book(
            s,
            consultant_id=salma,
            requester_id=amal,
            kind=consultations.BookingKind.CONSULTATION,
            topic="strategic_planning",
            branch_code="kasserine",
            starts_at=at(1, 9),
            description="Our five-year plan",
            now=MONDAY_MORNING,
            tz=TUNIS,
        )
    assert booking.ends_at == at(1, 10)
    # Karim is still free at 09:00 for others, but not for Amal, who is busy then.
    assert "01 09:00" in times(await _slots(sqlite_db, last_day=TUESDAY))
    assert times(await _slots(sqlite_db, last_day=TUESDAY, requester_id=amal)) == [
        "01 10:15",
        "01 11:30",
    ]


async def test_when_two_consultants_are_free_the_less_busy_one_gets_the_session(
    sqlite_db: Database,
) -> None:
    await given_places(sqlite_db)
    salma = await make_consultant(sqlite_db, 7001, "Salma")
    karim = await make_consultant(sqlite_db, 7002, "Karim")
    amal = await make_requester(sqlite_db, 1000)
    first = (await _slots(sqlite_db, last_day=TUESDAY))[0]
    assert first.consultant_id == salma
    async with sqlite_db.transaction() as s:
        await consultations.book(
            s,
            consultant_id=salma,
            requester_id=amal,
            kind=consultations.BookingKind.CONSULTATION,
            topic="strategic_planning",
            branch_code="kasserine",
            starts_at=first.starts_at,
            description="",
            now=MONDAY_MORNING,
            tz=TUNIS,
        )
    later = await _slots(sqlite_db, last_day=TUESDAY)
    assert {s.consultant_id for s in later} == {karim}
