"""The words of the associations area that the bot and the admin both show: fields of work
and members' roles."""

from __future__ import annotations

from core.i18n import N_, _
from storage.associations.models import COORDINATOR

FIELD_LABELS = {
    "social": N_("Social action"),
    "education": N_("Education"),
    "health": N_("Health"),
    "youth": N_("Youth"),
    "women": N_("Women's rights and empowerment"),
    "children": N_("Childhood"),
    "disability": N_("Disability"),
    "environment": N_("Environment"),
    "culture": N_("Culture and heritage"),
    "rural_development": N_("Local and rural development"),
    "rights": N_("Citizenship and human rights"),
    "other": N_("Other"),
}


def field_label(code: str) -> str:
    return _(FIELD_LABELS.get(code, FIELD_LABELS["other"]))


def role_label(role: str) -> str:
    return _("coordinator") if role == COORDINATOR else _("member")
