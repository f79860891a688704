"""Database connection: SQLite (embedded default) or PostgreSQL, async SQLAlchemy 2."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool

from storage.base import Base

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
UPGRADE_LOCK = 7_362_001  # pg_advisory_xact_lock key: one schema upgrade at a time


def _prepare_sqlite_file(url: str) -> None:
    path = url.split("///", 1)[1] if "///" in url else ""
    if path and path != ":memory:" and not path.startswith("file:"):
        Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)


class Database:
    """One engine, two session factories.

    ``session()`` is for work that writes: on SQLite it starts with BEGIN IMMEDIATE,
    so two writers queue up instead of failing when a read turns into a write.
    ``reader()`` is for read-only work.
    """

    def __init__(self, url: str, *, echo: bool = False, schema: str | None = None) -> None:
        self.url = url
        self.schema = schema
        kwargs: dict[str, Any] = {"echo": echo}
        if url.startswith("sqlite"):
            _prepare_sqlite_file(url)
            kwargs["connect_args"] = {"timeout": 60}
            if ":memory:" in url or url.rstrip("/").endswith("sqlite+aiosqlite:"):
                kwargs["poolclass"] = StaticPool
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
            cursor.execute("PRAGMA busy_timeout=60000")
            cursor.close()

        @event.listens_for(sync_engine, "begin")
        def _on_begin(conn: Any) -> None:
            mode = conn.get_execution_options().get("sqlite_begin", "")
            conn.exec_driver_sql(f"BEGIN {mode}".strip())

    def session(self) -> AsyncSession:
        return self._writer()

    def reader(self) -> AsyncSession:
        return self._reader()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A writing session inside one transaction, committed on success."""
        async with self._writer() as session, session.begin():
            yield session

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
        async with self.engine.begin() as conn:
            if self.dialect == "postgresql":
                await conn.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": UPGRADE_LOCK}
                )
            await conn.run_sync(run_alembic_upgrade)

    async def dispose(self) -> None:
        await self.engine.dispose()


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
