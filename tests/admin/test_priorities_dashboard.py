"""Staff read the community priorities: index, respondents, districts, small cells hidden."""

from __future__ import annotations

import csv
import io
import re

from storage.db import Database
from tests.admin.conftest import SignIn
from tests.admin.support import AdminSite, StaffClient
from tests.admin.surveydata import nine_residents_answer


def row_of(client: StaffClient, table_id: str, sector: str) -> list[str]:
    assert client.page is not None
    table = client.page.text.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    row = table.split(f'data-sector="{sector}"', 1)[1].split("</tr>", 1)[0]
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<t[dh][^>]*>.*?</t[dh]>", row, re.S)
    ]


async def test_a_consultant_reads_the_priorities_of_the_whole_governorate_in_arabic(
    site: AdminSite, sign_in: SignIn
) -> None:
    await nine_residents_answer(site.db)
    consultant = await sign_in("salma")
    page = await consultant.open("/priorities")
    assert page.status_code == 200
    assert "٩ مشاركين رتّبوا القطاعات" in consultant.text
    # Hand-computed (K = 3; index = points / (3 × respondents) × 100):
    # health 25 points of 27 -> 92.6, named by all 9.
    assert row_of(consultant, "sector-table", "health") == [
        "الصحة",
        "٩٢٫٦",
        "١٠٠٪",
        "٩",
        "٧",
        "٢",
        "٠",
    ]
    assert row_of(consultant, "sector-table", "jobs_livelihoods")[:4] == [
        "التشغيل ومورد الرزق",
        "٤٨٫١",
        "٧٨٪",
        "٧",
    ]
    assert row_of(consultant, "sector-table", "water_sanitation")[1] == "٣٣٫٣"
    assert row_of(consultant, "sector-table", "education")[1] == "٢٢٫٢"
    # Roads were named once: hidden.
    assert "أقل من ٥" in row_of(consultant, "sector-table", "roads_transport")[1]
    # The chart draws one bar per shown sector, longest for health.
    assert page.text.count("<rect ") == 4
    assert 'aria-label="مؤشر الأولوية حسب القطاع"' in page.text


async def test_the_district_view_hides_groups_and_sectors_of_fewer_than_five(
    site: AdminSite, sign_in: SignIn
) -> None:
    await nine_residents_answer(site.db)
    staff = await sign_in("karim")
    await staff.open("/priorities")
    district_table = staff.page.text.split('id="district-table"', 1)[1]  # type: ignore[union-attr]
    assert "تالة" in district_table and "سبيطلة" in district_table
    assert "٨٨٫٩" in district_table  # health in Thala: 16 of 18 points
    assert "أقل من ٥" in district_table  # Sbeitla has 3 respondents

    await staff.open("/priorities", district="thala")
    assert "٦ مشاركين رتّبوا القطاعات" in staff.text
    assert row_of(staff, "sector-table", "health")[1] == "٨٨٫٩"
    assert row_of(staff, "sector-table", "water_sanitation")[1] == "٥٠"
    assert "أقل من ٥" in row_of(staff, "sector-table", "jobs_livelihoods")[1]

    await staff.open("/priorities", district="sbeitla")
    assert "أقل من ٥ أشخاص" in staff.text
    assert 'id="sector-table"' not in staff.page.text  # type: ignore[union-attr]

    await staff.open("/priorities", gender="male")  # only two men answered
    assert "أقل من ٥ أشخاص" in staff.text
    await staff.open("/priorities", gender="female", age_group="25_34")
    assert "٧ مشاركين" in staff.text


async def test_the_priorities_download_has_the_dashboards_figures(
    site: AdminSite, sign_in: SignIn
) -> None:
    await nine_residents_answer(site.db)
    staff = await sign_in("karim", lang="en")
    response = await staff.download("/priorities/export.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:6] == [
        "District",
        "Respondents",
        "Sector",
        "Priority index",
        "Share of respondents (%)",
        "Respondents naming it",
    ]
    assert ["All districts", "9", "Health", "92.6", "100.0", "9", "7", "2", "0"] in rows
    assert ["Sbeitla", "fewer than 5", "", "", "", "", "", "", ""] in rows
    thala_health = next(r for r in rows if r[0] == "Thala" and r[2] == "Health")
    assert thala_health[3] == "88.9"


async def test_without_a_survey_the_dashboard_says_so(sign_in: SignIn, sqlite_db: Database) -> None:
    staff = await sign_in("karim")
    await staff.open("/priorities")
    assert "لم يُحمَّل بعدُ أي استبيان" in staff.text
