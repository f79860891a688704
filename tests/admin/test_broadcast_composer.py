"""A coordinator announces a workshop from the admin module: writes it, picks who gets it
(seeing how many people that is), checks it, schedules it and watches it go out."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from storage import audit, broadcasts, people
from storage.broadcasts import Broadcast
from storage.db import Database
from tests.admin.conftest import SignIn
from tests.admin.support import AdminSite

WORKSHOP = "ورشة حول كتابة المقترحات يوم السبت 7 مارس بفرع القصرين، الساعة التاسعة صباحًا."


async def residents(db: Database) -> None:
    """12 people in Thala (one turned announcements off), 8 in Sbiba, 3 French speakers."""
    async with db.transaction() as s:
        for number in range(20):
            telegram_id = 40_000 + number
            user = await people.ensure_user(s, telegram_id, language="fr" if number < 3 else "ar")
            user.district_code = "thala" if number < 12 else "sbiba"
            await people.record_consent(s, telegram_id)
            if number == 11:
                user.announcements_enabled = False


async def test_a_coordinator_schedules_a_workshop_announcement_for_thala(
    site: AdminSite, sign_in: SignIn
) -> None:
    await residents(site.db)
    staff = await sign_in("karim")
    await staff.open("/broadcasts")
    assert "١٩ شخصًا سيتلقّونه" in staff.text  # everyone but the one who opted out
    count = await staff.download("/broadcasts/audience", kind="districts", values="thala")
    assert count.json() == {"count": 11, "text": "١١ شخصًا سيتلقّونه."}
    nobody = await staff.download("/broadcasts/audience", kind="districts")
    assert nobody.json()["count"] == 0

    form = {
        "text": WORKSHOP,
        "kind": "districts",
        "values": "thala",
        "when": "later",
        "day": "2026-03-04",
        "clock": "18:00",
        "key": "a" * 32,
    }
    await staff.submit("/broadcasts/preview", form)
    assert WORKSHOP in staff.text
    audience = staff.page.text.split('id="preview-audience">', 1)[1].split("<", 1)[0]  # type: ignore[union-attr]
    assert audience.endswith(": تالة")
    assert "١١ شخصًا سيتلقّونه." in staff.text
    assert "الأربعاء" in staff.text  # 4 March 2026, 18:00 programme time
    scheduled = await staff.submit("/broadcasts", form)
    assert scheduled.url.path.startswith("/broadcasts/")
    assert "تمت جدولة الإعلان" in staff.text
    await staff.submit("/broadcasts", form)  # the same draft again: still one announcement

    async with site.db.reader() as s:
        stored = list(await s.scalars(select(Broadcast)))
        logged = await audit.list_entries(s, audit.AuditFilter(action="broadcast"))
    assert len(stored) == 1
    broadcast = stored[0]
    assert broadcast.text == WORKSHOP
    assert broadcast.audience == {"kind": "districts", "values": ["thala"]}
    assert broadcast.send_at.isoformat() == "2026-03-04T17:00:00+00:00"  # 18:00 in Tunis
    assert broadcast.status == "scheduled" and broadcast.created_by == 9101
    assert [(e.username, e.record_count) for e in logged][-1] == ("karim", 11)


async def test_mistakes_are_explained_and_nothing_is_scheduled(
    site: AdminSite, sign_in: SignIn
) -> None:
    await residents(site.db)
    staff = await sign_in("karim", lang="en")
    await staff.open("/broadcasts")
    cases = [
        ({"text": "   "}, "Write the announcement."),
        ({"kind": "districts"}, "Choose at least one district or language."),
        ({"when": "later", "day": "2026-03-01", "clock": "09:00"}, "already passed"),
        ({"when": "later", "day": "2026-09-01", "clock": "09:00"}, "next three months"),
        ({"when": "later", "day": "", "clock": ""}, "Give the day and the time"),
        ({"text": "x" * 4097}, "at most 4,096 characters"),
    ]
    for change, complaint in cases:
        form = {"text": WORKSHOP, "kind": "everyone", "when": "now", **change}
        response = await staff.submit("/broadcasts", form)
        assert response.status_code == 400, change
        assert complaint in staff.text, change
        await staff.open("/broadcasts")
    async with site.db.reader() as s:
        assert await s.scalar(select(func.count(Broadcast.id))) == 0


async def test_the_progress_page_follows_the_sending_and_can_stop_it(
    site: AdminSite, sign_in: SignIn
) -> None:
    await residents(site.db)
    staff = await sign_in("karim", lang="en")
    await staff.open("/broadcasts")
    await staff.submit("/broadcasts", {"text": WORKSHOP, "kind": "languages", "values": "fr"})
    assert staff.page is not None
    number = int(staff.page.url.path.rsplit("/", 1)[1])
    # The bot's sender launches it and delivers two of the three messages.
    now = site.clock.now()
    async with site.db.transaction() as s:
        assert await broadcasts.launch(s, number, now) == 3
    async with site.db.transaction() as s:
        claimed = await broadcasts.claim(
            s, worker="w", now=now, lease=timedelta(minutes=1), limit=2
        )
    async with site.db.transaction() as s:
        for row in claimed:
            await broadcasts.record_sent(s, row.id, worker="w", now=now, message_id=1)

    progress = await staff.download(f"/broadcasts/{number}/progress")
    assert progress.json() == {
        "status": "sending",
        "status_text": "sending",
        "recipients": 3,
        "sent": 2,
        "failed": 0,
        "skipped": 0,
        "remaining": 1,
        "percent": 67,
        "finished": False,
    }
    await staff.open(f"/broadcasts/{number}")
    assert 'data-field="sent">2<' in staff.page.text  # type: ignore[union-attr]
    await staff.submit(f"/broadcasts/{number}/cancel")
    assert "Announcement #1 is stopped." in staff.text
    final = (await staff.download(f"/broadcasts/{number}/progress")).json()
    assert (final["status"], final["sent"], final["skipped"], final["finished"]) == (
        "cancelled", 2, 1, True,
    )  # fmt: skip


async def test_a_consultant_cannot_send_announcements(site: AdminSite, sign_in: SignIn) -> None:
    consultant = await sign_in("salma")
    assert (await consultant.open("/broadcasts")).status_code == 403
    await consultant.open("/")
    refused = await consultant.submit("/broadcasts", {"text": WORKSHOP, "kind": "everyone"})
    assert refused.status_code == 403
