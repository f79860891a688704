"""The admin dashboard and the bot's /priorities show the same figures for the same people.

Both call ``storage.priorities.priority_report``; this story reads both screens, as a
coordinator would before a meeting, and compares what they say.
"""

from __future__ import annotations

import re

from bot.engine.engine import Engine
from demo.residents import seed_residents_and_needs_survey
from storage.db import Database
from tests.admin.conftest import SignIn
from tests.admin.support import StaffClient
from tests.support.chat import Chat
from tests.support.given import STAFF_ID, given_staff_team

BOT_LINE = re.compile(r"^(\d)\. (.+) — index ([\d.]+), named by (\d+)% of respondents$")
TABLE_ROW = re.compile(
    r'<tr data-sector="[^"]+">\s*<th scope="row">(.*?)</th>\s*'
    r'<td class="num index">(.*?)</td>\s*<td class="num share">(.*?)</td>',
    re.S,
)


def bot_top(chat: Chat) -> tuple[str, list[tuple[str, str, str]]]:
    text = next(t for t in reversed(chat.texts) if "Community priorities —" in t and "\n" in t)
    respondents = re.search(r"^(\d+) respondents$", text, re.M)
    assert respondents, text
    rows = [m.groups()[1:] for line in text.splitlines() if (m := BOT_LINE.match(line))]
    return respondents.group(1), [(name, index, f"{share}%") for name, index, share in rows]


def dashboard_top(client: StaffClient, count: int) -> tuple[str, list[tuple[str, str, str]]]:
    page = client.page.text  # type: ignore[union-attr]
    respondents = re.search(r"(\d+) respondents ranked the sectors", client.text)
    assert respondents, client.text
    rows = [tuple(cell.strip() for cell in m.groups()) for m in TABLE_ROW.finditer(page)]
    return respondents.group(1), rows[:count]  # type: ignore[return-value]


async def test_the_dashboard_shows_the_numbers_the_bot_gives_for_each_selection(
    engine: Engine, sqlite_db: Database, sign_in: SignIn
) -> None:
    await seed_residents_and_needs_survey(sqlite_db)
    await given_staff_team(sqlite_db)
    chat = Chat(engine, user_id=STAFF_ID, language="en")
    await chat.onboard("en")
    staff = await sign_in("karim", lang="en")

    await chat.send("/priorities")
    await staff.open("/priorities")
    bot_count, bot_rows = bot_top(chat)
    assert bot_count == "400" and len(bot_rows) == 5
    assert dashboard_top(staff, 5) == (bot_count, bot_rows)

    await chat.press("Thala")
    await staff.open("/priorities", district="thala")
    bot_count, bot_rows = bot_top(chat)
    assert bot_count == "45"
    assert dashboard_top(staff, 5) == (bot_count, bot_rows)

    await chat.press("Woman")
    await staff.open("/priorities", district="thala", gender="female")
    bot_count, bot_rows = bot_top(chat)
    assert dashboard_top(staff, 5) == (bot_count, bot_rows)
