"""SQLite connections that run on the event loop's own thread.

aiosqlite gives every connection a thread and sends each call there and back: under
``bench/throughput.py`` about 18 statements per update meant some 50 thread hops, and the
hops (queue, ``call_soon_threadsafe``, waking the loop, the GIL passed back and forth) cost
more CPU than SQLite itself: py-spy showed the worker threads and the loop's wake-ups as
the largest part of the bot's time. An embedded database answers a small statement in
microseconds, so the process runs them where it stands.

What this gives up is that a statement blocks the loop while it runs; the bot's statements
are short, and waiting for a lock never blocks: the connection's busy timeout is a few
milliseconds and ``BEGIN`` is retried with ``asyncio.sleep`` until ``lock_timeout``. Writers
inside one process queue on ``WriterQueue`` (``storage.db``) before they ever reach SQLite.

The objects here offer what SQLAlchemy's aiosqlite dialect calls on an aiosqlite
connection (``async_creator``), so the dialect, the pool and the ORM are unchanged.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Iterable, Sequence
from typing import Any

BUSY_TIMEOUT_MS = 5
BEGIN_RETRY_SECONDS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05)


class _RunNow:
    """Stands in for aiosqlite's request queue, which SQLAlchemy's ``isolation_level``
    setter writes to directly: the function runs at once."""

    def put_nowait(self, item: tuple[asyncio.Future[Any], Any]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as exc:  # handed to the waiting caller, as aiosqlite does
            future.set_exception(exc)


def _is_begin(sql: str) -> bool:
    return sql.lstrip()[:5].upper() == "BEGIN"


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


class InlineCursor:
    def __init__(self, cursor: sqlite3.Cursor, lock_timeout: float) -> None:
        self._cursor = cursor
        self._lock_timeout = lock_timeout

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> InlineCursor:
        if not _is_begin(sql):
            self._run(sql, parameters)
            return self
        # Another process holds the write lock: wait for it without stopping the loop.
        deadline = time.monotonic() + self._lock_timeout
        for attempt in range(1_000_000):
            try:
                self._run(sql, parameters)
                return self
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or time.monotonic() > deadline:
                    raise
            pause = BEGIN_RETRY_SECONDS[min(attempt, len(BEGIN_RETRY_SECONDS) - 1)]
            await asyncio.sleep(pause)
        raise AssertionError("unreachable")

    def _run(self, sql: str, parameters: Sequence[Any] | None) -> None:
        if parameters is None:
            self._cursor.execute(sql)
        else:
            self._cursor.execute(sql, parameters)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> InlineCursor:
        self._cursor.executemany(sql, rows)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()


class InlineConnection:
    """The face of an aiosqlite connection over a plain ``sqlite3`` one."""

    def __init__(self, connection: sqlite3.Connection, lock_timeout: float) -> None:
        self._conn = connection
        self._connection: sqlite3.Connection | None = connection
        self._tx = _RunNow()
        self._lock_timeout = lock_timeout

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    def cursor(self) -> InlineCursor:
        return InlineCursor(self._conn.cursor(), self._lock_timeout)

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> InlineCursor:
        return await self.cursor().execute(sql, parameters)

    async def commit(self) -> None:
        self._conn.commit()

    async def rollback(self) -> None:
        self._conn.rollback()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    async def close(self) -> None:
        if self._connection is not None:
            self._connection = None
            self._conn.close()

    def stop(self) -> None:
        if self._connection is not None:
            self._connection = None
            self._conn.close()


def inline_connector(path: str, *, lock_timeout: float = 60.0) -> Any:
    """An ``async_creator`` for ``create_async_engine("sqlite+aiosqlite://...")``."""

    async def connect() -> InlineConnection:
        connection = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
        return InlineConnection(connection, lock_timeout)

    return connect
