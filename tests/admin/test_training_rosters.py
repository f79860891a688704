"""Staff open a session's roster, mark attendance as the check-in code would, and download
the roster; consultants see the sessions' counts but never the people."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from storage import audit, people, trainings
from storage.trainings import Registration
from tests.admin.conftest import START, SignIn
from tests.admin.support import AdminSite

PEOPLE = [
    (6101, "سلوى الهمامي", "female"),
    (6102, "منير العيادي", "male"),
    (6103, "هالة الزغلامي", "female"),
    (6104, '=HYPERLINK("http://evil")', "male"),  # typed by someone, never a formula
    (6105, "رياض البوزيدي", "male"),
    (6106, "عائشة السعيدي", "female"),
    (6107, "كريمة العمري", "female"),
]


async def governance_session(
    site: AdminSite, *, starts_in: timedelta = -timedelta(minutes=30)
) -> int:
    """Five seats, this morning: five people hold seats, one of them cancels (the first in
    line is offered the seat), two still wait."""
    starts = START + starts_in
    async with site.db.transaction() as s:
        course = await trainings.upsert_course(
            s,
            code="governance",
            topic="governance",
            titles=("الحوكمة الرشيدة داخل الجمعيات", "Good governance", "Bonne gouvernance"),
        )
        training = await trainings.add_session(
            s,
            course_id=course.id,
            starts_at=starts,
            ends_at=starts + timedelta(hours=6),
            capacity=5,
            branch_code="kasserine",
            place="قاعة التكوين",
        )
        for n, (telegram_id, name, gender) in enumerate(PEOPLE):
            user = await people.ensure_user(s, telegram_id, first_name=name)
            user.phone = f"+2169800{telegram_id}"
            await trainings.register(
                s,
                session_id=training.id,
                telegram_id=telegram_id,
                now=starts - timedelta(days=5, minutes=-n),
                participant_name=name,
                gender=gender,
                association_name="جمعية الأمل",
            )
        leaving = await trainings.registration_for(s, training.id, 6105)
        assert leaving is not None
        await trainings.cancel(
            s, registration_id=leaving.id, telegram_id=6105, now=starts - timedelta(days=2)
        )
        return training.id


async def registrations(site: AdminSite, session_id: int) -> dict[int, Registration]:
    async with site.db.reader() as s:
        rows = await s.scalars(select(Registration).where(Registration.session_id == session_id))
        return {r.telegram_id: r for r in rows if r.telegram_id is not None}


async def test_a_staff_member_marks_three_attendees_as_if_they_had_checked_in_and_twice_is_once(
    site: AdminSite, sign_in: SignIn
) -> None:
    session_id = await governance_session(site)
    before = await registrations(site, session_id)
    # Salwa checks in herself with the code the trainer shows.
    async with site.db.transaction() as s:
        opened = await trainings.open_checkin(s, session_id=session_id, now=START, minutes=30)
        code = opened.checkin_code
        assert code is not None
        assert (await trainings.check_in(s, telegram_id=6101, code=code, now=START)).result == (
            "present"
        )

    staff = await sign_in("karim", lang="en")
    await staff.open(f"/trainings/sessions/{session_id}")
    page = staff.text
    assert "4 confirmed seats" in page and "1 person on the waiting list" in page
    assert "Seats offered, waiting for an answer" in page
    assert "+21698006102" in page  # staff see phones
    # Every form on the page carries the session's token (a browser sends the form's own).
    assert staff.page is not None and 'name="csrf_token" value=""' not in staff.page.text
    ticked = [str(before[t].id) for t in (6102, 6103, 6104)]
    waiting = str(before[6107].id)  # on the waiting list: cannot be marked present
    await staff.submit(
        f"/trainings/sessions/{session_id}/attendance",
        {"present": [*ticked, waiting]},  # type: ignore[dict-item]
    )
    assert "3 people marked present." in staff.text
    assert "1 person does not hold a confirmed seat and was not marked." in staff.text
    after = await registrations(site, session_id)
    for telegram_id in (6101, 6102, 6103, 6104):
        assert trainings.attended(after[telegram_id])  # certificate and feedback questions
    assert not trainings.attended(after[6107])

    # Feedback: marked by staff or checked in, the same answer.
    async with site.db.transaction() as s:
        for telegram_id in (6101, 6102):
            assert (
                await trainings.record_rating(
                    s,
                    registration_id=after[telegram_id].id,
                    telegram_id=telegram_id,
                    rating=5,
                    now=START + timedelta(hours=7),
                )
                == "saved"
            )

    # Marking again (a double click, the back button) changes nothing.
    site.clock.advance(timedelta(minutes=20))
    await staff.open(f"/trainings/sessions/{session_id}")
    await staff.submit(f"/trainings/sessions/{session_id}/attendance", {"present": ticked})  # type: ignore[dict-item]
    assert "Nothing changed" in staff.text
    again = await registrations(site, session_id)
    assert {t: r.attended_at for t, r in again.items()} == {
        t: r.attended_at for t, r in after.items()
    }
    assert staff.page is not None and staff.page.text.count('data-present="1"') == 4

    async with site.db.reader() as s:
        views = await audit.list_entries(s, audit.AuditFilter(action="view"))
    assert {(e.username, e.subject) for e in views} == {("karim", "training_roster")}
    assert all(e.record_count == 6 for e in views)  # 4 seats, 1 offer, 1 waiting


async def test_the_roster_downloads_are_safe_and_logged(site: AdminSite, sign_in: SignIn) -> None:
    session_id = await governance_session(site)
    staff = await sign_in("karim", lang="ar")
    sheet = await staff.download(f"/trainings/sessions/{session_id}/roster.csv")
    assert sheet.status_code == 200
    rows = list(csv.reader(io.StringIO(sheet.content.decode("utf-8-sig"))))
    assert rows[0][0] == "الاسم"
    names = [row[0] for row in rows[1:]]
    assert names[:2] == ["سلوى الهمامي", "منير العيادي"]
    assert '\'=HYPERLINK("http://evil")' in names
    assert names[-1] == "كريمة العمري" and rows[-1][5] == "1"  # first on the waiting list
    workbook = await staff.download(f"/trainings/sessions/{session_id}/roster.xlsx")
    book = load_workbook(io.BytesIO(workbook.content))
    cells = [c.value for row in book.active.iter_rows() for c in row]
    assert '=HYPERLINK("http://evil")' in cells  # kept as text
    assert all(c.data_type != "f" for row in book.active.iter_rows() for c in row)
    async with site.db.reader() as s:
        exports = await audit.list_entries(s, audit.AuditFilter(action="export"))
    assert sorted((e.subject, e.detail, e.record_count) for e in exports) == [
        ("training_roster", f"session={session_id} format=csv", 6),
        ("training_roster", f"session={session_id} format=xlsx", 6),
    ]


async def test_a_consultant_sees_the_sessions_but_cannot_open_rosters(
    site: AdminSite, sign_in: SignIn
) -> None:
    session_id = await governance_session(site)
    consultant = await sign_in("salma", lang="en")
    response = await consultant.open("/trainings")
    assert response.status_code == 200
    assert "Good governance" in consultant.text
    assert f"/trainings/sessions/{session_id}" not in response.text  # no link to the roster
    assert "سلوى" not in response.text
    for path in (
        f"/trainings/sessions/{session_id}",
        f"/trainings/sessions/{session_id}/roster.csv",
        f"/trainings/sessions/{session_id}/roster.xlsx",
    ):
        assert (await consultant.open(path)).status_code == 403
    refused = await consultant.http.post(
        f"/trainings/sessions/{session_id}/attendance", data={"present": "1"}
    )
    assert refused.status_code == 403
    async with site.db.reader() as s:
        assert await audit.list_entries(s, audit.AuditFilter(username="salma", action="view")) == []
    assert not any(trainings.attended(r) for r in (await registrations(site, session_id)).values())


async def test_attendance_waits_for_the_session_and_needs_the_forms_token(
    site: AdminSite, sign_in: SignIn
) -> None:
    session_id = await governance_session(site, starts_in=timedelta(days=1))
    staff = await sign_in("karim", lang="fr")
    await staff.open(f"/trainings/sessions/{session_id}")
    first = str((await registrations(site, session_id))[6101].id)
    forged = await staff.submit(
        f"/trainings/sessions/{session_id}/attendance", {"present": first}, with_csrf=False
    )
    assert forged.status_code == 403
    await staff.open(f"/trainings/sessions/{session_id}")
    await staff.submit(f"/trainings/sessions/{session_id}/attendance", {"present": first})
    assert "pas encore commencé" in staff.text
    assert not any(trainings.attended(r) for r in (await registrations(site, session_id)).values())
    assert (await staff.open("/trainings/sessions/999999")).status_code == 404
