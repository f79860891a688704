"""Staff and consultants read the week's consultations; who booked is shown only to those
who may see it, and every such page is in the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage import audit, consultations, people
from storage.consultations import Booking
from tests.admin.conftest import SignIn
from tests.admin.support import AdminSite

TUNIS_NINE_TUESDAY = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)  # 09:00 in Tunis
TUNIS_TEN_FIFTEEN_THURSDAY = datetime(2026, 3, 5, 9, 15, tzinfo=UTC)


async def two_consultants_and_bookings(site: AdminSite) -> None:
    async with site.db.transaction() as s:
        salma = await people.add_staff(s, role=people.Role.CONSULTANT, telegram_id=9102)
        rafik = await people.add_staff(
            s, role=people.Role.CONSULTANT, telegram_id=9103, display_name="رفيق المستشار"
        )
        planner = await consultations.add_consultant(s, salma.id, topics=["strategic_planning"])
        support = await consultations.add_consultant(s, rafik.id, topics=["me"])
        await consultations.set_weekly_availability(s, planner.id, [("kasserine", 1, 540, 780)])
        await consultations.set_weekly_availability(s, support.id, [("sbeitla", 3, 540, 720)])
        salwa = await people.ensure_user(s, 8501, first_name="سلوى الهمامي")
        mounir = await people.ensure_user(s, 8502, first_name="منير العيادي")
        for consultant, requester, kind, topic, branch, starts, status in [
            (planner, salwa, "consultation", "strategic_planning", "kasserine",
             TUNIS_NINE_TUESDAY, "booked"),
            (support, mounir, "technical_support", "me", "sbeitla",
             TUNIS_TEN_FIFTEEN_THURSDAY, "booked"),
            (planner, mounir, "consultation", "strategic_planning", "kasserine",
             TUNIS_NINE_TUESDAY - timedelta(days=7), "done"),
        ]:  # fmt: skip
            s.add(
                Booking(
                    kind=kind,
                    consultant_id=consultant.id,
                    requester_id=requester.id,
                    topic=topic,
                    branch_code=branch,
                    starts_at=starts,
                    ends_at=starts + timedelta(minutes=60),
                    status=status,
                )
            )


async def test_a_coordinator_reads_this_weeks_sessions_and_free_slots(
    site: AdminSite, sign_in: SignIn
) -> None:
    await two_consultants_and_bookings(site)
    staff = await sign_in("karim")
    await staff.open("/consultations")
    calendar = staff.text
    assert "سلوى الهمامي" in calendar and "منير العيادي" in calendar
    assert "رفيق المستشار" in calendar
    assert "٠٩:٠٠–١٠:٠٠" in calendar and "١٠:١٥–١١:١٥" in calendar
    # Tuesday: 10:15 and 11:30 are still free; Thursday: 09:00.
    page = staff.page.text  # type: ignore[union-attr]
    tuesday = page.split('data-day="2026-03-03"', 1)[1].split("</section>", 1)[0]
    assert "فترتان متاحتان" in tuesday and "١٠:١٥" in tuesday and "١١:٣٠" in tuesday
    thursday = page.split('data-day="2026-03-05"', 1)[1].split("</section>", 1)[0]
    assert "فترة متاحة واحدة" in thursday
    # Last week's session is not in this week.
    assert page.count('data-booking="') == 2

    async with site.db.reader() as s:
        entries = await audit.list_entries(s, audit.AuditFilter(action="view"))
    assert [(e.username, e.subject, e.record_count) for e in entries] == [
        ("karim", "consultation_bookings", 2)
    ]
    assert "week=2026-03-02" in entries[0].detail

    await staff.open("/consultations", week="2026-02-24", branch="kasserine")
    assert staff.page.text.count('data-booking="') == 1  # type: ignore[union-attr]
    assert "تمّت" in staff.text


async def test_a_consultant_sees_who_booked_only_their_own_sessions(
    site: AdminSite, sign_in: SignIn
) -> None:
    await two_consultants_and_bookings(site)
    consultant = await sign_in("salma")
    await consultant.open("/consultations")
    assert "سلوى الهمامي" in consultant.text  # her own session
    assert "منير العيادي" not in consultant.text  # Rafik's session: no name
    assert consultant.page.text.count('data-booking="') == 2  # type: ignore[union-attr]
    async with site.db.reader() as s:
        entries = await audit.list_entries(s, audit.AuditFilter(username="salma", action="view"))
    assert [e.record_count for e in entries] == [1]


async def test_filters_narrow_the_week_to_one_kind_and_one_consultant(
    site: AdminSite, sign_in: SignIn
) -> None:
    await two_consultants_and_bookings(site)
    staff = await sign_in("karim", lang="en")
    await staff.open("/consultations", kind="technical_support")
    assert "Mounir" not in staff.text  # names are as typed: Arabic
    assert staff.page.text.count('data-booking="') == 1  # type: ignore[union-attr]
    assert "Technical support" in staff.text
    await staff.open("/consultations", kind="nonsense", branch="nowhere")
    assert staff.page.text.count('data-booking="') == 2  # type: ignore[union-attr]
