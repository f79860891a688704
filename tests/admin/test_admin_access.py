"""Who gets in, and what each role may reach: sign-in, sessions, CSRF, roles, rate limit."""

from __future__ import annotations

from datetime import timedelta

import itsdangerous
import pytest
from sqlalchemy import select

from admin.app import InsecureSecretError, create_app
from core.config import DEFAULT_ADMIN_SECRET
from storage import audit
from storage.people import StaffMember
from tests.admin.conftest import PASSWORDS, SignIn
from tests.admin.support import AdminSite, StaffClient
from tests.support.settings import settings_for_tests


async def audit_actions(site: AdminSite) -> list[tuple[str, str]]:
    async with site.db.reader() as s:
        entries = await audit.list_entries(s, audit.AuditFilter(), limit=1000)
    return [(e.action, e.username) for e in reversed(entries)]


async def test_a_visitor_is_sent_to_the_arabic_sign_in_page_and_comes_back_after(
    visitor: StaffClient,
) -> None:
    page = await visitor.open("/audit")
    assert page.url.path == "/login"
    assert 'dir="rtl"' in page.text and 'lang="ar"' in page.text
    assert "تسجيل الدخول" in visitor.text

    response = await visitor.submit(
        "/login",
        {"username": "Amina", "password": PASSWORDS["amina"], "next": "/audit"},
    )
    assert response.url.path == "/audit"
    assert "سجل التدقيق" in visitor.text


async def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(
    site: AdminSite, visitor: StaffClient
) -> None:
    await visitor.open("/login")
    wrong_password = await visitor.submit(
        "/login", {"username": "karim", "password": "not-the-password"}
    )
    message_for_wrong_password = visitor.text
    assert wrong_password.status_code == 401
    unknown_name = await visitor.submit("/login", {"username": "nobody", "password": "whatever1"})
    assert unknown_name.status_code == 401
    assert "اسم الدخول أو كلمة المرور غير صحيحة" in message_for_wrong_password
    assert "اسم الدخول أو كلمة المرور غير صحيحة" in visitor.text
    assert await audit_actions(site) == [("login_failed", "karim"), ("login_failed", "nobody")]
    home = await visitor.open("/")
    assert home.url.path == "/login"


async def test_after_five_failed_attempts_even_the_right_password_waits_fifteen_minutes(
    site: AdminSite, visitor: StaffClient
) -> None:
    await visitor.open("/login")
    for attempt in range(5):
        site.clock.advance(timedelta(seconds=30))
        await visitor.submit("/login", {"username": "karim", "password": f"guess-{attempt}"})
    refused = await visitor.submit("/login", {"username": "karim", "password": PASSWORDS["karim"]})
    assert refused.status_code == 429
    assert "محاولات فاشلة كثيرة" in visitor.text
    assert refused.url.path == "/login"

    # Another account from another address is not affected.
    other = StaffClient(site, ip="10.0.0.99")
    await other.sign_in("amina", PASSWORDS["amina"])
    await other.close()

    site.clock.advance(timedelta(minutes=15))
    await visitor.open("/login")
    accepted = await visitor.submit("/login", {"username": "karim", "password": PASSWORDS["karim"]})
    assert accepted.status_code == 200 and accepted.url.path == "/"
    actions = [action for action, _ in await audit_actions(site)]
    assert actions.count("login_failed") == 5
    assert actions.count("login_blocked") == 1


async def test_one_address_guessing_many_names_is_slowed_down_too(site: AdminSite) -> None:
    guesser = StaffClient(site, ip="192.0.2.66")
    await guesser.open("/login")
    for number in range(30):
        await guesser.submit("/login", {"username": f"user{number}", "password": "123456789"})
    refused = await guesser.submit("/login", {"username": "amina", "password": PASSWORDS["amina"]})
    assert refused.status_code == 429
    await guesser.close()


@pytest.mark.parametrize("username", ["karim", "salma"])
async def test_staff_without_the_admin_role_cannot_reach_user_management_or_the_audit_log(
    site: AdminSite, sign_in: SignIn, username: str
) -> None:
    member = await sign_in(username)
    home = await member.open("/")
    assert home.status_code == 200
    assert 'href="/users"' not in home.text and 'href="/audit"' not in home.text

    for path in ("/users", "/users/1", "/audit"):
        page = await member.open(path)
        assert page.status_code == 403, path
        assert "غير مسموح" in member.text

    await member.open("/")
    created = await member.submit(
        "/users",
        {
            "username": "intruder",
            "role": "admin",
            "password": "intruder-password",
            "confirm_password": "intruder-password",
        },
    )
    assert created.status_code == 403
    promoted = await member.submit("/users/2/role", {"role": "admin"})
    assert promoted.status_code == 403
    async with site.db.reader() as s:
        roles = dict((await s.execute(select(StaffMember.username, StaffMember.role))).all())
    assert roles == {"amina": "admin", "karim": "staff", "salma": "consultant"}


async def test_a_hand_edited_address_gets_a_page_in_arabic_not_an_error_dump(
    sign_in: SignIn,
) -> None:
    admin = await sign_in("amina")
    page = await admin.open("/audit?page=abc")
    assert page.status_code == 400
    assert "لا يمكن قراءة هذا العنوان" in admin.text
    assert "int_parsing" not in admin.text


async def test_a_form_without_the_sites_csrf_token_changes_nothing(
    site: AdminSite, sign_in: SignIn
) -> None:
    admin = await sign_in("amina")
    await admin.open("/users")
    form = {
        "username": "forged",
        "role": "admin",
        "password": "forged-password",
        "confirm_password": "forged-password",
    }
    no_token = await admin.submit("/users", form, with_csrf=False)
    assert no_token.status_code == 403
    assert "انتهت صلاحية هذا النموذج" in admin.text
    forged = await admin.http.post("/users", data={**form, "csrf_token": "x" * 43})
    assert forged.status_code == 403
    async with site.db.reader() as s:
        assert await s.scalar(select(StaffMember).where(StaffMember.username == "forged")) is None


async def test_the_sign_in_form_needs_its_token_too(visitor: StaffClient) -> None:
    response = await visitor.http.post(
        "/login", data={"username": "amina", "password": PASSWORDS["amina"]}
    )
    assert response.status_code == 403


async def test_a_session_ends_after_two_idle_hours_and_after_twelve_hours_in_all(
    site: AdminSite, sign_in: SignIn
) -> None:
    member = await sign_in("karim")
    for _ in range(6):  # busy all day: a request every 110 minutes keeps the session
        site.clock.advance(timedelta(minutes=110))
        assert (await member.open("/")).url.path == "/"
    site.clock.advance(timedelta(minutes=110))  # 12h50 after signing in
    assert (await member.open("/")).url.path == "/login"

    again = await sign_in("karim")
    site.clock.advance(timedelta(minutes=121))
    assert (await again.open("/")).url.path == "/login"


async def test_a_cookie_signed_with_another_key_is_not_a_session(
    site: AdminSite, visitor: StaffClient
) -> None:
    import base64
    import json

    payload = base64.b64encode(json.dumps({"staff_id": 1, "since": 0, "seen": 0}).encode())
    forged = itsdangerous.TimestampSigner("guessed-key").sign(payload).decode()
    visitor.http.cookies.set("musharaka_admin", forged)
    assert (await visitor.open("/users")).url.path == "/login"


async def test_after_signing_in_nobody_is_sent_to_another_site(visitor: StaffClient) -> None:
    await visitor.open("/login")
    response = await visitor.http.post(
        "/login",
        data={
            "username": "amina",
            "password": PASSWORDS["amina"],
            "next": "//evil.example/phish",
            "csrf_token": visitor.csrf(),
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = response.headers["set-cookie"].lower()
    assert "musharaka_admin=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    switch = await visitor.http.get("/language/en", params={"next": "https://evil.example/"})
    assert switch.headers["location"] == "/"


async def test_signing_out_ends_the_session(site: AdminSite, sign_in: SignIn) -> None:
    member = await sign_in("salma")
    await member.open("/")
    await member.submit("/logout")
    assert member.page is not None and member.page.url.path == "/login"
    assert "تم تسجيل خروجك" in member.text
    assert (await member.open("/")).url.path == "/login"
    assert ("logout", "salma") in await audit_actions(site)


async def test_pages_forbid_framing_and_are_never_cached(sign_in: SignIn) -> None:
    member = await sign_in("karim")
    page = await member.open("/")
    assert page.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"


def test_the_app_will_not_sign_sessions_with_the_published_default_key() -> None:
    with pytest.raises(InsecureSecretError):
        create_app(settings_for_tests(admin_secret_key=DEFAULT_ADMIN_SECRET))
    with pytest.raises(InsecureSecretError):
        create_app(settings_for_tests(admin_secret_key="short"))
    assert create_app(settings_for_tests(admin_secret_key=DEFAULT_ADMIN_SECRET), demo=True)


async def test_the_language_switch_turns_the_page_english_and_left_to_right(
    sign_in: SignIn,
) -> None:
    member = await sign_in("karim")
    await member.open("/")
    assert 'dir="rtl"' in member.page.text  # type: ignore[union-attr]
    page = await member.open("/language/en", next="/")
    assert page.url.path == "/"
    assert '<html lang="en" dir="ltr">' in page.text
    assert "Overview" in member.text and "Sign out" in member.text


async def test_static_files_are_served(visitor: StaffClient) -> None:
    css = await visitor.http.get("/static/admin.css")
    assert css.status_code == 200 and "margin-inline-start" in css.text
