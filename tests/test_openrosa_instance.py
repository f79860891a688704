"""A resident's answers become the XML instance the programme's ODK Central or KoBo
server accepts: checked against the XForm pyxform writes for the same XLSForm."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from formengine.instance_xml import attachment_names, instance_xml
from formengine.loader import load_xlsform
from tests.fakes.xform_check import XFormChecker, xform_of
from tests.support.xlsforms import Row, xlsform_bytes
from tests.test_survey_repeats import ROSTER, SETTINGS, YES_NO

EN = "label::English (en)"

NEEDS: list[Row] = [
    {"type": "begin group", "name": "place", EN: "Where you live"},
    {"type": "select_one district", "name": "district", EN: "District?", "required": "yes"},
    {"type": "date", "name": "since", EN: "Living here since?"},
    {"type": "end group"},
    {"type": "decimal", "name": "income", EN: "Monthly income?", "required": "yes"},
    {"type": "select_multiple district", "name": "visited", EN: "Districts visited?"},
    {"type": "image", "name": "photo", EN: "A photo of the problem?"},
]  # fmt: skip
DISTRICTS = [
    {"list_name": "district", "name": "north", EN: "North"},
    {"list_name": "district", "name": "south", EN: "South"},
]
NEEDS_SETTINGS: Row = {"form_id": "needs", "version": "2026-1", "default_language": "English (en)"}
UUID = "0f8fad5b-d9cb-469f-a165-70867728950e"


def test_a_residents_needs_answers_become_an_instance_central_accepts() -> None:
    data = xlsform_bytes(NEEDS, DISTRICTS, NEEDS_SETTINGS)
    form = load_xlsform(data)
    answers = {
        "district": "north",
        "since": "2019-05-01",
        "income": "350.5",
        "visited": "north south",
        "photo": "photo-1.jpg",
    }
    xml = instance_xml(form, answers, UUID)
    checker = XFormChecker(xform_of(data))
    assert checker.problems(xml) == []
    root = ET.fromstring(xml)
    assert (root.tag, root.get("id"), root.get("version")) == ("data", "needs", "2026-1")
    assert root.findtext("place/district") == "north"
    assert root.findtext("meta/instanceID") == f"uuid:{UUID}"
    assert attachment_names(form, answers) == ["photo-1.jpg"]
    # The same instance twice is what a server refuses as a duplicate.
    assert checker.problems(xml) == [f"instanceID uuid:{UUID} sent twice"]


def test_a_wrong_answer_is_what_the_server_refuses() -> None:
    data = xlsform_bytes(NEEDS, DISTRICTS, NEEDS_SETTINGS)
    form = load_xlsform(data)
    xml = instance_xml(form, {"district": "east", "income": "a lot"}, UUID)
    problems = XFormChecker(xform_of(data)).problems(xml)
    assert "/data/place/district: 'east' is not a valid string" in problems
    assert "/data/income: 'a lot' is not a valid decimal" in problems
    missing = instance_xml(form, {"district": "north"}, UUID)
    assert "/data/income is required" in XFormChecker(xform_of(data)).problems(missing)


def test_a_household_roster_is_sent_as_one_element_per_member() -> None:
    data = xlsform_bytes(ROSTER, YES_NO, SETTINGS)
    form = load_xlsform(data)
    answers = {
        "hh_size": "2",
        "m_name__1": "Amina",
        "m_age__1": "40",
        "m_name__2": "Sami",
        "m_age__2": "9",
        "m_school__2": "yes",
        "v_org__1": "Red Crescent",
    }
    xml = instance_xml(form, answers, UUID)
    assert XFormChecker(xform_of(data)).problems(xml) == []
    root = ET.fromstring(xml)
    members = root.findall("member")
    assert [m.findtext("m_name") for m in members] == ["Amina", "Sami"]
    assert members[1].findtext("m_school") == "yes"
    assert [v.findtext("v_org") for v in root.findall("visit")] == ["Red Crescent"]
