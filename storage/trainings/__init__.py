"""Trainings: courses, their sessions, registrations with a waitlist, attendance,
feedback, and training suggestions. ``from storage import trainings; trainings.register(...)``
is the area's API; the modules hold the models (``models``), the catalogue, the seat rules
(``seats``), registrations and the waitlist, attendance, reports, feedback and personal data.

How the database keeps a session from being overbooked
------------------------------------------------------
Each session row counts the seats held (``seats_taken``: registered people plus people
holding an offer) under ``CHECK (seats_taken <= capacity)``. A seat is taken with one
conditional ``UPDATE ... SET seats_taken = seats_taken + 1 WHERE seats_taken < capacity``;
whatever the Python code does, the database refuses a 21st seat of 20. Every operation
that reads a session to decide a write first locks the session row (``SELECT ... FOR
UPDATE`` on PostgreSQL; on SQLite the writing transaction is ``BEGIN IMMEDIATE``), so
registrations of one session are served one at a time, in arrival order: the waitlist
ticket (``waitlist_no``) comes from the same locked row and is unique per session.

One person has one registration row per session (``UNIQUE(session_id, telegram_id)``):
pressing Register twice, or registering again after cancelling, reuses it.

Waitlist
--------
``waitlisted`` -> (a seat frees up) ``offered`` with a deadline -> ``registered`` on
confirm, or ``declined`` / ``expired``, and the seat is offered to the next in line.
Operations return the offers they made and the offers they expired, so the bot can tell
those people at once.
"""

from __future__ import annotations

from storage.trainings.attendance import (
    CheckIn,
    NotStarted,
    attendance_counts,
    attended,
    check_in,
    close_checkin,
    mark_attendance,
    new_checkin_code,
    open_checkin,
)
from storage.trainings.catalogue import (
    add_session,
    courses_for_topics,
    courses_with_upcoming_sessions,
    get_course,
    get_session,
    list_courses,
    session_with_course,
    sessions_between,
    upcoming_sessions,
    upsert_course,
)
from storage.trainings.feedback import (
    add_suggestion,
    latest_suggestions,
    mark_suggestions_read,
    record_comment,
    record_rating,
)
from storage.trainings.models import (
    ACTIVE,
    CANCELLED,
    CHECKIN_CODE_DIGITS,
    DECLINED,
    EXPIRED,
    GENDERS,
    HOLDS_SEAT,
    MIN_OFFER,
    OFFERED,
    REGISTERED,
    SCHEDULED,
    SESSION_CANCELLED,
    STATUSES,
    WAITLISTED,
    Changes,
    Course,
    Registration,
    SessionClosed,
    TrainingSession,
    TrainingSuggestion,
)
from storage.trainings.personal_data import erase_person, export_person
from storage.trainings.registrations import (
    CancelOutcome,
    OfferAnswer,
    RegisterOutcome,
    answer_offer,
    cancel,
    cancel_session,
    expire_offer,
    get_registration,
    my_registrations,
    register,
    registration_for,
    roster,
    waiting_count,
    waitlist_position,
)
from storage.trainings.reports import SessionFigures, roster_with_phones, sessions_overview
from storage.trainings.seats import offer_deadline

__all__ = [
    "ACTIVE",
    "CANCELLED",
    "CHECKIN_CODE_DIGITS",
    "DECLINED",
    "EXPIRED",
    "GENDERS",
    "HOLDS_SEAT",
    "MIN_OFFER",
    "OFFERED",
    "REGISTERED",
    "SCHEDULED",
    "SESSION_CANCELLED",
    "STATUSES",
    "WAITLISTED",
    "CancelOutcome",
    "Changes",
    "CheckIn",
    "Course",
    "NotStarted",
    "OfferAnswer",
    "RegisterOutcome",
    "Registration",
    "SessionClosed",
    "SessionFigures",
    "TrainingSession",
    "TrainingSuggestion",
    "add_session",
    "add_suggestion",
    "answer_offer",
    "attendance_counts",
    "attended",
    "cancel",
    "cancel_session",
    "check_in",
    "close_checkin",
    "courses_for_topics",
    "courses_with_upcoming_sessions",
    "erase_person",
    "expire_offer",
    "export_person",
    "get_course",
    "get_registration",
    "get_session",
    "latest_suggestions",
    "list_courses",
    "mark_attendance",
    "mark_suggestions_read",
    "my_registrations",
    "new_checkin_code",
    "offer_deadline",
    "open_checkin",
    "record_comment",
    "record_rating",
    "register",
    "registration_for",
    "roster",
    "roster_with_phones",
    "session_with_course",
    "sessions_between",
    "sessions_overview",
    "upcoming_sessions",
    "upsert_course",
    "waiting_count",
    "waitlist_position",
]
