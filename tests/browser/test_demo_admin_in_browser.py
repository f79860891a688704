"""A staff member uses the admin module in headless Chromium."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from core.formatting import format_number
from demo.residents import RESIDENT_COUNT
from storage import broadcasts
from storage.db import Database
from storage.priorities import PriorityFilters, PriorityReport, priority_report
from tests.browser.conftest import (
    ADMIN_LOGIN,
    ARTIFACTS,
    STAFF_LOGIN,
    AdminServer,
    run_async,
    screenshot,
    sign_in,
)

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def test_an_admin_signs_in_in_arabic_and_switches_to_english(page: Any) -> None:
    page.goto("/")
    assert page.url.endswith("/login?next=%2F")
    assert page.get_attribute("html", "dir") == "rtl"
    sign_in(page, ADMIN_LOGIN)
    assert page.inner_text("h1") == "نظرة عامة"
    assert page.is_visible("nav.main >> text=سجل التدقيق")
    # Right-to-left for real: the brand sits on the right of the header.
    brand = page.locator("header .brand").bounding_box()
    assert brand is not None and brand["x"] > 640

    page.click("nav.languages >> text=English")
    assert page.get_attribute("html", "dir") == "ltr"
    assert page.inner_text("h1") == "Overview"
    page.click("nav.languages >> text=العربية")
    assert page.inner_text("h1") == "نظرة عامة"


def test_a_staff_member_finds_neither_staff_accounts_nor_the_audit_log(page: Any) -> None:
    sign_in(page, STAFF_LOGIN)
    assert page.inner_text("h1") == "نظرة عامة"
    assert page.locator("nav.main a[href='/users']").count() == 0
    assert page.locator("nav.main a[href='/audit']").count() == 0
    for path in ("/users", "/audit"):
        response = page.goto(path)
        assert response is not None and response.status == 403
        assert page.inner_text("h1") == "غير مسموح"
    screenshot(page, "staff-forbidden-ar.png")


def test_a_wrong_password_shows_an_arabic_message(page: Any) -> None:
    page.goto("/login")
    page.fill("#username", "karim")
    page.fill("#password", "not-the-password")
    page.click("form[action='/login'] button[type=submit]")
    assert "اسم الدخول أو كلمة المرور غير صحيحة" in page.inner_text("main")


def _priority_report(server: AdminServer, **filters: str) -> PriorityReport:
    async def compute() -> PriorityReport:
        db = Database(server.database_url)
        try:
            async with db.reader() as s:
                return await priority_report(s, "needs_survey", filters=PriorityFilters(**filters))
        finally:
            await db.dispose()

    return run_async(compute)


def _audience_count(server: AdminServer, kind: str, *values: str) -> int:
    async def compute() -> int:
        db = Database(server.database_url)
        try:
            async with db.reader() as s:
                return await broadcasts.count_audience(s, broadcasts.Audience(kind, values))
        finally:
            await db.dispose()

    return run_async(compute)


def test_a_staff_member_reads_the_priorities_dashboard_in_arabic_then_english(
    page: Any, admin_server: AdminServer
) -> None:
    sign_in(page, STAFF_LOGIN)
    page.click("nav.main >> text=الأولويات")
    assert page.inner_text("h1") == "أولويات المجتمع"
    report = _priority_report(admin_server)
    assert report.overall.respondents == RESIDENT_COUNT
    assert page.inner_text("#respondents") == "٤٠٠ مشارك رتّبوا القطاعات."
    first = page.locator("#sector-table tbody tr").first
    top = report.overall.sectors[0]
    assert first.get_attribute("data-sector") == top.code
    assert first.locator("td.index").inner_text() == format_number(top.index or 0, "ar")
    assert page.locator(".chart svg rect").count() == len(
        [s for s in report.overall.sectors if not s.suppressed and s.index]
    )
    screenshot(page, "dashboard-ar.png")

    page.select_option("select[name=district]", "thala")
    page.click("#priority-filters button[type=submit]")
    thala = _priority_report(admin_server, district="thala")
    thala_count = str(thala.overall.respondents).translate(ARABIC_INDIC)
    assert page.inner_text("#respondents") == f"{thala_count} مشاركًا رتّبوا القطاعات."
    assert "district=thala" in page.url

    page.click("nav.languages >> text=English")
    assert page.get_attribute("html", "dir") == "ltr"
    assert page.inner_text("h1") == "Community priorities"
    assert page.locator("select[name=district]").input_value() == "thala"
    page.select_option("select[name=district]", "")
    page.click("#priority-filters button[type=submit]")
    assert page.inner_text("#respondents") == "400 respondents ranked the sectors."
    screenshot(page, "dashboard-en.png")


def test_a_staff_member_downloads_the_survey_answers_and_the_admin_sees_it_logged(
    browser: Any, page: Any, admin_server: AdminServer
) -> None:
    sign_in(page, STAFF_LOGIN)
    page.click("nav.main >> text=نتائج الاستبيانات")
    assert page.inner_text("#submissions").startswith("٤٠٠ استمارة")
    with page.expect_download() as download_info:
        page.click("#export-xlsx")
    download = download_info.value
    saved = ARTIFACTS / "needs_survey-export.xlsx"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    download.save_as(str(saved))
    sheet = load_workbook(saved).active
    assert sheet is not None and sheet.max_row == 401  # a header and 400 answers
    assert [cell.value for cell in sheet[1]][:4] == [
        "district",
        "age_group",
        "gender",
        "top_sectors",
    ]

    admin_context = browser.new_context(base_url=admin_server.url)
    admin_page = admin_context.new_page()
    try:
        sign_in(admin_page, ADMIN_LOGIN)
        admin_page.goto("/audit?action=export")
        row = admin_page.locator("table.data tbody tr").first
        assert "karim" in row.inner_text()
        assert "survey_submissions:needs_survey" in row.inner_text()
        assert "٤٠٠" in row.inner_text()  # records exported, in the Arabic page's digits
    finally:
        admin_context.close()


def test_a_staff_member_schedules_a_broadcast_with_a_live_audience_count(
    page: Any, admin_server: AdminServer
) -> None:
    sign_in(page, STAFF_LOGIN)
    page.click("nav.main >> text=الإعلانات الجماعية")
    page.fill("#text", "ورشة تكوينية حول التخطيط الاستراتيجي للجمعيات بفرع سبيطلة.")
    everyone = page.inner_text("#audience-count")
    page.check("input[name=kind][value=districts]")
    page.check("input[name=values][value=sbeitla]")
    expected = _audience_count(admin_server, "districts", "sbeitla")
    assert expected > 0
    page.wait_for_function(
        "text => document.getElementById('audience-count').textContent.includes(text)",
        arg=f"{str(expected).translate(ARABIC_INDIC)} ",
    )
    assert page.inner_text("#audience-count") != everyone
    tomorrow = (datetime.now(ZoneInfo("Africa/Tunis")) + timedelta(days=1)).date()
    page.check("input[name=when][value=later]")
    page.fill("input[name=day]", tomorrow.isoformat())
    page.fill("input[name=clock]", "10:30")
    page.click("#compose button[type=submit]")
    assert page.inner_text("h1") == "مراجعة الإعلان"
    assert page.inner_text("#preview-audience").endswith("سبيطلة")
    page.click("#confirm-broadcast button[type=submit]")
    assert re.search(r"/broadcasts/\d+$", page.url)
    assert "تمت جدولة الإعلان" in page.inner_text("main")
    assert page.inner_text("#broadcast-status") == "مجدول"
    screenshot(page, "broadcast-scheduled-ar.png")


def test_a_staff_member_finds_french_speaking_volunteers_in_thala_in_arabic(
    page: Any,
) -> None:
    sign_in(page, STAFF_LOGIN)
    page.click("nav.main >> text=المتطوعون")
    assert page.inner_text("h1") == "دليل المتطوعين"
    assert page.locator("tr.volunteer").count() == 50
    page.select_option("select[name=district]", "thala")
    page.select_option("select[name=language]", "fr")
    page.click("#volunteer-filters button")
    assert "district=thala" in page.url and "language=fr" in page.url
    rows = page.locator("tr.volunteer")
    assert 1 <= rows.count() < 12
    assert all("تالة" in rows.nth(n).inner_text() for n in range(rows.count()))
    assert all("الفرنسية" in rows.nth(n).inner_text() for n in range(rows.count()))
    screenshot(page, "volunteers-ar.png")


def test_a_staff_member_sees_which_capacity_domains_to_train_first(page: Any) -> None:
    sign_in(page, STAFF_LOGIN)
    page.click("nav.main >> text=الجمعيات")
    assert page.inner_text("h1") == "الجمعيات وقدراتها"
    assert page.locator("#associations tbody tr").count() >= 10  # and the 2025 ones
    first_need = page.locator("#training-needs tbody tr").first.inner_text()
    assert "المتابعة والتقييم" in first_need
    screenshot(page, "associations-ar.png")
    page.click("#associations >> text=جمعية الأمل للتنمية والمرأة الريفية")
    assert page.inner_text("h1") == "جمعية الأمل للتنمية والمرأة الريفية"
    weakest = page.locator("#capacity tbody tr").first
    assert "ضعيف" in weakest.inner_text()
    assert page.locator("#members tr.member").count() == 2
    screenshot(page, "association-ar.png")
