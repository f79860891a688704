"""The consultations area's codes and their labels (``N_()`` ids, translated when shown), which
the bot and the admin both show: topics (the same codes as the capacity-assessment domains)
and kinds of session."""

from __future__ import annotations

from core.i18n import N_, _
from storage.consultations.models import BookingKind

# Topic codes, in the order they are offered; shared with the capacity-assessment area.
TOPICS = (
    "strategic_planning",
    "project_management",
    "hr",
    "financial_management",
    "me",
    "governance",
    "fundraising",
    "advocacy",
    "archiving",
)

TOPIC_LABELS: dict[str, str] = {
    "strategic_planning": N_("Strategic planning"),
    "project_management": N_("Project management"),
    "hr": N_("Human resources"),
    "financial_management": N_("Financial management"),
    "me": N_("Monitoring and evaluation"),
    "governance": N_("Governance"),
    "fundraising": N_("Fundraising"),
    "advocacy": N_("Advocacy"),
    "archiving": N_("Archiving and records"),
}

KIND_LABELS: dict[str, str] = {
    BookingKind.CONSULTATION.value: N_("Consultation"),
    BookingKind.TECHNICAL_SUPPORT.value: N_("Technical support"),
}


def topic_label(code: str) -> str:
    return _(TOPIC_LABELS.get(code, code))


def kind_label(code: str) -> str:
    return _(KIND_LABELS.get(code, code))
