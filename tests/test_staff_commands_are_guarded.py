"""Nobody reaches a command above their role: every registered Command with a min_role is tried
by a resident and by each lower staff role, in every spelling Telegram allows."""

from __future__ import annotations

import itertools

import pytest

from bot.app import build_registry
from bot.channels.commands import published_commands
from bot.engine.engine import Engine
from bot.engine.events import Event
from bot.engine.replies import Document, Photo, Text
from core.i18n import translate
from storage import people
from storage.people import ROLE_RANK, Role

REGISTRY = build_registry()
GUARDED = sorted(
    (command.name, command.min_role)
    for command in REGISTRY.commands.values()
    if command.min_role is not None
)
RESIDENT = 5000
ROLE_USERS = {Role.CONSULTANT: 5001, Role.STAFF: 5002, Role.ADMIN: 5003}
_update_ids = itertools.count(1)


def below(needed: Role) -> list[Role | None]:
    """Everyone who must be refused: residents and every lower role."""
    return [None, *(r for r in Role if ROLE_RANK[r] < ROLE_RANK[needed])]


def spellings(name: str) -> list[str]:
    return [f"/{name}", f"/{name.upper()}", f"/{name}@musharaka_test_bot", f"/{name} 1 x"]


CASES = [
    pytest.param(name, role, id=f"{name}-by-{role or 'resident'}")
    for name, needed in GUARDED
    for role in below(needed)
]


def test_the_bot_has_staff_commands_to_guard() -> None:
    assert {"survey_export", "roster", "priorities"} <= {name for name, _ in GUARDED}


@pytest.fixture
async def staffed(engine: Engine) -> Engine:
    async with engine.services.db.transaction() as s:
        await people.ensure_user(s, RESIDENT, language="en")
        for role, telegram_id in ROLE_USERS.items():
            await people.ensure_user(s, telegram_id, language="en")
            await people.add_staff(s, role=role, telegram_id=telegram_id)
    return engine


async def send(engine: Engine, user_id: int, text: str) -> list[object]:
    event = Event.from_text(user_id, text, update_id=next(_update_ids), language_code="en")
    return [item.reply for item in await engine.handle(event)]


@pytest.mark.parametrize(("name", "role"), CASES)
async def test_a_command_is_refused_below_its_role(
    staffed: Engine, name: str, role: Role | None
) -> None:
    user_id = RESIDENT if role is None else ROLE_USERS[role]
    refusal = translate("en", "This command is only for programme staff.")
    for text in spellings(name):
        replies = await send(staffed, user_id, text)
        assert [type(r) for r in replies] == [Text], (text, replies)
        assert replies[0].text == refusal  # type: ignore[attr-defined]
        assert not any(isinstance(r, Document | Photo) for r in replies)


@pytest.mark.parametrize(("name", "needed"), GUARDED)
async def test_the_role_it_names_does_reach_it(staffed: Engine, name: str, needed: Role) -> None:
    replies = await send(staffed, ROLE_USERS[needed], f"/{name}")
    refusal = translate("en", "This command is only for programme staff.")
    assert refusal not in [getattr(r, "text", "") for r in replies]


async def test_staff_commands_are_never_listed_to_residents(staffed: Engine) -> None:
    guarded = {name for name, _ in GUARDED}
    for language in ("ar", "en", "fr"):
        assert not guarded & {name for name, _ in published_commands(REGISTRY, language)}
    [help_text] = await send(staffed, RESIDENT, "/help")
    assert isinstance(help_text, Text)
    assert not any(f"/{name} " in help_text.text for name in guarded)


async def test_a_resident_sees_no_staff_entry_in_the_menu(staffed: Engine) -> None:
    staff_entries = {e.label for e in REGISTRY.menu.values() if e.min_role is not None}
    [menu] = await send(staffed, RESIDENT, "/menu")
    assert isinstance(menu, Text) and menu.buttons
    labels = {b.label for row in menu.buttons for b in row}
    assert not labels & {translate("en", label) for label in staff_entries}
