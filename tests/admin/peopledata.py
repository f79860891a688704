"""Volunteers and associations written straight into storage, for the admin pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from storage import associations, people, volunteers
from storage.associations import QUESTIONS, score
from storage.db import Database
from tests.support.given import given_skills

REGISTERED = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Person:
    telegram_id: int
    name: str
    phone: str
    district: str | None = "thala"
    skills: list[str] = field(default_factory=lambda: ["teaching"])
    days: list[str] = field(default_factory=lambda: ["sat"])
    times: list[str] = field(default_factory=lambda: ["morning"])
    languages: list[str] = field(default_factory=lambda: ["ar"])
    other_skills: str = ""


async def add_volunteers(db: Database, *persons: Person) -> None:
    await given_skills(db)
    async with db.transaction() as s:
        for person in persons:
            await people.ensure_user(s, person.telegram_id, first_name=person.name.split()[0])
            await volunteers.save_volunteer(
                s,
                telegram_id=person.telegram_id,
                full_name=person.name,
                phone=person.phone,
                district_code=person.district,
                skills=person.skills,
                other_skills=person.other_skills,
                days=person.days,
                times=person.times,
                languages=person.languages,
                now=REGISTERED,
            )


async def many_volunteers(db: Database, count: int, *, first_id: int = 20000) -> None:
    """``count`` volunteers in Sbeitla named 'متطوع 001', 'متطوع 002', ..."""
    await add_volunteers(
        db,
        *(
            Person(first_id + n, f"متطوع {n:03d}", f"+216200{n:05d}", district="sbeitla")
            for n in range(1, count + 1)
        ),
    )


async def add_association(
    db: Database,
    name: str,
    *,
    district: str,
    field_code: str,
    size: int,
    team: list[tuple[int, str, str]],
    answers: dict[str, int] | None = None,
    assessed_at: datetime = REGISTERED,
) -> int:
    """An association with its coordinator (first of ``team``) and members, and
    optionally one capacity self-assessment; its id."""
    async with db.transaction() as s:
        for telegram_id, person, _phone in team:
            await people.ensure_user(s, telegram_id, first_name=person.split()[0])
        (coordinator_id, coordinator, phone), *others = team
        association = await associations.register_association(
            s,
            telegram_id=coordinator_id,
            name=name,
            district_code=district,
            field_code=field_code,
            members_count=size,
            full_name=coordinator,
            phone=phone,
        )
        for telegram_id, person, member_phone in others:
            await associations.join_association(
                s,
                telegram_id=telegram_id,
                association_id=association.id,
                full_name=person,
                phone=member_phone,
            )
        if answers is not None:
            await associations.save_assessment(
                s,
                association_id=association.id,
                telegram_id=coordinator_id,
                answers=answers,
                scores=score(answers),
                now=assessed_at,
            )
        return association.id


def answers_with(**domain_points: int) -> dict[str, int]:
    """Every question answered 'Yes' (2), except the domains given: both of their
    questions get that many points (0, 1 or 2)."""
    return {q.code: domain_points.get(q.domain, 2) for q in QUESTIONS}
