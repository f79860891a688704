"""Importing forms as programme officers really save them: without a form_id, with a form_id
that has spaces or Arabic in it, as an old .xls body behind an .xlsx name; and a second form
that would take the place of a live one behind the same link."""

from __future__ import annotations

import pytest

from formengine.loader import FormError, load_xlsform
from formengine.model import START_PARAMETER_MAX, form_slug, start_parameter
from formengine.store import ReplaceRefused, import_xlsform
from storage import surveys
from storage.db import Database
from storage.surveys import ImportOutcome
from tests.support.chat import Chat
from tests.support.xlsforms import Row, choice_rows, xls_bytes, xlsform_bytes

YES_NO = choice_rows("yn", ("yes", "Yes"), ("no", "No"))
DISTRICTS = choice_rows("district", ("thala", "Thala"), ("kasserine_north", "Kasserine North"))


def one_question(label: str, settings: Row | None = None) -> bytes:
    return xlsform_bytes(
        [{"type": "select_one yn", "name": "answer", "label": label, "required": "yes"}],
        YES_NO,
        settings,
    )


WATER = one_question("Does your street have a working tap?")
SCHOOL = one_question("Is the school open every day?")


async def import_form(
    db: Database, data: bytes, filename: str, *, replace: bool = False
) -> tuple[str, ImportOutcome]:
    async with db.transaction() as s:
        live, outcome = await import_xlsform(s, data, filename=filename, replace=replace)
    return live.form_id, outcome


def db_of(chat: Chat) -> Database:
    return chat.sim.engine.services.db


async def answer_yes_and_send(chat: Chat) -> None:
    await chat.press("Yes")
    await chat.press("✅ Send my answers")
    assert chat.said("Thank you! Your answers were received.")


# --- item 2: forms without form_id ---------------------------------------------------------


async def test_two_forms_without_form_id_each_keep_their_own_link(chat: Chat) -> None:
    db = db_of(chat)
    assert await import_form(db, WATER, "water_points.xlsx") == (
        "water_points",
        ImportOutcome.CREATED,
    )
    assert await import_form(db, SCHOOL, "School visits.xlsx") == (
        "School_visits",
        ImportOutcome.CREATED,
    )
    await chat.onboard("en")
    await chat.send("/start survey_water_points")
    assert chat.said("Does your street have a working tap?")
    await chat.send("/start survey_School_visits")
    assert chat.said("Is the school open every day?")
    async with db.reader() as s:
        listed = {f.form_id: f.title for f in await surveys.list_forms(s)}
    assert listed["water_points"] == "water_points"
    assert listed["School_visits"] == "School visits"  # the file's own name, as pyxform does


async def test_a_different_form_saved_under_the_same_file_name_does_not_take_over_the_link(
    chat: Chat,
) -> None:
    db = db_of(chat)
    await import_form(db, WATER, "survey.xlsx")
    await chat.onboard("en")
    await chat.send("/start survey_survey")
    await answer_yes_and_send(chat)

    # Another officer's form, also saved as survey.xlsx, also without a form_id.
    with pytest.raises(ReplaceRefused) as refused:
        await import_form(db, SCHOOL, "survey.xlsx")
    message = str(refused.value)
    assert "would replace the form 'survey'" in message and "1 answer(s)" in message
    assert "survey.xlsx has no form_id in its settings sheet" in message
    assert "--replace" in message
    neighbour = Chat(chat.sim.engine, user_id=1001, language="en")
    await neighbour.onboard("en")
    await neighbour.send("/start survey_survey")
    assert neighbour.said("Does your street have a working tap?")  # still the first form

    # The very same file again is harmless; and --replace does what it says.
    assert await import_form(db, WATER, "survey.xlsx") == ("survey", ImportOutcome.UNCHANGED)
    school_v2 = one_question("Is the school open every day?", {"version": "2"})
    assert await import_form(db, school_v2, "survey.xlsx", replace=True) == (
        "survey",
        ImportOutcome.NEW_VERSION,
    )
    await chat.send("/start survey_survey")
    assert chat.said("Is the school open every day?")
    await neighbour.send("/start survey_survey")  # finishes the version they started
    assert neighbour.said("Does your street have a working tap?")


async def test_a_new_version_of_a_form_with_its_form_id_is_a_normal_import(
    sqlite_db: Database,
) -> None:
    first = one_question("Does your street have a working tap?", {"form_id": "water"})
    second = one_question(
        "Does your street have a tap that works?", {"form_id": "water", "version": "2"}
    )
    assert await import_form(sqlite_db, first, "water.xlsx") == ("water", ImportOutcome.CREATED)
    assert await import_form(sqlite_db, second, "water (edited).xlsx") == (
        "water",
        ImportOutcome.NEW_VERSION,
    )


async def test_two_form_ids_that_make_the_same_link_are_not_mixed_up(sqlite_db: Database) -> None:
    await import_form(sqlite_db, one_question("Tap?", {"form_id": "water_point"}), "a.xlsx")
    with pytest.raises(ReplaceRefused) as refused:
        await import_form(sqlite_db, one_question("Well?", {"form_id": "water point"}), "b.xlsx")
    assert "its form_id 'water point' is not that form's 'water_point'" in str(refused.value)
    assert "0 answer(s)" in str(refused.value)


# --- item 5: form ids pyxform and KoBo accept, slugged for links -------------------------------


async def test_a_form_id_with_spaces_opens_from_a_district_link(chat: Chat) -> None:
    data = xlsform_bytes(
        [
            {"type": "select_one district", "name": "district", "label": "Your district?"},
            {"type": "select_one yn", "name": "answer", "label": "Is the road paved?"},
        ],
        [*DISTRICTS, *YES_NO],
        {"form_id": "Household survey 2026", "form_title": "Households"},
    )
    form = load_xlsform(data)
    assert form.form_id == "Household_survey_2026"
    assert form.id_string == "Household survey 2026" and form.id_declared
    assert any("'Household_survey_2026' in links" in w for w in form.warnings)
    await import_form(db_of(chat), data, "households.xlsx")
    link = start_parameter(form.form_id, "thala")
    assert link == "survey_Household_survey_2026_thala"
    await chat.onboard("en")
    await chat.send(f"/start {link}")
    assert chat.said("District: Thala (from your link")
    assert chat.said("Is the road paved?")


def test_long_accented_and_arabic_form_ids_fit_a_telegram_link() -> None:
    long_id = "Évaluation rapide des besoins des ménages vulnérables du gouvernorat"
    slug = form_slug(long_id)
    assert slug.startswith("Evaluation_rapide_des_besoins") and len(slug) <= 40
    assert slug == form_slug(long_id)  # a new version lands behind the same link
    district_link = start_parameter(slug, "kasserine_north")
    assert district_link is not None and len(district_link) <= START_PARAMETER_MAX
    arabic = form_slug("مسح الأسر")
    assert arabic.startswith("form_") and start_parameter(arabic) is not None
    assert arabic != form_slug("مسح المدارس")
    assert start_parameter("x" * 60) is None  # Telegram would refuse it


# --- item 4: an old .xls body behind an .xlsx name ---------------------------------------------


def test_an_old_xls_workbook_named_xlsx_is_read_for_what_it_is() -> None:
    survey = [
        {"type": "select_one yn", "name": "answer", "label": "Is the clinic open?"},
        {"type": "integer", "name": "km", "label": "How far is it (km)?"},
    ]
    old = xls_bytes(survey, YES_NO, {"form_id": "clinic", "version": "4"})
    assert old.startswith(b"\xd0\xcf\x11\xe0")
    form = load_xlsform(old, filename="clinic.xlsx")
    assert form.form_id == "clinic" and form.version == "4"
    assert [q.name for q in form.asked] == ["answer", "km"]
    assert any("is an .xls workbook despite its name" in w for w in form.warnings)

    # Our own checks read it too, with the row of what cannot run in a chat.
    repeat = xls_bytes(
        [
            *survey,
            {"type": "background-audio", "name": "visits"},
        ],
        YES_NO,
        {"form_id": "clinic"},
    )
    with pytest.raises(FormError) as caught:
        load_xlsform(repeat, filename="clinic.xlsx")
    assert str(caught.value).startswith("row 4: type 'background-audio' (visits): a chat cannot")


async def test_an_xls_body_without_form_id_takes_its_id_from_the_file_name(
    sqlite_db: Database,
) -> None:
    old = xls_bytes([{"type": "text", "name": "q", "label": "Your name?"}])
    assert await import_form(sqlite_db, old, "Clinic visits.xlsx") == (
        "Clinic_visits",
        ImportOutcome.CREATED,
    )
