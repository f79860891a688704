"""The support centre's training catalogue, each course with two sessions in the coming weeks."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from storage import trainings
from storage.db import Database

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


async def seed_courses(db: Database, now: datetime) -> None:
    """The support centre's catalogue and, for each course without sessions, two sessions
    in the coming weeks: one in each branch (idempotent)."""
    start = now.astimezone(ZoneInfo("Africa/Tunis"))
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
