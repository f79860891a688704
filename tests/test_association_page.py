"""Salwa coordinates her association from its page: she leaves the registration half-way
and comes back to the same question, removes a member who left the village (he is told),
goes Back from the members, changes her mind about leaving, and types where buttons are
expected; every move is one the association flow declares (strict flows under tests)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.engine.engine import Engine
from core.clock import FixedClock
from storage import associations
from storage.db import Database
from tests.conftest import EngineFactory
from tests.support.given import given_places
from tests.support.training_data import messages_of, town

SALWA, MOUNIR = 3001, 3002
NAME = "Al Amal Association"
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
async def engine(sqlite_db: Database, make_engine: EngineFactory) -> Engine:
    await given_places(sqlite_db)
    return make_engine(sqlite_db, clock=FixedClock(NOW))


async def test_a_coordinator_comes_back_to_her_registration_and_manages_her_members(
    engine: Engine, sqlite_db: Database
) -> None:
    salwa, mounir = town(engine, SALWA, MOUNIR, language="en")
    await salwa.onboard("en")
    await salwa.send("/association")
    await salwa.send("hello")  # the choice is made with the buttons
    assert salwa.last_text.startswith("You are not part of an association on Musharaka yet.")
    await salwa.press("Register my association")
    await salwa.send(NAME)
    await salwa.send("/menu")  # she leaves half-way...
    await salwa.send("/association")  # ...and comes back to the same question
    assert salwa.last_text == "In which district is it based?"
    await salwa.press("Kasserine North")
    await salwa.press("Women's rights and empowerment")
    await salwa.send("42")
    await salwa.send("Salwa Hammami")
    await salwa.send("98 410 233")
    await salwa.press("Register")
    assert salwa.said("is registered and you are its coordinator")
    async with sqlite_db.reader() as s:
        found = await associations.association_of(s, SALWA)
    assert found is not None
    code = found[0].join_code

    await mounir.onboard("en")
    await mounir.send(f"/join {code}")
    await mounir.press("Yes, join")
    await mounir.send("Mounir Ayadi")
    await mounir.send("54 981 276")
    assert mounir.said(f"Welcome to «{NAME}»!")

    await salwa.send("/association")
    await salwa.press("Members")
    assert salwa.said("2. Mounir Ayadi — +21654981276 (member)")
    await salwa.press("« Back")
    assert salwa.last_text.startswith(f"🏢 {NAME}")
    await salwa.press("Members")
    await salwa.send("sorry")  # a message on the members: the page again
    assert salwa.last_text.startswith(f"🏢 {NAME}")
    await salwa.press("Members")
    await salwa.press("Remove a member")
    assert salwa.last_text == "Who should be removed from the association?"
    assert salwa.buttons() == ["Mounir Ayadi", "« Back"]
    await salwa.press("Mounir Ayadi")
    assert salwa.said("Done: this member was removed.")
    assert messages_of(mounir)[-1] == f"You were removed from «{NAME}» by its coordinator."
    assert "Members: 42 (on Musharaka: 1)" in salwa.last_text

    await salwa.press("Leave the association")
    await salwa.press("No, stay")
    assert salwa.last_text.startswith(f"🏢 {NAME}")
    await salwa.press("Leave the association")
    await salwa.send("wait")
    assert salwa.said("Please answer with the buttons.")
    assert salwa.last_text.startswith(f"🏢 {NAME}")
    await salwa.press("Leave the association")
    await salwa.press("Yes, leave")  # the last member may leave, coordinator or not
    assert salwa.said("You have left the association.")
