"""Staff read the community's priorities in the bot: a chart and the top list."""

from __future__ import annotations

import io
import uuid

from openpyxl import load_workbook

from bot.engine.engine import Engine
from bot.engine.events import Event, EventKind
from bot.features.priorities.chart import priority_chart
from formengine.store import ensure_shipped_form
from storage import surveys
from storage.db import Database
from storage.priorities import SectorPriority
from tests.support.chat import Chat
from tests.support.given import CONSULTANT_ID, STAFF_ID, given_staff_team

PNG = b"\x89PNG\r\n\x1a\n"


async def answers_from(db: Database, district: str, rankings: list[str], gender: str) -> None:
    live = await ensure_shipped_form(db, "needs_survey")
    assert live is not None
    async with db.transaction() as s:
        for ranking in rankings:
            await surveys.submit(
                s,
                surveys.NewSubmission(
                    uuid=str(uuid.uuid4()),
                    form_pk=live.stored.pk,
                    version_pk=live.stored.version_pk,
                    round=live.round,
                    respondent_id=None,
                    one_per_resident=False,
                    answers=[
                        ("district", "select_one", district),
                        ("top_sectors", "rank", ranking),
                        ("specific_needs", "text", '=HYPERLINK("http://evil")'),
                    ],
                    district_code=district,
                    gender=gender,
                ),
            )


async def staff_chat(engine: Engine, sqlite_db: Database, user_id: int) -> Chat:
    await given_staff_team(sqlite_db)
    chat = Chat(engine, user_id=user_id, language="en")
    await chat.onboard("en")
    return chat


async def test_staff_see_a_chart_and_the_top_list_and_can_switch_district(
    engine: Engine, sqlite_db: Database
) -> None:
    await answers_from(
        sqlite_db, "thala", ["water_sanitation health"] * 4 + ["health"] * 2, "female"
    )
    await answers_from(sqlite_db, "sbiba", ["roads_transport"] * 2, "male")
    chat = await staff_chat(engine, sqlite_db, CONSULTANT_ID)
    await chat.send("/priorities")
    photos = [r for r in chat.last if r["kind"] == "photo"]
    assert len(photos) == 1 and photos[0]["size"] > 1000
    assert chat.said("Community priorities — all districts")
    assert chat.said("8 respondents")
    assert chat.said("1. Health — index")
    assert chat.said("Sbiba: fewer than 5 answers")
    await chat.press("Thala")
    assert chat.said("Community priorities — Thala") and chat.said("6 respondents")
    await chat.press("Man")
    assert chat.said("Fewer than 5 answers so far")  # no man answered in Thala
    assert not [r for r in chat.last if r["kind"] == "photo"]


async def test_residents_cannot_read_staff_priorities_or_forge_the_buttons(
    engine: Engine, sqlite_db: Database
) -> None:
    await answers_from(sqlite_db, "thala", ["health"] * 6, "female")
    chat = Chat(engine, user_id=3333, language="en")
    await chat.onboard("en")
    await chat.send("/priorities")
    assert chat.said("This command is only for programme staff.")
    forged = Event(
        3333,
        3333,
        EventKind.BUTTON,
        payload="g:pr:-:-",
        callback_id="f",
        message_id=1,
        update_id=5_000,
    )
    replies = await engine.handle(forged)
    assert [getattr(r.reply, "text", "") for r in replies] == ["This is only for programme staff."]


async def test_forged_filter_values_are_refused(engine: Engine, sqlite_db: Database) -> None:
    chat = await staff_chat(engine, sqlite_db, STAFF_ID)
    for n, payload in enumerate(["g:pr:99:-", "g:pr:-:robot", "g:pr:x"]):
        event = Event(
            chat.user_id,
            chat.user_id,
            EventKind.BUTTON,
            payload=payload,
            callback_id="f",
            message_id=1,
            update_id=6_000 + n,
        )
        replies = await engine.handle(event)
        assert [getattr(r.reply, "text", "") for r in replies] == ["This option is not available."]


async def test_staff_export_the_answers_as_csv_and_xlsx_but_consultants_cannot(
    engine: Engine, sqlite_db: Database
) -> None:
    await answers_from(sqlite_db, "thala", ["health water_sanitation"], "female")
    consultant = await staff_chat(engine, sqlite_db, CONSULTANT_ID)
    await consultant.send("/survey_export")
    assert consultant.said("This command is only for programme staff.")
    staff = Chat(engine, user_id=STAFF_ID, language="en")
    await staff.onboard("en")
    await staff.send("/survey_export")
    files = [r for r in staff.last if r["kind"] == "document"]
    assert [f["filename"] for f in files] == ["needs_survey.csv", "needs_survey.xlsx"]
    assert files[0]["text"] == "needs_survey: 1 submission"
    await staff.send("/survey_export nothing")
    assert staff.said("There is no survey nothing.")


def test_the_chart_is_a_png_in_arabic_and_in_english() -> None:
    sectors = [
        SectorPriority("water", False, 6, 1.0, 15, 83.3, (3, 3, 0)),
        SectorPriority("health", False, 5, 0.8, 10, 55.6, (2, 1, 2)),
        SectorPriority("roads", True, None, None, None, None, None),
    ]
    labels = {"water": "الماء والتطهير", "health": "الصحة", "roads": "الطرقات"}
    for language in ("ar", "en"):
        image = priority_chart(sectors, labels, "أولويات المجتمع — تالة", language)
        assert image.startswith(PNG) and len(image) > 2000


def test_the_xlsx_export_keeps_formulas_as_text() -> None:
    from storage.survey_exports import Column, SurveyTable, to_csv, to_xlsx

    table = SurveyTable(
        "f",
        (Column("q", "q", "text"), Column("n", "n", "integer")),
        (("=1+1", -5), ("@SUM(A1)", 3), ("-2", 1), ("\tx", 2), ("ok", None)),
    )
    rows = to_csv(table).decode("utf-8-sig").splitlines()
    assert rows == ["q,n", "'=1+1,-5", "'@SUM(A1),3", "-2,1", "'\tx,2", "ok,"]
    sheet = load_workbook(io.BytesIO(to_xlsx(table))).active
    assert sheet is not None
    assert sheet["A2"].value == "=1+1" and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == -5
