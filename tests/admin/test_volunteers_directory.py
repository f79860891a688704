"""Staff find volunteers by skill, district, availability and language, and download the
list; names and phones are for admins and staff only, and every look is logged."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from openpyxl import load_workbook

from storage import audit, volunteers
from storage.db import Database
from tests.admin.conftest import SignIn
from tests.admin.peopledata import Person, add_volunteers, many_volunteers
from tests.admin.support import AdminSite

MARIEM = Person(
    7001,
    "مريم الخضراوي",
    "+21698301122",
    district="thala",
    skills=["teaching", "children"],
    days=["sat", "sun"],
    times=["morning"],
    languages=["ar", "fr"],
)
AYMEN = Person(
    7002,
    "أيمن السالمي",
    "+21622450871",
    district="sbeitla",
    skills=["computers"],
    days=["mon", "wed"],
    times=["evening"],
    languages=["ar", "fr", "en"],
)
NOURA = Person(
    7003,
    "نورة العبيدي",
    "+21655730419",
    district="thala",
    skills=["health", "events"],
    days=["tue", "thu"],
    times=["afternoon"],
    languages=["ar"],
)
SAMI = Person(
    7004,
    "Sami Trabelsi",
    "+21650111222",
    district="thala",
    skills=["translation"],
    days=["fri"],
    times=["evening"],
    languages=["fr", "en"],
    other_skills='=HYPERLINK("http://x")',
)


async def entries(site: AdminSite, action: str) -> list[tuple[str, str, str, int | None]]:
    async with site.db.reader() as s:
        found = await audit.list_entries(s, audit.AuditFilter(action=action), limit=100)
    return [(e.username, e.subject, e.detail, e.record_count) for e in reversed(found)]


def names_on(page_text: str) -> list[str]:
    return [
        row.split('<th scope="row">', 1)[1].split("</th>", 1)[0]
        for row in page_text.split('<tr class="volunteer">')[1:]
    ]


async def test_a_staff_member_filters_volunteers_who_speak_french_in_thala_and_downloads_the_list(
    site: AdminSite, sign_in: SignIn
) -> None:
    await add_volunteers(site.db, MARIEM, AYMEN, NOURA, SAMI)
    staff = await sign_in("karim")
    page = await staff.open("/volunteers", district="thala", language="fr")
    assert page.status_code == 200
    assert names_on(page.text) == ["Sami Trabelsi", "مريم الخضراوي"]
    assert "+21698301122" in staff.text and "+21622450871" not in staff.text
    assert "التدريس والدعم المدرسي، تنشيط الأطفال" in staff.text  # her skills, in Arabic
    assert "السبت، الأحد" in staff.text and "الفرنسية" in staff.text
    counts = page.text.split('id="volunteer-counts"', 1)[1].split("</ul>", 1)[0]
    assert "<strong>٢</strong>" in counts and "<strong>٤</strong>" in counts

    response = await staff.download("/volunteers/export.csv", district="thala", language="fr")
    assert response.status_code == 200
    assert "volunteers-thala-fr.csv" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["الاسم", "الهاتف", "المعتمدية"]
    assert [r[0] for r in rows[1:]] == ["Sami Trabelsi", "مريم الخضراوي"]
    assert rows[2][1] == "'+21698301122"  # a leading + would be read as a formula
    assert rows[1][4] == '\'=HYPERLINK("http://x")'  # what he typed, never a formula

    workbook = await staff.download("/volunteers/export.xlsx", district="thala", language="fr")
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    assert sheet is not None and sheet.max_row == 3 and sheet.sheet_view.rightToLeft

    assert await entries(site, "view") == [
        ("karim", "volunteers", "district=thala language=fr page=1", 2)
    ]
    assert await entries(site, "export") == [
        ("karim", "volunteers", "district=thala language=fr format=csv", 2),
        ("karim", "volunteers", "district=thala language=fr format=xlsx", 2),
    ]


async def test_a_consultant_cannot_see_volunteers_phone_numbers(
    site: AdminSite, sign_in: SignIn
) -> None:
    await add_volunteers(site.db, MARIEM, AYMEN)
    consultant = await sign_in("salma")
    home = await consultant.open("/")
    assert 'href="/volunteers"' not in home.text
    for path in ("/volunteers", "/volunteers/export.csv", "/volunteers/export.xlsx"):
        refused = await consultant.open(path)
        assert refused.status_code == 403, path
        assert "+21698301122" not in refused.text and "مريم" not in refused.text
    assert await entries(site, "view") == [] and await entries(site, "export") == []

    admin = await sign_in("amina")
    assert 'href="/volunteers"' in (await admin.open("/")).text
    assert "+21698301122" in (await admin.open("/volunteers")).text


async def test_a_staff_member_finds_who_gives_first_aid_on_tuesday_afternoons(
    site: AdminSite, sign_in: SignIn
) -> None:
    await add_volunteers(site.db, MARIEM, AYMEN, NOURA, SAMI)
    staff = await sign_in("karim", lang="en")
    page = await staff.open("/volunteers", skill="health", day="tue", time="afternoon")
    assert names_on(page.text) == ["نورة العبيدي"]
    assert "Volunteers matching these filters" in staff.text
    assert "First aid and health, Organising events" in staff.text
    assert "Tuesday, Thursday" in staff.text and "Afternoons" in staff.text

    nobody = await staff.open("/volunteers", skill="health", day="sat")
    assert names_on(nobody.text) == []
    assert "No volunteer matches these filters." in staff.text
    assert await entries(site, "view") == [
        ("karim", "volunteers", "skill=health day=tue time=afternoon page=1", 1)
    ]  # an empty list shows nobody: nothing to log


async def test_the_counts_say_where_the_volunteers_are_and_what_they_can_do(
    site: AdminSite, sign_in: SignIn
) -> None:
    await add_volunteers(site.db, MARIEM, AYMEN, NOURA, SAMI)
    staff = await sign_in("karim")
    page = await staff.open("/volunteers")
    by_district = page.text.split('id="counts-by-district"', 1)[1].split("</table>", 1)[0]
    assert 'data-district="thala"' in by_district and '<td class="num">٣</td>' in by_district
    assert 'data-district="sbeitla"' in by_district
    by_skill = page.text.split('id="counts-by-skill"', 1)[1].split("</table>", 1)[0]
    assert by_skill.count("<tr data-skill=") == 6  # only the skills somebody has


async def test_hundreds_of_volunteers_come_fifty_to_a_page(
    site: AdminSite, sign_in: SignIn
) -> None:
    await many_volunteers(site.db, 120)
    staff = await sign_in("karim", lang="fr")
    first = await staff.open("/volunteers", district="sbeitla")
    names = names_on(first.text)
    assert len(names) == 50 and names[0] == "متطوع 001"
    assert "Page 1 sur 3" in staff.text
    assert 'rel="next"' in first.text and "district=sbeitla" in first.text.split('rel="next"')[0]
    last = await staff.open("/volunteers", district="sbeitla", page="3")
    assert names_on(last.text) == [f"متطوع {n:03d}" for n in range(101, 121)]
    assert "120" in staff.text

    everything = await staff.download("/volunteers/export.csv", district="sbeitla")
    assert len(everything.content.decode("utf-8-sig").strip().splitlines()) == 121
    views = await entries(site, "view")
    assert [count for *_, count in views] == [50, 20]
    assert (await entries(site, "export"))[0][3] == 120


async def test_forged_filters_and_page_numbers_are_answered_with_the_list(
    site: AdminSite, sign_in: SignIn
) -> None:
    await add_volunteers(site.db, MARIEM, AYMEN)
    staff = await sign_in("karim")
    for params in (
        {"district": "atlantis"},
        {"skill": "<script>alert(1)</script>"},
        {"day": "funday", "time": "midnight", "language": "klingon"},
        {"page": "-4"},
        {"page": "abc"},
        {"page": "99999999999999999999999999"},
        {"page": "٢"},
    ):
        page = await staff.open("/volunteers", **params)
        assert page.status_code == 200, params
        assert len(names_on(page.text)) == 2, params
        assert "<script>alert" not in page.text
    assert (await staff.download("/volunteers/export.pdf")).status_code == 404
    odd = await staff.download("/volunteers/export.csv", district="atlantis")
    assert odd.status_code == 200 and len(odd.content.decode("utf-8-sig").splitlines()) == 3
    details = [detail for _, _, detail, _ in await entries(site, "view")]
    assert all("atlantis" not in d and "funday" not in d for d in details)


async def test_someone_who_stopped_volunteering_leaves_the_directory(
    site: AdminSite, sign_in: SignIn
) -> None:
    await add_volunteers(site.db, MARIEM, AYMEN)
    async with site.db.transaction() as s:
        await volunteers.stop_volunteering(s, AYMEN.telegram_id, datetime(2026, 2, 1, tzinfo=UTC))
    staff = await sign_in("karim")
    page = await staff.open("/volunteers")
    assert names_on(page.text) == ["مريم الخضراوي"]
    assert "+21622450871" not in page.text


async def test_the_directory_filters_agree_on_sqlite_and_postgresql(any_db: Database) -> None:
    from tests.support.given import given_places

    await given_places(any_db)
    await add_volunteers(any_db, MARIEM, AYMEN, NOURA, SAMI)
    D = volunteers.DirectoryFilter

    async def names(where: volunteers.DirectoryFilter) -> list[str]:
        async with any_db.reader() as s:
            listed = await volunteers.list_directory(s, where)
            assert await volunteers.count_directory(s, where) == len(listed)
        return [e.volunteer.full_name for e in listed]

    assert await names(D(language="fr", district="thala")) == ["Sami Trabelsi", "مريم الخضراوي"]
    assert await names(D(language="en")) == ["Sami Trabelsi", "أيمن السالمي"]
    assert await names(D(skill="health", day="tue", time="afternoon")) == ["نورة العبيدي"]
    assert await names(D(day="fri", time="evening")) == ["Sami Trabelsi"]
    assert await names(D(language="ber")) == []
    assert await names(D(day="%")) == []  # not a day: matches nobody, not everybody
    async with any_db.reader() as s:
        by_skill = await volunteers.directory_counts_by_skill(s, D(district="thala"))
        by_district = await volunteers.directory_counts_by_district(s, D(skill="teaching"))
        first = await volunteers.list_directory(s, D(), limit=2, offset=1)
    assert by_skill == {"teaching": 1, "children": 1, "health": 1, "events": 1, "translation": 1}
    assert by_district == {"thala": 1}
    assert [e.skills for e in first] == [["computers"], ["teaching", "children"]]
