"""XLSForms become typed forms; ODK expressions evaluate as Collect would; bad forms are
refused at import with the row that is wrong."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from formengine.loader import FormError, load_xlsform
from formengine.model import Form, Kind
from formengine.runtime import Run, parse_date, parse_time
from formengine.xpath import Environment, ExpressionError, evaluate, functions_called
from tests.support.xlsforms import choice_rows, xlsform_bytes

TODAY = Environment(today=date(2026, 11, 24))


def ev(expression: str, **values: str) -> object:
    return evaluate(expression, values, environment=TODAY)


# --- XPath the ODK way ----------------------------------------------------------------------


def test_skip_logic_on_an_unanswered_number_is_false_not_an_error() -> None:
    assert ev("${age} > 18", age="") is False
    assert ev("${age} > 18", age="٣٤".translate(str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")))
    assert ev("${age} = ''", age="") is True
    assert ev("${age} != 5", age="") is True


def test_select_functions() -> None:
    assert ev("selected(${water}, 'well')", water="tap well") is True
    assert ev("selected(${water}, 'we')", water="tap well") is False
    assert ev("count-selected(${water})", water="tap well river") == 3
    assert ev("selected-at(${water}, 0)", water="tap well") == "tap"
    assert ev("not(selected(${water}, 'river'))", water="") is True


def test_strings_numbers_and_conditionals() -> None:
    assert ev("string-length(${n}) <= 3", n="abcd") is False
    assert ev("regex(${phone}, '^[0-9]{8}$')", phone="98123456") is True
    assert ev("regex(${phone}, '^[0-9]{8}$')", phone="9812") is False
    assert ev("if(${n} > 3, 'big', 'small')", n="7") == "big"
    assert ev("coalesce(${a}, ${b})", a="", b="fallback") == "fallback"
    assert ev("int(${x} div 2)", x="7") == 3
    assert ev("number(${x}) + 1", x="2.5") == 3.5
    assert ev("round(2.345, 2)") == pytest.approx(2.35)
    assert ev("concat(${a}, '-', ${b})", a="x", b="y") == "x-y"
    assert ev("max(1, ${n}, 2)", n="5") == 5
    assert ev("${n} mod 3", n="7") == 1


def test_dates_count_in_days_as_javarosa_does() -> None:
    assert ev("today()") == "2026-11-24"
    assert ev(". <= today()", **{}) is False  # no current value: NaN compares false
    assert evaluate(". <= today()", {}, current="2026-11-24", environment=TODAY) is True
    assert evaluate(". <= today()", {}, current="2026-12-01", environment=TODAY) is False
    assert ev("int((today() - ${dob}) div 365.25)", dob="2000-06-01") == 26
    assert ev("format-date(${d}, '%d/%m/%Y')", d="2026-03-09") == "09/03/2026"


def test_choice_filters_see_the_choice_columns() -> None:
    item = {"name": "v1", "district": "sbeitla"}
    assert evaluate("district = ${d}", {"d": "sbeitla"}, item=item) is True
    assert evaluate("district = ${d}", {"d": "thala"}, item=item) is False


def test_elementpath_xpath1_parser_itself_is_left_alone() -> None:
    from elementpath import XPath1Parser

    with pytest.raises(Exception, match="at most 1 argument"):
        XPath1Parser().parse("round(2.5, 1)")


def test_broken_expressions_raise_expression_errors() -> None:
    with pytest.raises(ExpressionError):
        ev("${a} >")
    assert functions_called("if(selected(${a}, 'x(y)'), pulldata('f'), 1)") == [
        "if",
        "selected",
        "pulldata",
    ]


# --- loading XLSForms ------------------------------------------------------------------------


def household_form(**settings: str) -> bytes:
    survey = [
        {
            "type": "begin_group",
            "name": "household",
            "label::English (en)": "Household",
            "label::Arabic (ar)": "الأسرة",
        },
        {
            "type": "select_one district",
            "name": "district",
            "label::English (en)": "District",
            "label::Arabic (ar)": "المعتمدية",
            "required": "yes",
        },
        {
            "type": "integer",
            "name": "members",
            "label::English (en)": "How many people?",
            "label::Arabic (ar)": "كم عدد أفراد الأسرة؟",
            "required": "yes",
            "constraint": ". > 0 and . < 40",
            "constraint_message::English (en)": "Between 1 and 39",
            "constraint_message::Arabic (ar)": "بين ١ و٣٩",
        },
        {"type": "end_group", "name": ""},
        {
            "type": "select_multiple water",
            "name": "water",
            "label::English (en)": "Water sources",
            "relevant": "${members} > 2",
            "constraint": "count-selected(.) <= 2",
        },
        {
            "type": "rank sectors",
            "name": "top",
            "label::English (en)": "Rank",
            "constraint": "count-selected(.) <= 3",
            "required": "yes",
        },
        {
            "type": "select_one village",
            "name": "village",
            "label::English (en)": "Village",
            "choice_filter": "district = ${district}",
        },
        {"type": "calculate", "name": "double", "calculation": "${members} * 2"},
        {"type": "note", "name": "thanks", "label::English (en)": "Thanks, ${members} people"},
    ]
    choices = [
        *choice_rows("district", ("sbeitla", "Sbeitla"), ("thala", "Thala")),
        *choice_rows("water", ("tap", "Tap"), ("well", "Well"), ("river", "River")),
        *choice_rows(
            "sectors",
            ("health", "Health"),
            ("education", "Education"),
            ("roads", "Roads"),
            ("jobs", "Jobs"),
        ),
        *choice_rows(
            "village",
            ("v1", "Village 1", {"district": "sbeitla"}),
            ("v2", "Village 2", {"district": "thala"}),
        ),
    ]
    return xlsform_bytes(survey, choices, {"form_id": "household", "version": "3", **settings})


def test_a_household_form_loads_with_groups_languages_and_rank_limits() -> None:
    form = load_xlsform(household_form(one_per_resident="yes", round="2026"))
    assert form.form_id == "household" and form.version == "3" and form.round == "2026"
    assert form.one_per_resident
    assert set(form.languages) == {"en", "ar"}
    members = form.question("members")
    assert members.path == "household/members" and members.row == 4
    assert members.kind == Kind.INTEGER and members.required == "true()"
    assert members.constraint_message["ar"] == "بين ١ و٣٩"
    assert form.question("top").max_ranked == 3
    assert form.priority_question == "top"
    assert Form.from_json(form.to_json()) == form


def test_a_form_with_a_repeat_is_refused_naming_the_row() -> None:
    data = xlsform_bytes(
        [
            {"type": "text", "name": "head", "label": "Head of household"},
            {"type": "begin_repeat", "name": "children", "label": "Children"},
            {"type": "begin_repeat", "name": "vaccines", "label": "Vaccines"},
            {"type": "begin_repeat", "name": "doses", "label": "Doses"},
            {"type": "text", "name": "child", "label": "Name"},
            {"type": "end_repeat", "name": ""},
            {"type": "end_repeat", "name": ""},
            {"type": "end_repeat", "name": ""},
        ],
        settings={"form_id": "kids"},
    )
    with pytest.raises(FormError) as caught:
        load_xlsform(data)
    assert [p.row for p in caught.value.problems] == [5]  # two levels run; a third does not
    assert "a repeat inside a repeat inside a repeat is not supported" in str(caught.value)


def test_unknown_references_and_functions_are_reported_with_rows() -> None:
    typo = xlsform_bytes(
        [
            {"type": "integer", "name": "age", "label": "Age"},
            {"type": "text", "name": "why", "label": "Why?", "relevant": "${agee} > 3"},
        ],
        settings={"form_id": "typo"},
    )
    with pytest.raises(FormError) as caught:
        load_xlsform(typo)
    assert str(caught.value).startswith("row 3:") and "agee" in str(caught.value)

    external = xlsform_bytes(
        [
            {"type": "integer", "name": "age", "label": "Age"},
            {
                "type": "text",
                "name": "price",
                "label": "Price",
                "relevant": "pulldata('prices', 'p', 'k', ${age}) > 1 and fancy(${age})",
            },
        ],
        settings={"form_id": "external"},
    )
    with pytest.raises(FormError) as caught:
        load_xlsform(external)
    assert [p.row for p in caught.value.problems] == [3, 3]
    assert "--media prices.csv" in str(caught.value)  # pulldata() reads an attached CSV
    assert "unknown function fancy()" in str(caught.value)


def test_pyxform_own_errors_come_through(tmp_path: Path) -> None:
    data = xlsform_bytes(
        [{"type": "select_one missing_list", "name": "q", "label": "Q"}],
        choice_rows("other_list", ("a", "A")),
        settings={"form_id": "nolist"},
    )
    with pytest.raises(FormError, match="missing_list"):
        load_xlsform(data)
    with pytest.raises(FormError, match="not a readable"):
        load_xlsform(b"not a spreadsheet")
    with pytest.raises(FormError, match=r"\.xlsx or \.xls"):
        load_xlsform((tmp_path / "form.csv").as_posix().encode(), filename="form.csv")


def test_a_form_id_that_cannot_go_in_a_telegram_link_is_slugged_for_links() -> None:
    data = xlsform_bytes([{"type": "text", "name": "q", "label": "Q"}], settings={"form_id": "a b"})
    form = load_xlsform(data)
    assert (form.form_id, form.id_string) == ("a_b", "a b")


# --- walking through a form --------------------------------------------------------------


def test_skip_logic_back_progress_and_choice_filters() -> None:
    form = load_xlsform(household_form())
    run = Run(form, {}, TODAY, "en")
    first = run.next_after(None)
    assert first is not None and first.name == "district"
    run.set("district", "thala")
    run.set("members", "2")
    # two members: the water question is not relevant, so it is neither next nor counted
    nxt = run.next_after("members")
    assert nxt is not None and nxt.name == "top"
    assert run.progress(nxt) == (3, 4)
    assert run.previous_before("top").name == "members"  # type: ignore[union-attr]
    run.set("members", "5")
    assert run.next_after("members").name == "water"  # type: ignore[union-attr]
    assert run.progress(form.question("top")) == (4, 5)
    assert [c.name for c in run.choices_for(form.question("village"))] == ["v2"]
    assert run.values()["double"] == "10"
    # The closing note is what a resident reads after sending, not a question before.
    assert not form.question("thanks").asked
    assert run.render(form.thanks["en"]) == "Thanks, 5 people"


def test_answers_are_checked_against_type_choices_and_constraints() -> None:
    form = load_xlsform(household_form())
    run = Run(form, {"district": "sbeitla"}, TODAY, "en")
    members = form.question("members")
    assert run.parse(members, "٣٤") == "34"
    assert run.parse(members, "many").code == "not_a_number"  # type: ignore[union-attr]
    assert run.parse(members, "2.5").code == "not_whole"  # type: ignore[union-attr]
    problem = run.check(members, "45")
    assert problem is not None and problem.code == "constraint"
    assert problem.message["en"] == "Between 1 and 39"
    assert run.check(members, "").code == "required"  # type: ignore[union-attr]
    assert run.check(members, "4") is None
    top = form.question("top")
    assert run.check(top, "health roads") is None
    assert run.check(top, "health roads jobs education").code == "too_many"  # type: ignore[union-attr]
    assert run.check(top, "health health").code == "not_a_choice"  # type: ignore[union-attr]
    village = form.question("village")
    assert run.check(village, "v2").code == "not_a_choice"  # type: ignore[union-attr]
    assert run.parse(village, "village 1") == "v1"


def test_first_gap_finds_answers_that_an_edit_made_invalid() -> None:
    form = load_xlsform(household_form())
    run = Run(
        form,
        {"district": "sbeitla", "members": "3", "water": "tap", "top": "health", "village": "v1"},
        TODAY,
        "en",
    )
    assert run.first_gap() is None
    run.set("district", "thala")  # the village chosen is not in Thala
    gap = run.first_gap()
    assert gap is not None and gap[0].name == "village" and gap[1].code == "not_a_choice"


def test_dates_and_times_as_people_type_them() -> None:
    assert parse_date("24/11/2026") == date(2026, 11, 24)
    assert parse_date("٢٤/١١/٢٠٢٦") == date(2026, 11, 24)
    assert parse_date("2026-11-24") == date(2026, 11, 24)
    assert parse_date("31/02/2026") is None
    assert parse_date("tomorrow") is None
    assert parse_time("14h30") is not None and parse_time("25:00") is None
