"""A staff member answers a resident's complaint from the Arabic inbox in headless Chromium."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from storage import broadcasts, cases
from storage.db import Database
from storage.people import User
from tests.browser.conftest import STAFF_LOGIN, AdminServer, run_async, screenshot, sign_in

COMPLAINT = "الطريق إلى المستوصف مليء بالحفر، والسيارات لا تمر بعد المطر."


def _file_a_complaint(server: AdminServer) -> str:
    async def file() -> str:
        db = Database(server.database_url)
        try:
            async with db.transaction() as s:
                resident = await s.scalar(
                    select(User).where(User.consent_at.is_not(None)).order_by(User.id).limit(1)
                )
                assert resident is not None
                case = await cases.create_case(
                    s,
                    request_key="browser-complaint",
                    telegram_id=resident.telegram_id,
                    kind="complaint",
                    text=COMPLAINT,
                    district_code="thala",
                    now=datetime.now(UTC) - timedelta(hours=3),  # the server runs on real time
                )
                return case.reference
        finally:
            await db.dispose()

    return run_async(file)


def _queued_answers(server: AdminServer) -> list[str]:
    async def read() -> list[str]:
        db = Database(server.database_url)
        try:
            async with db.reader() as s:
                rows = await s.scalars(
                    select(broadcasts.Broadcast.text).where(
                        broadcasts.Broadcast.request_key.like("case-reply:%")
                    )
                )
                return list(rows)
        finally:
            await db.dispose()

    return run_async(read)


def test_a_staff_member_answers_a_complaint_from_the_arabic_inbox(
    page: Any, admin_server: AdminServer
) -> None:
    # The reference as the Arabic page and the Arabic resident read it: M-٠٠٠٠١.
    reference = _file_a_complaint(admin_server).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    sign_in(page, STAFF_LOGIN)
    page.click("nav.main >> text=صندوق الرسائل")
    assert page.inner_text("h1") == "صندوق الرسائل: ما يكتبه المقيمون إلى البرنامج"
    assert page.get_attribute("html", "dir") == "rtl"
    row = page.locator("tr.case", has_text=reference)
    assert "⚠️ شكوى" in row.inner_text() and "تالة" in row.inner_text()
    screenshot(page, "inbox-ar.png")

    row.locator("a").click()
    assert COMPLAINT in page.inner_text("#thread")
    page.fill("#reply textarea[name=text]", "شكرًا لك. أبلغنا البلدية وسنعلمك بموعد الإصلاح.")
    page.click("#reply button[type=submit]")
    page.wait_for_load_state()
    assert "ردّك في طريقه إلى المقيم." in page.inner_text("main")
    assert "في انتظار ردّ المقيم" in page.inner_text("#case-status")
    screenshot(page, "inbox-case-ar.png")
    [queued] = _queued_answers(admin_server)
    assert queued.startswith(f"💬 رد البرنامج بخصوص {reference}:")
