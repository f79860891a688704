"""Issue 11, item 2, beyond the broadcast sent now: a staff member *demoted* (not only switched
off) part-way cannot schedule the broadcast they began, nor open or renew a session's check-in
code from the buttons drawn while they were still staff. The role is read when they act."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from core.clock import FixedClock
from core.i18n import translate
from storage import people, trainings
from storage.broadcasts import Broadcast
from storage.db import Database
from tests.conftest import EngineFactory
from tests.support.broadcasts import add_residents
from tests.support.chat import Chat
from tests.support.given import given_places
from tests.support.training_data import make_session

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
STAFF = 9001


def t(message: str) -> str:
    return translate("en", message)


async def set_role(db: Database, role: people.Role) -> None:
    async with db.transaction() as s:  # an admin changes her role in the admin app
        member = await s.scalar(select(people.StaffMember))
        assert member is not None
        member.role = role.value


async def staff_member(db: Database) -> None:
    await given_places(db)
    async with db.transaction() as s:
        await people.add_staff(s, role=people.Role.STAFF, telegram_id=STAFF, display_name="Nadia")


async def test_a_staff_member_demoted_to_consultant_cannot_schedule_the_broadcast_she_began(
    sqlite_db: Database, make_engine: EngineFactory
) -> None:
    await staff_member(sqlite_db)
    await add_residents(sqlite_db, range(100, 110), district="thala")
    nadia = Chat(make_engine(sqlite_db, clock=FixedClock(NOW)), user_id=STAFF, language="en")
    await nadia.send("/broadcast")
    await nadia.send("Workshop on Saturday at the youth centre.")
    await nadia.press("No photo")
    await nadia.press("Everyone")
    await nadia.press(t("🕒 Send later"))

    await set_role(sqlite_db, people.Role.CONSULTANT)

    await nadia.press(t("Tomorrow at 09:00"))
    assert nadia.said(t("This is only for programme staff."))
    async with sqlite_db.reader() as s:
        assert list(await s.scalars(select(Broadcast))) == []


async def test_a_trainer_demoted_after_opening_check_in_cannot_renew_close_or_show_the_code(
    sqlite_db: Database, make_engine: EngineFactory
) -> None:
    await staff_member(sqlite_db)
    session_id = await make_session(sqlite_db, starts_at=NOW + timedelta(hours=1))
    nadia = Chat(make_engine(sqlite_db, clock=FixedClock(NOW)), user_id=STAFF, language="en")
    await nadia.send("/checkin")
    [session_button] = nadia.buttons()
    await nadia.press(session_button)
    assert nadia.said("Check-in code:")
    code = await checkin_code(sqlite_db, session_id)
    assert code

    await set_role(sqlite_db, people.Role.CONSULTANT)
    for label in ("Refresh", "New code", "Close check-in"):
        await nadia.press(t(label))
        assert nadia.texts == [t("This is only for programme staff.")], label
    assert await checkin_code(sqlite_db, session_id) == code  # neither renewed nor closed


async def checkin_code(db: Database, session_id: int) -> str | None:
    async with db.reader() as s:
        session = await s.get(trainings.TrainingSession, session_id)
        assert session is not None
        return session.checkin_code
