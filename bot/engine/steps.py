"""Declarative steps (the idea of aiogram_dialog's Window/Dialog, kept channel-free).

A :class:`Flow` is a conversation written as a list of named :class:`Step` values: how the
step is drawn (``render``), what each of its buttons does (``on``: :class:`Action` ->
handler), what a typed message does (``message``), where it may lead (``goes_to``), where
« Back returns (``back``) and whether the flow may end there (``ends``).

The base owns everything that used to be written out in each flow: ``ctx.step``, resume
(draw the current step again), Back, the step guard (a press is handled only by an action
of the step the user is on) and the stale-button answer. Every move is checked against the
declared ``goes_to``, so the Mermaid diagram a flow draws of itself (``musharaka flows
diagram NAME``, docs/flows/) is what the code does.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from bot.engine.actions import Action
from bot.engine.context import Context
from bot.engine.conversation import Conversation
from bot.engine.events import EventKind
from bot.engine.replies import Button
from core.i18n import _

log = logging.getLogger(__name__)

Render = Callable[..., Awaitable[None]]
ActionHandler = Callable[..., Awaitable[None]]
MessageHandler = Callable[[Context], Awaitable[None]]

BACK = Action("back")
START = "[*]"
# Tests set this so that an undeclared move fails the story that made it; in production the
# move is logged and allowed (a diagram out of date must not cost a resident their answers).
STRICT_VARIABLE = "MUSHARAKA_STRICT_FLOWS"


class UndeclaredMove(RuntimeError):
    """A flow moved between steps (or ended) in a way its steps do not declare."""


@dataclass(frozen=True)
class Step:
    name: str
    render: Render
    on: Mapping[Action, ActionHandler] = field(default_factory=dict)
    message: MessageHandler | None = None
    text_only: bool = False  # other kinds of message get "please type" and change nothing
    goes_to: tuple[str, ...] = ()
    back: str | None = None
    ends: bool = False  # the flow may finish (or hand over to another flow) from here

    def action(self, code: str) -> tuple[Action, ActionHandler] | None:
        if code == BACK.code and self.back is not None:
            return None
        for action, handler in self.on.items():
            if action.code == code:
                return action, handler
        return None


class Flow(Conversation):
    """A conversation made of declared steps; subclasses implement :meth:`steps` and, when
    entering needs more than drawing the first step, :meth:`enter`."""

    # The steps a flow may open on (the first is the default entry).
    starts: ClassVar[tuple[str, ...]]

    def __init__(self) -> None:
        declared = list(self.steps())
        self._steps: dict[str, Step] = {}
        for step in declared:
            if step.name in self._steps:
                raise ValueError(f"{self.name}: step {step.name!r} declared twice")
            self._steps[step.name] = step
        self._check_declarations()

    # --- what subclasses write ---------------------------------------------------------------
    def steps(self) -> Sequence[Step]:
        raise NotImplementedError

    async def enter(self, ctx: Context, **kwargs: Any) -> None:
        """Open the flow (``ctx.start(name, **kwargs)``); by default on its first step."""
        await self.show(ctx, self.starts[0])

    async def on_buttons_only(self, ctx: Context, step: Step) -> None:
        """A message on a step answered with buttons: say so and draw the step again, with
        buttons that work."""
        ctx.say(_("Please answer with the buttons."))
        await step.render(ctx)

    # --- moving --------------------------------------------------------------------------------
    async def show(self, ctx: Context, name: str, **kwargs: Any) -> None:
        """Make ``name`` the current step and draw it."""
        step = self._steps[name]
        ctx.step = name
        await step.render(ctx, **kwargs)

    def end(self, ctx: Context) -> None:
        """Finish the flow (its answers are dropped from the session)."""
        ctx.finish()

    def back_button(self, ctx: Context, label: str | None = None) -> Button:
        """The « Back button of the current step (its ``back`` says where it leads)."""
        return BACK.button(ctx, label or _("« Back"))

    def step_named(self, name: str) -> Step:
        return self._steps[name]

    def step_names(self) -> list[str]:
        return list(self._steps)

    # --- the engine's entry points -----------------------------------------------------------
    async def begin(self, ctx: Context, **kwargs: Any) -> None:
        flow = ctx.flow
        await self.enter(ctx, **kwargs)
        self._check_move(ctx, flow, START)

    async def resume(self, ctx: Context) -> None:
        step = self._steps.get(ctx.step)
        if step is None:
            await self.begin(ctx)
            return
        await step.render(ctx)

    async def on_button(self, ctx: Context, action: str, args: tuple[str, ...]) -> None:
        step = self._steps.get(ctx.step)
        if step is None:
            ctx.stale_button()
            return
        flow, before = ctx.flow, step.name
        if action == BACK.code and step.back is not None and not args:
            await self.show(ctx, step.back)
        else:
            found = step.action(action)
            values = found[0].unpack(args) if found is not None else None
            if found is None or values is None:
                ctx.stale_button()
                return
            await found[1](ctx, **values)
        self._check_move(ctx, flow, before)

    async def on_message(self, ctx: Context) -> None:
        step = self._steps.get(ctx.step)
        if step is None:
            await super().on_message(ctx)
            return
        flow, before = ctx.flow, step.name
        if step.message is None:
            await self.on_buttons_only(ctx, step)
        elif step.text_only and ctx.event.kind != EventKind.TEXT:
            ctx.say(_("Please type your answer as a text message."))
        else:
            await step.message(ctx)
        self._check_move(ctx, flow, before)

    # --- keeping the declarations true --------------------------------------------------------
    def _check_declarations(self) -> None:
        known = set(self._steps)
        for name in self.starts:
            if name not in known:
                raise ValueError(f"{self.name}: starts on unknown step {name!r}")
        for step in self._steps.values():
            for target in (*step.goes_to, *([step.back] if step.back else [])):
                if target not in known:
                    raise ValueError(f"{self.name}: {step.name} goes to unknown step {target!r}")

    def _check_move(self, ctx: Context, flow: object, before: str) -> None:
        """After a handler: the move it made must be one the steps declare."""
        still_here = ctx.flow is not None and ctx.flow is flow and ctx.flow.name == self.name
        if before == START:
            if still_here and ctx.step not in self.starts:
                self._undeclared(f"opens on {ctx.step!r}, not one of {self.starts}")
            return
        step = self._steps[before]
        if not still_here:
            if not step.ends:
                self._undeclared(f"ends (or hands over) from {before!r}, not marked ends=True")
            return
        after = ctx.step
        if after != before and after not in step.goes_to and after != step.back:
            self._undeclared(f"moves {before!r} -> {after!r}, not in its goes_to")

    def _undeclared(self, what: str) -> None:
        message = f"flow {self.name!r} {what}"
        if os.environ.get(STRICT_VARIABLE) == "1":
            raise UndeclaredMove(message)
        log.error("%s (update docs/flows with `musharaka flows diagram`)", message)

    # --- the diagram ---------------------------------------------------------------------------
    def mermaid(self) -> str:
        """This flow's steps as a Mermaid state diagram."""
        lines = ["stateDiagram-v2"]
        for name in self.starts:
            lines.append(f"    [*] --> {name}")
        for step in self._steps.values():
            targets = list(dict.fromkeys(step.goes_to))
            for target in targets:
                if target != step.name:
                    lines.append(f"    {step.name} --> {target}")
            if step.back is not None and step.back not in targets:
                lines.append(f"    {step.name} --> {step.back} : back")
            if step.ends:
                lines.append(f"    {step.name} --> [*]")
        return "\n".join(lines) + "\n"
