"""Community priorities in the bot: staff read the ranking with /priorities and its filter
buttons (``staff``, the chart in ``chart``); residents who answered the needs survey see
their own district's priorities and what the programme did about them (``residents``).
Both read :func:`storage.priorities.priority_report`, as the admin does; the labels of the
sectors and districts are in ``labels``."""

from __future__ import annotations

from bot.engine.registry import Command, Registry
from bot.features.priorities import residents, staff
from core.i18n import N_
from storage import people


def register(registry: Registry) -> None:
    registry.add_command(
        Command(
            "priorities",
            staff.priorities_command,
            N_("Community priorities from the needs survey"),
            min_role=people.Role.CONSULTANT,
            listed=False,
        )
    )
    # A garbled press gets the answer a forged value gets.
    registry.add_action(
        staff.FILTER, staff.filter_pressed, refusal=N_("This option is not available.")
    )
    registry.add_action(
        residents.SEE_PRIORITIES,
        residents.priorities_pressed,
        refusal=N_("This option is not available."),
    )
