"""A survey step does not read its form from the database on every tap, and a form corrected
before anyone answered it (same version, imported again) still reaches the next resident."""

from __future__ import annotations

import pytest

from formengine.store import import_xlsform
from storage import surveys
from storage.db import Database
from storage.surveys import ImportOutcome
from tests.support.chat import Chat
from tests.support.xlsforms import choice_rows, xlsform_bytes

YES_NO = choice_rows("yn", ("yes", "Yes"), ("no", "No"))


def water_form(second_label: str) -> bytes:
    return xlsform_bytes(
        [
            {"type": "select_one yn", "name": "tap", "label": "Does your street have a tap?"},
            {"type": "select_one yn", "name": "clean", "label": second_label},
        ],
        YES_NO,
        {"form_id": "water"},
    )


async def import_water(db: Database, second_label: str) -> ImportOutcome:
    async with db.transaction() as s:
        _live, outcome = await import_xlsform(s, water_form(second_label), filename="water.xlsx")
    return outcome


async def test_taps_reuse_the_form_and_a_corrected_form_reaches_the_next_resident(
    chat: Chat, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = chat.sim.engine.services.db
    assert await import_water(db, "Is the water clean?") == ImportOutcome.CREATED
    reads: list[int] = []
    read_definition = surveys.get_definition

    async def counted(session, version_pk):  # type: ignore[no-untyped-def]
        reads.append(version_pk)
        return await read_definition(session, version_pk)

    monkeypatch.setattr(surveys, "get_definition", counted)
    await chat.onboard("en")
    await chat.send("/start survey_water")
    await chat.press("Yes")
    assert chat.said("Is the water clean?")
    await chat.press("No")
    assert chat.said("Please check your answers:")
    assert len(reads) <= 1  # three taps, the form read once at most

    # Before anyone sent answers, the officer fixes the second question and imports again.
    assert await import_water(db, "Is the tap water safe to drink?") == ImportOutcome.REPLACED
    neighbour = Chat(chat.sim.engine, user_id=1001, language="en")
    await neighbour.onboard("en")
    await neighbour.send("/start survey_water")
    await neighbour.press("Yes")
    assert neighbour.said("Is the tap water safe to drink?")
