"""Global buttons registered as typed actions (Registry.add_action): one code may carry
several argument shapes (buttons drawn over the years live on in people's chats), and an
area may answer a press that fits none of them in its own words."""

from __future__ import annotations

import pytest

from bot.engine.actions import Action
from bot.engine.context import Context
from bot.engine.engine import Engine
from bot.engine.registry import Registry
from core.i18n import N_
from tests.support.chat import Chat
from tests.support.consultations import press_payload

PLAIN = Action("tga")
OF_KIND = Action("tga", kind=str)
ROOM = Action("tgr", number=int)


@pytest.fixture
def chat(engine: Engine) -> Chat:
    async def plain(ctx: Context) -> None:
        ctx.say("Plain.")

    async def of_kind(ctx: Context, kind: str) -> None:
        ctx.say(f"Of kind {kind}.")

    async def room(ctx: Context, number: int) -> None:
        ctx.say(f"Room {number}.")

    engine.registry.add_action(PLAIN, plain)
    engine.registry.add_action(OF_KIND, of_kind)
    engine.registry.add_action(ROOM, room, refusal=N_("This option is not available."))
    return Chat(engine, user_id=4343, language="en")


async def test_a_press_goes_to_the_shape_it_fits_and_a_misfit_is_refused(chat: Chat) -> None:
    assert await press_payload(chat, "g:tga") == ["Plain."]
    assert await press_payload(chat, "g:tga:c") == ["Of kind c."]
    assert await press_payload(chat, "g:tga:c:d") == ["I do not recognise this button."]
    assert await press_payload(chat, "g:tgr:12") == ["Room 12."]
    for forged in ("g:tgr", "g:tgr:x", "g:tgr:1:y", "g:tgr:²"):
        assert await press_payload(chat, forged) == ["This option is not available."], forged


def test_two_shapes_of_one_code_with_as_many_arguments_are_refused() -> None:
    async def nothing(ctx: Context, **values: object) -> None:
        return None

    registry = Registry()
    registry.add_action(Action("tgx", id=int), nothing)
    with pytest.raises(ValueError, match="twice"):
        registry.add_action(Action("tgx", code=str), nothing)
