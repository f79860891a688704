"""Exports use KoBo's column names: group paths, one 0/1 column per ticked choice, _id..."""

from __future__ import annotations

import csv
import io
import uuid

from openpyxl import load_workbook

from formengine.store import import_xlsform
from storage import surveys
from storage.db import Database
from storage.survey_exports import survey_table, to_csv, to_xlsx
from tests.support.xlsforms import choice_rows, xlsform_bytes

FORM = xlsform_bytes(
    [
        {"type": "begin_group", "name": "household", "label": "Household"},
        {"type": "integer", "name": "members", "label": "Members"},
        {"type": "select_multiple water", "name": "water", "label": "Water"},
        {"type": "end_group", "name": ""},
        {"type": "rank sectors", "name": "top", "label": "Top", "max_ranked": "2"},
        {"type": "note", "name": "bye", "label": "Thanks"},
        {"type": "text", "name": "comment", "label": "Comment"},
    ],
    [
        *choice_rows("water", ("tap", "Tap"), ("well", "Well")),
        *choice_rows("sectors", ("health", "Health"), ("roads", "Roads"), ("jobs", "Jobs")),
    ],
    {"form_id": "wash", "version": "7"},
)


async def test_columns_and_values_follow_kobo(any_db: Database) -> None:
    async with any_db.transaction() as s:
        live, _ = await import_xlsform(s, FORM)
        for n, (members, water, top, comment) in enumerate(
            [("4", "well tap", "roads health", "=cmd|' /C calc'!A0"), ("2", "", "jobs", "")]
        ):
            answers = [("members", "integer", members), ("top", "rank", top)]
            if water:
                answers.append(("water", "select_multiple", water))
            if comment:
                answers.append(("comment", "text", comment))
            await surveys.submit(
                s,
                surveys.NewSubmission(
                    uuid=f"00000000-0000-0000-0000-00000000000{n}",
                    form_pk=live.stored.pk,
                    version_pk=live.stored.version_pk,
                    round=live.round,
                    respondent_id=100 + n,
                    one_per_resident=False,
                    answers=answers,
                    campaign="survey_wash_thala",
                ),
            )
    async with any_db.reader() as s:
        table = await survey_table(s, "wash")
    assert table.header == [
        "household/members",
        "household/water",
        "household/water/tap",
        "household/water/well",
        "top",
        "top/health",
        "top/roads",
        "top/jobs",
        "comment",
        "_id",
        "_uuid",
        "_submission_time",
        "__version__",
        "_round",
        "_campaign",
        "_index",
    ]
    first, second = (dict(zip(table.header, row, strict=True)) for row in table.rows)
    assert first["household/members"] == 4
    assert first["household/water"] == "well tap"
    assert (first["household/water/tap"], first["household/water/well"]) == (1, 1)
    assert first["top"] == "roads health"
    assert (first["top/roads"], first["top/health"], first["top/jobs"]) == (1, 2, None)
    assert first["_uuid"].endswith("0") and first["__version__"] == "7"
    assert first["_campaign"] == "survey_wash_thala" and first["_index"] == 1
    assert second["household/water"] is None and second["household/water/tap"] is None

    rows = list(csv.reader(io.StringIO(to_csv(table).decode("utf-8-sig"))))
    assert rows[1][table.header.index("comment")] == "'=cmd|' /C calc'!A0"
    sheet = load_workbook(io.BytesIO(to_xlsx(table))).active
    assert sheet is not None
    assert [c.value for c in sheet[1]][:3] == [
        "household/members",
        "household/water",
        "household/water/tap",
    ]
    comment = sheet.cell(row=2, column=table.header.index("comment") + 1)
    assert comment.value == "=cmd|' /C calc'!A0" and comment.data_type == "s"


async def test_a_round_can_be_exported_alone(sqlite_db: Database) -> None:
    async with sqlite_db.transaction() as s:
        live, _ = await import_xlsform(s, FORM)
        for round_label in ("2026", "2027"):
            await surveys.submit(
                s,
                surveys.NewSubmission(
                    uuid=str(uuid.uuid4()),
                    form_pk=live.stored.pk,
                    version_pk=live.stored.version_pk,
                    round=round_label,
                    respondent_id=1,
                    one_per_resident=True,
                    answers=[("members", "integer", "3")],
                ),
            )
    async with sqlite_db.reader() as s:
        assert len((await survey_table(s, "wash")).rows) == 2
        assert len((await survey_table(s, "wash", round_label="2027")).rows) == 1


async def test_a_whole_decimal_answer_is_exported_as_it_was_typed(sqlite_db: Database) -> None:
    # An income of 850 dinars (a decimal question) reads 850 in the CSV, not 850.0.
    form = xlsform_bytes(
        [{"type": "decimal", "name": "income", "label": "Income"},
         {"type": "decimal", "name": "litres", "label": "Litres"}],
        settings={"form_id": "income"},
    )  # fmt: skip
    async with sqlite_db.transaction() as s:
        live, _ = await import_xlsform(s, form)
        await surveys.submit(
            s,
            surveys.NewSubmission(
                uuid=str(uuid.UUID(int=7)),
                form_pk=live.stored.pk,
                version_pk=live.stored.version_pk,
                round=live.round,
                respondent_id=7,
                one_per_resident=False,
                answers=[("income", "decimal", "850"), ("litres", "decimal", "62.5")],
            ),
        )
    async with sqlite_db.reader() as s:
        table = await survey_table(s, "income")
    [row] = list(csv.DictReader(io.StringIO(to_csv(table).decode("utf-8-sig"))))
    assert (row["income"], row["litres"]) == ("850", "62.5")
    sheet = load_workbook(io.BytesIO(to_xlsx(table))).active
    assert sheet is not None
    assert [c.value for c in sheet[2]][:2] == [850, 62.5]
