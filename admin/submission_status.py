"""How a submission's way to the programme's ODK Central / KoBoToolbox server reads in the
admin: one short label per stage (storage.submission_pushes.PushStage) and the detail staff
need to act (when it was delivered, the tries and the next one, the server's message)."""

from __future__ import annotations

from dataclasses import dataclass

from admin import web
from core.i18n import N_, _, ngettext
from storage import submission_pushes as pushes
from storage.submission_pushes import PushStage

STAGE_LABELS: dict[PushStage, str] = {
    PushStage.WAITING: N_("Waiting for the sender"),
    PushStage.QUEUED: N_("Queued"),
    PushStage.SENDING: N_("Sending now"),
    PushStage.RETRYING: N_("Retrying"),
    PushStage.DELIVERED: N_("Delivered"),
    PushStage.FAILED: N_("Refused by the server"),
}


@dataclass(frozen=True)
class PushView:
    status: PushStage
    label: str
    detail: str = ""
    can_resend: bool = False


@dataclass(frozen=True)
class StageCount:
    stage: PushStage
    label: str
    count: int


def stage_counts(counts: dict[PushStage, int]) -> list[StageCount]:
    """The stages that have submissions, in the order a submission goes through them."""
    return [
        StageCount(stage, _(STAGE_LABELS[stage]), counts[stage])
        for stage in PushStage
        if counts.get(stage)
    ]


def push_view(state: pushes.PushState | None, timezone: str) -> PushView:
    """Where one submission stands on its way to the programme's server, in words."""
    stage = pushes.stage_of(state.status if state else None, state.attempts if state else 0)
    label = _(STAGE_LABELS[stage])
    if state is None or stage == PushStage.QUEUED:
        return PushView(stage, label)
    if stage == PushStage.DELIVERED:
        when = web.format_when(state.sent_at, timezone)
        return PushView(stage, label, _("on %(when)s") % {"when": when})
    if stage == PushStage.FAILED:
        return PushView(stage, label, state.last_error or "", can_resend=True)
    if stage == PushStage.SENDING:
        return PushView(stage, label, _("try %(num)s") % {"num": state.attempts})
    tries = ngettext(
        "%(num)s try failed; next try on %(when)s",
        "%(num)s tries failed; next try on %(when)s",
        state.attempts,
    ) % {"num": state.attempts, "when": web.format_when(state.next_attempt_at, timezone)}
    if state.last_error:
        last = _("last error: %(error)s") % {"error": state.last_error}
        tries = f"{tries} — {last}"
    return PushView(stage, label, tries)
