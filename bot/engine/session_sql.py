"""SessionStore in the application's SQL database (the default: no extra server).

Its saves go through ``Database.transaction()``, so inside an update they are part of the
update's unit of work: the conversation's new state is committed in the same transaction
as what the update wrote, or not at all.
"""

from __future__ import annotations

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.engine.session import Session
from core.clock import Clock, SystemClock
from storage.db import Database
from storage.sessions import ConversationSession


class SqlSessionStore:
    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self.database = db  # the engine commits a save here with the update's own work
        self._clock = clock or SystemClock()

    async def load(self, key: int) -> Session | None:
        async with self.database.engine.connect() as conn:
            raw = await conn.scalar(
                select(ConversationSession.state).where(ConversationSession.key == key)
            )
        return Session.from_json(raw) if raw is not None else None

    async def save(self, session: Session, expected_version: int) -> bool:
        """Compare-and-set: False when someone saved another version meanwhile."""
        now = self._clock.now()
        table: Table = ConversationSession.__table__  # type: ignore[assignment]
        if expected_version == 0:
            try:
                async with self.database.transaction() as s:
                    await s.execute(
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
        async with self.database.single_write() as s:
            result = await s.execute(
                update(table)
                .where(table.c.key == session.key, table.c.version == expected_version)
                .values(version=session.version, state=session.to_json(), updated_at=now)
            )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def delete(self, key: int) -> None:
        async with self.database.single_write() as s:
            await s.execute(delete(ConversationSession).where(ConversationSession.key == key))

    async def close(self) -> None:
        return None
