"""Forms with attached files, as KoBo and ODK programmes write them: a household survey
whose 300 villages come from a CSV with Arabic labels (found by typing the first letters),
a governorate → district cascade read from one CSV with choice_filter, a population read
with pulldata() and a water source with instance(...)/root/item[...] shown in a label,
clinics chosen with the search() appearance — from `musharaka forms import --media`
(refused, naming the row, while a file is missing) through the interview to the export."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from core.clock import FixedClock
from core.i18n import translate, use_language
from formengine.loader import FormError, load_xlsform
from formengine.runtime import Run
from formengine.search import fold, ranked
from formengine.store import import_xlsform
from storage import form_media, surveys
from storage.db import Database
from storage.survey_exports import survey_table, to_csv
from tests.support.chat import Chat
from tests.support.xlsforms import Row, choice_rows, xlsform_bytes
from tests.test_survey_forms_as_published import FormsCommand
from tests.test_survey_question_types import NOW, press_payload, stored

# The first words of generated village names: none starts with «الع».
FIRST = ["دوار", "عين", "بئر", "وادي", "هنشير", "سيدي", "منزل", "قصر", "جبل", "كاف"]
SECOND = [
    "الزيتون", "الرمان", "الحمراء", "البيضاء", "الخضراء", "النخلة", "الصفصاف", "الكرمة",
    "الجديدة", "القديمة", "الشرقية", "الغربية", "الوسطى", "السفلى", "العليا", "الكبيرة",
    "الصغيرة", "الرملة", "الحجر", "النسور", "الذيب", "الغزال", "البرج", "السوق", "الماء",
    "الريح", "الشمس", "القمر", "الصخرة", "التوت",
]  # fmt: skip


def villages_csv() -> bytes:
    """300 villages of two districts, Arabic and English labels, with population and water."""
    rows = [("alain", "العين", "El Ain", "sbeitla", "1200", "well")]
    rows.append(("aloyoun", "العيون", "El Ayoun", "sbeitla", "800", "spring"))
    rows.append(("alola", "العلا", "El Ala", "thala", "5000", "network"))  # another district
    n = 0
    for first in FIRST:
        for second in SECOND:
            n += 1
            if len(rows) >= 300:
                break
            district = "sbeitla" if n % 3 else "thala"
            rows.append(
                (f"v{n:03d}", f"{first} {second}", f"Village {n}", district, str(n), "well")
            )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["name", "label::Arabic (ar)", "label::English (en)", "district", "population", "water"]
    )
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


ADMIN_UNITS = (
    "name,label::Arabic (ar),label::English (en),level,parent\n"
    "kasserine,القصرين,Kasserine,governorate,\n"
    "sfax,صفاقس,Sfax,governorate,\n"
    "sbeitla,سبيطلة,Sbeitla,district,kasserine\n"
    "thala,تالة,Thala,district,kasserine\n"
    "sakiet,ساقية الزيت,Sakiet Ezzit,district,sfax\n"
).encode()
# search('clinics', 'matches', 'district', ${district}): the choices sheet names the columns.
CLINICS = (
    "code;name_ar;name_en;district\n"
    "csb1;مركز الصحة الأساسية بسبيطلة;Sbeitla basic health centre;sbeitla\n"
    "hr1;المستشفى الجهوي بسبيطلة;Sbeitla regional hospital;sbeitla\n"
    "csb2;مركز الصحة الأساسية بتالة;Thala basic health centre;thala\n"
).encode()
WATER_POINTS = (
    b"<root><item><name>tap</name><label>Tap</label></item>"
    b"<item><name>tank</name><label>Tank</label></item></root>"
)
MEDIA = {
    "villages.csv": villages_csv(),
    "admin_units.csv": ADMIN_UNITS,
    "clinics.csv": CLINICS,
    "water_points.xml": WATER_POINTS,
}

HOUSEHOLD: list[Row] = [
    {"type": "select_one_from_file admin_units.csv", "name": "governorate", "required": "yes",
     "label::Arabic (ar)": "الولاية", "label::English (en)": "Governorate",
     "choice_filter": "level = 'governorate'"},  # row 2
    {"type": "select_one_from_file admin_units.csv", "name": "district", "required": "yes",
     "label::Arabic (ar)": "المعتمدية", "label::English (en)": "District",
     "choice_filter": "level = 'district' and parent = ${governorate}"},  # row 3
    {"type": "select_one_from_file villages.csv", "name": "village", "required": "yes",
     "label::Arabic (ar)": "القرية", "label::English (en)": "Village",
     "choice_filter": "district = ${district}"},  # row 4
    {"type": "calculate", "name": "population",
     "calculation": "pulldata('villages', 'population', 'name', ${village})"},  # row 5
    {"type": "calculate", "name": "water",
     "calculation": "instance('villages')/root/item[name = ${village}]/water"},  # row 6
    {"type": "note", "name": "about",
     "label::Arabic (ar)": "عدد سكان ${village} حسب التعداد: ${population} (الماء: ${water})",
     "label::English (en)": "${village} has ${population} people (water: ${water})"},
    {"type": "select_one clinics", "name": "clinic", "required": "yes",
     "label::Arabic (ar)": "المركز الصحي الأقرب", "label::English (en)": "Nearest clinic",
     "appearance": "search('clinics', 'matches', 'district', ${district})"},  # row 8
    {"type": "select_multiple_from_file water_points.xml", "name": "points",
     "label::Arabic (ar)": "نقاط الماء", "label::English (en)": "Water points"},
    {"type": "integer", "name": "hh_size", "required": "yes",
     "label::Arabic (ar)": "كم عدد أفراد الأسرة؟", "label::English (en)": "Household size?"},
]  # fmt: skip
CLINIC_COLUMNS = [
    {"list_name": "clinics", "name": "code", "label::Arabic (ar)": "name_ar",
     "label::English (en)": "name_en"},
]  # fmt: skip
SETTINGS = {"form_id": "household_media", "version": "1", "default_language": "Arabic (ar)"}


def household() -> bytes:
    return xlsform_bytes(HOUSEHOLD, CLINIC_COLUMNS, SETTINGS)


async def open_household(chat: Chat, language: str = "ar") -> None:
    db: Database = chat.sim.engine.services.db
    async with db.transaction() as s:
        await import_xlsform(s, household(), filename="household.xlsx", media=MEDIA)
    chat.sim.engine.services.clock = FixedClock(NOW)
    await chat.onboard(language)
    await chat.send("/start survey_household_media")


# --- typing to find a village ------------------------------------------------------------------


def test_arabic_letters_are_folded_as_residents_type_them() -> None:
    assert fold("الـعَين") == fold("ال\u200dعين") == fold("العين")
    assert fold("أإآ") == "ااا" and fold("مدرسة") == fold("مدرسه") and fold("مستشفى") == "مستشفي"
    assert fold("Él-Aïn") == "el ain" and fold("٣٤") == "34"


async def test_a_resident_finds_a_village_among_300_by_typing_its_first_letters(
    chat: Chat, sqlite_db: Database
) -> None:
    await open_household(chat)
    await chat.press("القصرين")
    # The cascade: only Kasserine's districts, read from the same CSV.
    assert chat.buttons()[:2] == ["سبيطلة", "تالة"] and "ساقية الزيت" not in chat.buttons()
    await chat.press("سبيطلة")
    assert chat.said("القرية") and chat.said("اكتب الحروف الأولى")
    assert "العين" not in chat.buttons()  # 200 villages: no wall of buttons
    await chat.send("الع")
    first_matches = chat.buttons()
    assert "العين" in first_matches and "العيون" in first_matches
    assert "العلا" not in first_matches  # a village of Thala: outside the filtered list
    assert first_matches.index("العين") < 2 and first_matches.index("العيون") < 2
    assert translate("ar", "🔎 None of these: type again") in first_matches
    stale = chat.payload_of("العيون")
    # With tatweel, with a harakah, with a zero-width joiner: the same village.
    for typed in ("الـعين", "العَين", "ال\u200dعين"):
        await chat.send(typed)
        assert chat.buttons()[0] == "العين", typed
    # A match button of an earlier search no longer answers.
    replies = await press_payload(chat, stale)
    said = [str(getattr(getattr(r, "reply", None), "text", "")) for r in replies]
    assert translate("ar", "This button is from an earlier step and no longer works.") in said
    # Nothing matches: said, and the question stays.
    await chat.send("xyz")
    assert chat.said("لا يوجد خيار يطابق «xyz»") and chat.said("تحقّق من الكتابة")
    # Stickers, locations, a very long message: a clear answer, nothing changes.
    await chat.send_sticker()
    assert chat.said(translate("ar", "I cannot read stickers, voice notes or videos here."))
    await chat.share_location(35.2, 8.7)
    assert chat.said(translate("ar", "Please type the first letters of your answer."))
    await chat.send("ع" * 200)
    assert chat.said("٦٠")
    await chat.send("x" * 5000)
    assert chat.said(translate("ar", "That message is too long for me. Please send a shorter one."))
    await chat.send("عين")
    await chat.press(translate("ar", "🔎 None of these: type again"))
    assert chat.said("اكتب الحروف الأولى")
    await chat.send("العين")
    await chat.press("العين")
    # pulldata() and instance(...)/root/item[...] in the next label.
    assert chat.said("عدد سكان العين حسب التعداد: 1200 (الماء: well)")


async def test_the_household_interview_runs_through_to_the_export(
    chat: Chat, sqlite_db: Database
) -> None:
    await open_household(chat, "en")
    await chat.press("Kasserine")
    await chat.press("Thala")
    await chat.send("el a")  # English labels are searched too, case-folded
    assert chat.buttons()[0] == "El Ala"
    await chat.press("El Ala")
    assert chat.said("El Ala has 5000 people (water: network)")
    await chat.press("Continue ▶")
    # search('clinics', 'matches', 'district', ${district}): Thala's clinic only.
    assert "Thala basic health centre" in chat.buttons()
    assert "Sbeitla regional hospital" not in chat.buttons()
    await chat.press("Thala basic health centre")
    await chat.press("Tap")
    await chat.press("Tank")
    await chat.press("Done ✔")
    await chat.send("٦")
    assert chat.said("Please check your answers:") and chat.said("El Ala")
    await chat.press("✅ Send my answers")
    answers = await stored(sqlite_db, "household_media")
    assert answers["governorate"] == "kasserine" and answers["district"] == "thala"
    assert answers["village"] == "alola" and answers["population"] == "5000"
    assert answers["water"] == "network" and answers["clinic"] == "csb2"
    assert answers["points"] == "tap tank" and answers["hh_size"] == "6"
    async with sqlite_db.reader() as s:
        table = await survey_table(s, "household_media")
    [row] = list(csv.DictReader(io.StringIO(to_csv(table).decode("utf-8-sig"))))
    assert row["village"] == "alola" and row["population"] == "5000"
    assert row["clinic"] == "csb2" and row["points"] == "tap tank"


async def test_a_long_select_multiple_is_ticked_from_search_results(
    chat: Chat, sqlite_db: Database
) -> None:
    survey: list[Row] = [
        {"type": "select_multiple_from_file villages.csv", "name": "visited",
         "label": "Which villages did you visit?", "required": "yes"},
    ]  # fmt: skip
    async with sqlite_db.transaction() as s:
        await import_xlsform(s, xlsform_bytes(survey, (), {"form_id": "visits"}), media=MEDIA)
    chat.sim.engine.services.clock = FixedClock(NOW)
    await chat.onboard("en")
    await chat.send("/start survey_visits")
    await chat.send("el a")
    await chat.press("El Ain")
    assert chat.said("Ticked so far: El Ain") and "✅ El Ain" in chat.buttons()
    await chat.send("el al")
    await chat.press("El Ala")
    await chat.press("Done ✔")
    await chat.press("✅ Send my answers")
    assert (await stored(sqlite_db, "visits"))["visited"] == "alain alola"
    async with sqlite_db.reader() as s:
        table = await survey_table(s, "visits")
    [row] = list(csv.DictReader(io.StringIO(to_csv(table).decode("utf-8-sig"))))
    assert row["visited"] == "alain alola" and "visited/alain" not in row  # one column


def test_ranking_puts_the_best_matches_first() -> None:
    form = load_xlsform(xlsform_bytes(HOUSEHOLD, CLINIC_COLUMNS, SETTINGS), media=MEDIA)
    run = Run(form, {"governorate": "kasserine", "district": "sbeitla"}, language="ar")
    choices = run.choices_for(form.question("village"))
    assert len(choices) > 150
    names = [c.name for c in ranked(choices, "عين", "ar")]
    assert names[0].startswith("v")  # «عين الزيتون»...: the name starts with it
    assert "alain" in names  # «العين» too, its article set aside


# --- importing ---------------------------------------------------------------------------------


def test_import_names_each_missing_file_with_the_row_that_needs_it() -> None:
    with pytest.raises(FormError) as refused:
        load_xlsform(household(), media={"clinics.csv": CLINICS})
    by_row = {p.row: p.message for p in refused.value.problems}
    assert "admin_units.csv" in by_row[2] and "admin_units.csv" in by_row[3]
    assert "villages.csv" in by_row[4] and "villages.csv" in by_row[5]
    assert "villages.csv" in by_row[6] and 8 not in by_row  # clinics.csv was given
    assert "water_points.xml" in by_row[9]


def test_a_file_without_the_columns_a_question_reads_is_refused() -> None:
    broken = {**MEDIA, "clinics.csv": b"code;label\ncsb1;Clinic\n"}
    with pytest.raises(FormError) as refused, use_language("en"):
        load_xlsform(household(), media=broken)
    assert any(
        p.row == 8 and "clinics.csv has no column “name_ar”" in p.message
        for p in refused.value.problems
    )
    latin1 = {**MEDIA, "villages.csv": "name,label\nx,Éé\n".encode("latin-1")}
    with pytest.raises(FormError) as refused, use_language("en"):
        load_xlsform(household(), media=latin1)
    assert "villages.csv is not UTF-8 text" in str(refused.value)


def test_the_import_command_takes_the_media_and_refuses_in_arabic_without_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    forms = FormsCommand(tmp_path, capsys)
    form = tmp_path / "household.xlsx"
    form.write_bytes(household())
    code, _out, err = forms("import", str(form), "--lang", "ar")
    assert code == 1
    assert "household.xlsx" in err and "row 4: village:" in err
    assert "villages.csv" in err and "--media" in err
    assert translate("ar", "{file} cannot be used:").format(file="household.xlsx") in err
    assert "needs the attached file" not in err  # in Arabic
    folder = tmp_path / "media"
    folder.mkdir()
    for name, data in MEDIA.items():
        (folder / name).write_bytes(data)
    (folder / "unused.csv").write_bytes(b"name,label\n")
    code, out, err = forms("import", str(form), "--media", str(folder / "clinics.csv"), str(folder))
    assert code == 0, err
    assert "attached: villages.csv (300 rows)" in out
    # Without --media, the files beside the form (or in household-media/) are taken.
    (tmp_path / "household-media").mkdir()
    for name, data in MEDIA.items():
        (tmp_path / "household-media" / name).write_bytes(data)
    code, out, err = forms("import", str(form))
    assert code == 0 and "unchanged" in out, err


async def test_the_files_are_stored_with_the_version_and_a_changed_file_is_a_new_content(
    sqlite_db: Database,
) -> None:
    book = household()
    async with sqlite_db.transaction() as s:
        live, outcome = await import_xlsform(s, book, media=MEDIA)
        files = await form_media.list_media(s, live.stored.version_pk)
        assert [f.name for f in files] == sorted(MEDIA)
        assert await form_media.read_media(s, live.stored.version_pk, "clinics.csv") == CLINICS
    assert outcome == surveys.ImportOutcome.CREATED
    assert live.form.media["villages.csv"] == files[-2].sha256
    async with sqlite_db.transaction() as s:
        _live, again = await import_xlsform(s, book, media=MEDIA)
    assert again == surveys.ImportOutcome.UNCHANGED
    changed = {**MEDIA, "clinics.csv": CLINICS.replace(b"Thala basic", b"Thala new")}
    async with sqlite_db.transaction() as s:
        live, replaced = await import_xlsform(s, book, media=changed)
        assert replaced == surveys.ImportOutcome.REPLACED  # no answers yet
        new = await form_media.read_media(s, live.stored.version_pk, "clinics.csv")
    assert new is not None and b"Thala new" in new


def test_geojson_features_are_choices_with_their_geometry() -> None:
    geojson = (
        b'{"type": "FeatureCollection", "features": ['
        b'{"type": "Feature", "id": "w1", "geometry": {"type": "Point", '
        b'"coordinates": [8.83, 35.17]}, "properties": {"title": "Well 1"}}]}'
    )
    survey: list[Row] = [
        {"type": "select_one_from_file wells.geojson", "name": "well", "label": "Well"},
        {"type": "calculate", "name": "where",
         "calculation": "instance('wells')/root/item[id = ${well}]/geometry"},
    ]  # fmt: skip
    form = load_xlsform(
        xlsform_bytes(survey, choice_rows("x", ("a", "A"))), media={"wells.geojson": geojson}
    )
    run = Run(form, {"well": "w1"}, language="en")
    assert [c.text("en") for c in run.choices_for(form.question("well"))] == ["Well 1"]
    assert run.values()["where"] == "35.17 8.83 0 0"


def test_a_cascade_filter_over_a_long_list_keeps_what_xpath_keeps() -> None:
    from formengine.xpath import evaluate_boolean

    form = load_xlsform(household(), media=MEDIA)
    values = {"governorate": "kasserine", "district": "thala"}
    for name in ("district", "village", "clinic"):
        question = form.question(name)
        run = Run(form, dict(values), language="ar")
        quick = [c.name for c in run.choices_for(question)]
        slow = [
            c.name
            for c in form.choices_of(question)
            if evaluate_boolean(
                question.choice_filter,
                run.values(),
                item={"name": c.name, "label": c.text("ar"), **c.columns},
            )
        ]
        assert quick == slow and quick, name
