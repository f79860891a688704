"""Expressions as published KoBo/ODK forms write them, each giving the value JavaRosa
(ODK Collect's engine) gives: operators before a parenthesis, names that are also
operators, the ODK function library, and relative paths such as pyxform's or_other."""

from __future__ import annotations

import math
import re
from datetime import date

import pytest

from core.config import PROJECT_ROOT
from formengine.loader import TYPE_ALIASES, load_xlsform
from formengine.runtime import Run
from formengine.xpath import (
    ODK_FUNCTIONS,
    UNSUPPORTED_FUNCTIONS,
    Environment,
    ExpressionError,
    choice_instance,
    evaluate,
    functions_called,
    known_function,
    tokens,
)
from formengine.xpath.library import _XPATH1_FUNCTIONS
from tests.support.xlsforms import choice_rows, xlsform_bytes

TODAY = Environment(today=date(2026, 11, 24))


def ev(expression: str, **values: str) -> object:
    return evaluate(expression, values, environment=TODAY)


# --- operators are operators, even right before a parenthesis ---------------------------------

MARRIED_ADULT = "(${age} >= 18) and (${status} = 'married' or ${status} = 'widowed')"
SAYS_NO_OR_DOES_NOT_KNOW = (
    "selected(${a}, 'yes') and (selected(${b}, 'no') or selected(${b}, 'dk'))"
)


def test_and_or_before_a_parenthesis_are_operators_not_function_calls() -> None:
    assert functions_called(SAYS_NO_OR_DOES_NOT_KNOW) == ["selected"]
    assert functions_called(MARRIED_ADULT) == []
    assert ev(SAYS_NO_OR_DOES_NOT_KNOW, a="yes", b="dk") is True
    assert ev(SAYS_NO_OR_DOES_NOT_KNOW, a="yes", b="yes") is False
    assert ev(SAYS_NO_OR_DOES_NOT_KNOW, a="no", b="no") is False
    assert ev(MARRIED_ADULT, age="34", status="widowed") is True
    assert ev(MARRIED_ADULT, age="17", status="married") is False
    assert ev(MARRIED_ADULT, age="", status="married") is False  # unanswered age: NaN
    assert ev("${a}='x'or(${b}='y')", a="", b="y") is True  # no spaces at all


def test_div_and_mod_before_a_parenthesis_divide() -> None:
    assert functions_called("${a} div (2) + ${a} mod(3)") == []
    assert ev("${a} div (2)", a="5") == 2.5
    assert ev("${a} mod(3)", a="5") == 2
    assert ev("(${a} + 1)div(${a} - 3)", a="5") == 3
    assert ev("-7 mod 3") == -1  # the sign of the dividend, as in Java
    assert ev("1 div 0") == math.inf and math.isnan(ev("0 div 0"))  # type: ignore[arg-type]


def test_a_field_called_div_or_mod_is_a_name() -> None:
    assert ev("${div} div ${mod}", div="9", mod="3") == 3
    values = {"div": "8", "mod": "3", "total": ""}
    paths = {"div": "div", "mod": "mod", "total": "total"}
    assert evaluate("../div mod ../mod", values, here="total", paths=paths) == 2
    assert evaluate("../div div 2", values, here="total", paths=paths) == 4


def test_unary_minus() -> None:
    assert ev("-${a}", a="5") == -5
    assert ev("3 - -${a}", a="2") == 5
    assert ev("-(${a} + 1)", a="5") == -6
    assert ev("${a} * -1", a="4") == -4
    assert ev("--2") == 2


def test_not_equal_and_what_odk_refuses() -> None:
    assert ev("${a}!='x'", a="y") is True
    assert ev("${a} != 5", a="") is True  # NaN != 5, as JavaRosa
    for wrong, hint in (
        ("${a} <> 2", "write !="),
        ("${a} == 2", "write ="),
        ("${a} = 1 && ${b} = 2", "write and"),
        ("!selected(${a}, 'x')", "write not"),
    ):
        with pytest.raises(ExpressionError, match=re.escape(hint)):
            ev(wrong)


def test_strings_may_hold_the_other_quote_and_look_like_calls() -> None:
    assert ev("""concat("it's ", ${n})""", n="Amal") == "it's Amal"
    assert ev("""${q} = 'say "yes"'""", q='say "yes"') is True
    assert functions_called("""if(${a} = 'pulldata(x)', "and (", 'or(')""") == ["if"]
    with pytest.raises(ExpressionError, match="not closed"):
        ev("${a} = 'unfinished")


def test_references_touching_operators_stay_apart() -> None:
    assert ev("${a}-1", a="5") == 4  # not a variable called "a-1"
    assert ev("${a}*${b}", a="3", b="4") == 12
    assert ev("${a}div${b}", a="9", b="3") == 3
    assert ev("${a}+${b}>=7", a="3", b="4") is True
    assert [t.kind for t in tokens("${a}-${b}")] == ["reference", "operator", "reference"]


# --- ODK's function library ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("sin(0)", 0.0),
        ("cos(0)", 1.0),
        ("tan(0)", 0.0),
        ("asin(1)", math.pi / 2),
        ("acos(1)", 0.0),
        ("atan(1)", math.pi / 4),
        ("atan2(1, 1)", math.pi / 4),
        ("atan2(0, -1)", math.pi),
        ("sqrt(16)", 4.0),
        ("exp(0)", 1.0),
        ("exp10(2)", 100.0),
        ("log(1)", 0.0),
        ("log10(1000)", 3.0),
        ("pow(2, 10)", 1024.0),
        ("pi()", math.pi),
        ("abs(-3.5)", 3.5),
        ("round(2.345, 2)", 2.35),
        ("round(1234.5678, -2)", 1200.0),
        ("round(2.5)", 3.0),
        ("round(-2.5)", -2.0),  # XPath 1.0: a half goes up
        ("int(-3.7)", -3.0),  # towards zero
        ("int(3.7)", 3.0),
        ("floor(-3.2)", -4.0),
        ("ceiling(3.2)", 4.0),
        ("sum(${a})", 5.0),
    ],
)
def test_math_as_javarosa_computes_it(expression: str, expected: float) -> None:
    assert ev(expression, a="5") == pytest.approx(expected)


@pytest.mark.parametrize(
    "expression", ["sqrt(-1)", "log(0)", "asin(2)", "sin(${empty})", "pow(${empty}, 2)"]
)
def test_math_outside_its_domain_is_nan(expression: str) -> None:
    result = ev(expression, empty="")
    assert isinstance(result, float) and math.isnan(result)


def test_string_functions() -> None:
    assert ev("concat(${a})", a="alone") == "alone"
    assert ev("concat(${a}, '-', 3)", a="x") == "x-3"
    assert ev("join(', ', ${a}, ${b}, ${c})", a="tap", b="", c="well") == "tap, , well"
    assert ev("substr('abcdef', 1, 3)") == "bc"
    assert ev("substr('abcdef', 2)") == "cdef"
    assert ev("substring('abcdef', 2, 3)") == "bcd"  # XPath counts from 1
    assert ev("substring-before(${d}, '-')", d="2026-11") == "2026"
    assert ev("substring-after(${d}, '-')", d="2026-11") == "11"
    assert ev("translate(${s}, 'abc', 'ABC')", s="cabbage") == "CABBAge"
    assert ev("contains(${s}, 'bb')", s="cabbage") is True
    assert ev("starts-with(${s}, 'cab')", s="cabbage") is True
    assert ev("ends-with(${s}, 'age')", s="cabbage") is True
    assert ev("normalize-space(${s})", s="  tap   water ") == "tap water"
    assert ev("string-length(${s})", s="واد") == 3
    assert ev("boolean-from-string('true')") is True
    assert ev("boolean-from-string('1')") is True
    assert ev("boolean-from-string('yes')") is False


def test_booleans() -> None:
    assert ev("true()") is True and ev("false()") is False
    assert ev("not(true()) or false()") is False
    assert ev("not(${a})", a="") is True
    assert ev("boolean(${a})", a="x") is True


def test_dates_and_times() -> None:
    assert ev("date('2026-11-24')") == "2026-11-24"
    assert ev("date(0)") == "1970-01-01"
    assert ev("date(${d} + 7)", d="2026-11-24") == "2026-12-01"
    assert ev("decimal-date-time('1970-01-02T12:00:00Z')") == 1.5
    assert ev("decimal-date-time(${d})", d="2026-11-24") == 20781
    assert ev("decimal-time('12:00')") == 0.5
    assert ev("format-date(${d}, '%e/%n/%y %b')", d="2026-03-09") == "9/3/26 Mar"
    assert ev("format-date-time('2026-03-09T14:05:07', '%H:%M %h')") == "14:05 14"
    assert ev("today() > ${d}", d="2026-11-01") is True


def test_uuid() -> None:
    assert re.fullmatch(r"[0-9a-f-]{36}", str(ev("uuid()")))
    assert re.fullmatch(r"[A-Za-z0-9]{8}", str(ev("uuid(8)")))
    assert ev("uuid()") != ev("uuid()")


def test_checklists() -> None:
    values = {"a": "yes", "b": "", "c": "yes"}
    assert evaluate("checklist(2, 2, ${a}, ${b}, ${c})", values) is True
    assert evaluate("checklist(3, -1, ${a}, ${b}, ${c})", values) is False
    assert evaluate("checklist(-1, 1, ${a}, ${b}, ${c})", values) is False
    assert evaluate("weighted-checklist(3, -1, ${a}, 2, ${b}, 5, ${c}, 1)", values) is True
    assert evaluate("weighted-checklist(4, -1, ${a}, 2, ${b}, 5, ${c}, 1)", values) is False


def test_choice_names_in_the_residents_language() -> None:
    labels = {("district", "thala"): "تالة"}
    environment = Environment(
        today=date(2026, 11, 24), choice_label=lambda field, value: labels[(field, value)]
    )
    assert (
        evaluate("jr:choice-name(${d}, '${district}')", {"d": "thala"}, environment=environment)
        == "تالة"
    )


def test_itext_is_named_as_what_it_is() -> None:
    assert functions_called("jr:itext('static_instance-yn-0')") == ["jr:itext"]


# --- relative paths, as pyxform writes them and ODK resolves them --------------------------------

PATHS = {
    "fav_color": "fav_color",
    "fav_color_other": "fav_color_other",
    "boys": "household/boys",
    "girls": "household/girls",
    "children": "household/children",
    "district": "district",
    "village": "village",
}


def at(expression: str, here: str, *, current: str | None = None, **values: str) -> object:
    return evaluate(expression, values, here=here, paths=PATHS, current=current)


def test_or_other_asks_to_specify_when_other_is_picked() -> None:
    relevant = "selected(../fav_color, 'other')"
    assert at(relevant, "fav_color_other", fav_color="other") is True
    assert at(relevant, "fav_color_other", fav_color="red") is False
    assert at(relevant, "fav_color_other") is False


def test_paths_climb_out_of_groups() -> None:
    assert at("../boys + ../girls", "children", boys="2", girls="3") == 5
    assert at("../household/boys > 1", "fav_color", boys="2") is True
    assert at("../../fav_color", "boys", fav_color="red") == "red"
    assert at("/data/household/girls", "fav_color", girls="4") == "4"
    assert at("count(../*)", "boys") == 3


def test_dot_and_current_are_the_question_itself() -> None:
    assert at(". <= ../boys + ../girls", "children", current="5", boys="2", girls="3") is True
    assert at(". <= ../boys + ../girls", "children", current="6", boys="2", girls="3") is False
    assert at("current() > 1", "boys", boys="2") is True
    assert at("string-length(current()) = 3", "fav_color", fav_color="red") is True


def test_in_a_choice_filter_dot_is_the_choice_and_current_the_question() -> None:
    item = {"name": "v1", "district": "sbeitla"}
    choice_filter = "district = current()/../district"
    assert evaluate(choice_filter, {"district": "sbeitla"}, item=item, here="village", paths=PATHS)
    assert not evaluate(
        choice_filter, {"district": "thala"}, item=item, here="village", paths=PATHS
    )
    assert evaluate("./name = 'v1'", {}, item=item, here="village", paths=PATHS) is True


def test_max_and_min_over_node_sets() -> None:
    assert at("max(../boys | ../girls)", "children", boys="2", girls="5") == 5
    assert at("min(../*)", "children", boys="2", girls="5", children="4") == 2
    assert math.isnan(at("max(../boys | ../girls)", "children", boys="2"))  # type: ignore[arg-type]
    assert at("sum(../boys | ../girls)", "children", boys="2", girls="5") == 7
    assert at("count-non-empty(../*)", "children", boys="2") == 1
    assert at("join('+', ../boys | ../girls)", "children", boys="2", girls="5") == "2+5"


def test_instance_reads_a_choice_list_as_odk_secondary_instances() -> None:
    crops = choice_instance(
        [
            {"name": "olive", "label": "Olives", "price": "12"},
            {"name": "wheat", "label": "Wheat", "price": "1.5"},
        ]
    )
    instances = {"crops": crops}.get
    price = "instance('crops')/root/item[name = ${crop}]/price"
    assert evaluate(f"{price} * ${{kg}}", {"crop": "olive", "kg": "3"}, instances=instances) == 36
    assert evaluate(price.replace("price", "label"), {"crop": "wheat"}, instances=instances) == (
        "Wheat"
    )
    assert evaluate("count(instance('crops')/root/item)", {}, instances=instances) == 2
    assert evaluate("sum(instance('crops')/root/item/price)", {}, instances=instances) == 13.5
    assert evaluate("instance('other')/root/item/label", {}, instances=instances) == ""


# --- the README says all of it ------------------------------------------------------------------


def test_the_readme_lists_every_supported_function_and_type_alias() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    surveys = readme[readme.index("## Surveys") :]
    surveys = surveys[: surveys.index("\n## ", 1)]
    functions = ODK_FUNCTIONS | _XPATH1_FUNCTIONS | set(UNSUPPORTED_FUNCTIONS)
    assert not [f for f in sorted(functions) if f"`{f}()`" not in surveys]
    assert not [a for a in sorted(TYPE_ALIASES) if f"`{a}`" not in surveys]
    assert not known_function("and") and not known_function("or")  # operators, not functions


def test_a_groups_relevant_starts_from_the_group() -> None:
    form = load_xlsform(
        xlsform_bytes(
            [
                {"type": "select_one yn", "name": "consent", "label": "Agree?"},
                {
                    "type": "begin_group",
                    "name": "household",
                    "label": "Household",
                    "relevant": "../consent = 'yes'",  # from the group: /data/consent
                },
                {"type": "integer", "name": "members", "label": "How many?"},
                {
                    "type": "text",
                    "name": "names",
                    "label": "Their names",
                    "relevant": "../members > 1 and ../../consent = 'yes'",
                },
                {"type": "end_group", "name": ""},
            ],
            choice_rows("yn", ("yes", "Yes"), ("no", "No")),
            {"form_id": "nested"},
        )
    )
    assert form.question("names").relevant_from == ("household", "")
    agreed = Run(form, {"consent": "yes", "members": "3"})
    assert agreed.is_relevant(form.question("members")) and agreed.is_relevant(
        form.question("names")
    )
    refused = Run(form, {"consent": "no", "members": "3"})
    assert not refused.is_relevant(form.question("members"))
    alone = Run(form, {"consent": "yes", "members": "1"})
    assert not alone.is_relevant(form.question("names"))
