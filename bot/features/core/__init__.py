"""The bot's core: /start and deep links (``start``), the menu and /help (``menu``), /cancel
(``cancel``), /language (``language``) and first contact: language, data notice, consent
(the ``onboarding`` flow). Every other feature may import this package (the menu, above
all)."""

from __future__ import annotations

from bot.engine.registry import Command, MenuEntry, Registry
from bot.features.core import cancel, language, menu, onboarding, start
from core.i18n import N_


def register(registry: Registry) -> None:
    registry.add_command(Command("start", start.start_command, N_("Start, or start again")))
    registry.add_command(Command("menu", menu.menu_command, N_("Show the main menu")))
    registry.add_command(Command("help", menu.help_command, N_("What this bot can do")))
    registry.add_action(menu.MENU_ENTRY, menu.menu_entry_pressed)
    registry.add_action(menu.OPEN_MENU, menu.menu_opened)
    registry.add_command(Command("cancel", cancel.cancel_command, N_("Stop what you are doing")))
    registry.add_command(Command("language", language.language_command, N_("Change the language")))
    registry.add_menu_entry(
        MenuEntry("language", N_("Language"), language.language_command, order=900)
    )
    registry.add_conversation(onboarding.Onboarding())
    registry.add_conversation(language.LanguageChoice())
