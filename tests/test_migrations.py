"""Alembic owns the schema: migrating an empty database gives exactly the models' tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

import storage.models  # noqa: F401
from storage.base import Base
from storage.db import Database
from tests.support import services


def _differences(sync_conn: Any) -> list[Any]:
    context = MigrationContext.configure(sync_conn, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def _assert_migrations_match_models(db: Database) -> None:
    await db.upgrade()
    await db.upgrade()  # a second run is a no-op
    async with db.engine.connect() as conn:
        differences = await conn.run_sync(_differences)
    assert differences == []


async def test_migrations_build_the_model_schema_on_sqlite(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'migrated.sqlite'}")
    try:
        await _assert_migrations_match_models(db)
    finally:
        await db.dispose()


@pytest.mark.postgres
async def test_migrations_build_the_model_schema_on_postgresql() -> None:
    url = services.postgres_url()
    schema = services.unique_name("m")
    admin = Database(url)
    async with admin.engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    db = Database(url, schema=schema)
    try:
        await _assert_migrations_match_models(db)
    finally:
        await db.dispose()
        async with admin.engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()
