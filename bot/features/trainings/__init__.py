"""Trainings: the catalogue, registering (or joining the waiting list), "my registrations"
and cancelling, checking in with the trainer's code, rating and commenting afterwards,
suggesting a training (the ``training`` flow: ``flow``, drawn by ``catalogue``,
``registration`` and ``checkin``); a freed seat offered to the next in line (``offers``);
reminders and the certificate (``reminders``, ``certificate``); trainers' commands
(``staff``); /mydata and /delete (``data``). Its global buttons are in ``actions``."""

from __future__ import annotations

from bot.engine.registry import Command, MenuEntry, Registry
from bot.features.trainings import (
    actions,
    catalogue,
    checkin,
    data,
    offers,
    registration,
    reminders,
    staff,
)
from bot.features.trainings.flow import Training
from core.i18n import N_
from storage.people import Role


def register(registry: Registry) -> None:
    registry.add_conversation(Training())
    registry.add_command(
        Command("trainings", catalogue.trainings_command, N_("Trainings and registrations"))
    )
    registry.add_command(
        Command(
            "present",
            checkin.checkin_code_command,
            N_("Check in at a training with the trainer's code"),
        )
    )
    registry.add_menu_entry(
        MenuEntry("trainings", N_("Trainings"), catalogue.trainings_command, order=30)
    )
    registry.add_action(actions.OFFER_ANSWER, offers.offer_answered)
    registry.add_action(actions.RATE, checkin.rated)
    registry.add_action(actions.OPEN_MINE, registration.mine_opened)
    registry.add_action(actions.OPEN_COURSE, catalogue.course_opened)
    registry.add_personal_data("trainings", data.export_trainings, data.erase_trainings)
    registry.add_reminder_kind(reminders.DAY_BEFORE, reminders.render_day_before)
    registry.add_reminder_kind(offers.OFFER_NUDGE, offers.render_offer_nudge)
    registry.add_reminder_kind(offers.OFFER_NOTICE, offers.render_offer_nudge)
    registry.add_reminder_kind(offers.OFFER_EXPIRY, offers.render_offer_expiry)
    registry.add_reminder_kind(reminders.FOLLOWUP, reminders.render_followup)
    _register_staff(registry)


def _register_staff(registry: Registry) -> None:
    for name, handler, description in (
        ("checkin", staff.checkin_command, N_("Open check-in for a training session (trainers)")),
        ("roster", staff.roster_command, N_("Participants of a training session")),
        ("suggestions", staff.suggestions_command, N_("Training suggestions from participants")),
    ):
        registry.add_command(Command(name, handler, description, min_role=Role.STAFF, listed=False))
    registry.add_action(actions.STAFF_SESSION, staff.session_pressed)
