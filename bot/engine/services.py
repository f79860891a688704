"""What handlers can reach besides the event: database, settings, clock, scheduler."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.engine.session import SessionStore
from core.clock import Clock, SystemClock
from core.config import Settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.engine.messenger import Messenger
    from storage.db import Database
    from storage.files import FileStore


@dataclass
class Services:
    settings: Settings
    db: Database
    store: SessionStore
    clock: Clock = field(default_factory=SystemClock)
    messenger: Messenger | None = None
    scheduler: Any | None = None
    files: FileStore | None = None  # where files residents send are kept (storage.files)
    extras: dict[str, Any] = field(default_factory=dict)

    def transaction(self) -> AbstractAsyncContextManager[AsyncSession]:
        """Write; inside an update, as part of the update's one transaction."""
        return self.db.transaction()

    def reader(self) -> AbstractAsyncContextManager[AsyncSession]:
        """Read; inside an update, seeing what it has written so far."""
        return self.db.reader()

    def report_reader(self) -> AbstractAsyncContextManager[AsyncSession]:
        """A long read of what is committed, off the event loop (``Database.report_reader``)."""
        return self.db.report_reader()
