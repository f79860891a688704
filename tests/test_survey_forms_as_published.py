"""Forms as KoBo/ODK users publish them: `musharaka forms import` takes their expressions
(`and (`, `or (`, math, relative paths) and their old type spellings (`gps`, `phone number`,
`select one from`), refuses what a chat cannot run naming the row, and a resident who picks
"Other" is asked to specify it, the answer reaching the exports."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from bot.cli import forms as forms_cli
from bot.cli.main import build_parser as _parser
from bot.engine.engine import Engine
from core.clock import FixedClock
from core.config import Settings
from formengine.loader import TYPE_ALIASES, load_xlsform
from formengine.model import Kind
from formengine.runtime import Run
from formengine.store import import_xlsform
from formengine.xpath import Environment
from storage import surveys
from storage.db import Database
from storage.survey_exports import survey_table, to_csv, to_xlsx
from storage.surveys import SurveySubmission
from tests.support.chat import Chat
from tests.support.xlsforms import Row, choice_rows, write_xlsform, xlsform_bytes

YES_NO_DK = choice_rows("yn", ("yes", "Yes"), ("no", "No"), ("dk", "Don't know"))
STATUS = choice_rows("status", ("single", "Single"), ("married", "Married"), ("widowed", "Widowed"))


class FormsCommand:
    """`musharaka forms ...` against one database, as a programme officer types it."""

    def __init__(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.tmp_path = tmp_path
        self.capsys = capsys
        self.settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'forms.sqlite'}")

    def __call__(self, *args: str) -> tuple[int, str, str]:
        code = forms_cli.run(self.settings, _parser().parse_args(["forms", *args]))
        out, err = self.capsys.readouterr()
        return code, out, err

    def import_form(
        self, name: str, survey: list[Row], choices: Sequence[Row] = (), **settings: str
    ) -> tuple[int, str, str]:
        path = write_xlsform(
            self.tmp_path / f"{name}.xlsx", survey, list(choices), {"form_id": name, **settings}
        )
        return self("import", str(path))


@pytest.fixture
def forms(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> FormsCommand:
    return FormsCommand(tmp_path, capsys)


# --- expressions real forms write ------------------------------------------------------------


def test_relevant_with_and_or_before_parentheses_imports_and_runs(forms: FormsCommand) -> None:
    survey: list[Row] = [
        {"type": "integer", "name": "age", "label": "Age"},
        {"type": "select_one status", "name": "status", "label": "Marital status"},
        {"type": "select_one yn", "name": "a", "label": "Do you have land?"},
        {"type": "select_multiple yn", "name": "b", "label": "Is it irrigated?"},
        {
            "type": "text",
            "name": "spouse",
            "label": "Spouse's occupation",
            "relevant": "(${age} >= 18) and (${status} = 'married' or ${status} = 'widowed')",
        },
        {
            "type": "text",
            "name": "why_not",
            "label": "Why not?",
            "relevant": "selected(${a}, 'yes') and (selected(${b}, 'no') or selected(${b}, 'dk'))",
        },
    ]
    code, out, err = forms.import_form("household", survey, [*YES_NO_DK, *STATUS])
    assert code == 0, err
    assert "household version 1: created (6 questions" in out

    form = load_xlsform(forms.tmp_path / "household.xlsx")
    run = Run(form, {"age": "40", "status": "widowed", "a": "yes", "b": "dk"})
    assert run.is_relevant(form.question("spouse")) and run.is_relevant(form.question("why_not"))
    run = Run(form, {"age": "16", "status": "married", "a": "yes", "b": "yes"})
    assert not run.is_relevant(form.question("spouse"))
    assert not run.is_relevant(form.question("why_not"))


def test_calculations_with_odk_math_and_strings_import_and_compute(forms: FormsCommand) -> None:
    calculations = {
        "bmi": "round(${weight} div pow(${height} div 100, 2), 1)",
        "bearing": "round(atan2(${dy}, ${dx}) * 180 div pi(), 0)",
        "area": "round(pi() * ${r} * ${r}, 2)",
        "growth": "round(exp10(log10(${weight})), 0)",
        "share": "${weight} mod(7) + ${weight} div (10)",
        "initials": "concat(substr(${name}, 0, 1), '.', substring-after(${name}, ' '))",
        "tidy": "normalize-space(translate(${name}, 'abcdefghijklmnopqrstuvwxyz', "
        "'ABCDEFGHIJKLMNOPQRSTUVWXYZ'))",
        "heaviest": "max(${weight}, ${other_weight})",
        "label": "if(boolean-from-string(${agree}), 'yes', 'no')",
        "either": "if(checklist(1, -1, ${agree}, ${name}), 'some', 'none')",
        "when": "format-date(date(decimal-date-time(today()) + 7), '%d/%m/%Y')",
        "minus": "-${dx}",
    }
    survey: list[Row] = [
        {"type": "text", "name": "name", "label": "Name"},
        {"type": "decimal", "name": "weight", "label": "Weight (kg)"},
        {"type": "decimal", "name": "other_weight", "label": "Other weight (kg)"},
        {"type": "decimal", "name": "height", "label": "Height (cm)"},
        {"type": "decimal", "name": "dx", "label": "dx"},
        {"type": "decimal", "name": "dy", "label": "dy"},
        {"type": "decimal", "name": "r", "label": "Radius"},
        {"type": "text", "name": "agree", "label": "Agree?"},
        *({"type": "calculate", "name": n, "calculation": c} for n, c in calculations.items()),
    ]
    code, _out, err = forms.import_form("measures", survey)
    assert code == 0, err

    form = load_xlsform(forms.tmp_path / "measures.xlsx")
    answers = {
        "name": "amal ben salah",
        "weight": "70",
        "other_weight": "82",
        "height": "175",
        "dx": "1",
        "dy": "1",
        "r": "2",
        "agree": "true",
    }
    values = Run(form, answers, Environment(today=datetime(2026, 11, 24).date())).values()
    assert values["bmi"] == "22.9"
    assert values["bearing"] == "45"
    assert values["area"] == "12.57"
    assert values["growth"] == "70"
    assert values["share"] == "7"  # 70 mod 7 + 70 div 10
    assert values["initials"] == "a.ben salah"
    assert values["tidy"] == "AMAL BEN SALAH"
    assert values["heaviest"] == "82"
    assert values["label"] == "yes" and values["either"] == "some"
    assert values["when"] == "01/12/2026"
    assert values["minus"] == "-1"


def test_expressions_odk_would_refuse_are_refused_with_their_row(forms: FormsCommand) -> None:
    survey: list[Row] = [
        {"type": "integer", "name": "age", "label": "Age"},
        {"type": "text", "name": "why", "label": "Why?", "relevant": "${age} <> 18"},
        {"type": "text", "name": "what", "label": "What?", "relevant": "mod(${age}, 2)"},
        {"type": "text", "name": "who", "label": "Who?", "relevant": "jr:itext('x') = 'y'"},
    ]
    code, _out, err = forms.import_form("refused", survey)
    assert code == 1
    assert "row 3: why: relevant is not a valid expression: '<>' is not XPath: write !=" in err
    assert "row 4: what: relevant: unknown function mod()" in err  # mod() at the start is a call
    assert "row 5: who: relevant: jr:itext() looks up the XForm's translations" in err


def test_a_field_called_div_or_mod_imports(forms: FormsCommand) -> None:
    survey: list[Row] = [
        {"type": "integer", "name": "div", "label": "Division"},
        {"type": "integer", "name": "mod", "label": "Module"},
        {"type": "calculate", "name": "ratio", "calculation": "${div} div ${mod}"},
        {"type": "calculate", "name": "rest", "calculation": "../div mod ../mod"},
    ]
    code, _out, err = forms.import_form("names", survey)
    assert code == 0, err
    form = load_xlsform(forms.tmp_path / "names.xlsx")
    values = Run(form, {"div": "9", "mod": "4"}).values()
    assert values["ratio"] == "2.25" and values["rest"] == "1"


def test_a_lookup_in_the_choices_sheet_imports_and_an_external_instance_is_refused(
    forms: FormsCommand,
) -> None:
    crops = [
        {"list_name": "crops", "name": "olive", "label": "Olives", "price": "12"},
        {"list_name": "crops", "name": "wheat", "label": "Wheat", "price": "1.5"},
        {"list_name": "units", "name": "kg", "label": "Kilogram"},
    ]
    survey: list[Row] = [
        {"type": "select_one crops", "name": "crop", "label": "Main crop"},
        {"type": "decimal", "name": "kg", "label": "Harvest (kg)"},
        {
            "type": "calculate",
            "name": "worth",
            "calculation": "instance('crops')/root/item[name = ${crop}]/price * ${kg}",
        },
        {
            "type": "calculate",
            "name": "unit",
            "calculation": "instance('units')/root/item[name = 'kg']/label",
        },
        {"type": "note", "name": "total", "label": "Worth ${worth} dinars (${unit})"},
    ]
    code, _out, err = forms.import_form("harvest", survey, crops)
    assert code == 0, err
    form = load_xlsform(forms.tmp_path / "harvest.xlsx")
    run = Run(form, {"crop": "olive", "kg": "200"}, language="en")
    assert run.render(form.question("total").text("en")) == "Worth 2400 dinars (Kilogram)"

    survey[2]["calculation"] = "instance('prices')/root/item[name = ${crop}]/price"
    code, _out, err = forms.import_form("harvest_csv", survey, crops)
    assert code == 1
    assert "row 4: worth: calculation: instance('prices') is neither a list of the choices" in err


# --- old and KoBo type spellings ---------------------------------------------------------------


def test_legacy_and_kobo_type_names_import_as_the_types_they_stand_for(
    forms: FormsCommand,
) -> None:
    survey: list[Row] = [
        {"type": "gps", "name": "home", "label": "Where do you live?"},
        {"type": "phone number", "name": "phone", "label": "Your phone number"},
        {"type": "phonenumber", "name": "device_phone"},
        {"type": "select one from yn", "name": "water", "label": "Do you have water?"},
        {"type": "select all that apply from yn", "name": "sources", "label": "Which?"},
        {"type": "add select one prompt using yn", "name": "power", "label": "Electricity?"},
        {"type": "select_one yn or_other", "name": "roads", "label": "Are roads good?"},
        {"type": "q int", "name": "rooms", "label": "Rooms"},
        {"type": "percentage", "name": "share", "label": "Share of income on food (%)"},
        {"type": "imei", "name": "device"},
    ]
    code, out, err = forms.import_form("legacy", survey, YES_NO_DK)
    assert code == 0, err
    assert "legacy version 1: created" in out

    form = load_xlsform(forms.tmp_path / "legacy.xlsx")
    kinds = {q.name: (q.kind, q.meta) for q in form.questions}
    assert kinds["home"] == (Kind.GEOPOINT, "")
    assert kinds["phone"] == (Kind.TEXT, "")
    assert kinds["device_phone"] == (Kind.META, "phonenumber")
    assert kinds["water"][0] == kinds["power"][0] == kinds["roads"][0] == Kind.SELECT_ONE
    assert kinds["sources"][0] == Kind.SELECT_MULTIPLE
    assert kinds["roads_other"][0] == Kind.TEXT
    assert kinds["rooms"][0] == kinds["share"][0] == Kind.INTEGER
    assert kinds["device"] == (Kind.META, "deviceid")
    # What the spelling means in ODK comes with it: digits only, 0 to 100.
    run = Run(form, {})
    assert run.check(form.question("phone"), "98 123 456") is not None
    assert run.check(form.question("phone"), "98123456") is None
    assert run.check(form.question("share"), "120") is not None
    assert run.check(form.question("share"), "35") is None
    assert "other" in [c.name for c in form.choices_of(form.question("roads"))]
    assert {"gps", "phone number", "location", "q int", "imei"} <= set(TYPE_ALIASES)


def test_a_loop_imports_as_a_group_per_choice(forms: FormsCommand) -> None:
    survey: list[Row] = [
        {"type": "text", "name": "head", "label": "Head of household"},
        {"type": "begin loop over yn", "name": "per_answer", "label": "For each"},
        {"type": "text", "name": "detail", "label": "Details for %(label)s"},
        {"type": "end loop", "name": ""},
        {"type": "q audio", "name": "voice", "label": "Say something"},
    ]
    code, out, err = forms.import_form("looped", survey, YES_NO_DK)
    assert code == 0, err
    assert "(5 questions" in out  # head, three details, voice


# --- what pyxform refuses, and files that are not forms -----------------------------------------


def test_forms_pyxform_refuses_keep_its_message_and_row(forms: FormsCommand) -> None:
    code, _out, err = forms.import_form(
        "duplicates",
        [{"type": "select_one yn", "name": "q", "label": "Q"}],
        choice_rows("yn", ("yes", "Yes"), ("yes", "Yes again")),
    )
    assert code == 1 and "row 3: On the 'choices' sheet" in err
    assert "allow_choice_duplicates" in err

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "survey"
    sheet.append(["type", "name", "label", "label"])
    sheet.append(["text", "q", "Q", "Q again"])
    workbook.save(forms.tmp_path / "headers.xlsx")
    code, _out, err = forms("import", str(forms.tmp_path / "headers.xlsx"))
    assert code == 1 and "Duplicate column header: label" in err

    code, _out, err = forms.import_form("silent", [{"type": "note", "name": "n", "label": "Hi"}])
    assert code == 1 and "the form asks no question" in err


def test_a_damaged_file_says_so(forms: FormsCommand) -> None:
    whole = xlsform_bytes([{"type": "text", "name": "q", "label": "Q"}], settings={"form_id": "c"})
    (forms.tmp_path / "cut.xlsx").write_bytes(whole[: len(whole) // 2])
    code, _out, err = forms("import", str(forms.tmp_path / "cut.xlsx"))
    assert code == 1 and "cut.xlsx cannot be used:" in err
    assert "this is not a readable .xlsx file" in err
    (forms.tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0 not really a workbook" * 20)
    code, _out, err = forms("import", str(forms.tmp_path / "old.xls"))
    assert code == 1 and "this is not a readable .xls file" in err


# --- "Other, specify" --------------------------------------------------------------------

COLOURS = xlsform_bytes(
    [
        {
            "type": "select_one colour or_other",
            "name": "fav_color",
            "label": "Which colour should the new school be painted?",
            "required": "yes",
        },
        {"type": "text", "name": "comment", "label": "Anything else?"},
    ],
    choice_rows("colour", ("blue", "Blue"), ("green", "Green")),
    {"form_id": "school_colour", "version": "1"},
)


@pytest.fixture
async def colour_chat(engine: Engine, sqlite_db: Database) -> Chat:
    async with sqlite_db.transaction() as s:
        await import_xlsform(s, COLOURS)
    engine.services.clock = FixedClock(datetime(2026, 11, 24, 9, 0, tzinfo=UTC))
    chat = Chat(engine, language="en")
    await chat.onboard("en")
    await chat.send("/start survey_school_colour")
    return chat


async def test_a_resident_who_picks_other_is_asked_to_specify_and_the_export_keeps_it(
    colour_chat: Chat, sqlite_db: Database
) -> None:
    chat = colour_chat
    assert chat.said("Which colour should the new school be painted?")
    assert chat.buttons()[:3] == ["Blue", "Green", "Other"]
    await chat.press("Other")
    assert chat.said("Specify other.")  # pyxform's follow-up, relevant on ../fav_color
    await chat.send("Olive, like the trees around it")
    assert chat.said("Anything else?")
    await chat.press("Skip ⏭")
    assert chat.said("Please check your answers:")
    assert chat.said("Olive, like the trees around it")
    await chat.press("✅ Send my answers")

    async with sqlite_db.reader() as s:
        [submission] = list(await s.scalars(select(SurveySubmission)))
        answers = await surveys.submission_answers(s, submission.id)
        table = await survey_table(s, "school_colour")
    assert answers == {"fav_color": "other", "fav_color_other": "Olive, like the trees around it"}
    [row] = list(csv.DictReader(io.StringIO(to_csv(table).decode("utf-8-sig"))))
    assert row["fav_color"] == "other"
    assert row["fav_color_other"] == "Olive, like the trees around it"
    sheet = load_workbook(io.BytesIO(to_xlsx(table))).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    cells = [c.value for c in sheet[2]]
    assert cells[header.index("fav_color_other")] == "Olive, like the trees around it"


async def test_a_resident_who_picks_a_listed_colour_is_not_asked_to_specify(
    colour_chat: Chat, sqlite_db: Database
) -> None:
    chat = colour_chat
    await chat.press("Green")
    assert chat.said("Anything else?") and not chat.said("Specify other.")
    await chat.send("Please hurry")
    await chat.press("✅ Send my answers")
    async with sqlite_db.reader() as s:
        [submission] = list(await s.scalars(select(SurveySubmission)))
        answers = await surveys.submission_answers(s, submission.id)
    assert answers == {"fav_color": "green", "comment": "Please hurry"}


async def test_an_arabic_resident_reads_other_and_its_question_in_arabic(
    engine: Engine, sqlite_db: Database
) -> None:
    arabic_form = xlsform_bytes(
        [
            {
                "type": "select_one water or_other",
                "name": "source",
                "label::Arabic (ar)": "ما مصدر مياه الشرب؟",
            }
        ],
        [{"list_name": "water", "name": "tap", "label::Arabic (ar)": "الحنفية"}],
        {"form_id": "water_ar", "version": "1"},
    )
    async with sqlite_db.transaction() as s:
        await import_xlsform(s, arabic_form)
    chat = Chat(engine, language="ar")
    await chat.onboard("ar")
    await chat.send("/start survey_water_ar")
    assert chat.buttons()[:2] == ["الحنفية", "غير ذلك"]  # not pyxform's English "Other"
    await chat.press("غير ذلك")
    assert chat.said("يُرجى تحديد إجابتك الأخرى.")  # not "Specify other."
    await chat.send("صهريج البلدية")
    assert chat.said("صهريج البلدية")  # in the review


def test_the_rest_of_the_odk_function_library_imports_and_computes(forms: FormsCommand) -> None:
    # One import for the functions the test above leaves out, each with JavaRosa's value.
    calculations = {
        "trig": "round(cos(0) + asin(1) * 2 div pi() + acos(1), 3)",  # 1 + 1 + 0
        "root": "sqrt(${n}) + abs(-2)",
        "rounded": "concat(floor(-3.2), ' ', ceiling(3.2))",
        "joined": "join(', ', ${crops})",
        "first": "substring-before(${name}, ' ')",
        "tests": "concat(contains(${name}, 'ben'), starts-with(${name}, 'amal'), "
        "ends-with(${name}, 'salah'))",
        "flags": "concat(true(), ' ', false(), ' ', not(${n} > 10))",
        "score": "weighted-checklist(3, -1, ${n} > 5, 2, selected(${crops}, 'olive'), 1)",
        "crop_label": "jr:choice-name(selected-at(${crops}, 0), '${crops}')",
        "id_length": "string-length(uuid())",
    }
    survey: list[Row] = [
        {"type": "text", "name": "name", "label": "Name"},
        {"type": "integer", "name": "n", "label": "N"},
        {"type": "select_multiple crops", "name": "crops", "label": "Crops"},
        *({"type": "calculate", "name": n, "calculation": c} for n, c in calculations.items()),
    ]
    crops = choice_rows("crops", ("olive", "Olive trees"), ("wheat", "Wheat"))
    code, _out, err = forms.import_form("library", survey, crops)
    assert code == 0, err

    form = load_xlsform(forms.tmp_path / "library.xlsx")
    answers = {"name": "amal ben salah", "n": "9", "crops": "olive wheat"}
    environment = Environment(
        today=datetime(2026, 11, 24).date(),
        choice_label=lambda name, value: form.choice_label(name, value, "en"),
    )
    values = Run(form, answers, environment).values()
    assert values["trig"] == "2"
    assert values["root"] == "5"
    assert values["rounded"] == "-4 4"
    assert values["joined"] == "olive wheat"  # one select_multiple answer: one value
    assert values["first"] == "amal"
    assert values["tests"] == "truetruetrue"
    assert values["flags"] == "true false true"
    assert values["score"] == "true"
    assert values["crop_label"] == "Olive trees"
    assert values["id_length"] == "36"  # 8-4-4-4-12, as JavaRosa's uuid()
