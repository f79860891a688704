"""Broadcasts: staff composing an announcement (the ``broadcast`` flow: ``compose``, with
the audience chosen in ``audience`` and the preview and the moment in ``schedule``; typed
dates in ``moment``), stopping one (``stop``), and residents' message settings, where they
turn announcements off or stop every message (``settings``). Its buttons are in
``actions``. The sender that delivers announcements is bot/workers/broadcast_sender.py."""

from __future__ import annotations

from bot.engine.registry import Command, MenuEntry, Registry
from bot.features.broadcasts import actions, settings, stop
from bot.features.broadcasts.compose import ComposeBroadcast, broadcast_command
from core.i18n import N_
from storage.people import Role


def register(registry: Registry) -> None:
    registry.add_conversation(ComposeBroadcast())
    registry.add_command(
        Command(
            "broadcast",
            broadcast_command,
            N_("Send an announcement (staff)"),
            min_role=Role.STAFF,
            listed=False,
        )
    )
    registry.add_menu_entry(
        MenuEntry(
            "broadcast",
            N_("Send an announcement"),
            broadcast_command,
            order=70,
            min_role=Role.STAFF,
        )
    )
    registry.add_action(actions.STOP, stop.stop_pressed, refusal=actions.REFUSAL)
    registry.add_command(
        Command("settings", settings.settings_command, N_("Announcements and messages: on or off"))
    )
    registry.add_menu_entry(
        MenuEntry("settings", N_("Message settings"), settings.settings_command, 890)
    )
    registry.add_action(actions.SETTING, settings.setting_pressed, refusal=actions.REFUSAL)
