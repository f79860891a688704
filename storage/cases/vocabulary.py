"""The cases' codes and limits: kinds, statuses, who wrote a message, what a message to
the resident is, the outcomes of an attempt, the reference numbers ('M-00042'), and the
kinds' and statuses' labels the bot and the admin show."""

from __future__ import annotations

from enum import StrEnum

from core.i18n import N_

MAX_TEXT_CHARS = 2000  # a resident's message (Telegram allows 4096; a reply needs room)
MAX_REPLY_CHARS = 3500  # a staff reply, before the reference header is added
MAX_NOTE_CHARS = 2000
ANSWER_WITHIN_DAYS = 3  # the promise made to the resident
CLOSED_WITHIN_DAYS = 7  # the M&E report's share of cases closed within a week
MIN_CELL = 5


class CaseKind(StrEnum):
    QUESTION = "question"
    SUGGESTION = "suggestion"
    COMPLAINT = "complaint"
    THANKS = "thanks"
    PROBLEM = "problem"  # a problem in my district


class CaseStatus(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    WAITING = "waiting"  # for the resident
    CLOSED = "closed"


class Author(StrEnum):
    RESIDENT = "resident"
    STAFF = "staff"
    NOTE = "note"  # an internal note: never sent to the resident


OPEN = (CaseStatus.NEW, CaseStatus.ASSIGNED, CaseStatus.WAITING)


_ARABIC_INDIC_TO_LATIN = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def reference_of(case_id: int) -> str:
    return f"M-{case_id:05d}"


def parse_reference(text: str) -> int | None:
    """'M-00042', 'm42' or '42' -> 42; None for anything else."""
    raw = text.strip().upper().removeprefix("M").removeprefix("-").removeprefix("#")
    raw = raw.translate(_ARABIC_INDIC_TO_LATIN)  # 'M-٠٠٠٤٢' as shown to Arabic readers
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 12 else None


class Outcome(StrEnum):
    DONE = "done"
    ALREADY = "already"  # the same request was recorded before (a re-delivered update)
    NOT_YOURS = "not_yours"  # no such case, or someone else's (a forged button)
    CLOSED = "closed"
    STALE = "stale"  # the case moved since the page was loaded
    UNREACHABLE = "unreachable"  # the resident erased their data or blocked the bot
    RATED = "rated"  # rated before


class Sent(StrEnum):
    """What a message to the resident is (the bot draws its buttons from it)."""

    REPLY = "reply"  # a staff reply: the resident may answer
    CLOSED = "closed"  # the case was closed: the resident may rate the answer


KIND_LABELS = {
    CaseKind.QUESTION: N_("❓ A question"),
    CaseKind.SUGGESTION: N_("💡 A suggestion"),
    CaseKind.COMPLAINT: N_("⚠️ A complaint"),
    CaseKind.THANKS: N_("🙏 Thanks"),
    CaseKind.PROBLEM: N_("🏘 A problem in my district"),
}
STATUS_LABELS = {
    CaseStatus.NEW: N_("received"),
    CaseStatus.ASSIGNED: N_("being handled"),
    CaseStatus.WAITING: N_("waiting for your answer"),
    CaseStatus.CLOSED: N_("closed"),
}
