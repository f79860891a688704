"""Forms that pyxform turns into a valid XForm (each checked against the forms in pyxform's
own test suite) import in the bot too: a survey typed into a new workbook's only sheet,
external choices, and the expressions real forms write."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from sqlalchemy import select

from formengine.loader import load_xlsform
from storage import surveys
from storage.db import Database
from storage.survey_exports import survey_table, to_csv
from storage.surveys import ImportOutcome, SurveySubmission
from tests.support.chat import Chat
from tests.support.xlsforms import choice_rows, xlsform_bytes
from tests.test_survey_imports import import_form


def one_sheet_workbook(title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    sheet.append(["type", "name", "label"])
    sheet.append(["text", "street", "Which street do you live in?"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def test_a_survey_typed_into_a_new_workbooks_only_sheet_imports_and_is_answered(
    chat: Chat,
) -> None:
    # 'Sheet1' is what Excel names the first sheet; pyxform reads a lone sheet as the survey.
    db: Database = chat.sim.engine.services.db
    form_id, _outcome = await import_form(db, one_sheet_workbook("Sheet1"), "streets.xlsx")
    assert form_id == "streets"
    await chat.onboard("en")
    await chat.send("/start survey_streets")
    assert chat.said("Which street do you live in?")
    await chat.send("Rue de la Liberté")
    assert chat.said("Rue de la Liberté")


def test_a_lone_choices_sheet_is_still_not_a_survey() -> None:
    from formengine.loader import FormError

    try:
        load_xlsform(one_sheet_workbook("choices"), filename="lists.xlsx")
    except FormError as exc:
        assert "the workbook has no 'survey' sheet" in str(exc.problems[0])
    else:
        raise AssertionError("a workbook holding only a choices sheet was read as a survey")


def workbook_with(sheets: dict[str, list[list[str]]]) -> bytes:
    workbook = Workbook()
    first = True
    for title, rows in sheets.items():
        sheet = workbook.active if first else workbook.create_sheet(title)
        assert sheet is not None
        sheet.title, first = title, False
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


WELLS = workbook_with(
    {
        "survey": [
            ["type", "name", "label", "choice_filter"],
            ["select_one district", "district", "Which district?", ""],
            [
                "select_one_external well",
                "well",
                "Which well do you draw from?",
                "district=${district}",
            ],
        ],
        "choices": [
            ["list_name", "name", "label"],
            ["district", "thala", "Thala"],
            ["district", "sbiba", "Sbiba"],
        ],
        "external_choices": [
            ["list_name", "name", "label", "district"],
            ["well", "ain_zitoun", "Ain Zitoun well", "thala"],
            ["well", "bir_jdid", "Bir Jdid well", "thala"],
            ["well", "oued_sbiba", "Oued Sbiba well", "sbiba"],
        ],
        "settings": [["form_id", "form_title"], ["wells", "Wells"]],
    }
)


async def test_a_resident_picks_from_external_choices_filtered_by_an_earlier_answer(
    chat: Chat,
) -> None:
    # select_one_external reads the external_choices sheet (ODK Collect: itemsets.csv).
    db: Database = chat.sim.engine.services.db
    assert await import_form(db, WELLS, "wells.xlsx") == ("wells", ImportOutcome.CREATED)
    await chat.onboard("en")
    await chat.send("/start survey_wells")
    await chat.press("Sbiba")
    assert chat.said("Which well do you draw from?")
    assert "Oued Sbiba well" in chat.buttons()
    assert "Ain Zitoun well" not in chat.buttons()
    await chat.press("Oued Sbiba well")
    assert chat.said("Please check your answers:")
    await chat.press("✅ Send my answers")
    async with db.reader() as s:
        [submission] = list(await s.scalars(select(SurveySubmission)))
        answers = await surveys.submission_answers(s, submission.id)
    assert answers == {"district": "sbiba", "well": "oued_sbiba"}


HOUSEHOLD = xlsform_bytes(
    [
        {"type": "begin group", "name": "household", "label": "Your household"},
        {"type": "integer", "name": "boys", "label": "How many boys?"},
        {"type": "integer", "name": "girls", "label": "How many girls?"},
        {
            "type": "integer",
            "name": "at_school",
            "label": "How many of them go to school?",
            "constraint": ". <= ../boys + ../girls",
            "constraint_message": "More than your children.",
        },
        {"type": "calculate", "name": "children", "calculation": "../boys + ../girls"},
        {"type": "end group", "name": ""},
        {"type": "note", "name": "total", "label": "${children} children, ${at_school} at school."},
        {"type": "select_one district", "name": "district", "label": "Which district?"},
        {
            "type": "select_one village",
            "name": "village",
            "label": "Which village?",
            "choice_filter": "district = current()/../district",
        },
    ],
    [
        *choice_rows("district", ("thala", "Thala"), ("sbiba", "Sbiba")),
        *choice_rows(
            "village",
            ("bouzguem", "Bouzguem", {"district": "thala"}),
            ("khmouda", "Khmouda", {"district": "sbiba"}),
        ),
    ],
    {"form_id": "household"},
)


async def test_relative_paths_in_a_constraint_a_calculation_and_a_choice_filter_run_as_in_odk(
    chat: Chat,
) -> None:
    db: Database = chat.sim.engine.services.db
    await import_form(db, HOUSEHOLD, "household.xlsx")
    await chat.onboard("en")
    await chat.send("/start survey_household")
    await chat.send("2")
    await chat.send("1")
    await chat.send("4")  # more than ../boys + ../girls
    assert chat.said("More than your children.")
    await chat.send("3")
    assert chat.said("3 children, 3 at school.")  # the calculation climbed out of its question
    await chat.press("Continue ▶")
    await chat.press("Sbiba")
    assert chat.buttons()[:1] == ["Khmouda"] and "Bouzguem" not in chat.buttons()
    await chat.press("Khmouda")
    assert chat.said("Please check your answers:")


LOOPED = xlsform_bytes(
    [
        {"type": "begin loop over toilet", "name": "toilets", "label": "Toilets"},
        {
            "type": "integer",
            "name": "number",
            "label": "How many %(label)s are on the premises?",
        },
        {"type": "end loop", "name": ""},
    ],
    choice_rows("toilet", ("slab", "Pit latrines with a slab"), ("flush", "Flush toilets")),
    {"form_id": "toilets"},
)


async def test_a_loop_asks_its_questions_once_per_choice_and_the_export_keeps_each(
    chat: Chat,
) -> None:
    # begin loop over LIST: pyxform's XForm holds a group per choice (/data/toilets/slab/number)
    db: Database = chat.sim.engine.services.db
    await import_form(db, LOOPED, "toilets.xlsx")
    await chat.onboard("en")
    await chat.send("/start survey_toilets")
    assert chat.said("How many Pit latrines with a slab are on the premises?")
    await chat.send("2")
    assert chat.said("How many Flush toilets are on the premises?")
    await chat.send("1")
    assert chat.said("Please check your answers:")
    await chat.press("✅ Send my answers")
    async with db.reader() as s:
        table = await survey_table(s, "toilets")
    [row] = list(csv.DictReader(io.StringIO(to_csv(table).decode("utf-8-sig"))))
    assert (row["toilets/slab/number"], row["toilets/flush/number"]) == ("2", "1")


TWO_AGES = xlsform_bytes(
    [
        {"type": "begin group", "name": "head", "label": "Head of household"},
        {"type": "integer", "name": "age", "label": "How old is the head of household?"},
        {"type": "end group", "name": ""},
        {"type": "begin group", "name": "spouse", "label": "Spouse"},
        {"type": "integer", "name": "age", "label": "How old is the spouse?"},
        {"type": "end group", "name": ""},
    ],
    settings={"form_id": "two_ages"},
)


async def test_two_groups_asking_a_question_of_the_same_name_keep_both_answers(
    chat: Chat,
) -> None:
    # pyxform accepts head/age beside spouse/age (no ${age} may then read either).
    db: Database = chat.sim.engine.services.db
    await import_form(db, TWO_AGES, "two_ages.xlsx")
    await chat.onboard("en")
    await chat.send("/start survey_two_ages")
    assert chat.said("How old is the head of household?")
    await chat.send("52")
    assert chat.said("How old is the spouse?")
    await chat.send("47")
    assert chat.said("Please check your answers:")
    await chat.press("✅ Send my answers")
    async with db.reader() as s:
        table = await survey_table(s, "two_ages")
    [row] = list(csv.DictReader(io.StringIO(to_csv(table).decode("utf-8-sig"))))
    assert (row["head/age"], row["spouse/age"]) == ("52", "47")


def test_operators_glued_to_numbers_read_as_odk_validate_reads_them() -> None:
    # ODK Validate accepts these XForms (pyxform writes ${age} as /data/age, unspaced).
    from formengine.xpath import evaluate

    assert evaluate("${age}>=18and${age}<60", {"age": "34"}) is True
    assert evaluate("${age}>=18and${age}<60", {"age": "61"}) is False
    assert evaluate("${age} div2", {"age": "34"}) == 17
    assert evaluate("${age}mod5", {"age": "34"}) == 4
    assert evaluate("${age}<18or${age}>60", {"age": "34"}) is False
    assert evaluate("${android} + ${order}", {"android": "3", "order": "1"}) == 4  # names
    form = load_xlsform(
        xlsform_bytes(
            [
                {"type": "integer", "name": "age", "label": "Age"},
                {
                    "type": "text",
                    "name": "job",
                    "label": "Job?",
                    "relevant": "${age}>=18and${age}<60",
                },
                {"type": "calculate", "name": "half", "calculation": "${age} div2"},
            ],
            settings={"form_id": "glued"},
        ),
        filename="glued.xlsx",
    )
    assert [q.name for q in form.asked] == ["age", "job"]


def test_a_loop_label_pyxform_cannot_fill_in_is_refused_with_its_row() -> None:
    from formengine.loader import FormError

    looped = xlsform_bytes(
        [
            {"type": "begin loop over toilet", "name": "toilets", "label": "Toilets"},
            {"type": "integer", "name": "number", "label": "What share (%) of %(label)s?"},
            {"type": "end loop", "name": ""},
        ],
        choice_rows("toilet", ("slab", "Pit latrines with a slab")),
        {"form_id": "toilets"},
    )
    from core.i18n import use_language

    try:
        with use_language("en"):
            load_xlsform(looped, filename="toilets.xlsx")
    except FormError as exc:
        assert "a label of the loop cannot take the choice's label" in str(exc)
    else:
        raise AssertionError("a loop label with a stray % was taken")
