"""What the bot can do: conversations, commands, menu entries, global buttons, deep links.

Each feature package in ``bot/features`` has a ``register(registry)`` function in its
``__init__``; ``bot.app`` calls them all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.actions import Action
from bot.engine.context import Context
from bot.engine.conversation import Conversation
from bot.engine.replies import Reply
from bot.engine.services import Services
from core.i18n import _
from storage.people import Role
from storage.reminders import Reminder

CommandHandler = Callable[[Context], Awaitable[None]]
ButtonHandler = Callable[[Context, tuple[str, ...]], Awaitable[None]]
# A global button's handler gets the typed values of its Action (``handler(ctx, id=42)``).
ActionHandler = Callable[..., Awaitable[None]]
DeepLinkHandler = Callable[[Context, str], Awaitable[None]]
# Personal data of one area for /mydata (a JSON-able dict) and /delete (erase it, keeping
# anonymous counts). Both get a writing session and the user's Telegram id; the eraser also
# gets "now" from the engine's clock (what is still to come is cancelled, the past is kept).
DataExporter = Callable[[AsyncSession, int], Awaitable[dict[str, Any]]]
DataEraser = Callable[[AsyncSession, int, datetime], Awaitable[None]]
# Renders a due reminder in the recipient's language; None when it no longer applies.
ReminderRenderer = Callable[[Services, Reminder], Awaitable[Reply | None]]


@dataclass(frozen=True)
class Command:
    name: str
    handler: CommandHandler
    description: str  # an N_() message id, translated when commands are published
    min_role: Role | None = None
    listed: bool = True  # published with setMyCommands (staff commands are not)


@dataclass(frozen=True)
class MenuEntry:
    key: str
    label: str  # an N_() message id
    action: CommandHandler
    order: int = 100
    min_role: Role | None = None


@dataclass
class Registry:
    conversations: dict[str, Conversation] = field(default_factory=dict)
    commands: dict[str, Command] = field(default_factory=dict)
    buttons: dict[str, ButtonHandler] = field(default_factory=dict)
    menu: dict[str, MenuEntry] = field(default_factory=dict)
    deep_links: dict[str, DeepLinkHandler] = field(default_factory=dict)
    reminder_kinds: dict[str, ReminderRenderer] = field(default_factory=dict)
    personal_data: dict[str, tuple[DataExporter, DataEraser]] = field(default_factory=dict)
    _actions: dict[str, list[tuple[Action, ActionHandler]]] = field(
        default_factory=dict, repr=False
    )

    def add_conversation(self, conversation: Conversation) -> None:
        self._unique(self.conversations, conversation.name)
        self.conversations[conversation.name] = conversation

    def add_command(self, command: Command) -> None:
        self._unique(self.commands, command.name)
        self.commands[command.name] = command

    def add_button(self, route: str, handler: ButtonHandler) -> None:
        self._unique(self.buttons, route)
        self.buttons[route] = handler

    def add_action(
        self, action: Action, handler: ActionHandler, *, refusal: str | None = None
    ) -> None:
        """A global button drawn with ``action.global_button``: presses whose arguments do not
        unpack exactly are refused before ``handler(ctx, **values)`` runs. The values can be
        forged, so the handler checks them against the database.

        ``refusal`` (an ``N_()`` id) is the toast for such a press when the area has always
        answered forged buttons in its own words. Several actions may share one code when
        they take a different number of arguments (``g:ccnew`` and ``g:ccnew:c`` both live in
        people's chats): a press goes to the one it unpacks for."""
        variants = self._actions.get(action.code)
        if variants is None:
            variants = self._actions[action.code] = []

            async def unpacked(ctx: Context, args: tuple[str, ...]) -> None:
                for known, run in variants:
                    values = known.unpack(args)
                    if values is not None:
                        await run(ctx, **values)
                        return
                ctx.toast(_(refusal) if refusal else _("I do not recognise this button."))

            self.add_button(action.code, unpacked)
        elif any(len(known.fields) == len(action.fields) for known, _run in variants):
            raise ValueError(
                f"{action.code!r} registered twice with {len(action.fields)} arguments"
            )
        variants.append((action, handler))

    def add_menu_entry(self, entry: MenuEntry) -> None:
        self._unique(self.menu, entry.key)
        self.menu[entry.key] = entry

    def add_deep_link(self, prefix: str, handler: DeepLinkHandler) -> None:
        """``/start <prefix>_<rest>`` calls ``handler(ctx, rest)``."""
        self._unique(self.deep_links, prefix)
        self.deep_links[prefix] = handler

    def add_reminder_kind(self, kind: str, renderer: ReminderRenderer) -> None:
        self._unique(self.reminder_kinds, kind)
        self.reminder_kinds[kind] = renderer

    def add_personal_data(self, area: str, exporter: DataExporter, eraser: DataEraser) -> None:
        """Every area that stores something about a person registers how to show and erase it."""
        self._unique(self.personal_data, area)
        self.personal_data[area] = (exporter, eraser)

    @staticmethod
    def _unique(table: Mapping[str, object], key: str) -> None:
        if key in table:
            raise ValueError(f"{key!r} registered twice")
