"""One contract, four stores: memory, SQL on SQLite, SQL on PostgreSQL, Redis."""

from __future__ import annotations

import asyncio

import pytest

from bot.engine.session import FlowState, MemorySessionStore, Session, SessionStore
from bot.engine.session_redis import RedisSessionStore
from bot.engine.session_sql import SqlSessionStore


@pytest.fixture(params=["memory", "sqlite", "postgres", "redis"])
def store(request: pytest.FixtureRequest) -> SessionStore:
    kind = request.param
    if kind == "memory":
        return MemorySessionStore()
    if kind == "redis":
        client = request.getfixturevalue("redis_client")
        return RedisSessionStore(client, prefix=client.test_prefix)
    db = request.getfixturevalue("sqlite_db" if kind == "sqlite" else "postgres_db")
    return SqlSessionStore(db)


def a_session(key: int = 7, version: int = 1) -> Session:
    return Session(
        key=key,
        version=version,
        language="ar",
        flow=FlowState("survey", "q3", {"district": "thala", "sectors": ["health"]}),
        recent_updates=[1, 2, 3],
        profile={"consent": True},
    )


async def test_a_missing_session_loads_as_none(store: SessionStore) -> None:
    assert await store.load(123) is None


async def test_first_save_then_load_gives_the_same_session_back(store: SessionStore) -> None:
    session = a_session()
    assert await store.save(session, expected_version=0)
    assert await store.load(session.key) == session


async def test_a_second_first_save_loses(store: SessionStore) -> None:
    assert await store.save(a_session(), expected_version=0)
    assert not await store.save(a_session(), expected_version=0)


async def test_compare_and_set_accepts_the_expected_version_only(store: SessionStore) -> None:
    session = a_session()
    await store.save(session, 0)
    newer = session.copy()
    newer.version = 2
    newer.flow = FlowState("survey", "q4", {"age": "25-34"})
    assert await store.save(newer, expected_version=1)
    stale = session.copy()
    stale.version = 2
    assert not await store.save(stale, expected_version=1)
    assert await store.load(session.key) == newer


async def test_delete_forgets_the_session(store: SessionStore) -> None:
    await store.save(a_session(), 0)
    await store.delete(7)
    assert await store.load(7) is None
    assert await store.save(a_session(), 0)


async def test_arabic_text_survives_the_round_trip(store: SessionStore) -> None:
    session = a_session()
    assert session.flow is not None
    session.flow.data["needs"] = "نحتاج إلى مستوصف قريب ومياه صالحة للشرب"
    await store.save(session, 0)
    loaded = await store.load(session.key)
    assert loaded is not None and loaded.flow is not None
    assert loaded.flow.data["needs"] == "نحتاج إلى مستوصف قريب ومياه صالحة للشرب"


async def test_of_twenty_concurrent_writers_exactly_one_wins(store: SessionStore) -> None:
    await store.save(a_session(version=1), 0)

    async def writer(n: int) -> bool:
        candidate = a_session(version=2)
        assert candidate.flow is not None
        candidate.flow.step = f"writer-{n}"
        return await store.save(candidate, expected_version=1)

    results = await asyncio.gather(*(writer(n) for n in range(20)))
    assert sum(results) == 1
    winner = results.index(True)
    loaded = await store.load(7)
    assert loaded is not None and loaded.flow is not None
    assert loaded.flow.step == f"writer-{winner}"
