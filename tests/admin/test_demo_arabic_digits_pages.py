"""The admin in Arabic writes its figures, dates and case references in Arabic-Indic digits
(٠١٢٣٤٥٦٧٨٩); in English, and in Arabic when the programme keeps Latin digits, 0-9."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook

from admin.app import create_app
from tests.admin.conftest import PASSWORDS, SECRET, SignIn
from tests.admin.support import AdminSite, StaffClient
from tests.admin.surveydata import nine_residents_answer
from tests.admin.test_demo_me_report import seed_programme_2025
from tests.conftest import EngineFactory
from tests.support.chat import Chat
from tests.support.settings import settings_for_tests

LATIN_NUMBER = re.compile(r"[0-9][0-9.,:/٬٫-]*")
ARABIC_INDIC_DIGIT = re.compile(r"[٠-٩]")
PAGES = ("/", "/report?from=2025-01-01&to=2025-12-31", "/inbox", "/inbox/1")


async def a_complaint(site: AdminSite, make_engine: EngineFactory) -> None:
    amal = Chat(make_engine(site.db, clock=site.clock), user_id=4101, language="ar")
    await amal.onboard("ar")
    await amal.send("/contact")
    await amal.press("⚠️ شكوى")
    await amal.press("لا، شكوى عادية")
    await amal.press("القصرين الشمالية")
    await amal.send("الحاوية أمام المدرسة لا تُفرغ.")
    await amal.press("📨 إرسال")


def latin_numbers(text: str) -> list[str]:
    """Figures written with 0-9 in a page's visible text, except in what staff typed
    themselves: a course called 'الإطار القانوني للجمعيات (المرسوم عدد 88)' keeps its 88."""
    return LATIN_NUMBER.findall(text.replace("(المرسوم عدد 88)", ""))


async def test_the_arabic_dashboard_report_and_inbox_show_arabic_indic_digits(
    site: AdminSite, sign_in: SignIn, make_engine: EngineFactory
) -> None:
    await seed_programme_2025(site.db)
    await a_complaint(site, make_engine)
    staff = await sign_in("karim")
    for path in PAGES:
        response = await staff.open(path)
        assert response.status_code == 200, path
        assert ARABIC_INDIC_DIGIT.search(staff.text), path
        assert latin_numbers(staff.text) == [], path
    await staff.open("/inbox")
    assert "M-٠٠٠٠١" in staff.text
    assert 'href="/inbox/1"' in (staff.page.text if staff.page else "")  # links keep 0-9

    english = await sign_in("amina", lang="en")
    await english.open("/inbox")
    assert "M-00001" in english.text and not ARABIC_INDIC_DIGIT.search(english.text)


async def test_with_latin_digits_kept_the_arabic_pages_show_0_to_9(
    site: AdminSite, make_engine: EngineFactory
) -> None:
    await seed_programme_2025(site.db)
    await a_complaint(site, make_engine)
    settings = settings_for_tests(admin_secret_key=SECRET, latin_digits=True)
    latin_site = AdminSite(
        app=create_app(settings, site.db, clock=site.clock),
        db=site.db,
        clock=site.clock,
        settings=settings,
    )
    staff = StaffClient(latin_site, lang="ar")
    try:
        await staff.sign_in("karim", PASSWORDS["karim"])
        for path in PAGES[1:3]:
            await staff.open(path)
            assert not ARABIC_INDIC_DIGIT.search(staff.text), path
        assert "M-00001" in staff.text
    finally:
        await staff.close()


async def test_spreadsheets_downloaded_from_the_arabic_pages_keep_latin_digits(
    site: AdminSite, sign_in: SignIn
) -> None:
    await seed_programme_2025(site.db)
    await nine_residents_answer(site.db)
    staff = await sign_in("amina")
    priorities = await staff.download("/priorities/export.csv")
    assert priorities.status_code == 200
    text = priorities.content.decode("utf-8-sig")
    assert "المرتبة 1" in text and "أقل من 5" in text and not ARABIC_INDIC_DIGIT.search(text)
    report = await staff.download(
        "/report/report.xlsx", **{"from": "2025-01-01", "to": "2025-12-31"}
    )
    assert report.status_code == 200
    workbook = load_workbook(io.BytesIO(report.content))
    cells = [
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]
    assert cells and not [c for c in cells if ARABIC_INDIC_DIGIT.search(c)]
