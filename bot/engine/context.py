"""The handle a conversation gets for one event: read the event, answer, move on."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any

from bot.engine import payloads
from bot.engine.events import Event
from bot.engine.replies import (
    Button,
    Buttons,
    Document,
    Edit,
    KeyboardButton,
    Outgoing,
    Photo,
    Reply,
    Text,
    Toast,
)
from bot.engine.services import Services
from bot.engine.session import FlowState, Session
from core.i18n import N_, _

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.engine.engine import Engine
    from storage.db import Database

# The one answer to a button drawn for an earlier screen (or a forged one); a global button
# whose area has always answered so passes it as its refusal.
STALE_BUTTON = N_("This button is no longer active.")


class Context:
    def __init__(self, engine: Engine, event: Event, session: Session, services: Services):
        self.engine = engine
        self.event = event
        self.session = session
        self.services = services
        self.outgoing: list[Outgoing] = []
        self._role_cache: dict[str, Any] = {}
        self.drew_buttons = False
        # Set by drop_session(): the stored session is deleted instead of saved.
        self.session_dropped = False

    # --- who and where -------------------------------------------------------
    @property
    def user_id(self) -> int:
        return self.event.user_id

    @property
    def chat_id(self) -> int:
        return self.event.chat_id

    @property
    def lang(self) -> str:
        return self.session.language or self.services.settings.default_language

    @property
    def db(self) -> Database:
        return self.services.db

    def transaction(self) -> AbstractAsyncContextManager[AsyncSession]:
        """Write as part of this update's one transaction (the engine commits it with the
        conversation's new state, or rolls it all back if the handler fails)."""
        return self.services.transaction()

    def reader(self) -> AbstractAsyncContextManager[AsyncSession]:
        """Read, seeing what this update has written so far."""
        return self.services.reader()

    def report_reader(self) -> AbstractAsyncContextManager[AsyncSession]:
        """A long read (a report over every answer) of what is committed, which keeps the
        bot answering others meanwhile."""
        return self.services.report_reader()

    @property
    def flow(self) -> FlowState | None:
        return self.session.flow

    @property
    def state(self) -> dict[str, Any]:
        """The active conversation's answers so far (empty dict when none is active)."""
        return self.session.flow.data if self.session.flow else {}

    @property
    def step(self) -> str:
        return self.session.flow.step if self.session.flow else ""

    @step.setter
    def step(self, value: str) -> None:
        if self.session.flow is None:
            raise RuntimeError("no active conversation")
        self.session.flow.step = value

    # --- answering ------------------------------------------------------------
    def send(self, reply: Reply) -> None:
        self.outgoing.append(Outgoing(reply))

    def say(
        self,
        text: str,
        buttons: Buttons | None = None,
        *,
        keyboard: list[list[KeyboardButton]] | None = None,
        remove_keyboard: bool = False,
    ) -> None:
        self.send(Text(text, buttons=buttons, keyboard=keyboard, remove_keyboard=remove_keyboard))

    def edit(self, text: str, buttons: Buttons | None = None) -> None:
        """Edit the message whose button was pressed, or send a new one otherwise."""
        if self.event.message_id is not None and self.event.callback_id is not None:
            self.send(Edit(text, buttons=buttons))
        else:
            self.say(text, buttons)

    def last_reply(self) -> Reply | None:
        """The reply this update queued last."""
        return self.outgoing[-1].reply if self.outgoing else None

    def take_back(self, reply: Reply | None) -> bool:
        """Drop ``reply`` if nothing was queued after it: a screen drawn in its place then
        says it (one message edited instead of an edit and a new message)."""
        if reply is not None and self.outgoing and self.outgoing[-1].reply is reply:
            self.outgoing.pop()
            return True
        return False

    def toast(self, text: str, alert: bool = False) -> None:
        self.send(Toast(text, alert=alert))

    def stale_button(self) -> None:
        """The answer to a press on a button drawn for an earlier screen (or a forged one),
        worded the same way in every flow."""
        self.toast(_(STALE_BUTTON))

    def send_file(
        self,
        filename: str,
        data: bytes,
        caption: str = "",
        mime_type: str = "application/octet-stream",
    ) -> None:
        self.send(Document(filename, data, caption=caption, mime_type=mime_type))

    def send_photo(self, data: bytes, caption: str = "", buttons: Buttons | None = None) -> None:
        self.send(Photo(data=data, caption=caption, buttons=buttons))

    def notify(self, chat_id: int, reply: Reply, **meta: str) -> None:
        """Send something to another chat once this event's work is saved."""
        self.outgoing.append(Outgoing(reply, chat_id=chat_id, meta=dict(meta)))

    # --- buttons --------------------------------------------------------------
    def button(self, label: str, action: str, *args: object) -> Button:
        """A button for the current step: accepted until the conversation moves on or
        newer buttons are drawn."""
        self.drew_buttons = True
        return Button(label, payloads.versioned(self.session.epoch, action, *args))

    def global_button(self, label: str, route: str, *args: object) -> Button:
        """A button that stays valid: its handler must check its arguments."""
        return Button(label, payloads.global_(route, *args))

    # --- moving between conversations ----------------------------------------
    async def start(self, name: str, **kwargs: Any) -> None:
        await self.engine.start_flow(self, name, **kwargs)

    def finish(self) -> None:
        """End the active conversation (its answers are dropped from the session)."""
        if self.session.flow is not None:
            self.session.parked.pop(self.session.flow.name, None)
        self.session.flow = None

    def drop_session(self) -> None:
        """Forget this user's session entirely once the event is handled (/delete)."""
        self.session_dropped = True

    async def role(self) -> Any:
        """This user's staff role, or None (looked up once per event)."""
        if "role" not in self._role_cache:
            from storage.people import staff_role

            async with self.reader() as s:
                self._role_cache["role"] = await staff_role(s, self.user_id)
        return self._role_cache["role"]
