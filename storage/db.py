"""Database connection: SQLite (embedded default) or PostgreSQL, async SQLAlchemy 2."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import event, make_url, text
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool

from storage.base import Base
from storage.sqlite_inline import BUSY_TIMEOUT_MS, inline_connector

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
UPGRADE_LOCK = 7_362_001  # pg_advisory_xact_lock key: one schema upgrade at a time


def path_of(url: str) -> str:
    """The file of a SQLite URL (``:memory:`` for an in-memory database)."""
    return make_url(url).database or ":memory:"


def _prepare_sqlite_file(url: str) -> None:
    path = url.split("///", 1)[1] if "///" in url else ""
    if path and path != ":memory:" and not path.startswith("file:"):
        Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)


AfterCommit = Callable[[], Awaitable[None]]


class WriterQueue:
    """SQLite lets one connection write at a time. Writers of this process wait here, in
    the order they came (an ``asyncio.Lock`` is first come, first served), instead of
    polling SQLite's lock; other processes' writers are met by ``BEGIN``'s retries
    (``storage.sqlite_inline``). A task that already holds the turn may take it again (a
    nested transaction of the same task must not wait for itself)."""

    def __init__(self, *, serial: bool = True) -> None:
        self.serial = serial  # False on PostgreSQL, whose writers do not wait for each other
        self._lock = asyncio.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._owner: asyncio.Task[Any] | None = None
        self._depth = 0

    async def acquire(self) -> None:
        if not self.serial:
            return
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a Database used from a new event loop (tests, CLI)
            self._lock, self._loop, self._owner, self._depth = asyncio.Lock(), loop, None, 0
        task = asyncio.current_task()
        if task is not None and task is self._owner:
            self._depth += 1
            return
        await self._lock.acquire()
        self._owner, self._depth = task, 1

    def release(self) -> None:
        if not self.serial:
            return
        self._depth -= 1
        if self._depth == 0:
            self._owner = None
            self._lock.release()

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        await self.acquire()
        try:
            yield
        finally:
            self.release()


class UnitOfWork:
    """All the database work of one update in one transaction.

    The engine opens one per update and makes it current (``unit_of_work``); every
    ``Database.transaction()`` block inside it becomes a savepoint of that one transaction
    (so a block that fails still undoes only itself), ``Database.reader()`` reads what the
    update has written so far, and the engine commits once, together with the conversation
    session when the session lives in the same database. A crash at any point before that
    commit leaves none of the update's effects; after it, all of them.

    The transaction begins at the first write, not when the update arrives: an update
    that only reads never takes SQLite's write lock.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self._session: AsyncSession | None = None
        self._reads: AsyncSession | None = None  # the update's reads before its first write
        self._after_commit: list[AfterCommit] = []
        self.closed = False
        # Only the task handling the update joins it: a task or thread started meanwhile
        # (APScheduler's, a chart drawn in a thread) inherits the context variable but
        # must keep its own transactions, or it would write into this one after its end.
        self._task = asyncio.current_task()

    def joinable(self) -> bool:
        return not self.closed and asyncio.current_task() is self._task

    @property
    def begun(self) -> bool:
        return self._session is not None

    async def session(self) -> AsyncSession:
        if self.closed:
            raise RuntimeError("this unit of work has ended")
        if self._session is None:
            # Let go of the reads' connection before waiting for the writer's turn: an update
            # never waits for a connection while holding one (the pool cannot run dry in a
            # circle), and from now on it reads through this session, seeing its own writes.
            await self._release_reads()
            await self.db.writers.acquire()
            try:
                session = self.db.session()
                await session.begin()
            except BaseException:
                self.db.writers.release()
                raise
            self._session = session
        return self._session

    def reads(self) -> AsyncSession:
        """One session for every read the update makes before it writes, instead of a
        session, a connection and a transaction per read (opening the survey made four)."""
        if self.closed:
            raise RuntimeError("this unit of work has ended")
        if self._reads is None:
            self._reads = self.db.read_session()
        return self._reads

    async def _release_reads(self) -> None:
        """Hand the reads' connection back (a block still using the session would take
        another one; ``close`` hands that back too)."""
        if self._reads is not None:
            await self._reads.close()

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[AsyncSession]:
        session = await self.session()
        async with session.begin_nested():
            yield session

    def after_commit(self, action: AfterCommit) -> None:
        """Run ``action`` once the unit's work is committed (dropped if it is rolled back):
        for effects outside the database, such as a job in the scheduler's own store."""
        self._after_commit.append(action)

    async def commit(self) -> None:
        """Commit, end the unit, then run what waited for the commit (outside the unit)."""
        session, self._session = self._session, None
        self.closed = True
        if session is not None:
            try:
                await session.commit()
            finally:
                await session.close()
                self.db.writers.release()
        actions, self._after_commit = self._after_commit, []
        for action in actions:
            try:
                await action()
            except Exception:
                log.exception("an action after commit failed")

    async def rollback(self) -> None:
        """Undo everything so far; the unit can be used again (a fresh transaction)."""
        session, self._session = self._session, None
        self._after_commit = []
        if session is not None:
            try:
                await session.rollback()
            finally:
                await session.close()
                self.db.writers.release()

    async def close(self) -> None:
        """End the unit: whatever was not committed is rolled back."""
        try:
            await self.rollback()
        finally:
            await self._release_reads()
            self._reads = None
            self.closed = True


_current_unit: ContextVar[UnitOfWork | None] = ContextVar("musharaka_unit_of_work", default=None)


@contextmanager
def unit_of_work(unit: UnitOfWork) -> Iterator[UnitOfWork]:
    """Make ``unit`` the current one for the code inside (tasks it starts inherit the
    variable but not the unit: see ``UnitOfWork.joinable``)."""
    token = _current_unit.set(unit)
    try:
        yield unit
    finally:
        _current_unit.reset(token)


# AsyncSession's own ``async with`` (and its ``begin()``'s) ends in a task of its own, a
# shield against cancellation: under load every session kept its connection until the loop
# came round to that task, and the pool ran dry (bench/engine_cpu.py: 12 s of waiting for
# connections over 2,800 updates, and a task made per session). These end it in place.


@asynccontextmanager
async def _closing(session: AsyncSession) -> AsyncIterator[AsyncSession]:
    try:
        yield session
    finally:
        await session.close()


@asynccontextmanager
async def _committing(session: AsyncSession) -> AsyncIterator[AsyncSession]:
    """One transaction: committed when the block ends, rolled back when it raises."""
    try:
        await session.begin()
        yield session
        await session.commit()
    except BaseException:
        await session.rollback()
        raise
    finally:
        await session.close()


class _SharedReader:
    """``async with`` over the current unit's session, without closing it at the end: its
    writing session once it has written, its read session before (both end with the unit)."""

    def __init__(self, unit: UnitOfWork) -> None:
        self._unit = unit

    async def __aenter__(self) -> AsyncSession:
        return await self._unit.session() if self._unit.begun else self._unit.reads()

    async def __aexit__(self, *exc: object) -> None:
        return None


class Database:
    """One engine, two session factories.

    ``transaction()`` is for work that writes: on SQLite it starts with BEGIN IMMEDIATE,
    so two writers queue up instead of failing when a read turns into a write.
    ``reader()`` is for read-only work. Inside an update both join the update's
    ``UnitOfWork`` (see there).
    """

    def __init__(self, url: str, *, echo: bool = False, schema: str | None = None) -> None:
        self.url = url
        self.schema = schema
        kwargs: dict[str, Any] = {"echo": echo}
        self.writers = WriterQueue(serial=url.startswith("sqlite"))
        if url.startswith("sqlite"):
            _prepare_sqlite_file(url)
            path = path_of(url)
            kwargs["async_creator"] = inline_connector(path)
            if path == ":memory:":
                kwargs["poolclass"] = StaticPool
            else:
                kwargs.update(pool_size=64, max_overflow=0)
        elif schema:
            kwargs["connect_args"] = {"server_settings": {"search_path": schema}}
        if url.startswith("postgresql"):
            kwargs.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if self.is_sqlite:
            self._configure_sqlite()
        self._writer = async_sessionmaker(
            self.engine.execution_options(sqlite_begin="IMMEDIATE"), expire_on_commit=False
        )
        self._reader = async_sessionmaker(self.engine, expire_on_commit=False)
        # Long reads on a SQLite file go through aiosqlite's threads (see report_reader).
        self._report_engine: AsyncEngine | None = None
        self._reports: async_sessionmaker[AsyncSession] | None = None
        if self.is_sqlite and path_of(url) != ":memory:":
            self._report_engine = create_async_engine(
                url, connect_args={"timeout": 60}, pool_size=2, max_overflow=2
            )
            self._reports = async_sessionmaker(self._report_engine, expire_on_commit=False)

            @event.listens_for(self._report_engine.sync_engine, "connect")
            def _report_pragmas(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
                cursor = dbapi_conn.cursor()
                cursor.execute("PRAGMA busy_timeout=60000")
                cursor.execute("PRAGMA query_only=ON")
                cursor.close()

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def _configure_sqlite(self) -> None:
        sync_engine = self.engine.sync_engine

        @event.listens_for(sync_engine, "connect")
        def _on_connect(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
            dbapi_conn.isolation_level = None
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cursor.close()

        @event.listens_for(sync_engine, "begin")
        def _on_begin(conn: Any) -> None:
            # Straight to the driver's cursor: through Connection.exec_driver_sql (events,
            # a result object) this was 2 % of the bot's CPU under load (py-spy).
            mode = conn.get_execution_options().get("sqlite_begin", "")
            cursor = conn.connection.dbapi_connection.cursor()
            try:
                cursor.execute(f"BEGIN {mode}".strip())
            finally:
                cursor.close()

    def session(self) -> AsyncSession:
        return self._writer()

    def _current_unit(self) -> UnitOfWork | None:
        unit = _current_unit.get()
        return unit if unit is not None and unit.db is self and unit.joinable() else None

    def reader(self) -> AbstractAsyncContextManager[AsyncSession]:
        """A session to read with: inside an update, the update's own (one for its reads
        until it writes, then its writing one, which sees its own writes); a fresh one
        otherwise."""
        unit = self._current_unit()
        if unit is not None:
            return _SharedReader(unit)
        return _closing(self._reader())

    def read_session(self) -> AsyncSession:
        return self._reader()

    def report_reader(self) -> AbstractAsyncContextManager[AsyncSession]:
        """For a long read (a report over every submission) of what is committed: on a
        SQLite file it runs in a thread (aiosqlite) while the event loop goes on answering
        residents; the rest of SQLite's work runs on the loop (storage.sqlite_inline)."""
        if self._reports is None:
            return self.reader()
        return _closing(self._reports())

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A writing session inside one transaction, committed on success; inside an
        update, a savepoint of the update's one transaction, committed with it."""
        unit = self._current_unit()
        if unit is not None:
            async with unit.savepoint() as session:
                yield session
            return
        async with self.writers.turn(), _committing(self._writer()) as session:
            yield session

    @asynccontextmanager
    async def single_write(self) -> AsyncIterator[AsyncSession]:
        """For one statement that either applies whole or raises (an UPDATE, a DELETE):
        inside an update, the update's own session, without the savepoint a
        ``transaction()`` block costs; otherwise a transaction of its own."""
        unit = self._current_unit()
        if unit is not None:
            yield await unit.session()
            return
        async with self.writers.turn(), _committing(self._writer()) as session:
            yield session

    async def after_commit(self, action: AfterCommit) -> None:
        """Run ``action`` now, or after the current update's commit if one is under way."""
        unit = self._current_unit()
        if unit is not None and unit.begun:
            unit.after_commit(action)
        else:
            await action()

    async def create_all(self) -> None:
        """Create every table from the models (unit tests). Deployments use ``upgrade``."""
        import storage.models  # noqa: F401  (registers every area's tables)

        async with self.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)

    async def upgrade(self) -> None:
        """Bring the schema to the newest revision of every Alembic branch.

        Several workers may start at once: on PostgreSQL they queue on an advisory lock
        (held until this transaction ends), so one migrates and the others find it done.
        """
        writing = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        async with writing.begin() as conn:
            if self.dialect == "postgresql":
                await conn.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": UPGRADE_LOCK}
                )
            await conn.run_sync(run_alembic_upgrade)

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self._report_engine is not None:
            await self._report_engine.dispose()


def alembic_config(connection: Any | None = None) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def run_alembic_upgrade(sync_connection: Any) -> None:
    from alembic import command

    command.upgrade(alembic_config(sync_connection), "heads")
