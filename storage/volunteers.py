"""Volunteers: their profile (name, phone, district, skills, availability, languages)
and the managed list of skills staff can extend."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ColumnElement,
    ForeignKey,
    Integer,
    Select,
    String,
    cast,
    delete,
    false,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, aliased, mapped_column

from core.i18n import N_
from storage.base import Base, BigId, UTCDateTime, utcnow

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TIMES = ("morning", "afternoon", "evening")
LANGUAGES = ("ar", "fr", "en", "ber")  # Arabic, French, English, Tamazight
# The labels of those codes (N_ message ids: translated where shown, in the bot and the admin).
DAY_LABELS = {
    "mon": N_("Monday"),
    "tue": N_("Tuesday"),
    "wed": N_("Wednesday"),
    "thu": N_("Thursday"),
    "fri": N_("Friday"),
    "sat": N_("Saturday"),
    "sun": N_("Sunday"),
}
TIME_LABELS = {"morning": N_("Mornings"), "afternoon": N_("Afternoons"), "evening": N_("Evenings")}
LANGUAGE_LABELS = {
    "ar": N_("Arabic"),
    "fr": N_("French"),
    "en": N_("English"),
    "ber": N_("Tamazight"),
}
MAX_OTHER_SKILLS_CHARS = 300


class Skill(Base):
    """An entry of the managed skills list (staff add rows; the bot shows active ones)."""

    __tablename__ = "skills"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_ar: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    name_fr: Mapped[str] = mapped_column(String(200))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def name(self, language: str) -> str:
        return {"ar": self.name_ar, "fr": self.name_fr}.get(language, self.name_en)


class Volunteer(Base):
    __tablename__ = "volunteers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    telegram_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.telegram_id", ondelete="CASCADE"), unique=True
    )
    full_name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(32))
    district_code: Mapped[str | None] = mapped_column(
        ForeignKey("districts.code", ondelete="SET NULL"), nullable=True, index=True
    )
    other_skills: Mapped[str] = mapped_column(String(MAX_OTHER_SKILLS_CHARS), default="")
    days: Mapped[list[str]] = mapped_column(JSON, default=list)
    times: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class VolunteerSkill(Base):
    __tablename__ = "volunteer_skills"

    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("volunteers.id", ondelete="CASCADE"), primary_key=True
    )
    skill_code: Mapped[str] = mapped_column(
        ForeignKey("skills.code", ondelete="CASCADE"), primary_key=True
    )


# --- skills list ------------------------------------------------------------------------------


async def list_skills(session: AsyncSession) -> list[Skill]:
    rows = await session.scalars(
        select(Skill).where(Skill.active.is_(True)).order_by(Skill.sort_order, Skill.code)
    )
    return list(rows)


async def upsert_skill(
    session: AsyncSession, code: str, name_ar: str, name_en: str, name_fr: str, sort_order: int = 0
) -> Skill:
    skill = await session.get(Skill, code)
    if skill is None:
        skill = Skill(code=code)
        session.add(skill)
    skill.name_ar, skill.name_en, skill.name_fr = name_ar, name_en, name_fr
    skill.sort_order, skill.active = sort_order, True
    await session.flush()
    return skill


# --- profiles ---------------------------------------------------------------------------------


async def get_volunteer(session: AsyncSession, telegram_id: int) -> Volunteer | None:
    return await session.scalar(select(Volunteer).where(Volunteer.telegram_id == telegram_id))


async def skills_of(session: AsyncSession, volunteer_id: int) -> list[str]:
    rows = await session.scalars(
        select(VolunteerSkill.skill_code)
        .join(Skill, Skill.code == VolunteerSkill.skill_code)
        .where(VolunteerSkill.volunteer_id == volunteer_id)
        .order_by(Skill.sort_order, Skill.code)
    )
    return list(rows)


def _only(values: list[str], allowed: tuple[str, ...]) -> list[str]:
    return [v for v in allowed if v in set(values)]


async def save_volunteer(
    session: AsyncSession,
    *,
    telegram_id: int,
    full_name: str,
    phone: str,
    district_code: str | None,
    skills: list[str],
    other_skills: str,
    days: list[str],
    times: list[str],
    languages: list[str],
    now: datetime,
) -> Volunteer:
    """Create or replace the profile (saving the same answers twice changes nothing);
    an earlier "stop volunteering" is undone."""
    volunteer = await get_volunteer(session, telegram_id)
    if volunteer is None:
        volunteer = Volunteer(telegram_id=telegram_id, consent_at=now, created_at=now)
        session.add(volunteer)
    volunteer.full_name, volunteer.phone = full_name[:200], phone
    volunteer.district_code = district_code
    volunteer.other_skills = other_skills[:MAX_OTHER_SKILLS_CHARS]
    volunteer.days, volunteer.times = _only(days, DAYS), _only(times, TIMES)
    volunteer.languages = _only(languages, LANGUAGES)
    if not volunteer.active:
        volunteer.consent_at = now
    volunteer.active, volunteer.stopped_at, volunteer.updated_at = True, None, now
    await session.flush()
    known = {s.code for s in await list_skills(session)}
    await session.execute(delete(VolunteerSkill).where(VolunteerSkill.volunteer_id == volunteer.id))
    for code in dict.fromkeys(skills):
        if code in known:
            session.add(VolunteerSkill(volunteer_id=volunteer.id, skill_code=code))
    await session.flush()
    return volunteer


async def stop_volunteering(session: AsyncSession, telegram_id: int, now: datetime) -> bool:
    volunteer = await get_volunteer(session, telegram_id)
    if volunteer is None or not volunteer.active:
        return False
    volunteer.active, volunteer.stopped_at, volunteer.updated_at = False, now, now
    return True


async def count_active(session: AsyncSession, district_code: str | None = None) -> int:
    query = select(func.count()).select_from(Volunteer).where(Volunteer.active.is_(True))
    if district_code is not None:
        query = query.where(Volunteer.district_code == district_code)
    return int(await session.scalar(query) or 0)


# --- the directory (admin) ---------------------------------------------------------------------

Q = TypeVar("Q", bound=Select[*tuple[Any, ...]])


def _lists(column: Any, code: str) -> ColumnElement[bool]:
    """A JSON list column holds ``code``. The lists are written by ``save_volunteer`` from
    fixed code sets (no quotes, no wildcards), so their text is matched on both SQLite and
    PostgreSQL (whose JSON type keeps the text as written)."""
    return cast(column, String).like(f'%"{code}"%')


@dataclass(frozen=True)
class DirectoryFilter:
    """Who to list: active volunteers, narrowed by any of these (None: no condition).
    Unknown codes are the caller's to drop; here they simply match nobody."""

    skill: str | None = None
    district: str | None = None
    day: str | None = None
    time: str | None = None
    language: str | None = None

    def apply(self, query: Q) -> Q:
        query = query.where(Volunteer.active.is_(True))
        if self.district is not None:
            query = query.where(Volunteer.district_code == self.district)
        if self.skill is not None:
            held = aliased(VolunteerSkill)
            has_skill = (
                select(held.volunteer_id)
                .where(held.volunteer_id == Volunteer.id, held.skill_code == self.skill)
                .correlate(Volunteer)
            )
            query = query.where(has_skill.exists())
        for column, code, allowed in (
            (Volunteer.days, self.day, DAYS),
            (Volunteer.times, self.time, TIMES),
            (Volunteer.languages, self.language, LANGUAGES),
        ):
            if code is not None:
                query = query.where(_lists(column, code) if code in allowed else false())
        return query


@dataclass(frozen=True)
class DirectoryEntry:
    volunteer: Volunteer
    skills: list[str]  # skill codes, in the skills list's order


async def count_directory(session: AsyncSession, where: DirectoryFilter) -> int:
    query = where.apply(select(func.count(Volunteer.id)))
    return int(await session.scalar(query) or 0)


async def list_directory(
    session: AsyncSession, where: DirectoryFilter, *, limit: int | None = None, offset: int = 0
) -> list[DirectoryEntry]:
    """Active volunteers matching ``where``, by name, with their skills (two queries)."""
    query = where.apply(select(Volunteer)).order_by(Volunteer.full_name, Volunteer.id)
    if limit is not None:
        query = query.limit(limit)
    found = list(await session.scalars(query.offset(offset)))
    skills = await _skills_by_volunteer(session, [v.id for v in found])
    return [DirectoryEntry(v, skills.get(v.id, [])) for v in found]


async def _skills_by_volunteer(
    session: AsyncSession, volunteer_ids: Sequence[int]
) -> dict[int, list[str]]:
    by_volunteer: dict[int, list[str]] = {}
    for start in range(0, len(volunteer_ids), 500):
        rows = await session.execute(
            select(VolunteerSkill.volunteer_id, VolunteerSkill.skill_code)
            .join(Skill, Skill.code == VolunteerSkill.skill_code)
            .where(VolunteerSkill.volunteer_id.in_(volunteer_ids[start : start + 500]))
            .order_by(Skill.sort_order, Skill.code)
        )
        for volunteer_id, code in rows:
            by_volunteer.setdefault(volunteer_id, []).append(code)
    return by_volunteer


async def directory_counts_by_district(
    session: AsyncSession, where: DirectoryFilter
) -> dict[str | None, int]:
    """{district code (None: not given): volunteers matching ``where``}."""
    query = where.apply(
        select(Volunteer.district_code, func.count(Volunteer.id)).group_by(Volunteer.district_code)
    )
    return {code: int(n) for code, n in (await session.execute(query)).all()}


async def directory_counts_by_skill(
    session: AsyncSession, where: DirectoryFilter
) -> dict[str, int]:
    """{skill code: volunteers matching ``where`` who have it} (a volunteer counts once
    per skill)."""
    query = where.apply(
        select(VolunteerSkill.skill_code, func.count(Volunteer.id))
        .select_from(Volunteer)
        .join(VolunteerSkill, VolunteerSkill.volunteer_id == Volunteer.id)
        .group_by(VolunteerSkill.skill_code)
    )
    return {code: int(n) for code, n in (await session.execute(query)).all()}


# --- personal data -------------------------------------------------------------------------------


async def export_person(session: AsyncSession, telegram_id: int) -> dict[str, Any]:
    volunteer = await get_volunteer(session, telegram_id)
    if volunteer is None:
        return {}
    return {
        "full_name": volunteer.full_name,
        "phone": volunteer.phone,
        "district": volunteer.district_code,
        "skills": await skills_of(session, volunteer.id),
        "other_skills": volunteer.other_skills,
        "days": volunteer.days,
        "times": volunteer.times,
        "languages": volunteer.languages,
        "active": volunteer.active,
        "since": volunteer.created_at.isoformat(),
    }


async def erase_person(session: AsyncSession, telegram_id: int) -> None:
    await session.execute(delete(Volunteer).where(Volunteer.telegram_id == telegram_id))
