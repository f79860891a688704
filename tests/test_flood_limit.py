"""The per-user flood limit: one polite answer, then silence until the window passes; and
Telegram re-delivering an update never counts as the user flooding."""

from __future__ import annotations

from bot.demo_data import seed_reference
from bot.engine.events import Event
from bot.engine.flood import MemoryFloodGuard
from bot.i18n import translate
from storage.db import Database
from tests.conftest import EngineFactory

POLITE = "You are sending messages very quickly. Please wait a few seconds, then continue."


async def test_re_deliveries_do_not_count_and_a_flood_gets_one_polite_answer(
    sqlite_db: Database, make_engine: EngineFactory
) -> None:
    await seed_reference(sqlite_db)
    engine = make_engine(sqlite_db, flood=MemoryFloodGuard(5, 60))

    def update(n: int) -> Event:
        return Event.from_text(77, "/help", update_id=n, language_code="fr")

    for n in range(1, 6):
        assert await engine.handle(update(n))
        for _again in range(3):  # Telegram lost our acknowledgement and sends it again
            assert await engine.handle(update(n)) == []
    refused = [await engine.handle(update(n)) for n in range(6, 10)]
    assert [[o.reply.text for o in r] for r in refused] == [  # type: ignore[attr-defined]
        [translate("fr", POLITE)],
        [],
        [],
        [],
    ]
