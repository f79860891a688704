"""A staff member uses the admin module in headless Chromium."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import ADMIN_LOGIN, STAFF_LOGIN, screenshot, sign_in


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
