"""An admin manages the team's accounts; the audit log tells who did what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from storage import audit, staff_accounts
from storage.db import Database
from storage.people import Role, StaffMember
from tests.admin.conftest import PASSWORDS, SignIn
from tests.admin.support import AdminSite, StaffClient


async def member_named(site: AdminSite, username: str) -> StaffMember:
    async with site.db.reader() as s:
        member = await staff_accounts.find_login(s, username)
    assert member is not None
    return member


async def test_an_admin_opens_a_login_for_a_new_colleague_who_then_signs_in(
    site: AdminSite, sign_in: SignIn
) -> None:
    admin = await sign_in("amina")
    await admin.open("/users")
    assert "صلاحيات كل دور" in admin.text  # the permission table is on the page
    await admin.submit(
        "/users",
        {
            "display_name": "هند العياري",
            "username": "Hind.A",
            "role": "staff",
            "telegram_id": "٧٧٧٠٠١",
            "password": "hind-first-password",
            "confirm_password": "hind-first-password",
        },
    )
    assert "الحساب hind.a جاهز" in admin.text
    assert "هند العياري" in admin.text
    hind = await member_named(site, "hind.a")
    assert (hind.role, hind.telegram_id, hind.active) == ("staff", 777001, True)

    colleague = StaffClient(site, ip="10.0.0.8")
    await colleague.sign_in("hind.a", "hind-first-password")
    assert "مرحبًا، هند العياري" in colleague.text
    await colleague.close()

    async with site.db.reader() as s:
        changes = await audit.list_entries(s, audit.AuditFilter(action="account"))
    assert [(e.username, e.subject, e.detail) for e in changes] == [
        ("amina", f"staff:{hind.id}", "created hind.a as staff")
    ]


@pytest.mark.parametrize(
    ("field", "value", "complaint"),
    [
        ("username", "x", "يتكوّن اسم الدخول من ثلاثة أحرف"),
        ("username", "karim", "يوجد حساب بهذا الاسم"),
        ("password", "short", "يجب أن تتكوّن كلمة المرور من ١٠ أحرف"),
        ("confirm_password", "something-else", "كلمتا المرور غير متطابقتين"),
        ("telegram_id", "abc", "معرّف تيليغرام عدد موجب"),
    ],
)
async def test_a_new_account_with_a_mistake_is_refused_and_the_form_kept(
    site: AdminSite, sign_in: SignIn, field: str, value: str, complaint: str
) -> None:
    admin = await sign_in("amina")
    await admin.open("/users")
    form = {
        "display_name": "منير",
        "username": "mounir",
        "role": "consultant",
        "password": "mounir-password",
        "confirm_password": "mounir-password",
        field: value,
    }
    response = await admin.submit("/users", form)
    assert response.status_code == 400
    assert complaint in admin.text
    assert 'value="منير"' in response.text  # what was typed is still there
    async with site.db.reader() as s:
        count = len(await staff_accounts.list_staff(s))
    assert count == 3


async def test_the_last_admin_can_neither_be_demoted_nor_switched_off(
    site: AdminSite, sign_in: SignIn
) -> None:
    admin = await sign_in("amina")
    amina = await member_named(site, "amina")
    await admin.open(f"/users/{amina.id}")
    await admin.submit(f"/users/{amina.id}/role", {"role": "staff"})
    assert "يحتاج البرنامج إلى مدير واحد مفعَّل على الأقل" in admin.text
    await admin.submit(f"/users/{amina.id}/active", {"active": "0"})
    assert "يحتاج البرنامج إلى مدير واحد مفعَّل على الأقل" in admin.text
    assert (await member_named(site, "amina")).role == "admin"

    karim = await member_named(site, "karim")
    await admin.open(f"/users/{karim.id}")
    await admin.submit(f"/users/{karim.id}/role", {"role": "admin"})
    assert "تم تغيير الدور" in admin.text
    await admin.submit(f"/users/{amina.id}/role", {"role": "staff"})
    assert (await member_named(site, "amina")).role == "staff"
    # Amina is staff now: user management is closed to her at once.
    assert (await admin.open("/users")).status_code == 403


async def test_a_switched_off_colleague_is_signed_out_at_their_next_click(
    site: AdminSite, sign_in: SignIn
) -> None:
    karim_browser = await sign_in("karim")
    admin = await sign_in("amina")
    karim = await member_named(site, "karim")
    await admin.open(f"/users/{karim.id}")
    await admin.submit(f"/users/{karim.id}/active", {"active": "0"})
    assert "تم إيقاف الحساب" in admin.text

    assert (await karim_browser.open("/")).url.path == "/login"
    again = StaffClient(site)
    await again.open("/login")
    refused = await again.submit("/login", {"username": "karim", "password": PASSWORDS["karim"]})
    assert refused.status_code == 401
    await again.close()

    await admin.open(f"/users/{karim.id}")
    await admin.submit(f"/users/{karim.id}/active", {"active": "1"})
    await karim_browser.sign_in("karim", PASSWORDS["karim"])


async def test_changing_ones_password_signs_out_the_other_browsers(
    site: AdminSite, sign_in: SignIn
) -> None:
    laptop = await sign_in("salma")
    phone = await sign_in("salma")
    await laptop.open("/account")
    wrong = await laptop.submit(
        "/account/password",
        {
            "current_password": "not-my-password",
            "new_password": "salma-new-password",
            "confirm_password": "salma-new-password",
        },
    )
    assert wrong.status_code == 400
    assert "كلمة المرور الحالية غير صحيحة" in laptop.text
    await laptop.submit(
        "/account/password",
        {
            "current_password": PASSWORDS["salma"],
            "new_password": "salma-new-password",
            "confirm_password": "salma-new-password",
        },
    )
    assert "تم تغيير كلمة المرور" in laptop.text
    assert (await laptop.open("/")).url.path == "/"
    assert (await phone.open("/")).url.path == "/login"
    await phone.sign_in("salma", "salma-new-password")


async def test_an_admin_gives_a_bot_only_staff_member_a_login(
    site: AdminSite, sign_in: SignIn
) -> None:
    async with site.db.transaction() as s:
        s.add(StaffMember(telegram_id=9200, display_name="مستشار جديد", role="consultant"))
    admin = await sign_in("amina")
    async with site.db.reader() as s:
        member = await s.scalar(select(StaffMember).where(StaffMember.telegram_id == 9200))
    assert member is not None
    await admin.open(f"/users/{member.id}")
    await admin.submit(
        f"/users/{member.id}/password",
        {
            "username": "nabil",
            "password": "nabil-first-password",
            "confirm_password": "nabil-first-password",
        },
    )
    assert "تم تعيين كلمة المرور الجديدة" in admin.text
    nabil = StaffClient(site)
    await nabil.sign_in("nabil", "nabil-first-password")
    await nabil.close()


async def test_the_audit_log_lists_sign_ins_and_filters_by_person_action_and_day(
    site: AdminSite, sign_in: SignIn, visitor: StaffClient
) -> None:
    await visitor.open("/login")
    await visitor.submit("/login", {"username": "karim", "password": "wrong-password"})
    site.clock.advance(timedelta(days=1))
    await sign_in("salma")
    admin = await sign_in("amina")

    await admin.open("/audit")
    assert "٣ قيود" in admin.text
    await admin.open("/audit", action="login_failed")
    assert "قيد واحد" in admin.text and "محاولة دخول فاشلة" in admin.text
    await admin.open("/audit", username="salma")
    assert "قيد واحد" in admin.text
    await admin.open("/audit", start="2026-03-02", end="٢٠٢٦-٠٣-٠٢")  # Arabic digits too
    assert "قيد واحد" in admin.text
    await admin.open("/audit", start="2026-03-03", end="2026-03-03")
    assert "قيدان" in admin.text


async def test_two_admins_demoting_each_other_leave_one_admin(any_db: Database) -> None:
    async with any_db.transaction() as s:
        first = StaffMember(username="one", role=Role.ADMIN.value)
        second = StaffMember(username="two", role=Role.ADMIN.value)
        s.add_all([first, second])
    async with any_db.transaction() as s:
        member = await staff_accounts.find_login(s, "one")
        assert member is not None
        await staff_accounts.change_role(s, member, Role.STAFF)
    with pytest.raises(staff_accounts.LastAdminError):
        async with any_db.transaction() as s:
            member = await staff_accounts.find_login(s, "TWO")
            assert member is not None
            await staff_accounts.set_active(s, member, False)
    async with any_db.reader() as s:
        assert await staff_accounts.count_active_admins(s) == 1
