""" "You said, we did" in the residents' language: the message a district's participants
receive (the update and the district's current ranking), and the lines /priorities adds
under a district's priorities. Storage: ``storage.wedid``; staff record updates in the
admin (*You said, we did*)."""

from __future__ import annotations

from bot.engine.replies import CAPTION_MAX_CHARS
from bot.handlers.priorities import group_lines, sector_labels
from core.i18n import N_, _, use_language
from formengine.model import Form
from storage.priorities import PriorityGroup
from storage.wedid import ProgrammeUpdate, Status

STATUS_LABELS = {
    Status.PLANNED: N_("🗓 planned"),
    Status.STARTED: N_("🚧 started"),
    Status.DONE: N_("✅ done"),
}
SHOWN_IN_PRIORITIES = 3


def update_line(update: ProgrammeUpdate, labels: dict[str, str], language: str) -> str:
    """'Water and sanitation (✅ done): the new pipe reaches the school.'"""
    return _("{sector} ({status}): {text}").format(
        sector=labels.get(update.sector, update.sector),
        status=_(STATUS_LABELS[Status(update.status)]),
        text=update.text(language),
    )


def update_message(
    update: ProgrammeUpdate,
    form: Form,
    language: str,
    district_name: str,
    group: PriorityGroup | None,
    *,
    as_caption: bool = False,
) -> str:
    """What a participant of the district receives, in their language; as a photo's caption
    it keeps within Telegram's 1,024 characters (the ranking goes first, then the thanks)."""
    with use_language(language):
        labels = sector_labels(form, form.priority_question, language)
        lines = [
            _("📣 You said, we did — {district}").format(district=district_name),
            "",
            update_line(update, labels, language),
        ]
        if group is not None:
            lines += ["", _("Your district's priorities today:"), *group_lines(group, labels, 3)]
        thanks = ["", _("Thank you for taking part in the survey.")]
        text = "\n".join(lines + thanks)
        if as_caption and len(text) > CAPTION_MAX_CHARS:
            text = "\n".join(lines[:3] + thanks)
        return text[:CAPTION_MAX_CHARS] if as_caption else text


def updates_lines(updates: list[ProgrammeUpdate], form: Form, language: str) -> list[str]:
    """The newest updates of a district, for /priorities (nothing when there are none)."""
    if not updates:
        return []
    labels = sector_labels(form, form.priority_question, language)
    shown = [f"• {update_line(u, labels, language)}" for u in updates[:SHOWN_IN_PRIORITIES]]
    return ["", _("What the programme did:"), *shown]
