"""Cases: residents writing to the programme (the ``contact`` flow: the questions in
``write``, the message, its attachment and an answer about a case in ``message``), the
"Reply" button and the rating stars under staff's answers (``followup``), staff's /inbox
(the ``staff_inbox`` flow: ``staff``) and /mydata and /delete (``data``). Its buttons are in
``actions``; how a case reads to the resident is in ``texts``."""

from __future__ import annotations

from bot.engine.registry import Command, MenuEntry, Registry
from bot.features.cases import actions, data, followup
from bot.features.cases.staff import StaffInbox, inbox_command
from bot.features.cases.write import WriteToProgramme, contact_command
from core.i18n import N_
from storage.people import Role


def register(registry: Registry) -> None:
    registry.add_conversation(WriteToProgramme())
    registry.add_command(
        Command("contact", contact_command, N_("Write to the programme: ask, suggest, complain"))
    )
    registry.add_menu_entry(
        MenuEntry("contact", N_("Write to the programme"), contact_command, order=60)
    )
    registry.add_action(actions.REPLY, followup.reply_pressed, refusal=actions.REFUSAL)
    registry.add_action(actions.RATE, followup.rate_pressed, refusal=actions.REFUSAL)
    registry.add_personal_data("cases", data.export_cases, data.erase_cases)
    registry.add_conversation(StaffInbox())
    registry.add_command(
        Command(
            "inbox",
            inbox_command,
            N_("What residents wrote to the programme (staff)"),
            min_role=Role.STAFF,
            listed=False,
        )
    )
