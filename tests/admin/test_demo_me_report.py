"""The M&E report: last year's figures on the demo programme, as a page and as a workbook,
counted from what was recorded at registration, with the download in the audit log."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from demo.associations import seed_associations
from demo.consultations import seed_consultations
from demo.consultations_2025 import seed_consultations_2025
from demo.courses import seed_courses
from demo.staff import seed_staff
from demo.trainings_2025 import seed_trainings_2025
from storage import audit, monitoring, trainings
from storage.db import Database
from storage.people import User
from tests.admin.conftest import START, SignIn
from tests.admin.support import AdminSite
from tests.support.given import given_places


async def seed_programme_2025(db: Database) -> None:
    """The demo's year 2025 (consultations and trainings) without the residents' survey."""
    await seed_staff(db)
    await seed_consultations(db, START)
    await seed_courses(db, START)
    await seed_consultations_2025(db)
    await seed_associations(db, START)
    await seed_trainings_2025(db)


def sheet_rows(content: bytes, title_index: int) -> list[tuple[object, ...]]:
    workbook = load_workbook(io.BytesIO(content))
    return [tuple(row) for row in workbook.worksheets[title_index].iter_rows(values_only=True)]


async def test_the_report_for_2025_on_the_demo_says_186_men_and_70_women_over_18_courses(
    site: AdminSite, sign_in: SignIn
) -> None:
    await seed_programme_2025(site.db)
    staff = await sign_in("karim", lang="en")
    await staff.open("/report")  # the default period: last calendar year (today is March 2026)
    assert staff.page is not None and staff.page.status_code == 200
    page = staff.text
    assert "From 1 Jan 2025 to 31 Dec 2025" in page
    assert "186 male and 70 female trainees over 18 courses" in page
    assert "383 technical-support sessions took place" in page
    by_branch = staff.page.text.split('id="by-branch"', 1)[1].split("</table>", 1)[0]
    kasserine = by_branch.split('data-branch="kasserine"', 1)[1].split("</tr>", 1)[0]
    sbeitla = by_branch.split('data-branch="sbeitla"', 1)[1].split("</tr>", 1)[0]
    assert ">196<" in kasserine and ">70<" in kasserine  # technical support, consultations
    assert ">187<" in sbeitla and ">55<" in sbeitla
    assert staff.page.text.count("data-course=") == 18

    arabic = await sign_in("amina", lang="ar")
    await arabic.open("/report", **{"from": "2025-01-01", "to": "2025-12-31"})
    assert "١٨٦ متدربًا و٧٠ متدربة في ١٨ دورة" in arabic.text
    assert "انعقدت ٣٨٣ جلسة دعم فني" in arabic.text

    download = await staff.download(
        "/report/report.xlsx", **{"from": "2025-01-01", "to": "2025-12-31"}
    )
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("application/vnd.openxmlformats")
    summary = dict(row[:2] for row in sheet_rows(download.content, 0)[1:])
    assert summary["Male trainees"] == 186 and summary["Female trainees"] == 70
    assert summary["Courses held"] == 18
    assert summary["Technical-support sessions that took place"] == 383
    genders = sheet_rows(download.content, 1)
    assert ("Men", 186) in genders and ("Women", 70) in genders
    courses = sheet_rows(download.content, 2)[1:]
    assert len(courses) == 18
    assert sum(int(row[2]) for row in courses) >= 186  # people who came twice count per course
    branches = {row[0]: row[1:] for row in sheet_rows(download.content, 3)[1:]}
    assert branches["Kasserine branch"][1:] == (196, 70)
    assert branches["Sbeitla branch"][1:] == (187, 55)

    async with site.db.reader() as s:
        exports = await audit.list_entries(s, audit.AuditFilter(action="export"))
    assert [(e.username, e.subject) for e in exports] == [("karim", "me_report")]
    assert "from=2025-01-01 to=2025-12-31" in exports[0].detail


async def test_a_gender_change_after_registration_does_not_move_last_years_report(
    site: AdminSite, sign_in: SignIn
) -> None:
    await seed_programme_2025(site.db)
    async with site.db.transaction() as s:
        women = list(
            await s.scalars(
                select(trainings.Registration.telegram_id)
                .where(
                    trainings.Registration.gender == "female",
                    trainings.Registration.attended_at.is_not(None),
                )
                .limit(5)
            )
        )
        for user in await s.scalars(select(User).where(User.telegram_id.in_(women))):
            user.gender = "male"  # a profile corrected after the training
    staff = await sign_in("karim", lang="en")
    await staff.open("/report", **{"from": "2025-01-01", "to": "2025-12-31"})
    assert "186 male and 70 female trainees over 18 courses" in staff.text


async def test_a_period_with_a_recorded_attendance_counts_only_that_person(
    site: AdminSite, sign_in: SignIn
) -> None:
    async with site.db.transaction() as s:
        course = await trainings.upsert_course(
            s,
            code="governance",
            topic="governance",
            titles=("الحوكمة", "Governance", "Gouvernance"),
        )
        starts = datetime(2026, 2, 10, 8, 0, tzinfo=UTC)
        training = await trainings.add_session(
            s,
            course_id=course.id,
            starts_at=starts,
            ends_at=starts + timedelta(hours=6),
            capacity=10,
            branch_code="kasserine",
        )
        for telegram_id, gender, came in [(5001, "female", True), (5002, "male", False)]:
            s.add(User(telegram_id=telegram_id, first_name="x", gender=gender))
            await s.flush()
            s.add(
                trainings.Registration(
                    session_id=training.id,
                    telegram_id=telegram_id,
                    status=trainings.REGISTERED,
                    gender=gender,
                    attended_at=starts if came else None,
                )
            )
    staff = await sign_in("karim", lang="fr")
    await staff.open("/report", **{"from": "2026-02-01", "to": "2026-02-28"})
    assert "0 stagiaire homme et 1 stagiaire femme sur 1 formation" in staff.text


async def test_bad_dates_are_answered_with_a_plain_message(
    site: AdminSite, sign_in: SignIn
) -> None:
    staff = await sign_in("karim", lang="en")
    response = await staff.open("/report", **{"from": "2025-12-31", "to": "2025-01-01"})
    assert response.status_code == 400
    assert "The end date is before the start date." in staff.text
    response = await staff.open("/report", **{"from": "yesterday", "to": "2025-13-45"})
    assert response.status_code == 400
    assert "Write both dates as year-month-day" in staff.text
    response = await staff.open("/report", **{"from": "2025-01-01"})
    assert response.status_code == 400
    download = await staff.download("/report/report.xlsx", **{"from": "<script>", "to": ""})
    assert download.status_code == 400 and "<script>" not in download.text
    # Arabic-Indic digits are dates too.
    response = await staff.open("/report", **{"from": "٢٠٢٥-٠١-٠١", "to": "٢٠٢٥-٠٦-٣٠"})
    assert response.status_code == 200


async def test_a_consultant_cannot_read_the_report(site: AdminSite, sign_in: SignIn) -> None:
    consultant = await sign_in("salma", lang="en")
    response = await consultant.open("/report")
    assert response.status_code == 403
    download = await consultant.download("/report/report.xlsx")
    assert download.status_code == 403


async def test_on_both_databases_a_person_marked_present_twice_is_one_trainee(
    any_db: Database,
) -> None:
    await given_places(any_db)
    starts = datetime(2025, 5, 6, 8, 0, tzinfo=UTC)
    async with any_db.transaction() as s:
        course = await trainings.upsert_course(
            s, code="me", topic="me", titles=("المتابعة والتقييم", "M&E", "Suivi-évaluation")
        )
        first, second = [
            await trainings.add_session(
                s,
                course_id=course.id,
                starts_at=starts + timedelta(days=days),
                ends_at=starts + timedelta(days=days, hours=6),
                capacity=2,
                branch_code=branch,
            )
            for days, branch in ((0, "kasserine"), (7, "sbeitla"))
        ]
        ids = {}
        for telegram_id, gender in ((5101, "female"), (5102, "male"), (5103, "")):
            s.add(User(telegram_id=telegram_id, first_name="x", gender=gender))
            await s.flush()
            for training in (first, second):
                outcome = await trainings.register(
                    s,
                    session_id=training.id,
                    telegram_id=telegram_id,
                    now=starts - timedelta(days=3),
                    gender=gender,
                )
                ids[(telegram_id, training.id)] = outcome.registration.id
    for training in (first, second):
        async with any_db.transaction() as s:
            results = await trainings.mark_attendance(
                s,
                session_id=training.id,
                registration_ids=[ids[(t, training.id)] for t in (5101, 5102, 5103)],
                now=training.starts_at + timedelta(hours=1),
            )
        assert sorted(results.values()) == ["not_registered", "present", "present"]
    async with any_db.reader() as s:
        overview = await trainings.sessions_overview(s)
        figures = await monitoring.report(
            s,
            datetime(2025, 1, 1, tzinfo=UTC),
            datetime(2026, 1, 1, tzinfo=UTC),
            branch_order=["kasserine", "sbeitla"],
        )
    assert [(o.registered, o.waitlisted, o.present) for o in overview] == [(2, 1, 2), (2, 1, 2)]
    assert (figures.trainees.female, figures.trainees.male, figures.trainees.total) == (1, 1, 2)
    assert figures.courses_held == 1 and figures.sessions_held == 2
    assert [(b.branch_code, b.training_sessions) for b in figures.branches] == [
        ("kasserine", 1),
        ("sbeitla", 1),
    ]
    assert figures.people_served == 2 and figures.attendances == 4
