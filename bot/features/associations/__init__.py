"""Associations: registering one's association, joining it with its code and its page
(the ``association`` flow: ``profile``, drawn by ``registering``, ``joining`` and ``home``),
the capacity self-assessment (``assessment``) and its results (``results``), staff's
/associations (``staff``), /mydata and /delete (``data``). Its buttons are in ``actions``."""

from __future__ import annotations

from bot.engine.registry import Command, MenuEntry, Registry
from bot.features.associations import actions, data, staff
from bot.features.associations.assessment import CapacityAssessment, assessment_command
from bot.features.associations.commands import association_command, join_command, join_link
from bot.features.associations.profile import AssociationFlow
from bot.features.associations.results import book_consultation_pressed
from core.i18n import N_
from storage.people import Role


def register(registry: Registry) -> None:
    registry.add_conversation(AssociationFlow())
    registry.add_conversation(CapacityAssessment())
    registry.add_command(Command("association", association_command, N_("Your association")))
    registry.add_command(Command("join", join_command, N_("Join your association with its code")))
    registry.add_command(
        Command(
            "assessment", assessment_command, N_("Capacity self-assessment of your association")
        )
    )
    registry.add_command(
        Command(
            "associations",
            staff.associations_command,
            N_("Associations, their members and capacity scores (staff)"),
            min_role=Role.STAFF,
            listed=False,
        )
    )
    registry.add_menu_entry(
        MenuEntry("association", N_("My association"), association_command, order=50)
    )
    registry.add_deep_link("join", join_link)
    registry.add_action(actions.ASSOCIATION, staff.association_pressed)
    registry.add_action(actions.BOOK_CONSULTATION, book_consultation_pressed)
    registry.add_personal_data("associations", data.export_association, data.erase_association)
