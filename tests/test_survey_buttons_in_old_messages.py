"""The surveys' and priorities' global buttons stay in people's chats (the list of surveys,
the thanks after sending, a staff member's priorities with its filters) across deploys:
their payloads do not change, and the shapes they always had still work."""

from __future__ import annotations

from bot.engine.engine import Engine
from storage.db import Database
from tests.support.chat import Chat
from tests.support.consultations import press_payload
from tests.support.given import CONSULTANT_ID
from tests.test_priorities_in_the_bot import answers_from, staff_chat


async def test_a_residents_survey_buttons_carry_the_payloads_they_always_had(
    engine: Engine,
) -> None:
    amal = Chat(engine, user_id=1000, language="en")
    await amal.onboard("en")
    await amal.send("/surveys")
    assert amal.payload_of("Needs survey: tell us what your district needs") == "g:sv:needs_survey"

    opened = await press_payload(amal, "g:sv:needs_survey")
    assert any(text.startswith("Thank you for taking part!") for text in opened), opened
    assert await press_payload(amal, "g:sv:nothing") == ["This survey is closed."]
    assert await press_payload(amal, "g:sv") == ["This survey is closed."]

    [priorities] = await press_payload(amal, "g:sp:needs_survey")
    assert priorities.startswith("There are not enough answers yet to show the priorities.")
    assert await press_payload(amal, "g:sp:nothing") == ["This option is not available."]
    assert await press_payload(amal, "g:sp") == ["This option is not available."]


async def test_the_staff_priorities_filters_carry_the_payloads_they_always_had(
    engine: Engine, sqlite_db: Database
) -> None:
    await answers_from(sqlite_db, "thala", ["health"] * 6, "female")
    staff = await staff_chat(engine, sqlite_db, CONSULTANT_ID)
    await staff.send("/priorities")
    assert staff.payload_of("Thala") == "g:pr:3:-"  # the district's place in the list
    assert staff.payload_of("Woman") == "g:pr:-:female"

    shown = await press_payload(staff, "g:pr:3:female")
    assert any(text.startswith("Community priorities — Thala · Woman") for text in shown), shown
    assert staff.payload_of("All districts") == "g:pr:-:female"
    assert staff.payload_of("Everyone") == "g:pr:3:-"
    assert await press_payload(staff, "g:pr:3") == ["This option is not available."]
