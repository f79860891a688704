"""The engine: one event in, the replies out, the session saved exactly once."""

from __future__ import annotations

import dataclasses
import logging
import re
from typing import Any

from bot.engine import payloads
from bot.engine.context import Context
from bot.engine.conversation import Conversation
from bot.engine.events import UNREADABLE, Event, EventKind
from bot.engine.flood import FloodGuard
from bot.engine.locks import ChatLocks, KeyedLocks
from bot.engine.registry import Registry
from bot.engine.replies import Outgoing, Text, Toast
from bot.engine.services import Services
from bot.engine.session import FlowState, Session
from core.i18n import _, normalize_language, use_digits, use_language
from storage.db import UnitOfWork, unit_of_work
from storage.people import role_at_least

log = logging.getLogger(__name__)

MAX_SAVE_ATTEMPTS = 8
MAX_INPUT_CHARS = 4096


_LONE_SURROGATES = re.compile(r"[\ud800-\udfff]")


def _without_lone_surrogates(event: Event) -> Event:
    """Text that cannot be encoded (a lone UTF-16 surrogate a broken client sent) would fail
    every later save of the session; it is dropped on arrival."""
    if not _LONE_SURROGATES.search(event.text):
        return event
    return dataclasses.replace(event, text=_LONE_SURROGATES.sub("", event.text))


class Engine:
    def __init__(
        self,
        registry: Registry,
        services: Services,
        flood: FloodGuard | None = None,
        locks: ChatLocks | None = None,
    ) -> None:
        self.registry = registry
        self.services = services
        self.flood = flood
        self._locks: ChatLocks = locks if locks is not None else KeyedLocks()

    # --- the one entry point ----------------------------------------------------
    async def handle(self, event: Event) -> list[Outgoing]:
        """Never raises: whatever goes wrong (a store that cannot save, a bug), the user gets
        an apology, the update is not half-applied, and the adapter carries on."""
        if not event.is_private:
            return []  # the bot only talks in private chats
        event = _without_lone_surrogates(event)
        with use_digits(latin=self.services.settings.latin_digits):
            try:
                return await self._handle_locked(event)
            except Exception:
                log.exception("update %s could not be handled", event.update_id)
                with use_language(self._guess_language(event)):
                    return self._failure_answer(event, None)[0]

    async def _handle_locked(self, event: Event) -> list[Outgoing]:
        async with self._locks.hold(event.chat_id):
            for attempt in range(MAX_SAVE_ATTEMPTS):
                loaded = await self.services.store.load(event.chat_id)
                if loaded is not None and loaded.seen(event.update_id):
                    log.info("duplicate update %s ignored", event.update_id)
                    return []
                # Counted once per update, and never for a re-delivery: Telegram repeating
                # itself is not the user flooding.
                if attempt == 0 and self.flood is not None:
                    allowed, first_refusal = await self.flood.check(
                        event.user_id, tap=self._is_tap(event, loaded)
                    )
                    if not allowed:
                        return self._flood_answer(event, first_refusal)
                unit = UnitOfWork(self.services.db)
                try:
                    with unit_of_work(unit):
                        outgoing = await self._attempt(event, loaded, unit)
                finally:
                    await unit.close()
                if outgoing is not None:
                    return outgoing
                log.info("session %s changed under us; retrying update", event.chat_id)
        log.warning("could not save session %s after %s attempts", event.chat_id, MAX_SAVE_ATTEMPTS)
        return []

    async def _attempt(
        self, event: Event, loaded: Session | None, unit: UnitOfWork
    ) -> list[Outgoing] | None:
        """Run the update and commit its work with the session; None when the session
        changed under us (nothing of this attempt is kept, the update runs again)."""
        outgoing, session = await self._run(event, loaded, unit)
        store = self.services.store
        if session is None:  # the session was dropped (/delete)
            if self._store_shares_the_unit():
                await store.delete(event.chat_id)
                await unit.commit()
            else:  # the erasure is committed before the session elsewhere goes
                await unit.commit()
                await store.delete(event.chat_id)
            return outgoing
        expected = loaded.version if loaded is not None else 0
        if self._store_shares_the_unit():
            if not await store.save(session, expected):
                await unit.rollback()
                return None
            await unit.commit()
            return outgoing
        # A session kept elsewhere (Redis) is saved after the commit, with its own
        # compare-and-set: a crash between the two keeps the update's work but not the
        # conversation's step, and the user's next press runs against the earlier step.
        await unit.commit()
        return outgoing if await store.save(session, expected) else None

    def _store_shares_the_unit(self) -> bool:
        return getattr(self.services.store, "database", None) is self.services.db

    async def _run(
        self, event: Event, loaded: Session | None, unit: UnitOfWork
    ) -> tuple[list[Outgoing], Session | None]:
        """The replies and the session to save (None: the session was dropped)."""
        session = loaded.copy() if loaded is not None else self._new_session(event)
        session.version = (loaded.version if loaded is not None else 0) + 1
        session.epoch += 1  # what buttons drawn now will carry
        session.remember(event.update_id)
        with use_language(session.language or self._guess_language(event)):
            ctx = Context(self, event, session, self.services)
            try:
                await self._dispatch(ctx, loaded)
            except Exception:
                log.exception("handler failed on update %s", event.update_id)
                await unit.rollback()  # none of the handler's writes are kept
                return self._failure_answer(event, loaded)
            if event.kind == EventKind.BUTTON and not any(
                isinstance(item.reply, Toast) for item in ctx.outgoing
            ):
                ctx.outgoing.insert(0, Outgoing(Toast("")))  # stop the button's spinner
            if not ctx.drew_buttons and not session.conversations_moved_from(loaded):
                session.epoch -= 1  # nothing moved: the buttons on screen stay valid
            if ctx.session_dropped:
                return ctx.outgoing, None
            return ctx.outgoing, session

    @staticmethod
    def _is_tap(event: Event, loaded: Session | None) -> bool:
        """A press of a button the user's conversation shows now (the flood limit counts
        these apart: answering a long survey is many of them, and nothing else)."""
        if event.kind != EventKind.BUTTON or loaded is None or loaded.flow is None:
            return False
        payload = payloads.parse(event.payload)
        return payload is not None and not payload.is_global and payload.epoch == loaded.epoch

    def _failure_answer(
        self, event: Event, loaded: Session | None
    ) -> tuple[list[Outgoing], Session]:
        """Keep the state as it was, remember the update, apologise."""
        session = loaded.copy() if loaded is not None else self._new_session(event)
        session.version = (loaded.version if loaded is not None else 0) + 1
        session.remember(event.update_id)
        text = _(
            "Sorry, something went wrong on our side. Your earlier answers are safe; "
            "please try again in a moment."
        )
        out = [Outgoing(Toast(text))] if event.callback_id else [Outgoing(Text(text))]
        return out, session

    def _new_session(self, event: Event) -> Session:
        return Session(key=event.chat_id, language=None)

    def _guess_language(self, event: Event) -> str:
        return normalize_language(event.language_code, self.services.settings.default_language)

    def _flood_answer(self, event: Event, first_refusal: bool) -> list[Outgoing]:
        if not first_refusal:
            return [Outgoing(Toast(""))] if event.callback_id else []
        with use_language(self._guess_language(event)):
            text = _(
                "You are sending messages very quickly. Please wait a few seconds, then continue."
            )
        return [Outgoing(Toast(text) if event.callback_id else Text(text))]

    # --- routing ------------------------------------------------------------------
    async def _dispatch(self, ctx: Context, loaded: Session | None) -> None:
        event = ctx.event
        if event.kind == EventKind.BUTTON:
            await self._on_button(ctx, loaded)
        elif event.kind == EventKind.COMMAND:
            await self._on_command(ctx)
        elif event.kind == EventKind.EDITED:
            ctx.say(
                _(
                    "I do not read edited messages. Please send your corrected answer "
                    "as a new message."
                )
            )
        elif len(event.text) > MAX_INPUT_CHARS:
            ctx.say(_("That message is too long for me. Please send a shorter one."))
        elif (active := self._active(ctx)) is not None:
            if await self._still_allowed(ctx, active):
                await active.on_message(ctx)
        else:
            await self._outside_conversation(ctx)

    def _conversation(self, name: str) -> Conversation | None:
        return self.registry.conversations.get(name)

    def _active(self, ctx: Context) -> Conversation | None:
        flow = ctx.session.flow
        return self._conversation(flow.name) if flow is not None else None

    async def _on_button(self, ctx: Context, loaded: Session | None) -> None:
        payload = payloads.parse(ctx.event.payload)
        if payload is None:
            ctx.toast(_("I do not recognise this button."))
            return
        if payload.is_global:
            handler = self.registry.buttons.get(payload.action)
            if handler is None:
                ctx.toast(_("I do not recognise this button."))
                return
            await handler(ctx, payload.args)
            return
        current_epoch = loaded.epoch if loaded is not None else 0
        flow = ctx.session.flow
        if payload.epoch != current_epoch or flow is None:
            ctx.toast(_("This button is from an earlier step and no longer works."))
            return
        conversation = self._conversation(flow.name)
        if conversation is None:
            ctx.toast(_("I do not recognise this button."))
            return
        if await self._still_allowed(ctx, conversation):
            await conversation.on_button(ctx, payload.action, payload.args)

    async def _still_allowed(self, ctx: Context, conversation: Conversation) -> bool:
        """A staff conversation goes on only while the user still holds the role it needs
        (read from the database at this moment); otherwise it ends, changing nothing."""
        if conversation.min_role is None or role_at_least(await ctx.role(), conversation.min_role):
            return True
        ctx.finish()
        ctx.say(_("This is only for programme staff."))
        return False

    async def _on_command(self, ctx: Context) -> None:
        command = self.registry.commands.get(ctx.event.command)
        if command is None:
            ctx.say(_("I do not know that command. Send /help to see what I can do."))
            return
        if command.min_role is not None and not role_at_least(await ctx.role(), command.min_role):
            ctx.say(_("This command is only for programme staff."))
            return
        await command.handler(ctx)

    async def _outside_conversation(self, ctx: Context) -> None:
        if ctx.event.kind in UNREADABLE:
            ctx.say(_("I can only read text, buttons, locations and photos."))
            return
        ctx.say(
            _("Send /menu to see what you can do here, or /help for help."),
            [[ctx.global_button(_("Open the menu"), "menu")]],
        )

    # --- conversations ----------------------------------------------------------
    async def start_flow(self, ctx: Context, name: str, **kwargs: Any) -> None:
        conversation = self._conversation(name)
        if conversation is None:
            raise KeyError(f"no conversation named {name!r}")
        if conversation.needs_consent and not ctx.session.profile.get("consent"):
            await self.start_flow(ctx, "onboarding", then=name, then_args=kwargs)
            return
        self._leave_current(ctx)
        restart = bool(kwargs.pop("restart", False))
        parked = ctx.session.parked.pop(name, None)
        if parked is not None and not restart and conversation.resumable:
            ctx.session.flow = parked
            await conversation.resume(ctx)
            return
        ctx.session.flow = FlowState(name=name)
        await conversation.begin(ctx, **kwargs)

    def _leave_current(self, ctx: Context) -> None:
        current = ctx.session.flow
        if current is None:
            return
        conversation = self._conversation(current.name)
        if conversation is not None and conversation.resumable:
            ctx.session.parked[current.name] = current
        ctx.session.flow = None

    async def cancel_flow(self, ctx: Context) -> bool:
        """Drop the active conversation, and any parked copy of it. True if one was active."""
        current = ctx.session.flow
        if current is None:
            return False
        conversation = self._conversation(current.name)
        if conversation is not None:
            await conversation.on_cancel(ctx)
        ctx.finish()
        return True
