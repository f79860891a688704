"""The M&E report counts what residents wrote to the programme, month by month: by kind,
district and gender, the median time to the first answer and the share closed within a week,
hiding every count below 5 (in Arabic on the page, and in the workbook)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from openpyxl import load_workbook
from sqlalchemy import update

from storage import cases
from storage.cases import Case
from storage.db import Database
from storage.people import User
from tests.admin.conftest import SignIn
from tests.admin.support import AdminSite

MARCH = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)


async def _cases(db: Database) -> None:
    """Six complaints from men of Kasserine North (five answered in 2, 4, 6, 8, 10 hours;
    four closed within the week, one after ten days) and two questions from Thala."""
    async with db.transaction() as s:
        for n in range(8):
            s.add(User(telegram_id=5000 + n, first_name=f"R{n}", consent_at=MARCH,
                       gender="male" if n < 6 else "female"))  # fmt: skip
        await s.flush()
        for n in range(8):
            complaint = n < 6
            case = await cases.create_case(
                s,
                request_key=f"report-{n}",
                telegram_id=5000 + n,
                kind="complaint" if complaint else "question",
                text="...",
                district_code="kasserine_north" if complaint else "thala",
                now=MARCH + timedelta(hours=n),
            )
            values: dict[str, object] = {}
            if n < 5:
                values["first_response_at"] = case.created_at + timedelta(hours=2 * (n + 1))
            if n < 4:
                values["closed_at"] = case.created_at + timedelta(days=3)
                values["status"] = "closed"
            elif n == 4:
                values["closed_at"] = case.created_at + timedelta(days=10)
                values["status"] = "closed"
            if values:
                await s.execute(update(Case).where(Case.id == case.id).values(**values))


async def test_the_report_shows_the_month_s_cases_with_small_cells_hidden(
    site: AdminSite, sign_in: SignIn
) -> None:
    await _cases(site.db)
    staff = await sign_in("karim")
    await staff.open("/report", **{"from": "2026-02-01", "to": "2026-03-31"})
    page = staff.page
    assert page is not None and page.status_code == 200
    html = page.text
    assert "الرسائل الواردة من المقيمين" in staff.text
    feb = html.split('data-month="2026-02"', 1)[1].split("</tr>", 1)[0]
    march = html.split('data-month="2026-03"', 1)[1].split("</tr>", 1)[0]
    assert ">٠<" in feb
    assert ">٨<" in march and "٦ ساعات" in march and "٥٠٪" in march  # 4 of 8 within a week
    complaints = html.split('data-kind="complaint"', 1)[1].split("</tr>", 1)[0]
    questions = html.split('data-kind="question"', 1)[1].split("</tr>", 1)[0]
    assert ">٦<" in complaints and "أقل من ٥" in questions
    thala = html.split('data-district="thala"', 1)[1].split("</tr>", 1)[0]
    men = (
        html.split('id="cases-by-gender"', 1)[1]
        .split('data-gender="male"', 1)[1]
        .split("</tr>", 1)[0]
    )
    assert "أقل من ٥" in thala and ">٦<" in men

    download = await staff.download(
        "/report/report.xlsx", **{"from": "2026-03-01", "to": "2026-03-31"}
    )
    workbook = load_workbook(io.BytesIO(download.content))
    by_kind = [tuple(r) for r in workbook["الرسائل حسب النوع"].iter_rows(values_only=True)]
    assert ("الشكاوى", 6) in by_kind and ("الأسئلة", "أقل من 5") in by_kind


async def test_a_resident_s_gender_comes_from_the_survey_when_the_profile_has_none(
    site: AdminSite,
) -> None:
    from tests.admin.surveydata import answer_needs_survey, shipped_needs_survey

    live = await shipped_needs_survey(site.db)
    async with site.db.transaction() as s:
        s.add(User(telegram_id=6001, first_name="Nour", consent_at=MARCH))
        await s.flush()
        await cases.create_case(
            s, request_key="g-1", telegram_id=6001, kind="thanks", text="شكرًا", now=MARCH
        )
    await answer_needs_survey(site.db, live, 6001, district="thala", ranking=["health"],
                              gender="female")  # fmt: skip
    async with site.db.reader() as s:
        figures = await cases.monthly_figures(
            s, MARCH - timedelta(days=1), MARCH + timedelta(days=1), min_cell=1
        )
    assert figures.by_gender == {"female": 1}
