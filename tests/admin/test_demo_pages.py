"""The demo programme's admin pages: what a newcomer sees after `musharaka admin --demo`."""

from __future__ import annotations

from datetime import UTC, datetime

from demo.associations import seed_associations, seed_more_associations
from demo.courses import seed_courses
from demo.volunteers import seed_more_volunteers, seed_volunteers
from tests.admin.conftest import SignIn
from tests.admin.support import AdminSite
from tests.admin.test_associations_page import section
from tests.admin.test_volunteers_directory import names_on

MARCH_2026 = datetime(2026, 3, 1, tzinfo=UTC)


async def test_the_demo_associations_page_has_ten_associations_to_plan_trainings_for(
    site: AdminSite, sign_in: SignIn
) -> None:
    await seed_courses(site.db, MARCH_2026)
    await seed_associations(site.db, MARCH_2026)
    await seed_more_associations(site.db)
    await seed_more_associations(site.db)  # idempotent
    staff = await sign_in("karim")
    page = await staff.open("/associations")
    assert section(page.text, "associations").count("<tr data-association=") == 10
    figures = section(page.text, "association-figures", "</ul>")
    assert "<strong>٩</strong>" in figures  # one has not assessed itself yet
    needs = section(page.text, "training-needs")
    assert needs.split('data-domain="', 1)[1].startswith("me")  # M&E is what most lack


async def test_the_demo_directory_holds_about_a_hundred_volunteers_on_two_pages(
    site: AdminSite, sign_in: SignIn
) -> None:
    await seed_volunteers(site.db, MARCH_2026)
    await seed_more_volunteers(site.db)
    await seed_more_volunteers(site.db)  # idempotent
    staff = await sign_in("karim")
    page = await staff.open("/volunteers")
    assert len(names_on(page.text)) == 50
    assert "الصفحة ١ من ٢" in staff.text
    counts = page.text.split('id="volunteer-counts"', 1)[1].split("</ul>", 1)[0]
    assert "<strong>١٠٠</strong>" in counts
    french_in_thala = await staff.open("/volunteers", district="thala", language="fr")
    assert 2 <= len(names_on(french_in_thala.text)) < 12
