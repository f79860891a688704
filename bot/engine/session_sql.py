"""SessionStore in the application's SQL database (the default: no extra server)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.engine.session import Session
from storage.db import Database
from storage.sessions import ConversationSession


class SqlSessionStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def load(self, key: int) -> Session | None:
        async with self._db.engine.connect() as conn:
            raw = await conn.scalar(
                select(ConversationSession.state).where(ConversationSession.key == key)
            )
        return Session.from_json(raw) if raw is not None else None

    async def save(self, session: Session, expected_version: int) -> bool:
        now = datetime.now(UTC)
        table: Table = ConversationSession.__table__  # type: ignore[assignment]
        async with self._db.engine.begin() as conn:
            if expected_version == 0:
                try:
                    await conn.execute(
                        insert(table).values(
                            key=session.key,
                            version=session.version,
                            state=session.to_json(),
                            updated_at=now,
                        )
                    )
                except IntegrityError:
                    return False
                return True
            result = await conn.execute(
                update(table)
                .where(table.c.key == session.key, table.c.version == expected_version)
                .values(version=session.version, state=session.to_json(), updated_at=now)
            )
            return result.rowcount == 1

    async def delete(self, key: int) -> None:
        async with self._db.engine.begin() as conn:
            await conn.execute(delete(ConversationSession).where(ConversationSession.key == key))

    async def close(self) -> None:
        return None
