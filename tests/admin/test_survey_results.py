"""Staff read a survey question by question and download the answers; every download is
logged, and nobody without the right role can download."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from storage import audit
from tests.admin.conftest import SignIn
from tests.admin.support import AdminSite
from tests.admin.surveydata import answer_needs_survey, nine_residents_answer


async def test_a_coordinator_reads_each_question_with_small_counts_hidden(
    site: AdminSite, sign_in: SignIn
) -> None:
    await nine_residents_answer(site.db)
    staff = await sign_in("karim")
    page = await staff.open("/surveys")
    assert "٩ استمارات — " in staff.text
    district = page.text.split('id="q-district"', 1)[1].split("</section>", 1)[0]
    assert 'data-choice="thala"><th scope="row">تالة</th><td class="num">٦</td>' in district
    sbeitla = 'data-choice="sbeitla"><th scope="row">سبيطلة</th><td class="num">أقل من ٥</td>'
    assert sbeitla in district
    gender = page.text.split('id="q-gender"', 1)[1].split("</section>", 1)[0]
    assert '<td class="num">٧</td>' in gender  # women
    assert "<svg" in gender  # a chart
    needs = page.text.split('id="q-specific_needs"', 1)[1].split("</section>", 1)[0]
    assert "في التنزيل فقط" in needs  # free text is not shown on the page

    await staff.open("/surveys", district="thala")
    assert "٦ استمارات" in staff.text


async def test_staff_download_the_answers_and_the_download_is_logged(
    site: AdminSite, sign_in: SignIn
) -> None:
    live = await nine_residents_answer(site.db)
    await answer_needs_survey(
        site.db, live, 6000, district="thala", ranking=["health"], needs='=HYPERLINK("x")'
    )
    staff = await sign_in("karim", lang="en")
    await staff.open("/surveys")
    assert 'id="export-csv"' in staff.page.text  # type: ignore[union-attr]
    response = await staff.download("/surveys/export.csv", form="needs_survey", round="2026")
    assert response.status_code == 200
    assert "needs_survey-2026.csv" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 10
    assert rows[0]["top_sectors"] == "health water_sanitation jobs_livelihoods"
    assert rows[0]["top_sectors/health"] == "1"
    assert rows[-1]["specific_needs"] == '\'=HYPERLINK("x")'  # not a formula

    workbook = await staff.download("/surveys/export.xlsx", form="needs_survey", round="all")
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    assert sheet is not None and sheet.max_row == 11

    async with site.db.reader() as s:
        entries = await audit.list_entries(s, audit.AuditFilter(action="export"))
    assert [(e.username, e.subject, e.detail, e.record_count) for e in reversed(entries)] == [
        ("karim", "survey_submissions:needs_survey", "format=csv round=2026", 10),
        ("karim", "survey_submissions:needs_survey", "format=xlsx round=all", 10),
    ]


async def test_a_consultant_sees_the_results_but_cannot_download_the_answers(
    site: AdminSite, sign_in: SignIn
) -> None:
    await nine_residents_answer(site.db)
    consultant = await sign_in("salma")
    page = await consultant.open("/surveys")
    assert page.status_code == 200 and 'id="export-csv"' not in page.text
    refused = await consultant.download("/surveys/export.csv", form="needs_survey")
    assert refused.status_code == 403
    async with site.db.reader() as s:
        assert await audit.count_entries(s, audit.AuditFilter(action="export")) == 0
