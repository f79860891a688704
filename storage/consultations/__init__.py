"""Consultations and technical-support sessions: consultants, their availability, bookings.
``from storage import consultations; consultations.book(...)`` is the area's API; the
modules hold the tables (``models``), the codes and their labels (``vocabulary``), the slot
maths (``slots``), consultants and their timetables (``consultants``), free slots from the
database (``availability``), booking, moving and cancelling (``bookings``), what is recorded
after a session (``records``), agendas, report figures and personal data.

A consultant is a staff member (``staff_members``) with topics, a weekly timetable at one
or more branches, and exceptions (a day off, an extra morning). Free slots are derived
from that timetable with the consultant's session length, buffer and minimum notice,
minus what is already booked.

No slot is ever booked twice: a partial unique index on (consultant_id, starts_at) over
active bookings is the last word in the database, and every booking or move runs in one
transaction that first locks the consultant and the requester (``FOR UPDATE`` on
PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` serialises writers), then re-checks the slot, so
overlapping times (different starts, or a session length changed meanwhile) are refused
too. A requester cannot hold two bookings at overlapping times either.

Times are aware UTC in the database; the timetable is in the programme's local time.
"""

from __future__ import annotations

from storage.consultations.agendas import (
    awaiting_record,
    get_booking,
    upcoming_for_consultant,
    upcoming_for_requester,
)
from storage.consultations.availability import (
    consultant_slots,
    free_days,
    free_slots,
)
from storage.consultations.bookings import (
    BookingError,
    NotAllowed,
    RequesterBusy,
    SlotTaken,
    SlotUnavailable,
    book,
    booking_by_request_key,
    cancel,
    move,
    reminder_key,
    reminder_prefix,
)
from storage.consultations.consultants import (
    ConsultantInfo,
    add_consultant,
    add_exception,
    branches_for_topic,
    consultant_branches,
    consultant_for_staff,
    consultant_info,
    offered_topics,
    set_weekly_availability,
)
from storage.consultations.models import (
    ACTIVE,
    ACTIVE_ONLY,
    COMMENT_MAX_CHARS,
    DESCRIPTION_MAX_CHARS,
    MINUTES_PER_DAY,
    NOTE_MAX_CHARS,
    AvailabilityException,
    Booking,
    BookingKind,
    BookingStatus,
    Consultant,
    ConsultantTopic,
    ExceptionKind,
    SlotRules,
    WeeklyAvailability,
)
from storage.consultations.personal_data import (
    erase_personal_data,
    export_personal_data,
)
from storage.consultations.records import (
    record_feedback,
    record_note,
    record_outcome,
)
from storage.consultations.reports import (
    sessions_by_branch,
)
from storage.consultations.slots import (
    Interval,
    Slot,
    Window,
    day_windows,
    derive_slots,
    local_moment,
)
from storage.consultations.vocabulary import (
    KIND_LABELS,
    TOPIC_LABELS,
    TOPICS,
    kind_label,
    topic_label,
)

__all__ = [
    "ACTIVE",
    "ACTIVE_ONLY",
    "COMMENT_MAX_CHARS",
    "DESCRIPTION_MAX_CHARS",
    "KIND_LABELS",
    "MINUTES_PER_DAY",
    "NOTE_MAX_CHARS",
    "TOPICS",
    "TOPIC_LABELS",
    "AvailabilityException",
    "Booking",
    "BookingError",
    "BookingKind",
    "BookingStatus",
    "Consultant",
    "ConsultantInfo",
    "ConsultantTopic",
    "ExceptionKind",
    "Interval",
    "NotAllowed",
    "RequesterBusy",
    "Slot",
    "SlotRules",
    "SlotTaken",
    "SlotUnavailable",
    "WeeklyAvailability",
    "Window",
    "add_consultant",
    "add_exception",
    "awaiting_record",
    "book",
    "booking_by_request_key",
    "branches_for_topic",
    "cancel",
    "consultant_branches",
    "consultant_for_staff",
    "consultant_info",
    "consultant_slots",
    "day_windows",
    "derive_slots",
    "erase_personal_data",
    "export_personal_data",
    "free_days",
    "free_slots",
    "get_booking",
    "kind_label",
    "local_moment",
    "move",
    "offered_topics",
    "record_feedback",
    "record_note",
    "record_outcome",
    "reminder_key",
    "reminder_prefix",
    "sessions_by_branch",
    "set_weekly_availability",
    "topic_label",
    "upcoming_for_consultant",
    "upcoming_for_requester",
]
