"""Demo data: a governorate's districts, the support centre's two branches, demo staff.

``musharaka demo-data`` and the no-token simulator use it. Each area adds its own
``seed_<area>`` function and a line in ``seed``.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from demo.monitoring import seed_consultations_2025
from demo.people import seed_more_associations, seed_more_volunteers
from demo.residents import seed_residents_and_needs_survey
from demo.trainings import seed_trainings_2025
from storage import people, reference
from storage.db import Database

DEMO_ADMIN_TELEGRAM_ID = 9000
DEMO_STAFF_TELEGRAM_ID = 9001
DEMO_CONSULTANT_TELEGRAM_ID = 9002

DISTRICTS = [
    ("kasserine_north", "القصرين الشمالية", "Kasserine North", "Kasserine Nord"),
    ("kasserine_south", "القصرين الجنوبية", "Kasserine South", "Kasserine Sud"),
    ("sbeitla", "سبيطلة", "Sbeitla", "Sbeïtla"),
    ("thala", "تالة", "Thala", "Thala"),
    ("feriana", "فريانة", "Feriana", "Fériana"),
    ("foussana", "فوسانة", "Foussana", "Foussana"),
    ("sbiba", "سبيبة", "Sbiba", "Sbiba"),
    ("el_ayoun", "العيون", "El Ayoun", "El Ayoun"),
]

BRANCHES = [
    (
        "kasserine",
        "فرع القصرين",
        "Kasserine branch",
        "Antenne de Kasserine",
        "شارع الحبيب بورقيبة، القصرين",
    ),
    ("sbeitla", "فرع سبيطلة", "Sbeitla branch", "Antenne de Sbeïtla", "نهج الجمهورية، سبيطلة"),
]


async def seed_reference(db: Database) -> None:
    async with db.transaction() as s:
        for order, (code, ar, en, fr) in enumerate(DISTRICTS):
            await reference.upsert_district(s, code, ar, en, fr, sort_order=order)
        for order, (code, ar, en, fr, address) in enumerate(BRANCHES):
            await reference.upsert_branch(s, code, ar, en, fr, address=address, sort_order=order)


async def seed_staff(db: Database) -> None:
    async with db.transaction() as s:
        await people.add_staff(
            s,
            role=people.Role.ADMIN,
            telegram_id=DEMO_ADMIN_TELEGRAM_ID,
            display_name="مديرة البرنامج",
        )
        await people.add_staff(
            s,
            role=people.Role.STAFF,
            telegram_id=DEMO_STAFF_TELEGRAM_ID,
            display_name="منسق التدريب",
        )
        await people.add_staff(
            s,
            role=people.Role.CONSULTANT,
            telegram_id=DEMO_CONSULTANT_TELEGRAM_ID,
            display_name="مستشار التخطيط",
        )


DEMO_FINANCE_CONSULTANT_TELEGRAM_ID = 9003
# Association members who booked sessions in the past weeks (telegram id, name, district).
DEMO_MEMBERS = [
    (8501, "سلوى الهمامي", "kasserine_north"),
    (8502, "منير العيادي", "sbeitla"),
    (8503, "هالة الزغلامي", "thala"),
]


async def seed_consultations(db: Database) -> None:
    """Two consultants with hours in both branches, and a few past sessions (idempotent)."""
    from datetime import UTC, datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from core.config import get_settings
    from storage import consultations

    tz = ZoneInfo(get_settings().timezone)
    async with db.transaction() as s:
        planner = await people.add_staff(
            s,
            role=people.Role.CONSULTANT,
            telegram_id=DEMO_CONSULTANT_TELEGRAM_ID,
            display_name="مستشار التخطيط",
        )
        finance = await people.add_staff(
            s,
            role=people.Role.CONSULTANT,
            telegram_id=DEMO_FINANCE_CONSULTANT_TELEGRAM_ID,
            display_name="مستشارة الإدارة المالية",
        )
        first = await consultations.add_consultant(
            s, planner.id, topics=["strategic_planning", "project_management", "me", "advocacy"]
        )
        second = await consultations.add_consultant(
            s,
            finance.id,
            topics=["financial_management", "fundraising", "hr", "governance", "archiving"],
            session_minutes=45,
            buffer_minutes=15,
        )
        # Tuesday mornings in Kasserine, Thursday mornings in Sbeitla; the finance
        # consultant on Monday mornings in Kasserine and Wednesday afternoons in Sbeitla.
        await consultations.set_weekly_availability(
            s, first.id, [("kasserine", 1, 9 * 60, 13 * 60), ("sbeitla", 3, 9 * 60, 12 * 60)]
        )
        await consultations.set_weekly_availability(
            s,
            second.id,
            [("kasserine", 0, 9 * 60, 12 * 60 + 30), ("sbeitla", 2, 14 * 60, 17 * 60)],
        )
        members = []
        for telegram_id, name, district in DEMO_MEMBERS:
            resident = await people.ensure_user(s, telegram_id, first_name=name, language="ar")
            resident.district_code = district
            await people.record_consent(s, telegram_id)
            members.append(resident.id)
        today = datetime.now(UTC).astimezone(tz).date()
        past = [  # (days ago, hour, consultant, member, kind, topic, branch, status, rating)
            (14, 9, first, 0, "consultation", "strategic_planning", "kasserine", "done", 5),
            (12, 10, first, 1, "technical_support", "me", "sbeitla", "done", 4),
            (9, 11, second, 2, "consultation", "financial_management", "kasserine", "missed", None),
            (7, 15, second, 0, "technical_support", "fundraising", "sbeitla", "done", 3),
            (5, 9, second, 1, "consultation", "hr", "kasserine", "cancelled", None),
        ]
        for number, (ago, hour, who, member, kind, topic, branch, status, rating) in enumerate(
            past, start=1
        ):
            key = f"demo:{number}"
            if await consultations.booking_by_request_key(s, key) is not None:
                continue
            local = datetime.combine(today - timedelta(days=ago), time(hour), tzinfo=tz)
            starts = local.astimezone(UTC)
            s.add(
                consultations.Booking(
                    kind=kind,
                    consultant_id=who.id,
                    requester_id=members[member],
                    topic=topic,
                    branch_code=branch,
                    starts_at=starts,
                    ends_at=starts + timedelta(minutes=who.session_minutes),
                    status=status,
                    description="نحتاج إلى مرافقة في إعداد وثائق الجمعية",
                    request_key=key,
                    recorded_at=starts + timedelta(hours=2) if status != "cancelled" else None,
                    consultant_note="تمت مراجعة الوثائق وتحديد الخطوات القادمة"
                    if status == "done"
                    else "",
                    feedback_rating=rating,
                )
            )


# code, topic, hours, titles (ar, en, fr), descriptions (ar, en, fr)
COURSES = [
    (
        "strategic-planning",
        "strategic_planning",
        12,
        "التخطيط الاستراتيجي للجمعيات",
        "Strategic planning for associations",
        "Planification stratégique des associations",
        "من تحليل البيئة (SWOT) إلى الرؤية والرسالة والأهداف، وصولًا إلى خطة عمل لثلاث سنوات.",
        "From the environment analysis (SWOT) to vision, mission and objectives, and a "
        "three-year action plan.",
        "De l'analyse de l'environnement (SWOT) à la vision, la mission et les "
        "objectifs, jusqu'à un plan d'action sur trois ans.",
    ),
    (
        "project-management",
        "project_management",
        12,
        "إدارة المشاريع التنموية",
        "Managing development projects",
        "Gestion de projets de développement",
        "الإطار المنطقي، التخطيط الزمني، إدارة المخاطر ومتابعة الأنشطة والميزانية.",
        "The logical framework, scheduling, risk management, following activities and the budget.",
        "Le cadre logique, la planification, la gestion des risques, le suivi des "
        "activités et du budget.",
    ),
    (
        "monitoring-evaluation",
        "me",
        12,
        "المتابعة والتقييم",
        "Monitoring and evaluation",
        "Suivi et évaluation",
        "بناء مؤشرات قابلة للقياس، أدوات جمع البيانات، وكتابة تقارير المتابعة للمانحين.",
        "Measurable indicators, data collection tools, and monitoring reports for donors.",
        "Des indicateurs mesurables, des outils de collecte de données et des rapports "
        "de suivi pour les bailleurs.",
    ),
    (
        "financial-management",
        "financial_management",
        12,
        "التصرف المالي والشفافية",
        "Financial management and transparency",
        "Gestion financière et transparence",
        "مسك الدفاتر، إعداد الميزانية، التقارير المالية، والشفافية تجاه الأعضاء والمانحين.",
        "Bookkeeping, budgeting, financial reports, and transparency towards members and donors.",
        "Tenue des comptes, budget, rapports financiers et transparence envers les "
        "membres et les bailleurs.",
    ),
    (
        "human-resources",
        "hr",
        6,
        "إدارة الموارد البشرية والمتطوعين",
        "Managing staff and volunteers",
        "Gestion des ressources humaines et des bénévoles",
        "توصيف المهام، الاستقطاب، التحفيز، وتسيير فرق المتطوعين.",
        "Job descriptions, recruitment, motivation, and leading teams of volunteers.",
        "Fiches de poste, recrutement, motivation et animation d'équipes de bénévoles.",
    ),
    (
        "advocacy",
        "advocacy",
        6,
        "المناصرة وكسب التأييد",
        "Advocacy",
        "Plaidoyer",
        "تحديد قضية المناصرة، رسم خريطة الفاعلين، وبناء حملة وتحالفات حول هدف واحد.",
        "Choosing the advocacy issue, mapping the actors, building a campaign and "
        "alliances around one goal.",
        "Choisir la cause, cartographier les acteurs, construire une campagne et des "
        "alliances autour d'un objectif.",
    ),
    (
        "proposal-writing",
        "fundraising",
        12,
        "كتابة المقترحات وتعبئة الموارد",
        "Proposal writing and fundraising",
        "Rédaction de propositions et mobilisation de ressources",
        "قراءة دعوات التمويل، صياغة مقترح مقنع، وتنويع مصادر تمويل الجمعية.",
        "Reading calls for proposals, writing a convincing proposal, and diversifying funding.",
        "Lire les appels à propositions, rédiger une proposition convaincante et "
        "diversifier les financements.",
    ),
    (
        "governance",
        "governance",
        6,
        "الحوكمة الرشيدة داخل الجمعيات",
        "Good governance in associations",
        "Bonne gouvernance associative",
        "النظام الأساسي، دور الهيئة المديرة، الجلسات العامة، وتضارب المصالح.",
        "Statutes, the board's role, general assemblies, and conflicts of interest.",
        "Les statuts, le rôle du bureau, les assemblées générales et les conflits d'intérêts.",
    ),
    (
        "electronic-archiving",
        "archiving",
        6,
        "الأرشفة الإلكترونية والتوثيق",
        "Electronic archiving and documentation",
        "Archivage électronique et documentation",
        "تنظيم وثائق الجمعية وحفظها رقميًا، وتوثيق الأنشطة بالصور والمحاضر.",
        "Organising and digitising the association's documents, and recording activities "
        "with photos and minutes.",
        "Organiser et numériser les documents de l'association, documenter les activités "
        "par photos et procès-verbaux.",
    ),
]


async def seed_trainings(db: Database, now: datetime | None = None) -> None:
    """The support centre's catalogue and, for each course without sessions, two sessions
    in the coming weeks: one in each branch (idempotent)."""
    from sqlalchemy import func, select

    from storage import trainings

    start = (now or datetime.now(UTC)).astimezone(ZoneInfo("Africa/Tunis"))
    first_day = start.date() + timedelta(days=7)
    async with db.transaction() as s:
        for order, (code, topic, hours, ar, en, fr, about_ar, about_en, about_fr) in enumerate(
            COURSES
        ):
            course = await s.scalar(select(trainings.Course).where(trainings.Course.code == code))
            if course is None:
                course = trainings.Course(code=code)
                s.add(course)
            course.topic, course.hours, course.sort_order, course.active = topic, hours, order, True
            course.title_ar, course.title_en, course.title_fr = ar, en, fr
            course.description_ar = about_ar
            course.description_en, course.description_fr = about_en, about_fr
            await s.flush()
            existing = await s.scalar(
                select(func.count()).where(trainings.TrainingSession.course_id == course.id)
            )
            if existing:
                continue
            for n, branch in enumerate(("kasserine", "sbeitla")):
                day = first_day + timedelta(days=3 * order + 14 * n)
                begins = datetime.combine(day, time(9, 0), tzinfo=ZoneInfo("Africa/Tunis"))
                s.add(
                    trainings.TrainingSession(
                        course_id=course.id,
                        starts_at=begins.astimezone(UTC),
                        ends_at=(begins + timedelta(hours=min(hours, 6))).astimezone(UTC),
                        branch_code=branch,
                        place="قاعة التكوين",
                        language="ar",
                        trainer_name="",
                        capacity=20 if n == 0 else 25,
                    )
                )


# The managed skills list (staff can add rows; the bot shows the active ones).
SKILLS = [
    (
        "teaching",
        "التدريس والدعم المدرسي",
        "Teaching and tutoring",
        "Enseignement et soutien scolaire",
    ),
    ("health", "الإسعافات الأولية والصحة", "First aid and health", "Premiers secours et santé"),
    ("computers", "الإعلامية والحاسوب", "Computers", "Informatique"),
    (
        "communication",
        "التواصل والإعلام الاجتماعي",
        "Communication and social media",
        "Communication",
    ),
    ("events", "تنظيم التظاهرات", "Organising events", "Organisation d'événements"),
    ("accounting", "المحاسبة", "Accounting", "Comptabilité"),
    ("translation", "الترجمة", "Translation", "Traduction"),
    ("building", "البناء والصيانة", "Building and repairs", "Bâtiment et réparations"),
    ("farming", "الفلاحة والبيئة", "Farming and environment", "Agriculture et environnement"),
    ("driving", "السياقة والنقل", "Driving and transport", "Conduite et transport"),
    ("photography", "التصوير والتوثيق", "Photography", "Photographie"),
    ("children", "تنشيط الأطفال", "Activities with children", "Animation pour enfants"),
]
# telegram id, name, phone, district, skills, days, times, languages
DEMO_VOLUNTEERS = [
    (
        8601,
        "مريم الخضراوي",
        "+21698301122",
        "kasserine_north",
        ["teaching", "children"],
        ["sat", "sun"],
        ["morning"],
        ["ar", "fr"],
    ),
    (
        8602,
        "أيمن السالمي",
        "+21622450871",
        "sbeitla",
        ["computers", "communication"],
        ["mon", "wed", "fri"],
        ["evening"],
        ["ar", "fr", "en"],
    ),
    (
        8603,
        "نورة العبيدي",
        "+21655730419",
        "thala",
        ["health", "events"],
        ["tue", "thu"],
        ["afternoon"],
        ["ar"],
    ),
    (
        8604,
        "وليد الجبالي",
        "+21697118264",
        "feriana",
        ["building", "driving", "farming"],
        ["sat"],
        ["morning", "afternoon"],
        ["ar", "ber"],
    ),
]


async def seed_skills(db: Database) -> None:
    from storage import volunteers

    async with db.transaction() as s:
        for order, (code, ar, en, fr) in enumerate(SKILLS):
            await volunteers.upsert_skill(s, code, ar, en, fr, sort_order=order)


async def seed_volunteers(db: Database) -> None:
    """The skills list and a few volunteers in different districts (idempotent)."""
    from storage import volunteers

    await seed_skills(db)
    now = datetime.now(UTC)
    async with db.transaction() as s:
        for telegram_id, name, phone, district, skills, days, times, langs in DEMO_VOLUNTEERS:
            await people.ensure_user(s, telegram_id, first_name=name.split()[0], language="ar")
            await people.record_consent(s, telegram_id)
            if await volunteers.get_volunteer(s, telegram_id) is None:
                await volunteers.save_volunteer(
                    s,
                    telegram_id=telegram_id,
                    full_name=name,
                    phone=phone,
                    district_code=district,
                    skills=skills,
                    other_skills="",
                    days=days,
                    times=times,
                    languages=langs,
                    now=now,
                )


# name, district, field, members; then (telegram id, name, phone), the coordinator first
# (the coordinators are the demo members who booked consultations).
DEMO_ASSOCIATIONS = [
    (
        "جمعية الأمل للتنمية والمرأة الريفية",
        "kasserine_north",
        "women",
        42,
        [(8501, "سلوى الهمامي", "+21698410233"), (8702, "فاطمة الجلاصي", "+21655120987")],
    ),
    (
        "جمعية شباب سبيطلة للمواطنة",
        "sbeitla",
        "youth",
        28,
        [(8502, "منير العيادي", "+21622318450"), (8704, "أسماء الرياحي", "+21697500144")],
    ),
    (
        "جمعية تالة للتراث والبيئة",
        "thala",
        "environment",
        17,
        [(8503, "هالة الزغلامي", "+21654981276")],
    ),
]


async def seed_associations(db: Database) -> None:
    """A few associations with their coordinator and members, and one capacity
    self-assessment (idempotent: an association already registered is left alone)."""
    from storage import associations

    now = datetime.now(UTC)
    async with db.transaction() as s:
        for name, district, field, size, team in DEMO_ASSOCIATIONS:
            for telegram_id, person, _phone in team:
                await people.ensure_user(s, telegram_id, first_name=person.split()[0])
                await people.record_consent(s, telegram_id)
            (coordinator_id, coordinator, coordinator_phone), *members = team
            if await associations.membership_of(s, coordinator_id) is not None:
                continue
            association = await associations.register_association(
                s,
                telegram_id=coordinator_id,
                name=name,
                district_code=district,
                field_code=field,
                members_count=size,
                full_name=coordinator,
                phone=coordinator_phone,
            )
            for telegram_id, person, phone in members:
                await associations.join_association(
                    s,
                    telegram_id=telegram_id,
                    association_id=association.id,
                    full_name=person,
                    phone=phone,
                )
            if field == "women":
                answers = {"sp1": 1, "sp2": 0, "gv1": 2, "gv2": 2, "fm1": 2, "fm2": 1}
                answers |= {"pm1": 1, "pm2": 1, "me1": 0, "me2": 0, "hr1": 1, "hr2": 1}
                answers |= {"fr1": 0, "fr2": 1, "ad1": 1, "ad2": 2, "ar1": 1, "ar2": 0}
                from bot.conversations.capacity_assessment import score

                await associations.save_assessment(
                    s,
                    association_id=association.id,
                    telegram_id=coordinator_id,
                    answers=answers,
                    scores=score(answers),
                    now=now,
                )


async def seed(db: Database) -> None:
    """Fill the database with the demo programme (idempotent)."""
    await seed_reference(db)
    await seed_staff(db)
    await seed_consultations(db)
    await seed_trainings(db)
    await seed_volunteers(db)
    await seed_more_volunteers(db)
    await seed_residents_and_needs_survey(db)
    await seed_consultations_2025(db)
    await seed_associations(db)
    await seed_trainings_2025(db)
    await seed_more_associations(db)


async def is_empty(db: Database) -> bool:
    async with db.reader() as s:
        return not await reference.list_districts(s)
