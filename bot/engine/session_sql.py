"""SessionStore in the application's SQL database (the default: no extra server).

Its saves go through ``Database.transaction()``, so inside an update they are part of the
update's unit of work: the conversation's new state is committed in the same transaction
as what the update wrote, or not at all.

The last sessions this process committed are kept in memory (their JSON) and loaded from
there: reading the row back was about a tenth of the bot's CPU per update under
bench/throughput.py. That is safe because with sessions in SQL one process handles the
updates (several workers need Redis, which holds their per-chat locks too); and should
another process have saved a session meanwhile, the compare-and-set refuses the save, the
entry is dropped and the engine runs the update again on the row from the database.
"""

from __future__ import annotations

from collections import OrderedDict

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.engine.session import Session
from core.clock import Clock, SystemClock
from storage.db import Database
from storage.sessions import ConversationSession

_TABLE: Table = ConversationSession.__table__  # type: ignore[assignment]
# Built once: composing the statement anew for every update was most of a save's CPU.
_LOAD = select(_TABLE.c.state).where(_TABLE.c.key == bindparam("b_key"))
_INSERT = insert(_TABLE).values(
    key=bindparam("b_key"),
    version=bindparam("b_version"),
    state=bindparam("b_state"),
    updated_at=bindparam("b_at"),
)
_UPDATE = (
    update(_TABLE)
    .where(_TABLE.c.key == bindparam("b_key"), _TABLE.c.version == bindparam("b_expected"))
    .values(
        version=bindparam("b_version"), state=bindparam("b_state"), updated_at=bindparam("b_at")
    )
)


class SqlSessionStore:
    CACHED_SESSIONS = 4096

    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self.database = db  # the engine commits a save here with the update's own work
        self._clock = clock or SystemClock()
        self._committed: OrderedDict[int, str] = OrderedDict()

    def _remember(self, key: int, state: str) -> None:
        self._committed[key] = state
        self._committed.move_to_end(key)
        while len(self._committed) > self.CACHED_SESSIONS:
            self._committed.popitem(last=False)

    async def _remember_after_commit(self, key: int, state: str) -> None:
        async def remember() -> None:
            self._remember(key, state)

        await self.database.after_commit(remember)

    async def load(self, key: int) -> Session | None:
        cached = self._committed.get(key)
        if cached is not None:
            self._committed.move_to_end(key)
            return Session.from_json(cached)
        async with self.database.reader() as s:
            raw = await s.scalar(_LOAD, {"b_key": key})
        return Session.from_json(raw) if raw is not None else None

    async def save(self, session: Session, expected_version: int) -> bool:
        """Compare-and-set: False when someone saved another version meanwhile."""
        state = session.to_json()
        values = {
            "b_key": session.key,
            "b_version": session.version,
            "b_state": state,
            "b_at": self._clock.now(),
        }
        self._committed.pop(session.key, None)  # known again once this save is committed
        if expected_version == 0:
            try:
                async with self.database.transaction() as s:
                    await s.execute(_INSERT, values)
            except IntegrityError:
                return False
            await self._remember_after_commit(session.key, state)
            return True
        async with self.database.single_write() as s:
            result = await s.execute(_UPDATE, {**values, "b_expected": expected_version})
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return False
        await self._remember_after_commit(session.key, state)
        return True

    async def delete(self, key: int) -> None:
        self._committed.pop(key, None)
        async with self.database.single_write() as s:
            await s.execute(delete(ConversationSession).where(ConversationSession.key == key))

    async def close(self) -> None:
        return None
