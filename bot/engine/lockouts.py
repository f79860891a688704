"""Lockouts after wrong codes (association join codes, training check-in codes).

The count lives in the database (storage.throttles), keyed by a marker of the Telegram
account, so neither /delete nor a new conversation starts it again.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine.context import Context
from storage import throttles


@dataclass(frozen=True)
class Lockout:
    purpose: str  # one counter per purpose
    limit: throttles.Limit

    async def holds(self, ctx: Context) -> bool:
        """True while this user has used up their tries."""
        async with ctx.transaction() as s:
            return await throttles.person_is_locked(
                s, self.purpose, ctx.user_id, self.limit, ctx.services.clock.now()
            )

    async def count_failure(self, ctx: Context) -> None:
        async with ctx.transaction() as s:
            await throttles.count_person_failure(
                s, self.purpose, ctx.user_id, self.limit, ctx.services.clock.now()
            )
