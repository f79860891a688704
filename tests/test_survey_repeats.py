"""Repeat groups as household surveys use them: a roster counted by an earlier answer
("Member 2 of 3") and an open list ("Add another?"), with Back and the review across
instances, ${sibling} and position(..) inside, count()/sum() outside, and KoBo-style
exports (one sheet per repeat with _index and _parent_index)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import load_workbook

from core.i18n import translate
from formengine.loader import load_xlsform
from storage.db import Database
from storage.survey_exports import repeat_csvs, survey_table, to_csv, to_xlsx
from tests.support.chat import Chat
from tests.support.xlsforms import Row, xlsform_bytes
from tests.test_survey_question_types import open_form, stored

AR, EN = "label::Arabic (ar)", "label::English (en)"

ROSTER: list[Row] = [
    {"type": "integer", "name": "hh_size", EN: "How many people live in your household?",
     AR: "كم عدد أفراد أسرتك؟", "required": "yes", "constraint": ". >= 1 and . <= 10"},
    {"type": "begin repeat", "name": "member", EN: "Member", AR: "الفرد",
     "repeat_count": "${hh_size}"},
    {"type": "text", "name": "m_name", EN: "First name of member ${pos}?",
     AR: "الاسم الأول للفرد ${pos}؟", "required": "yes"},
    {"type": "calculate", "name": "pos", "calculation": "position(..)"},
    {"type": "integer", "name": "m_age", EN: "How old is ${m_name}?", AR: "كم عمر ${m_name}؟",
     "required": "yes"},
    {"type": "select_one yn", "name": "m_school", EN: "Does ${m_name} go to school?",
     AR: "هل يذهب ${m_name} إلى المدرسة؟", "relevant": "${m_age} >= 6 and ${m_age} <= 17"},
    {"type": "calculate", "name": "older_by",
     "calculation": "indexed-repeat(${m_age}, ${member}, position(..) - 1) - ${m_age}"},
    {"type": "end repeat"},
    {"type": "calculate", "name": "head", "calculation": "indexed-repeat(${m_name}, ${member}, 1)"},
    {"type": "calculate", "name": "children", "calculation": "count(${m_age}[. < 18])"},
    {"type": "calculate", "name": "total_age", "calculation": "sum(${m_age})"},
    {"type": "begin repeat", "name": "visit", EN: "Aid visit", AR: "زيارة مساعدة"},
    {"type": "text", "name": "v_org", EN: "Which organisation came?", AR: "أي منظمة جاءت؟"},
    {"type": "end repeat"},
    {"type": "note", "name": "done",
     EN: "Thank you: ${hh_size} people, ages adding to ${total_age}.",
     AR: "شكرًا: ${hh_size} أفراد، مجموع أعمارهم ${total_age}."},
]  # fmt: skip
YES_NO = [
    {"list_name": "yn", "name": "yes", EN: "Yes", AR: "نعم"},
    {"list_name": "yn", "name": "no", EN: "No", AR: "لا"},
]
SETTINGS: Row = {"form_id": "roster", "default_language": "English (en)"}


def test_a_roster_imports_with_its_repeats() -> None:
    form = load_xlsform(xlsform_bytes(ROSTER, YES_NO, SETTINGS))
    assert [(r.name, r.count) for r in form.repeats] == [("member", "${hh_size}"), ("visit", "")]
    assert form.question("m_age").repeat == "member" and form.question("v_org").repeat == "visit"
    assert form.question("hh_size").repeat == ""


async def test_a_household_of_three_is_asked_member_by_member_and_exported_as_kobo_does(
    chat: Chat, sqlite_db: Database
) -> None:
    await open_form(chat, ROSTER, YES_NO, SETTINGS, "en")
    await chat.send("3")
    assert chat.said("— Member 1 of 3 —\nFirst name of member 1?")
    await chat.send("Amal")
    assert chat.said("How old is Amal?")
    await chat.send("34")
    assert chat.said("— Member 2 of 3 —\nFirst name of member 2?")  # 34: no school question
    await chat.send("Sami")
    await chat.send("9")
    assert chat.said("Does Sami go to school?")
    await chat.press("◀ Back")
    assert chat.said("How old is Sami?")
    await chat.press("Keep this answer")
    await chat.press("Yes")
    assert chat.said("— Member 3 of 3 —")
    await chat.send("Lina")
    await chat.send("2")
    assert chat.said("— Aid visit 1 —\nWhich organisation came?")
    await chat.send("Red Crescent")
    assert chat.said("Aid visit: add another?")
    await chat.press("Yes, add another")
    assert chat.said("— Aid visit 2 —")
    await chat.send("UNICEF")
    await chat.press("No, go on")
    review = chat.last_text
    assert "Member 2 of 3 · Does Sami go to school?" in review
    assert "Aid visit 2 · Which organisation came?" in review and "UNICEF" in review
    await chat.press("✅ Send my answers")
    assert chat.said("Thank you: 3 people, ages adding to 45.")

    answers = await stored(sqlite_db, "roster")
    assert answers["m_name__2"] == "Sami" and answers["m_school__2"] == "yes"
    assert answers["children"] == "2" and answers["total_age"] == "45"
    assert answers["head"] == "Amal" and answers["older_by__2"] == "25"
    assert answers["v_org__2"] == "UNICEF" and "visit__add__1" not in answers

    async with sqlite_db.reader() as s:
        table = await survey_table(s, "roster")
    [row] = list(csv.DictReader(io.StringIO(to_csv(table).decode("utf-8-sig"))))
    assert row["hh_size"] == "3" and "member/m_name" not in row and "m_name__2" not in row
    members = repeat_csvs(table)["member"]
    rows = list(csv.DictReader(io.StringIO(members.decode("utf-8-sig"))))
    assert [r["member/m_name"] for r in rows] == ["Amal", "Sami", "Lina"]
    assert [r["_index"] for r in rows] == ["1", "2", "3"] and {
        r["_parent_index"] for r in rows
    } == {"1"}
    assert rows[0]["_parent_table_name"] == "roster" and rows[1]["member/m_school"] == "yes"
    book = load_workbook(io.BytesIO(to_xlsx(table)))
    assert book.sheetnames == ["roster", "member", "visit"]
    visits = list(book["visit"].iter_rows(values_only=True))
    assert visits[0][:1] == ("visit/v_org",) and [v[0] for v in visits[1:]] == [
        "Red Crescent",
        "UNICEF",
    ]


async def test_an_arabic_household_changes_its_size_in_the_review(
    chat: Chat, sqlite_db: Database
) -> None:
    await open_form(chat, ROSTER, YES_NO, SETTINGS, "ar")
    await chat.send("١")
    assert chat.said("— الفرد ١ من ١ —") or chat.said(
        translate("ar", "{label} {n} of {total}").format(label="الفرد", n=1, total=1)
    )
    await chat.send("أمل")
    await chat.send("٣٠")
    await chat.send("الهلال الأحمر")
    assert chat.said("زيارة مساعدة: هل تضيف آخر؟")
    await chat.press("لا، تابع")
    # One more person after all: the review asks the new member's questions first.
    await chat.press(translate("ar", "✏️ Change an answer"))
    await chat.press("١")
    await chat.send("٢")
    assert chat.said("الاسم الأول للفرد 2؟")
    await chat.send("سامي")
    await chat.send("٤")
    await chat.press(translate("ar", "✅ Send my answers"))
    answers = await stored(sqlite_db, "roster")
    assert answers["m_name__2"] == "سامي" and answers["hh_size"] == "2"
    assert answers["total_age"] == "34" and answers["children"] == "1"


def test_each_instance_reads_its_own_answers() -> None:
    from formengine.repeats import expand
    from formengine.runtime import Run

    form = load_xlsform(xlsform_bytes(ROSTER, YES_NO, SETTINGS))
    answers = {"hh_size": "2", "m_name__1": "Amal", "m_age__1": "12", "m_age__2": "40"}
    expanded = expand(form, answers, "en")
    names = [q.name for q in expanded.questions]
    assert names[:11] == [
        "hh_size", "m_name__1", "pos__1", "m_age__1", "m_school__1", "older_by__1",
        "m_name__2", "pos__2", "m_age__2", "m_school__2", "older_by__2",
    ]  # fmt: skip
    assert expanded.question("m_age__2").label["en"] == "How old is ${m_name__2}?"
    run = Run(expanded, answers, language="en")
    values = run.values()
    assert values["pos__2"] == "2" and values["children"] == "1" and values["total_age"] == "52"
    # indexed-repeat(): another instance's answer, from outside or from a later instance.
    assert values["head"] == "Amal" and values["older_by__2"] == "-28"
    assert values["older_by__1"] == ""
    assert run.is_relevant(expanded.question("m_school__1"))
    assert not run.is_relevant(expanded.question("m_school__2"))
    assert "visit__add__1" in names and "v_org__2" not in names  # one visit until "yes"


KIDS: list[Row] = [
    {"type": "select_one yn", "name": "has_kids", "label": "Children?", "required": "yes"},
    {"type": "integer", "name": "n_kids", "label": "How many?", "relevant": "${has_kids} = 'yes'"},
    {"type": "begin repeat", "name": "kid", "label": "Child", "repeat_count": "${n_kids}",
     "relevant": "${has_kids} = 'yes'"},
    {"type": "integer", "name": "kid_age", "label": "Age?", "required": "yes"},
    {"type": "end repeat"},
    {"type": "text", "name": "comment", "label": "Comment?", "required": "yes"},
]  # fmt: skip


async def test_a_repeat_left_out_by_skip_logic_is_never_asked_nor_exported(
    chat: Chat, sqlite_db: Database
) -> None:
    yes_no = [{"list_name": "yn", "name": "yes", "label": "Yes"},
              {"list_name": "yn", "name": "no", "label": "No"}]  # fmt: skip
    await open_form(chat, KIDS, yes_no, {"form_id": "kids"}, "en")
    await chat.press("Yes")
    await chat.send("2")
    await chat.send("5")
    await chat.send("7")
    await chat.send("Fine")
    # No children after all: the whole roster leaves the survey.
    await chat.press("✏️ Change an answer")
    await chat.press("1")
    await chat.press("No")
    assert "Age?" not in chat.last_text
    await chat.press("✅ Send my answers")
    assert await stored(sqlite_db, "kids") == {"has_kids": "no", "comment": "Fine"}
    async with sqlite_db.reader() as s:
        table = await survey_table(s, "kids")
    assert [t.form_id for t in table.repeats] == ["kid"] and table.repeats[0].rows == ()


NESTED: list[Row] = [
    {"type": "integer", "name": "hh_size", "label": "How many people?", "required": "yes"},
    {"type": "begin repeat", "name": "member", "label": "Member", "repeat_count": "${hh_size}"},
    {"type": "text", "name": "m_name", "label": "Name?", "required": "yes"},
    {"type": "begin repeat", "name": "job", "label": "Job of ${m_name}"},
    {"type": "text", "name": "job_title", "label": "What work does ${m_name} do?",
     "required": "yes"},
    {"type": "end repeat"},
    {"type": "calculate", "name": "n_jobs", "calculation": "count(${job_title})"},
    {"type": "end repeat"},
    {"type": "calculate", "name": "all_jobs", "calculation": "count(${job_title})"},
]  # fmt: skip


async def test_a_roster_with_jobs_inside_each_member_two_levels_deep(
    chat: Chat, sqlite_db: Database
) -> None:
    await open_form(chat, NESTED, [], {"form_id": "jobs"}, "en")
    await chat.send("2")
    await chat.send("Amal")
    assert chat.said("— Job of Amal 1 —\nWhat work does Amal do?")
    await chat.send("Teacher")
    assert chat.said("Job of Amal: add another?")
    await chat.press("Yes, add another")
    await chat.send("Farmer")
    await chat.press("No, go on")
    assert chat.said("— Member 2 of 2 —")
    await chat.send("Sami")
    await chat.send("Student")
    assert chat.said("Job of Sami: add another?")
    await chat.press("◀ Back")
    assert chat.said("What work does Sami do?")
    await chat.press("◀ Back")  # out of the inner instance, to Sami's name
    assert chat.said("Name?")
    await chat.press("Keep this answer")
    await chat.press("Keep this answer")
    await chat.press("No, go on")
    assert chat.said("Please check your answers:") and "Farmer" in chat.last_text
    await chat.press("✅ Send my answers")
    answers = await stored(sqlite_db, "jobs")
    assert answers["job_title__1__2"] == "Farmer" and answers["job_title__2__1"] == "Student"
    assert answers["n_jobs__1"] == "2" and answers["n_jobs__2"] == "1"
    assert answers["all_jobs"] == "3"
    async with sqlite_db.reader() as s:
        table = await survey_table(s, "jobs")
    member, job = table.repeats
    assert [r[member.header.index("member/m_name")] for r in member.rows] == ["Amal", "Sami"]
    titles = [r[job.header.index("member/job/job_title")] for r in job.rows]
    assert titles == ["Teacher", "Farmer", "Student"]
    assert [r[job.header.index("_parent_index")] for r in job.rows] == [1, 1, 2]
    assert {r[job.header.index("_parent_table_name")] for r in job.rows} == {"member"}


def test_forms_export_writes_one_csv_per_repeat(tmp_path: Path) -> None:
    from tests.support.xlsforms import write_xlsform
    from tests.test_survey_cli import musharaka

    form = write_xlsform(tmp_path / "roster.xlsx", ROSTER, YES_NO, SETTINGS)
    assert musharaka(tmp_path, "forms", "import", str(form)).returncode == 0
    exported = musharaka(tmp_path, "forms", "export", "roster", "--format", "csv")
    assert exported.returncode == 0, exported.stderr
    assert "member: written to" in exported.stdout
    header = (tmp_path / "roster-member.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("member/m_name,member/pos,member/m_age,member/m_school,")
    assert header.endswith(
        "_index,_parent_table_name,_parent_index,_submission__id,_submission__uuid"
    )
    assert (tmp_path / "roster-visit.csv").exists()


async def test_a_market_form_asks_one_price_per_item_the_monitor_ticked(
    chat: Chat, sqlite_db: Database
) -> None:
    # pyxform turns repeat_count = count-selected(${items}) into a calculate of its own
    # (prices_count): the count comes from that calculation, not from an answer.
    market: list[Row] = [
        {"type": "select_multiple item", "name": "items", "label": "Items on sale?"},
        {"type": "begin repeat", "name": "prices", "label": "Item",
         "repeat_count": "count-selected(${items})"},
        {"type": "calculate", "name": "item",
         "calculation": "selected-at(${items}, position(..) - 1)"},
        {"type": "decimal", "name": "price", "label": "Price of ${item}?"},
        {"type": "end repeat"},
    ]  # fmt: skip
    items = [{"list_name": "item", "name": n, "label": n.title()} for n in ("bread", "oil")]
    await open_form(chat, market, items, {"form_id": "market"}, "en")
    await chat.press("Bread")
    await chat.press("Oil")
    await chat.press("Done ✔")
    assert chat.said("— Item 1 of 2 —\nPrice of bread?")
    await chat.send("0.35")
    assert chat.said("— Item 2 of 2 —\nPrice of oil?")
    await chat.send("4.2")
    await chat.press("✅ Send my answers")
    answers = await stored(sqlite_db, "market")
    assert answers["price__1"] == "0.35" and answers["item__2"] == "oil"


def test_each_member_gets_one_episode_per_illness_ticked() -> None:
    # A nested repeat counted by count-selected() of the member's own answer: pyxform's
    # calculate (episode_count) sits inside the member's repeat, one per member.
    from formengine.repeats import expand

    rows: list[Row] = [
        {"type": "integer", "name": "n", "label": "How many people?"},
        {"type": "begin repeat", "name": "member", "label": "Member", "repeat_count": "${n}"},
        {"type": "select_multiple ill", "name": "ills", "label": "Which illnesses?"},
        {"type": "begin repeat", "name": "episode", "label": "Illness",
         "repeat_count": "count-selected(${ills})"},
        {"type": "integer", "name": "days", "label": "For how many days?"},
        {"type": "end repeat"},
        {"type": "end repeat"},
    ]  # fmt: skip
    ills = [{"list_name": "ill", "name": n, "label": n} for n in ("fever", "cough")]
    form = load_xlsform(xlsform_bytes(rows, ills, {"form_id": "ills"}))
    answers = {"n": "2", "ills__1": "fever cough", "ills__2": "cough"}
    asked = [q.name for q in expand(form, answers, "en").questions if q.kind.value == "integer"]
    assert asked == ["n", "days__1__1", "days__1__2", "days__2__1"]


async def test_a_choice_label_naming_the_member_names_that_member_in_the_review(
    chat: Chat, sqlite_db: Database
) -> None:
    rows: list[Row] = [
        {"type": "integer", "name": "n", "label": "How many people?"},
        {"type": "begin repeat", "name": "member", "label": "Member", "repeat_count": "${n}"},
        {"type": "text", "name": "nm", "label": "Name?"},
        {"type": "select_one works", "name": "works", "label": "Work?"},
        {"type": "select_multiple help", "name": "help", "label": "Help?"},
        {"type": "end repeat"},
    ]
    works = [
        {"list_name": "works", "name": "yes", "label": "Yes, ${nm} works"},
        {"list_name": "works", "name": "no", "label": "No"},
        {"list_name": "help", "name": "cash", "label": "Cash for ${nm}"},
    ]
    await open_form(chat, rows, works, {"form_id": "works"}, "en")
    await chat.send("2")
    await chat.send("Amal")
    await chat.press("Yes, Amal works")
    await chat.press("Cash for Amal")
    await chat.press("Done ✔")
    await chat.send("Sami")
    assert "Yes, Sami works" in chat.buttons()
    await chat.press("Yes, Sami works")
    await chat.press("Cash for Sami")
    await chat.press("Done ✔")
    review = chat.last_text
    assert "Member 1 of 2 · Help?\n   ➜ Cash for Amal" in review, review
    assert "Member 1 of 2 · Work?\n   ➜ Yes, Amal works" in review, review
    assert "Member 2 of 2 · Work?\n   ➜ Yes, Sami works" in review, review


async def test_a_group_inside_the_roster_heads_its_questions_beside_the_member(
    chat: Chat, sqlite_db: Database
) -> None:
    rows: list[Row] = [
        {"type": "integer", "name": "n", "label": "How many people?"},
        {"type": "begin repeat", "name": "member", "label": "Member", "repeat_count": "${n}"},
        {"type": "text", "name": "nm", "label": "Name?"},
        {"type": "begin group", "name": "work", "label": "Work of ${nm}",
         "appearance": "field-list"},
        {"type": "text", "name": "job", "label": "Which job?"},
        {"type": "end group"},
        {"type": "end repeat"},
    ]  # fmt: skip
    await open_form(chat, rows, [], {"form_id": "jobs"}, "en")
    await chat.send("2")
    assert chat.said("— Member 1 of 2 —\nName?")
    await chat.send("Amal")
    assert chat.said("— Member 1 of 2 · Work of Amal —\nWhich job?")
    await chat.send("Teacher")
    await chat.send("Sami")
    assert chat.said("— Member 2 of 2 · Work of Sami —\nWhich job?")
    await chat.send("Baker")
    assert "Member 2 of 2 · Work of Sami · Which job?" in chat.last_text


async def test_a_constraint_message_names_the_member_it_is_about(
    chat: Chat, sqlite_db: Database
) -> None:
    rows: list[Row] = [
        {"type": "integer", "name": "n", "label": "How many people?",
         "constraint": ". <= 10", "constraint_message": "At most 10, not ${n}."},
        {"type": "begin repeat", "name": "member", "label": "Member", "repeat_count": "${n}"},
        {"type": "text", "name": "nm", "label": "Name?"},
        {"type": "integer", "name": "age", "label": "Age of ${nm}?", "required": "yes",
         "required_message": "Please give the age of ${nm}.",
         "constraint": ". <= 110", "constraint_message": "${nm} cannot be older than 110."},
        {"type": "end repeat"},
    ]  # fmt: skip
    await open_form(chat, rows, [], {"form_id": "ages"}, "en")
    await chat.send("12")
    assert chat.said("At most 10, not 12.")
    await chat.send("2")
    await chat.send("Amal")
    await chat.send("140")
    assert chat.said("Amal cannot be older than 110.")
    await chat.send("34")
    await chat.send("Sami")
    await chat.send("150")
    assert chat.said("Sami cannot be older than 110.")
