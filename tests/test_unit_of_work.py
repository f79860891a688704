"""An update's database work is one transaction (storage.db.UnitOfWork): the rules the engine
and every conversation rely on, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from storage.db import Database, UnitOfWork, unit_of_work
from storage.reference import District


def district(code: str) -> District:
    return District(code=code, name_ar=code, name_en=code, name_fr=code)


async def codes(db: Database) -> set[str]:
    async with db.reader() as s:
        return set(await s.scalars(select(District.code)))


async def add(db: Database, code: str) -> None:
    async with db.transaction() as s:
        s.add(district(code))


async def test_nothing_of_an_update_is_kept_until_its_commit_and_all_of_it_after(
    any_db: Database,
) -> None:
    unit = UnitOfWork(any_db)
    with unit_of_work(unit):
        await add(any_db, "thala")
        await add(any_db, "sbeitla")
        async with any_db.reader() as s:  # the update reads its own writes
            assert set(await s.scalars(select(District.code))) == {"thala", "sbeitla"}
    assert await codes(any_db) == set()  # not committed: another connection sees nothing
    await unit.commit()
    assert await codes(any_db) == {"thala", "sbeitla"}


async def test_a_block_that_fails_undoes_only_itself(any_db: Database) -> None:
    unit = UnitOfWork(any_db)
    with unit_of_work(unit):
        await add(any_db, "thala")
        with pytest.raises(RuntimeError):
            async with any_db.transaction() as s:
                s.add(district("kasserine"))
                await s.flush()
                raise RuntimeError("the handler changed its mind")
        await add(any_db, "sbeitla")
        await unit.commit()
    assert await codes(any_db) == {"thala", "sbeitla"}


async def test_a_rolled_back_update_leaves_nothing_and_its_after_commit_work_never_runs(
    any_db: Database,
) -> None:
    ran: list[str] = []

    async def announce() -> None:
        ran.append("announced")

    unit = UnitOfWork(any_db)
    with unit_of_work(unit):
        await add(any_db, "thala")
        await any_db.after_commit(announce)
        await unit.close()
    assert await codes(any_db) == set() and ran == []


async def test_a_task_started_during_an_update_keeps_its_own_transaction(
    any_db: Database,
) -> None:
    """APScheduler's jobs (woken by a reminder scheduled in an update) and tasks a handler
    starts inherit the update's context; they must not write into its transaction, which
    ends with the update: here the update is rolled back and the task's write stays."""
    unit = UnitOfWork(any_db)
    with unit_of_work(unit):
        await add(any_db, "thala")
        started = asyncio.create_task(add(any_db, "from-a-task"))
        await asyncio.sleep(0)  # the task begins while the update is still open
        await unit.close()
    await started
    assert await codes(any_db) == {"from-a-task"}


async def test_work_waiting_for_the_commit_runs_in_a_transaction_of_its_own(
    any_db: Database,
) -> None:
    async def after() -> None:
        await add(any_db, "after-commit")

    unit = UnitOfWork(any_db)
    with unit_of_work(unit):
        await add(any_db, "thala")
        await any_db.after_commit(after)
        await unit.commit()
        await add(any_db, "later")  # the update is over: a transaction of its own
    assert await codes(any_db) == {"thala", "after-commit", "later"}
