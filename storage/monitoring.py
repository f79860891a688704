"""The M&E report's figures for a period: every query the report needs, in one place.

Definitions (the report page states them too):

* a training session **took place** when it was not called off, it starts within the
  period, and at least one attendance was recorded in it;
* a **course** counts when at least one of its sessions took place in the period;
* a **trainee** is a person who held a confirmed seat in such a session and whose
  attendance was recorded (checked in with the code, or marked present by staff).
  People are counted once overall and once per course, however many sessions they came to;
  their gender and association are those recorded at registration (the registration
  snapshot), so changing a profile later does not move a past report. A person who erased
  their data (/delete) can no longer be recognised: each of their attendances counts as
  one person;
* consultation and technical-support sessions count when they **took place** (marked done);
* **associations served**: those of trainees (at registration) and, for consultations,
  the requester's association today (bookings keep no association of their own);
* **people served**: trainees and the requesters of sessions that took place, each once;
* **cases** (what residents wrote to the programme) count in the month they were received,
  by kind, district and the resident's gender; the median time to the first staff answer
  and the share closed within 7 days of being received; counts below 5 are hidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import cases, consultations, trainings
from storage.associations import Membership
from storage.cases import CaseFigures
from storage.consultations import Booking
from storage.people import User
from storage.trainings import Course, Registration, TrainingSession

GENDER_ORDER = ("male", "female", "unspecified")
DONE = "done"
TECHNICAL_SUPPORT = "technical_support"
CONSULTATION = "consultation"


@dataclass
class GenderCounts:
    male: int = 0
    female: int = 0
    unspecified: int = 0  # not given, or given as "prefer not to say"

    @property
    def total(self) -> int:
        return self.male + self.female + self.unspecified

    def add(self, gender: str) -> None:
        if gender == "male":
            self.male += 1
        elif gender == "female":
            self.female += 1
        else:
            self.unspecified += 1


@dataclass
class CourseFigures:
    course: Course
    sessions: int
    trainees: GenderCounts


@dataclass
class BranchFigures:
    branch_code: str
    training_sessions: int = 0
    technical_support: int = 0
    consultations: int = 0


@dataclass
class Report:
    since: datetime
    until: datetime  # exclusive
    trainees: GenderCounts
    courses: list[CourseFigures]
    sessions_held: int
    branches: list[BranchFigures]
    associations_served: int
    people_served: int
    attendances: int  # seats in sessions that took place where the person came
    repeat_trainees: int = 0  # trainees who came to more than one course

    @property
    def courses_held(self) -> int:
        return len(self.courses)

    @property
    def technical_support(self) -> int:
        return sum(b.technical_support for b in self.branches)

    @property
    def consultations(self) -> int:
        return sum(b.consultations for b in self.branches)


PersonKey = tuple[str, int]


def _person(telegram_id: int | None, registration_id: int) -> PersonKey:
    """Telegram id; a registration whose person erased their data is a person of its own."""
    return ("t", telegram_id) if telegram_id is not None else ("r", registration_id)


async def attendances(
    session: AsyncSession, since: datetime, until: datetime
) -> list[tuple[Registration, TrainingSession]]:
    """Recorded attendances (confirmed seats) in sessions not called off, starting in
    [since, until), in the order they happened."""
    rows = await session.execute(
        select(Registration, TrainingSession)
        .join(TrainingSession, TrainingSession.id == Registration.session_id)
        .where(
            TrainingSession.starts_at >= since,
            TrainingSession.starts_at < until,
            TrainingSession.status != trainings.SESSION_CANCELLED,
            Registration.status == trainings.REGISTERED,
            Registration.attended_at.is_not(None),
        )
        .order_by(TrainingSession.starts_at, TrainingSession.id, Registration.id)
    )
    return [(r, t) for r, t in rows.all()]


async def _served_by_consultations(
    session: AsyncSession, since: datetime, until: datetime
) -> tuple[set[PersonKey], set[int]]:
    """Requesters of sessions that took place, and their associations (today)."""
    rows = await session.execute(
        select(User.telegram_id, Membership.association_id)
        .select_from(Booking)
        .join(User, User.id == Booking.requester_id)
        .outerjoin(Membership, Membership.telegram_id == User.telegram_id)
        .where(Booking.starts_at >= since, Booking.starts_at < until, Booking.status == DONE)
    )
    people: set[PersonKey] = set()
    groups: set[int] = set()
    for telegram_id, association_id in rows.all():
        people.add(("t", int(telegram_id)))
        if association_id is not None:
            groups.add(int(association_id))
    return people, groups


async def report(
    session: AsyncSession, since: datetime, until: datetime, *, branch_order: list[str]
) -> Report:
    """The figures of [since, until); ``branch_order``: the branches' codes in menu order."""
    rows = await attendances(session, since, until)
    first_seen: dict[PersonKey, str] = {}
    per_course: dict[int, dict[PersonKey, str]] = {}
    course_sessions: dict[int, set[int]] = {}
    branch_sessions: dict[str, set[int]] = {}
    groups: set[int] = set()
    courses_of: dict[PersonKey, set[int]] = {}
    for registration, training in rows:
        who = _person(registration.telegram_id, registration.id)
        first_seen.setdefault(who, registration.gender)
        per_course.setdefault(training.course_id, {}).setdefault(who, registration.gender)
        course_sessions.setdefault(training.course_id, set()).add(training.id)
        branch_sessions.setdefault(training.branch_code or "", set()).add(training.id)
        courses_of.setdefault(who, set()).add(training.course_id)
        if registration.association_id is not None:
            groups.add(registration.association_id)

    trainees = GenderCounts()
    for gender in first_seen.values():
        trainees.add(gender)
    course_rows = []
    if per_course:
        found = await session.scalars(select(Course).where(Course.id.in_(list(per_course))))
        by_id = {c.id: c for c in found}
        for course_id, people in per_course.items():
            counts = GenderCounts()
            for gender in people.values():
                counts.add(gender)
            course_rows.append(
                CourseFigures(by_id[course_id], len(course_sessions[course_id]), counts)
            )
        course_rows.sort(key=lambda r: (-r.trainees.total, r.course.sort_order, r.course.id))

    branches: dict[str, BranchFigures] = {code: BranchFigures(code) for code in branch_order}
    for code, ids in branch_sessions.items():
        branches.setdefault(code, BranchFigures(code)).training_sessions = len(ids)
    for code, kind, status, count in await consultations.sessions_by_branch(session, since, until):
        if status != DONE:
            continue
        row = branches.setdefault(code, BranchFigures(code))
        if kind == TECHNICAL_SUPPORT:
            row.technical_support += count
        elif kind == CONSULTATION:
            row.consultations += count
    consulted, consulted_groups = await _served_by_consultations(session, since, until)
    return Report(
        since=since,
        until=until,
        trainees=trainees,
        courses=course_rows,
        sessions_held=len({t.id for _r, t in rows}),
        branches=list(branches.values()),
        associations_served=len(groups | consulted_groups),
        people_served=len(set(first_seen) | consulted),
        attendances=len(rows),
        repeat_trainees=sum(1 for ids in courses_of.values() if len(ids) > 1),
    )


# --------------------------------------------------------------------------- residents' cases


@dataclass
class MonthOfCases:
    """One calendar month (cut to the period) of what residents wrote to the programme."""

    first: datetime  # UTC bounds of the month within the period, [first, until)
    until: datetime
    figures: CaseFigures


async def cases_by_month(
    session: AsyncSession, months: list[tuple[datetime, datetime]]
) -> list[MonthOfCases]:
    """The case figures of each month (``months``: UTC bounds, in order), with the same
    small-cell suppression as the priorities: a count below 5 is not shown."""
    return [
        MonthOfCases(first, until, await cases.monthly_figures(session, first, until))
        for first, until in months
    ]
