"""Staff plan trainings from the associations' capacity self-assessments: weak domains
stand out, the weakest come first; members' names and phones are for staff only and
every look at them is logged."""

from __future__ import annotations

from datetime import UTC, datetime

from storage import associations, audit
from storage.db import Database
from tests.admin.conftest import SignIn
from tests.admin.peopledata import add_association, answers_with
from tests.admin.support import AdminSite
from tests.support.given import given_course_catalogue

AMAL = "جمعية الأمل للتنمية"
CHABAB = "جمعية شباب سبيطلة"
TURATH = "جمعية تالة للتراث"


async def three_associations(db: Database) -> dict[str, int]:
    """Al Amal (Kasserine North, women) is weakest in M&E, then fundraising; Chabab
    (Sbeitla, youth) in financial management; Turath (Thala) has not assessed itself."""
    await given_course_catalogue(db, datetime(2026, 3, 1, tzinfo=UTC))
    amal = await add_association(
        db,
        AMAL,
        district="kasserine_north",
        field_code="women",
        size=42,
        team=[(8501, "سلوى الهمامي", "+21698410233"), (8502, "فاطمة الجلاصي", "+21655120987")],
        answers=answers_with(me=0, fundraising=1, archiving=1, strategic_planning=2) | {"fr2": 0},
    )
    chabab = await add_association(
        db,
        CHABAB,
        district="sbeitla",
        field_code="youth",
        size=28,
        team=[(8503, "منير العيادي", "+21622318450")],
        answers=answers_with(financial_management=0, me=1),
    )
    turath = await add_association(
        db,
        TURATH,
        district="thala",
        field_code="environment",
        size=17,
        team=[(8504, "هالة الزغلامي", "+21654981276")],
    )
    return {"amal": amal, "chabab": chabab, "turath": turath}


async def entries(site: AdminSite) -> list[tuple[str, str, str, int | None]]:
    async with site.db.reader() as s:
        found = await audit.list_entries(s, audit.AuditFilter(), limit=100)
    return [
        (e.username, e.subject, e.detail, e.record_count)
        for e in reversed(found)
        if e.action in ("view", "export")
    ]


def section(html: str, element_id: str, end: str = "</table>") -> str:
    return html.split(f'id="{element_id}"', 1)[1].split(end, 1)[0]


async def test_the_associations_page_shows_al_amals_weakest_domain_first(
    site: AdminSite, sign_in: SignIn
) -> None:
    ids = await three_associations(site.db)
    staff = await sign_in("karim")
    page = await staff.open(f"/associations/{ids['amal']}")
    assert page.status_code == 200
    capacity = section(page.text, "capacity")
    domains = [row.split('"', 1)[0] for row in capacity.split('data-domain="')[1:]]
    assert domains[:3] == ["me", "fundraising", "archiving"]  # 0%, 25%, 50%
    first = capacity.split("<tr", 2)[2]
    assert "المتابعة والتقييم" in first and "٠٪" in first and "score-weak" in first
    assert "ضعيف" in first  # the level is written, not only coloured
    recommended = section(page.text, "recommendations", "</div>")
    courses = [row.split('"', 1)[0] for row in recommended.split('data-course="')[1:]]
    assert courses == ["monitoring-evaluation", "proposal-writing", "electronic-archiving"]
    assert "المتابعة والتقييم" in recommended  # the consultation topic too
    members = section(page.text, "members")
    assert "سلوى الهمامي" in members and "+21698410233" in members and "منسّق" in members
    assert await entries(site) == [("karim", f"association_members:{ids['amal']}", "", 2)]


async def test_a_staff_member_plans_trainings_from_the_domains_most_associations_need(
    site: AdminSite, sign_in: SignIn
) -> None:
    await three_associations(site.db)
    staff = await sign_in("karim", lang="en")
    page = await staff.open("/associations")
    needs = section(page.text, "training-needs")
    order = [row.split('"', 1)[0] for row in needs.split('data-domain="')[1:]]
    # M&E: both associations below 75%; then the lowest average among the others
    assert order[:3] == ["me", "financial_management", "fundraising"]
    me_row = needs.split('data-domain="me"', 1)[1].split("</tr>", 1)[0]
    assert [cell.split("<", 1)[0] for cell in me_row.split('<td class="num">')[1:3]] == ["2", "1"]
    assert "Monitoring and evaluation" in me_row

    table = section(page.text, "associations")
    rows = table.split("<tr data-association=")[1:]
    assert [AMAL in rows[0], CHABAB in rows[1], TURATH in rows[2]] == [True, True, True]
    assert "Monitoring and evaluation, Fundraising and proposal writing" in rows[0]
    assert 'score-weak" data-domain="financial_management">0%' in rows[1]
    assert "Not assessed yet" in rows[2]
    assert "Salwa" not in table and "سلوى الهمامي" in table  # coordinator, for staff
    figures = section(page.text, "association-figures", "</ul>")
    assert "<strong>3</strong>" in figures and "<strong>2</strong>" in figures  # 2 assessed
    assert "<strong>87</strong>" in figures  # 42 + 28 + 17 declared members
    assert await entries(site) == [("karim", "association_coordinators", "", 3)]


async def test_a_consultant_sees_the_scores_but_no_names_or_phones(
    site: AdminSite, sign_in: SignIn
) -> None:
    ids = await three_associations(site.db)
    consultant = await sign_in("salma")
    listing = await consultant.open("/associations")
    assert listing.status_code == 200
    assert 'score-weak" data-domain="me">٠٪' in listing.text
    assert "سلوى" not in listing.text and "+216" not in listing.text
    detail = await consultant.open(f"/associations/{ids['amal']}")
    assert detail.status_code == 200
    assert "سلوى" not in detail.text and "+216" not in detail.text
    assert 'id="members"' not in detail.text
    assert "عضوان على «مشاركة»." in consultant.text
    assert 'data-course="monitoring-evaluation"' in detail.text
    assert await entries(site) == []


async def test_associations_are_filtered_by_district_and_field_of_work(
    site: AdminSite, sign_in: SignIn
) -> None:
    await three_associations(site.db)
    staff = await sign_in("karim", lang="fr")
    page = await staff.open("/associations", district="sbeitla")
    table = section(page.text, "associations")
    assert CHABAB in table and AMAL not in table and TURATH not in table
    page = await staff.open("/associations", field="women")
    assert AMAL in section(page.text, "associations")
    assert CHABAB not in section(page.text, "associations")
    none = await staff.open("/associations", district="thala", field="youth")
    assert "Aucune association ne correspond à ces filtres." in staff.text
    assert 'id="training-needs"' not in none.text
    details = [detail for _, _, detail, _ in await entries(site)]
    assert details == ["district=sbeitla", "field=women"]


async def test_unknown_districts_and_forged_addresses_are_answered_cleanly(
    site: AdminSite, sign_in: SignIn
) -> None:
    ids = await three_associations(site.db)
    staff = await sign_in("karim")
    page = await staff.open("/associations", district="atlantis", field="<b>x</b>")
    assert page.status_code == 200 and "<b>x</b>" not in page.text
    assert section(page.text, "associations").count("<tr data-association=") == 3
    for path in (
        "/associations/999999",
        "/associations/abc",
        "/associations/-1",
        "/associations/0",
    ):
        missing = await staff.open(path)
        assert missing.status_code == 404, path
        assert "الصفحة غير موجودة" in staff.text
    unreadable = await staff.open("/associations/99999999999999999999999999")  # no id of ours
    assert unreadable.status_code == 400 and "لا يمكن قراءة هذا العنوان" in staff.text
    async with site.db.transaction() as s:
        association = await associations.get_association(s, ids["turath"])
        assert association is not None
        association.active = False
    assert (await staff.open(f"/associations/{ids['turath']}")).status_code == 404
    arabic_digits = await staff.open(
        f"/associations/{str(ids['amal']).translate(str.maketrans('0123456789', '٠١٢٣٤٥٦٧٨٩'))}"
    )
    assert arabic_digits.status_code == 200


async def test_an_association_without_an_assessment_says_how_to_do_one(
    site: AdminSite, sign_in: SignIn
) -> None:
    ids = await three_associations(site.db)
    staff = await sign_in("karim", lang="en")
    page = await staff.open(f"/associations/{ids['turath']}")
    assert 'id="not-assessed"' in page.text and "/assessment" in staff.text
    assert "Members on Musharaka" in staff.text and "هالة الزغلامي" in staff.text
