"""Small builders for what a story needs: places, staff, skills, a course catalogue.

Stories build their world with these instead of seeding the demo programme, so that
changing the demo never changes what a test means. The one thing shared with the demo is
``demo.places``: the shipped needs survey offers those districts, so a story that answers
it needs the same ones in ``storage.reference``.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import select

from demo.places import BRANCHES, DISTRICTS
from storage import people, reference, trainings, volunteers
from storage.db import Database

ADMIN_ID = 9000
STAFF_ID = 9001
CONSULTANT_ID = 9002
TUNIS = ZoneInfo("Africa/Tunis")


async def given_places(db: Database) -> None:
    """The governorate's districts and the support centre's two branches."""
    async with db.transaction() as s:
        for order, district in enumerate(DISTRICTS):
            await reference.upsert_district(s, *district, sort_order=order)
        for order, (code, ar, en, fr, address) in enumerate(BRANCHES):
            await reference.upsert_branch(s, code, ar, en, fr, address=address, sort_order=order)


async def given_staff(
    db: Database, role: people.Role, telegram_id: int, name: str, language: str | None = None
) -> None:
    """A staff member with a Telegram account and a role."""
    async with db.transaction() as s:
        if language is not None:
            await people.ensure_user(s, telegram_id, first_name=name, language=language)
        await people.add_staff(s, role=role, telegram_id=telegram_id, display_name=name)


async def given_staff_team(db: Database) -> None:
    """The programme's admin (9000), a training coordinator (9001) and a consultant (9002)."""
    await given_staff(db, people.Role.ADMIN, ADMIN_ID, "مديرة البرنامج")
    await given_staff(db, people.Role.STAFF, STAFF_ID, "منسق التدريب")
    await given_staff(db, people.Role.CONSULTANT, CONSULTANT_ID, "مستشار التخطيط")


SKILLS = [
    ("teaching", "التدريس والدعم المدرسي", "Teaching and tutoring", "Enseignement et soutien"),
    ("health", "الإسعافات الأولية والصحة", "First aid and health", "Premiers secours et santé"),
    ("computers", "الإعلامية والحاسوب", "Computers", "Informatique"),
    ("communication", "التواصل والإعلام الاجتماعي", "Communication", "Communication"),
    ("events", "تنظيم التظاهرات", "Organising events", "Organisation d'événements"),
    ("accounting", "المحاسبة", "Accounting", "Comptabilité"),
    ("translation", "الترجمة", "Translation", "Traduction"),
    ("children", "تنشيط الأطفال", "Activities with children", "Animation pour enfants"),
]


async def given_skills(db: Database) -> None:
    """The managed list of volunteers' skills (codes as in SKILLS)."""
    async with db.transaction() as s:
        for order, (code, ar, en, fr) in enumerate(SKILLS):
            await volunteers.upsert_skill(s, code, ar, en, fr, sort_order=order)


class CourseRow(NamedTuple):
    code: str
    topic: str
    ar: str
    en: str
    fr: str
    about_ar: str = "دورة تطبيقية."


# One course per capacity domain, so that an assessment can recommend a course for any
# weak area.
COURSES = [
    CourseRow(
        "strategic-planning",
        "strategic_planning",
        "التخطيط الاستراتيجي للجمعيات",
        "Strategic planning for associations",
        "Planification stratégique des associations",
    ),
    CourseRow(
        "project-management",
        "project_management",
        "إدارة المشاريع التنموية",
        "Managing development projects",
        "Gestion de projets de développement",
    ),
    CourseRow(
        "monitoring-evaluation",
        "me",
        "المتابعة والتقييم",
        "Monitoring and evaluation",
        "Suivi et évaluation",
        "بناء مؤشرات قابلة للقياس وأدوات جمع البيانات.",
    ),
    CourseRow(
        "financial-management",
        "financial_management",
        "التصرف المالي والشفافية",
        "Financial management and transparency",
        "Gestion financière et transparence",
    ),
    CourseRow(
        "human-resources",
        "hr",
        "إدارة الموارد البشرية والمتطوعين",
        "Managing staff and volunteers",
        "Gestion des ressources humaines et des bénévoles",
    ),
    CourseRow("advocacy", "advocacy", "المناصرة وكسب التأييد", "Advocacy", "Plaidoyer"),
    CourseRow(
        "proposal-writing",
        "fundraising",
        "كتابة المقترحات وتعبئة الموارد",
        "Proposal writing and fundraising",
        "Rédaction de propositions et mobilisation de ressources",
    ),
    CourseRow(
        "governance",
        "governance",
        "الحوكمة الرشيدة داخل الجمعيات",
        "Good governance in associations",
        "Bonne gouvernance associative",
    ),
    CourseRow(
        "electronic-archiving",
        "archiving",
        "الأرشفة الإلكترونية والتوثيق",
        "Electronic archiving and documentation",
        "Archivage électronique et documentation",
    ),
]


async def given_course_catalogue(db: Database, now: datetime) -> None:
    """COURSES, each with two sessions of 20 and 25 seats from a week after ``now``: one in
    the Kasserine branch, one a fortnight later in Sbeitla."""
    first_day = now.astimezone(TUNIS).date() + timedelta(days=7)
    async with db.transaction() as s:
        for order, row in enumerate(COURSES):
            if await s.scalar(select(trainings.Course).where(trainings.Course.code == row.code)):
                continue
            course = trainings.Course(
                code=row.code,
                topic=row.topic,
                hours=12,
                sort_order=order,
                title_ar=row.ar,
                title_en=row.en,
                title_fr=row.fr,
                description_ar=row.about_ar,
                description_en="A practical course.",
                description_fr="Une formation pratique.",
            )
            s.add(course)
            await s.flush()
            for n, branch in enumerate(("kasserine", "sbeitla")):
                day = first_day + timedelta(days=3 * order + 14 * n)
                begins = datetime.combine(day, time(9, 0), tzinfo=TUNIS).astimezone(UTC)
                s.add(
                    trainings.TrainingSession(
                        course_id=course.id,
                        starts_at=begins,
                        ends_at=begins + timedelta(hours=6),
                        branch_code=branch,
                        place="قاعة التكوين",
                        language="ar",
                        capacity=20 if n == 0 else 25,
                    )
                )
