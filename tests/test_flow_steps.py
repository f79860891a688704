"""Declared steps and typed actions (bot.engine.steps, bot.engine.actions): the flow base
answers stale and forged presses, types out arguments, handles Back and typed messages, and
refuses moves its steps do not declare; the diagram is drawn from the declarations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from bot.engine.actions import Action
from bot.engine.context import Context
from bot.engine.engine import Engine
from bot.engine.registry import Command
from bot.engine.steps import Flow, Step, UndeclaredMove
from tests.support.chat import Chat
from tests.support.consultations import press_payload

SIZE = Action("size", code=str)
TABLE = Action("table", number=int)
SHORTCUT = Action("jump")
CONFIRM = Action("ok")


class Order(Flow):
    """A tiny flow for the engine's own tests: a size, a table number, a name, a summary."""

    name = "test_order"
    needs_consent = False
    starts = ("size",)

    def steps(self) -> Sequence[Step]:
        return [
            Step("size", self._ask_size, on={SIZE: self._on_size}, goes_to=("table",)),
            Step(
                "table",
                self._ask_table,
                on={TABLE: self._on_table, SHORTCUT: self._jump},
                goes_to=("name",),
                back="size",
            ),
            Step(
                "name",
                self._ask_name,
                message=self._on_name,
                text_only=True,
                goes_to=("summary",),
                back="table",
            ),
            Step("summary", self._summary, on={CONFIRM: self._confirm}, back="name", ends=True),
        ]

    async def _ask_size(self, ctx: Context) -> None:
        ctx.say(
            "Size?", [[SIZE.button(ctx, "Small", code="s"), SIZE.button(ctx, "Large", code="l")]]
        )

    async def _on_size(self, ctx: Context, code: str) -> None:
        ctx.state["size"] = code
        await self.show(ctx, "table")

    async def _ask_table(self, ctx: Context) -> None:
        ctx.say(
            "Table?",
            [
                [TABLE.button(ctx, f"Table {n}", number=n) for n in (1, 2)],
                [SHORTCUT.button(ctx, "Skip to the end"), self.back_button(ctx, "Back")],
            ],
        )

    async def _on_table(self, ctx: Context, number: int) -> None:
        ctx.state["table"] = number
        await self.show(ctx, "name")

    async def _jump(self, ctx: Context) -> None:
        await self.show(ctx, "summary")  # not declared: table goes only to name

    async def _ask_name(self, ctx: Context) -> None:
        ctx.say("Name?", [[self.back_button(ctx, "Back")]])

    async def _on_name(self, ctx: Context) -> None:
        ctx.state["name"] = ctx.event.text
        await self.show(ctx, "summary")

    async def _summary(self, ctx: Context, **kwargs: Any) -> None:
        state = ctx.state
        ctx.say(
            f"{state['size']} at table {state['table']} for {state.get('name', '?')}",
            [[CONFIRM.button(ctx, "Confirm"), self.back_button(ctx, "Back")]],
        )

    async def _confirm(self, ctx: Context) -> None:
        self.end(ctx)
        ctx.edit("Ordered.")


async def _start(ctx: Context) -> None:
    await ctx.start("test_order")


@pytest.fixture
def order_chat(engine: Engine) -> Chat:
    engine.registry.add_conversation(Order())
    engine.registry.add_command(Command("order", _start, "order"))
    return Chat(engine, user_id=4242, language="en")


def test_an_action_packs_and_unpacks_its_typed_arguments_and_nothing_else() -> None:
    day = Action("day", index=int, kind=str)
    assert day.unpack(("3", "am")) == {"index": 3, "kind": "am"}
    for forged in [("٣", "am"), ("-1", "am"), ("3",), ("3", "am", "x"), ("3", "تالة"), ("", "am")]:
        assert day.unpack(forged) is None, forged
    assert day.pack({"index": 3, "kind": "am"}) == ("3", "am")
    with pytest.raises(TypeError):
        day.pack({"index": 3})
    with pytest.raises(ValueError):
        day.pack({"index": "3", "kind": "am"})
    with pytest.raises(ValueError):
        day.pack({"index": 3, "kind": "صباح"})  # labels never go into callback data
    with pytest.raises(ValueError):
        Action("g")  # the global buttons' prefix


async def test_a_user_orders_goes_back_and_types_where_typing_is_asked(order_chat: Chat) -> None:
    await order_chat.send("/order")
    await order_chat.press("Large")
    await order_chat.press("Back")
    assert order_chat.last_text == "Size?"
    await order_chat.press("Small")
    await order_chat.press("Table 2")
    await order_chat.send_sticker()
    assert order_chat.said("Please type your answer as a text message.")
    await order_chat.send("Amal")
    assert order_chat.last_text == "s at table 2 for Amal"
    await order_chat.press("Back")
    assert order_chat.last_text == "Name?"
    await order_chat.send("Amal B.")
    await order_chat.press("Confirm")
    assert order_chat.said("Ordered.")


async def test_typing_on_a_step_of_buttons_redraws_it(order_chat: Chat) -> None:
    await order_chat.send("/order")
    await order_chat.send("large please")
    assert order_chat.texts == ["Please answer with the buttons.", "Size?"]
    await order_chat.press("Large")
    assert order_chat.last_text == "Table?"


async def test_forged_and_old_presses_change_nothing(order_chat: Chat) -> None:
    await order_chat.send("/order")
    await order_chat.press("Small")
    table = order_chat.payload_of("Table 1")
    epoch = table.split(":")[0]
    for forged in [f"{epoch}:table:x", f"{epoch}:table:1:2", f"{epoch}:size:s", f"{epoch}:ok"]:
        assert await press_payload(order_chat, forged) == ["This button is no longer active."]
    await order_chat.press("Table 1")
    assert order_chat.last_text == "Name?"
    assert await press_payload(order_chat, table) == [
        "This button is from an earlier step and no longer works."
    ]


async def test_a_move_the_steps_do_not_declare_is_refused_and_changes_nothing(
    order_chat: Chat,
) -> None:
    await order_chat.send("/order")
    await order_chat.press("Small")
    await order_chat.press("Skip to the end")
    assert order_chat.said("Sorry, something went wrong on our side.")
    await order_chat.press("Table 2")  # the screen before the refused move still works
    assert order_chat.last_text == "Name?"


def test_the_diagram_is_drawn_from_the_declared_steps() -> None:
    assert Order().mermaid() == (
        "stateDiagram-v2\n"
        "    [*] --> size\n"
        "    size --> table\n"
        "    table --> name\n"
        "    table --> size : back\n"
        "    name --> summary\n"
        "    name --> table : back\n"
        "    summary --> name : back\n"
        "    summary --> [*]\n"
    )


def test_a_step_that_leads_nowhere_known_is_refused_when_the_flow_is_built() -> None:
    class Broken(Order):
        def steps(self) -> Sequence[Step]:
            return [Step("size", self._ask_size, goes_to=("nowhere",))]

    with pytest.raises(ValueError, match="nowhere"):
        Broken()
    assert issubclass(UndeclaredMove, RuntimeError)
