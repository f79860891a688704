"""Volunteers: sign up (name, phone, district, skills, availability, languages, consent), see
and edit one's profile, stop and come back (``signup``); /mydata and /delete (``data``)."""

from __future__ import annotations

from bot.engine.registry import Command, MenuEntry, Registry
from bot.features.volunteers import data, signup
from core.i18n import N_


def register(registry: Registry) -> None:
    registry.add_conversation(signup.Volunteer())
    registry.add_command(
        Command("volunteer", signup.volunteer_command, N_("Volunteer in your community"))
    )
    registry.add_menu_entry(
        MenuEntry("volunteer", N_("Volunteer"), signup.volunteer_command, order=40)
    )
    registry.add_personal_data("volunteers", data.export_volunteer, data.erase_volunteer)
