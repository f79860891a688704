"""Privacy: /mydata and the menu's "My data" screen (``mydata``), /delete and the erasure of
every area's personal data (the ``delete_my_data`` flow, ``delete``). The core profile's own
exporter and eraser are registered here, under ``profile``."""

from __future__ import annotations

from bot.engine.registry import Command, MenuEntry, Registry
from bot.features.privacy import delete, mydata
from core.i18n import N_
from storage import privacy


def register(registry: Registry) -> None:
    registry.add_conversation(delete.DeleteMyData())
    registry.add_command(
        Command("mydata", mydata.mydata_command, N_("See the data kept about you"))
    )
    registry.add_command(Command("delete", delete.delete_command, N_("Erase your personal data")))
    registry.add_menu_entry(
        MenuEntry("privacy", N_("My data"), mydata.privacy_menu_entry, order=950)
    )
    registry.add_action(mydata.PRIVACY, mydata.privacy_pressed)
    registry.add_personal_data(delete.PROFILE_AREA, privacy.export_profile, privacy.erase_profile)
