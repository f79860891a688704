"""Surveys: any imported XLSForm answered in the chat (the ``survey`` flow in ``interview``;
its questions drawn by ``questions`` and answered in ``answers``, long lists searched in
``search``, the review in ``review``, Send in ``send``, photos and files in ``media``); the
ways in — the menu, /surveys, the survey's buttons and invitation links (``entry``); the
staff export (``export``); /mydata and /delete (``data``)."""

from __future__ import annotations

from bot.engine.registry import Command, MenuEntry, Registry
from bot.features.surveys import data, entry, export
from bot.features.surveys.actions import OPEN_SURVEY
from bot.features.surveys.interview import Survey
from core.i18n import N_
from storage import people


def register(registry: Registry) -> None:
    registry.add_conversation(Survey())
    registry.add_menu_entry(
        MenuEntry(
            "survey",
            N_("Needs survey: tell us what your district needs"),
            entry.needs_survey_entry,
            10,
        )
    )
    registry.add_command(Command("surveys", entry.surveys_command, N_("Answer a survey")))
    # A garbled press gets the answer an unknown survey gets.
    registry.add_action(OPEN_SURVEY, entry.survey_opened, refusal=N_("This survey is closed."))
    registry.add_deep_link("survey", entry.survey_deep_link)
    registry.add_personal_data("surveys", data.export_survey_data, data.erase_survey_data)
    registry.add_command(
        Command(
            "survey_export",
            export.survey_export_command,
            N_("Survey answers as CSV and Excel files"),
            min_role=people.Role.STAFF,
            listed=False,
        )
    )
