"""The demo programme's trainings of 2025, as the M&E report counts them (``musharaka demo-data``).

For the report period **1 January – 31 December 2025** the demo database holds exactly:

* 256 trainees — **186 men and 70 women** — over **18 courses** (the nine courses of
  today's catalogue, each given once in each branch, and nine more given once);
* 27 training sessions that took place (one or more attendee recorded), and two sessions
  that were called off (not counted);
* people who registered and did not come, who cancelled, and trainees who came to a second
  course (counted once among the trainees of the year, once in each course's row).

A trainee is a person holding a confirmed seat whose attendance was recorded. Registrants
are members of 24 associations (the members who book the 2025 consultations coordinate
them), and every registration keeps the gender and association of its day. A fixed random
seed keeps every demo database identical; a second run adds nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from demo.consultations_2025 import FIRST_MEMBER_ID, MEMBERS, seed_members
from demo.courses import COURSES
from storage import associations, trainings
from storage.associations import Association, Membership
from storage.db import Database
from storage.people import User
from storage.trainings import Course, Registration, TrainingSession

TZ = ZoneInfo("Africa/Tunis")
TRAINEES_2025 = {"male": 186, "female": 70}
COURSES_2025 = 18
SESSIONS_HELD_2025 = 27
FIRST_TRAINEE_ID = 730_001
CAPACITY = 25

# The genders of demo_monitoring.MEMBERS, in the same order.
MEMBER_GENDERS = [
    "female", "male", "female", "female", "male", "female", "female", "male",
    "female", "male", "female", "male", "female", "male", "female", "male",
    "female", "male", "female", "male", "female", "male", "female", "male",
]  # fmt: skip

# Courses given in 2025 that are not in this year's catalogue (kept, marked inactive).
# code, topic, hours, titles (ar, en, fr)
PAST_COURSES = [
    ("association-law", "governance", 6, "الإطار القانوني للجمعيات (المرسوم عدد 88)",
     "The legal framework of associations (Decree-law 88)",
     "Le cadre juridique des associations (décret-loi 88)"),
    ("annual-budget", "financial_management", 12, "إعداد الميزانية السنوية والتقارير المالية",
     "Preparing the annual budget and financial reports",
     "Préparer le budget annuel et les rapports financiers"),
    ("logical-framework", "project_management", 12, "الإطار المنطقي وتصميم المشاريع",
     "The logical framework and project design", "Cadre logique et conception de projets"),
    ("data-collection", "me", 6, "جمع البيانات وتحليلها باستعمال KoBoToolbox",
     "Collecting and analysing data with KoBoToolbox",
     "Collecter et analyser des données avec KoBoToolbox"),
    ("local-fundraising", "fundraising", 6, "تعبئة الموارد المحلية وبناء الشراكات",
     "Local fundraising and partnerships", "Mobilisation de ressources locales et partenariats"),
    ("digital-communication", "advocacy", 6, "التواصل الرقمي وإدارة صفحات الجمعية",
     "Digital communication and the association's pages",
     "Communication numérique et pages de l'association"),
    ("participatory-budgeting", "advocacy", 6, "المشاركة في الشأن المحلي والميزانية التشاركية",
     "Local participation and participatory budgeting",
     "Participation locale et budget participatif"),
    ("volunteer-management", "hr", 6, "استقطاب المتطوعين وتأطيرهم",
     "Recruiting and supporting volunteers", "Recruter et encadrer des bénévoles"),
    ("digital-archiving-tools", "archiving", 6, "أدوات الأرشفة الرقمية والحفظ السحابي",
     "Digital archiving tools and cloud storage",
     "Outils d'archivage numérique et stockage en ligne"),
]  # fmt: skip

DISTRICT_NAMES = {
    "kasserine_north": "القصرين الشمالية",
    "kasserine_south": "القصرين الجنوبية",
    "sbeitla": "سبيطلة",
    "thala": "تالة",
    "feriana": "فريانة",
    "foussana": "فوسانة",
    "sbiba": "سبيبة",
    "el_ayoun": "العيون",
}
ASSOCIATION_KINDS = [
    ("جمعية التنمية المحلية", "rural_development"),
    ("جمعية صوت المرأة", "women"),
    ("جمعية شباب المستقبل", "youth"),
    ("جمعية أحباء المدرسة", "education"),
    ("جمعية البيئة والواحة", "environment"),
    ("جمعية الإحاطة بذوي الإعاقة", "disability"),
    ("جمعية الطفولة السعيدة", "children"),
    ("جمعية التراث والفنون", "culture"),
    ("جمعية الصحة للجميع", "health"),
    ("جمعية المواطنة والحقوق", "rights"),
    ("جمعية التضامن الاجتماعي", "social"),
    ("جمعية الفلاحين الشبان", "rural_development"),
]
MEN = ["محمد", "أحمد", "علي", "يوسف", "خالد", "عمر", "سفيان", "نبيل", "حمزة", "وائل", "أنيس",
       "بلال", "صابر", "مهدي", "رمزي", "فتحي", "جمال", "هشام", "منذر", "طارق", "الطاهر",
       "عبد الرزاق", "نور الدين", "قيس", "ماهر", "سليم", "عادل", "الحبيب"]  # fmt: skip
WOMEN = ["مريم", "آمنة", "خديجة", "فاطمة", "إيمان", "سارة", "رحمة", "أميرة", "هاجر",
         "منى", "سهام", "نجلاء", "إيناس", "وفاء", "زينب", "سلمى", "حنان", "ليلى", "رانية",
         "دنيا"]  # fmt: skip
FAMILIES = ["الخضراوي", "العبيدي", "الجلاصي", "الهمامي", "الرحماني", "النصري", "الزغلامي",
            "السعيدي", "البوزيدي", "القاسمي", "المنصوري", "الغرسلي", "الدريدي", "العمري",
            "الماجري", "الفرجاني", "الخليفي", "الطرابلسي", "الحاجي", "العيادي", "الشايب",
            "البكري", "الزريبي", "المحمدي"]  # fmt: skip
PLACES = {"kasserine": "قاعة التكوين، فرع القصرين", "sbeitla": "قاعة الاجتماعات، فرع سبيطلة"}
TRAINERS = ["د. عبد الكريم الصغيري", "أ. ليلى بن عمر", "أ. سامي الورغي", "أ. نرجس القلعي"]


@dataclass(frozen=True)
class Person:
    telegram_id: int
    name: str
    gender: str
    association: int  # index into the demo associations


def _plan_sessions(courses: list[Course]) -> list[tuple[Course, str, datetime]]:
    """27 sessions from February to November: the catalogue courses in both branches, the
    past courses once each, on weekdays at 09:00 Tunis time."""
    plan: list[tuple[Course, str]] = []
    for course in courses[:9]:
        plan += [(course, "kasserine"), (course, "sbeitla")]
    plan += [(course, ("kasserine", "sbeitla")[n % 2]) for n, course in enumerate(courses[9:])]
    day, out = date(2025, 2, 4), []
    for course, branch in plan:
        while day.weekday() >= 5:
            day += timedelta(days=1)
        out.append((course, branch, datetime.combine(day, time(9), tzinfo=TZ).astimezone(UTC)))
        day += timedelta(days=10)
    return out


async def _courses(s: AsyncSession) -> list[Course]:
    catalogue = [await s.scalar(select(Course).where(Course.code == row[0])) for row in COURSES]
    found = [c for c in catalogue if c is not None]
    order = len(COURSES)
    for code, topic, hours, ar, en, fr in PAST_COURSES:
        course = await s.scalar(select(Course).where(Course.code == code))
        if course is None:
            course = Course(
                code=code, sort_order=order, created_at=datetime(2025, 1, 6, tzinfo=UTC)
            )
            s.add(course)
        course.topic, course.hours, course.active = topic, hours, False
        course.title_ar, course.title_en, course.title_fr = ar, en, fr
        order += 1
        found.append(course)
    await s.flush()
    return found


async def _associations(s: AsyncSession, rng: random.Random) -> list[Association]:
    """One association per 2025 consultation requester, who coordinates it."""
    used = set(await s.scalars(select(Association.join_code)))
    made = []
    for number, (_name, district) in enumerate(MEMBERS):
        kind, field_code = ASSOCIATION_KINDS[number % len(ASSOCIATION_KINDS)]
        title = f"{kind} ب{DISTRICT_NAMES[district]}"
        code = f"{rng.randrange(10**6):06d}"
        while code in used:
            code = f"{rng.randrange(10**6):06d}"
        used.add(code)
        association = Association(
            name=title,
            name_key=associations.name_key(title),
            district_code=district,
            field_code=field_code,
            members_count=rng.randint(15, 60),
            join_code=code,
            created_by=FIRST_MEMBER_ID + number,
            active=True,
            created_at=datetime(2024, 9, 1, tzinfo=UTC) + timedelta(days=7 * number),
        )
        s.add(association)
        made.append(association)
    await s.flush()
    for number, (name, _district) in enumerate(MEMBERS):
        s.add(
            Membership(
                association_id=made[number].id,
                telegram_id=FIRST_MEMBER_ID + number,
                role=associations.COORDINATOR,
                full_name=name,
                phone=f"+2169{rng.randrange(10**7):07d}",
                joined_at=made[number].created_at,
            )
        )
    return made


def _people(rng: random.Random, no_shows: tuple[int, int]) -> tuple[list[Person], list[Person]]:
    """The year's trainees (186 men, 70 women, the requesters among them) and people who
    registered but never came."""
    trainees = [
        Person(FIRST_MEMBER_ID + n, name, MEMBER_GENDERS[n], n)
        for n, (name, _d) in enumerate(MEMBERS)
    ]
    wanted = {
        gender: count - sum(1 for p in trainees if p.gender == gender)
        for gender, count in TRAINEES_2025.items()
    }
    others: list[Person] = []
    next_id = FIRST_TRAINEE_ID
    for gender, count, group in (
        ("male", wanted["male"], trainees),
        ("female", wanted["female"], trainees),
        ("male", no_shows[0], others),
        ("female", no_shows[1], others),
    ):
        names = MEN if gender == "male" else WOMEN
        for _ in range(count):
            name = f"{rng.choice(names)} {rng.choice(FAMILIES)}"
            group.append(Person(next_id, name, gender, rng.randrange(len(MEMBERS))))
            next_id += 1
    return trainees, others


async def seed_trainings_2025(db: Database) -> None:
    """The year 2025 of trainings (idempotent: nothing is added once 2025 has sessions)."""
    await seed_members(db)
    year_start = datetime(2025, 1, 1, tzinfo=TZ)
    async with db.transaction() as s:
        already = await s.scalar(
            select(func.count(TrainingSession.id)).where(
                TrainingSession.starts_at >= year_start,
                TrainingSession.starts_at < datetime(2026, 1, 1, tzinfo=TZ),
            )
        )
        if already:
            return
        rng = random.Random(20250)
        courses = await _courses(s)
        if len(courses) != COURSES_2025:
            return  # the catalogue was not seeded: nothing to hang the year on
        groups = await _associations(s, rng)
        trainees, no_shows = _people(rng, (12, 6))
        for number, gender in enumerate(MEMBER_GENDERS):
            user = await s.scalar(select(User).where(User.telegram_id == FIRST_MEMBER_ID + number))
            if user is not None and not user.gender:
                user.gender = gender
        for person in [*trainees[len(MEMBERS) :], *no_shows]:
            s.add(
                User(
                    telegram_id=person.telegram_id,
                    first_name=person.name.split()[0],
                    full_name=person.name,
                    gender=person.gender,
                    language="ar",
                    consent_at=datetime(2025, 1, 10, tzinfo=UTC),
                    created_at=datetime(2025, 1, 10, tzinfo=UTC),
                    last_seen_at=datetime(2025, 12, 1, tzinfo=UTC),
                )
            )
        await s.flush()
        for person in [*trainees[len(MEMBERS) :], *no_shows]:
            s.add(
                Membership(
                    association_id=groups[person.association].id,
                    telegram_id=person.telegram_id,
                    role=associations.MEMBER,
                    full_name=person.name,
                    phone=f"+2165{rng.randrange(10**7):07d}",
                    joined_at=datetime(2025, 1, 10, tzinfo=UTC),
                )
            )
        plan = _plan_sessions(courses)
        sessions = []
        for number, (course, branch, starts) in enumerate(plan):
            training = TrainingSession(
                course_id=course.id,
                starts_at=starts,
                ends_at=starts + timedelta(hours=min(course.hours, 6)),
                branch_code=branch,
                place=PLACES[branch],
                language="ar",
                trainer_name=TRAINERS[number % len(TRAINERS)],
                capacity=CAPACITY,
                created_at=starts - timedelta(days=30),
            )
            s.add(training)
            sessions.append(training)
        called_off = [
            TrainingSession(
                course_id=courses[n].id,
                starts_at=datetime(2025, 12, day, 9, tzinfo=TZ).astimezone(UTC),
                ends_at=datetime(2025, 12, day, 15, tzinfo=TZ).astimezone(UTC),
                branch_code=branch,
                place=PLACES[branch],
                language="ar",
                capacity=CAPACITY,
                status=trainings.SESSION_CANCELLED,
                created_at=datetime(2025, 11, 1, tzinfo=UTC),
            )
            for n, day, branch in ((7, 9, "sbeitla"), (5, 16, "kasserine"))
        ]
        s.add_all(called_off)
        await s.flush()
        _registrations(s, rng, sessions, called_off, trainees, no_shows, groups)


def _registrations(
    s: AsyncSession,
    rng: random.Random,
    sessions: list[TrainingSession],
    called_off: list[TrainingSession],
    trainees: list[Person],
    no_shows: list[Person],
    groups: list[Association],
) -> None:
    places: dict[tuple[int, int], str] = {}  # (session index, telegram id) -> status
    shuffled = trainees[:]
    rng.shuffle(shuffled)
    for n, person in enumerate(shuffled):  # everyone attends one session...
        places[(n % len(sessions), person.telegram_id)] = "attended"

    def elsewhere(person: Person) -> int:
        taken = {sessions[i].course_id for (i, who) in places if who == person.telegram_id}
        choices = [i for i, t in enumerate(sessions) if t.course_id not in taken]
        return rng.choice(choices)

    for person in rng.sample(trainees, 40):  # ...some come back for a second course...
        places[(elsewhere(person), person.telegram_id)] = "attended"
    for person in rng.sample(trainees, 20):  # ...some register again and do not come...
        places[(elsewhere(person), person.telegram_id)] = "absent"
    for person in rng.sample(trainees, 10):  # ...or cancel beforehand
        places[(elsewhere(person), person.telegram_id)] = "cancelled"
    for person in no_shows:
        places[(rng.randrange(len(sessions)), person.telegram_id)] = "absent"

    people = {p.telegram_id: p for p in [*trainees, *no_shows]}
    seats = [0] * len(sessions)
    for (index, telegram_id), outcome in sorted(places.items()):
        training, person = sessions[index], people[telegram_id]
        seats[index] += outcome != "cancelled"
        attended = outcome == "attended"
        s.add(_registration(rng, training, person, groups, outcome, attended=attended))
    for index, training in enumerate(sessions):
        if seats[index] > training.capacity:
            raise RuntimeError("a demo session of 2025 is overbooked")
        training.seats_taken = seats[index]
    for training in called_off:
        for person in rng.sample(trainees, 6):
            s.add(_registration(rng, training, person, groups, "cancelled", attended=False))


def _registration(
    rng: random.Random,
    training: TrainingSession,
    person: Person,
    groups: list[Association],
    outcome: str,
    *,
    attended: bool,
) -> Registration:
    registered_at = training.starts_at - timedelta(days=rng.randint(5, 25))
    rating = rng.choice([None, 3, 4, 4, 5, 5]) if attended else None
    return Registration(
        session_id=training.id,
        telegram_id=person.telegram_id,
        status=trainings.CANCELLED if outcome == "cancelled" else trainings.REGISTERED,
        participant_name=person.name,
        gender=person.gender,
        association_id=groups[person.association].id,
        association_name=groups[person.association].name,
        created_at=registered_at,
        updated_at=training.starts_at if attended else registered_at,
        attended_at=training.starts_at + timedelta(minutes=rng.randint(0, 40))
        if attended
        else None,
        feedback_rating=rating,
        feedback_at=training.ends_at + timedelta(hours=3) if rating else None,
    )
