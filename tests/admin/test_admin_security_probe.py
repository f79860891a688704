"""What a security probe tried against the admin app, as stories; each failed before."""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from admin import security
from admin.pages import auth
from storage import audit
from tests.admin.conftest import PASSWORDS, SignIn
from tests.admin.peopledata import Person, add_volunteers
from tests.admin.support import AdminSite, StaffClient


async def audit_entries(site: AdminSite) -> list[audit.AuditEntry]:
    async with site.db.reader() as s:
        return list(await audit.list_entries(s, audit.AuditFilter(), limit=10_000))


async def test_forty_wrong_passwords_at_once_get_at_most_five_checks(
    site: AdminSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked = 0
    real_check = security.check_password

    def counting_check(password_hash: str | None, password: str) -> bool:
        nonlocal checked
        checked += 1
        return real_check(password_hash, password)

    monkeypatch.setattr(security, "check_password", counting_check)
    guessers = [StaffClient(site, ip="192.0.2.10") for _ in range(40)]
    await asyncio.gather(*(g.open("/login") for g in guessers))
    answers = await asyncio.gather(
        *(
            g.submit("/login", {"username": "karim", "password": f"guess-{n}"})
            for n, g in enumerate(guessers)
        )
    )
    for guesser in guessers:
        await guesser.close()
    assert checked <= 5
    assert sorted({a.status_code for a in answers}) == [401, 429]


async def test_a_copied_cookie_stops_working_after_sign_out(
    site: AdminSite, sign_in: SignIn
) -> None:
    amina = await sign_in("amina")
    stolen = StaffClient(site)
    stolen.http.cookies.update(amina.http.cookies)
    assert (await stolen.open("/audit")).url.path == "/audit"

    await amina.open("/")
    await amina.submit("/logout")
    assert (await stolen.open("/audit")).url.path == "/login"
    await stolen.close()


async def test_a_new_password_ends_the_other_sessions_and_keeps_this_one(
    site: AdminSite, sign_in: SignIn
) -> None:
    laptop = await sign_in("karim")
    phone = await sign_in("karim")
    await laptop.open("/account")
    await laptop.submit(
        "/account/password",
        {
            "current_password": PASSWORDS["karim"],
            "new_password": "a-brand-new-passphrase",
            "confirm_password": "a-brand-new-passphrase",
        },
    )
    assert (await laptop.open("/")).url.path == "/"
    assert (await phone.open("/")).url.path == "/login"


@pytest.mark.parametrize(
    "password",
    ["aaaaaaaaaaaa", "            ", "1234567890", "Password123", "qwertyuiop"],
)
async def test_weak_passwords_are_refused_even_when_long_enough(
    site: AdminSite, sign_in: SignIn, password: str
) -> None:
    karim = await sign_in("karim")
    await karim.open("/account")
    response = await karim.submit(
        "/account/password",
        {
            "current_password": PASSWORDS["karim"],
            "new_password": password,
            "confirm_password": password,
        },
    )
    assert response.status_code == 400
    assert auth.password_problem(password, password) is not None
    assert auth.password_problem("a-brand-new-passphrase", "a-brand-new-passphrase") is None


async def test_five_wrong_passwords_from_one_address_do_not_lock_the_owner_out(
    site: AdminSite,
) -> None:
    attacker = StaffClient(site, ip="203.0.113.5")
    await attacker.open("/login")
    for n in range(6):
        await attacker.submit("/login", {"username": "karim", "password": f"guess-{n}"})
    assert attacker.page is not None and attacker.page.status_code == 429
    await attacker.close()

    karim = StaffClient(site, ip="10.0.0.20")  # at the office, a minute later
    site.clock.advance(timedelta(minutes=1))
    await karim.sign_in("karim", PASSWORDS["karim"])
    await karim.close()


async def test_guessing_from_many_addresses_slows_the_name_down_but_never_for_long(
    site: AdminSite,
) -> None:
    for n in range(12):
        attacker = StaffClient(site, ip=f"198.51.100.{n}")
        await attacker.open("/login")
        await attacker.submit("/login", {"username": "karim", "password": f"guess-{n}"})
        await attacker.close()
    karim = StaffClient(site, ip="10.0.0.21")
    await karim.open("/login")
    slowed = await karim.submit("/login", {"username": "karim", "password": PASSWORDS["karim"]})
    assert slowed.status_code == 429  # spaced out...
    site.clock.advance(security.LoginLimits().longest_backoff)  # ...by minutes, not a quarter hour
    await karim.sign_in("karim", PASSWORDS["karim"])
    await karim.close()


async def test_strangers_cannot_grow_the_audit_log_or_its_filter(site: AdminSite) -> None:
    guesser = StaffClient(site, ip="192.0.2.77")
    await guesser.open("/login")
    for n in range(200):
        await guesser.submit("/login", {"username": f"intruder{n % 3}", "password": "x" * 12})
    await guesser.close()
    entries = await audit_entries(site)
    refused = [e for e in entries if e.action == audit.AuditAction.LOGIN_BLOCKED.value]
    failed = [e for e in entries if e.action == audit.AuditAction.LOGIN_FAILED.value]
    assert len(failed) == 3 * 5  # five checked guesses per name from this address
    assert len(refused) == 3  # the other 185 refusals add to one entry per name
    assert sum(e.record_count or 0 for e in refused) == 200 - 15
    async with site.db.reader() as s:
        assert await audit.known_usernames(s) == ["amina", "karim", "salma"]


async def test_past_the_hourly_cap_failed_sign_ins_add_to_one_entry(
    site: AdminSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(auth, "AUDIT_ENTRIES_PER_HOUR", 5)
    for n in range(12):  # a botnet: every attempt from a new address and name
        guesser = StaffClient(site, ip=f"100.64.0.{n}")
        await guesser.open("/login")
        await guesser.submit("/login", {"username": f"bot{n}", "password": "y" * 12})
        await guesser.close()
    failed = [
        e for e in await audit_entries(site) if e.action == audit.AuditAction.LOGIN_FAILED.value
    ]
    assert len(failed) == 6 and max(e.record_count or 0 for e in failed) == 7


async def test_a_control_character_in_a_name_does_not_break_the_exports(
    site: AdminSite, sign_in: SignIn
) -> None:
    await add_volunteers(site.db, Person(5001, "Sami\x01 Trabelsi\x0b", "+21698301122"))
    staff = await sign_in("karim")
    workbook = await staff.download("/volunteers/export.xlsx")
    assert workbook.status_code == 200
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    assert sheet is not None and sheet.cell(row=2, column=1).value == "Sami Trabelsi"


@pytest.mark.parametrize(
    "path",
    [
        "/consultations?week=0001-01-01",
        "/consultations?week=9999-12-27",
        "/audit?page=99999999999999999999",
        "/report?from=0001-01-01&to=9999-12-31",
        "/users/12345678901234567890",
        "/associations/12345678901234567890",
        "/trainings/sessions/12345678901234567890",
        "/broadcasts/12345678901234567890",
    ],
)
async def test_out_of_range_addresses_get_the_translated_400_page(
    sign_in: SignIn, path: str
) -> None:
    amina = await sign_in("amina")
    page = await amina.open(path)
    assert page.status_code == 400, path
    assert "لا يمكن قراءة هذا العنوان" in amina.text


async def test_a_huge_page_number_shows_the_last_page(sign_in: SignIn) -> None:
    amina = await sign_in("amina")
    page = await amina.open("/audit?page=999999999")
    assert page.status_code == 200


async def test_a_failure_inside_gets_a_plain_500_page_with_the_security_headers(
    site: AdminSite, sign_in: SignIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    amina = await sign_in("amina")

    async def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(audit, "count_entries", broken)
    response = await amina.open("/audit")
    assert response.status_code == 500
    assert "حدث خطأ" in response.text
    assert response.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in response.headers["content-security-policy"]


async def test_a_control_character_in_a_trainees_name_does_not_break_the_roster_export(
    site: AdminSite, sign_in: SignIn
) -> None:
    from tests.admin import test_training_rosters as rosters

    people = [*rosters.PEOPLE]
    people[0] = (6101, "سلوى\x01 الهمامي\x1f", "female")  # stored before input was cleaned
    original, rosters.PEOPLE = rosters.PEOPLE, people
    try:
        session_id = await rosters.governance_session(site)
    finally:
        rosters.PEOPLE = original
    staff = await sign_in("karim")
    workbook = await staff.download(f"/trainings/sessions/{session_id}/roster.xlsx")
    assert workbook.status_code == 200
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    assert sheet is not None
    names = [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value]
    assert "سلوى الهمامي" in names


def test_control_characters_typed_by_a_resident_are_dropped_at_input() -> None:
    from core.textinput import clean_text

    assert clean_text("Sami\x01 Trabelsi\x0b", 100) == "Sami Trabelsi"
    assert clean_text("\x07\x1b", 100) is None  # nothing left: asked again, nothing stored
