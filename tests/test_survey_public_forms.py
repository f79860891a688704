"""Three forms in the styles KoBo/ODK users publish, each imported and answered to the end
through the simulator channel; and a form with a repeat group, refused at import."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.engine.engine import Engine
from core.clock import FixedClock
from formengine.loader import FormError, load_xlsform
from formengine.model import Kind
from formengine.store import import_xlsform
from storage import surveys
from storage.db import Database
from tests.support.chat import Chat
from tests.support.xlsforms import Row, choice_rows, xlsform_bytes

EN, FR = "label::English (en)", "label::French (fr)"


def bilingual(en: str, fr: str) -> Row:
    return {EN: en, FR: fr}


# --- 1. A household WASH assessment: groups, relevant, constraints, select_multiple, geopoint --

WASH_SURVEY: list[Row] = [
    {"type": "start", "name": "start"},
    {"type": "end", "name": "end"},
    {"type": "today", "name": "today"},
    {"type": "deviceid", "name": "deviceid"},
    {
        "type": "select_one yes_no",
        "name": "consent",
        "required": "yes",
        **bilingual(
            "Do you agree to answer a few questions about water and sanitation?",
            "Acceptez-vous de répondre à quelques questions sur l'eau et l'assainissement ?",
        ),
    },
    {
        "type": "begin_group",
        "name": "household",
        "relevant": "${consent} = 'yes'",
        **bilingual("Household", "Ménage"),
    },
    {
        "type": "integer",
        "name": "hh_size",
        "required": "yes",
        "constraint": ". >= 1 and . <= 30",
        "constraint_message::English (en)": "A household has 1 to 30 people",
        "constraint_message::French (fr)": "Un ménage compte de 1 à 30 personnes",
        **bilingual(
            "How many people live in the household?", "Combien de personnes vivent dans le ménage ?"
        ),
    },
    {
        "type": "integer",
        "name": "under5",
        "required": "yes",
        "constraint": ". >= 0 and . <= ${hh_size}",
        "constraint_message::English (en)": "Cannot be more than the household size",
        "constraint_message::French (fr)": "Pas plus que la taille du ménage",
        **bilingual("How many are under 5?", "Combien ont moins de 5 ans ?"),
    },
    {"type": "end_group", "name": ""},
    {
        "type": "begin_group",
        "name": "water",
        "relevant": "${consent} = 'yes'",
        **bilingual("Drinking water", "Eau de boisson"),
    },
    {
        "type": "select_one source",
        "name": "main_source",
        "required": "yes",
        **bilingual("Main source of drinking water?", "Principale source d'eau de boisson ?"),
    },
    {
        "type": "text",
        "name": "other_source",
        "required": "yes",
        "relevant": "selected(${main_source}, 'other')",
        **bilingual("Which other source?", "Quelle autre source ?"),
    },
    {
        "type": "integer",
        "name": "minutes",
        "relevant": "not(selected(${main_source}, 'piped'))",
        "constraint": ". < 600",
        "hint::English (en)": "Going there, queueing and coming back",
        **bilingual(
            "How many minutes to fetch water?", "Combien de minutes pour aller chercher l'eau ?"
        ),
    },
    {
        "type": "select_multiple treatment",
        "name": "treatment",
        "required": "yes",
        "constraint": "not(selected(., 'none') and count-selected(.) > 1)",
        "constraint_message::English (en)": "'No treatment' cannot go with a treatment",
        "constraint_message::French (fr)": "« Aucun traitement » exclut les autres réponses",
        **bilingual(
            "How do you make the water safer to drink?",
            "Comment rendez-vous l'eau plus sûre à boire ?",
        ),
    },
    {
        "type": "calculate",
        "name": "improved",
        "calculation": (
            "if(selected(${main_source}, 'piped') or selected(${main_source}, 'tap'), 'yes', 'no')"
        ),
    },
    {"type": "end_group", "name": ""},
    {
        "type": "note",
        "name": "summary",
        "relevant": "${consent} = 'yes'",
        **bilingual(
            "${hh_size} people; improved source: ${improved}",
            "${hh_size} personnes ; source améliorée : ${improved}",
        ),
    },
    {
        "type": "geopoint",
        "name": "gps",
        "relevant": "${consent} = 'yes'",
        **bilingual("Where is the household?", "Où se trouve le ménage ?"),
    },
]
WASH_CHOICES: list[Row] = [
    *[
        {"list_name": "yes_no", "name": n, **bilingual(en, fr)}
        for n, en, fr in (("yes", "Yes", "Oui"), ("no", "No", "Non"))
    ],
    *[
        {"list_name": "source", "name": n, **bilingual(en, fr)}
        for n, en, fr in (
            ("piped", "Piped into dwelling", "Robinet dans le logement"),
            ("tap", "Public tap", "Borne-fontaine"),
            ("well", "Protected well", "Puits protégé"),
            ("surface", "River or dam", "Rivière ou barrage"),
            ("other", "Other", "Autre"),
        )
    ],
    *[
        {"list_name": "treatment", "name": n, **bilingual(en, fr)}
        for n, en, fr in (
            ("boil", "Boil", "Faire bouillir"),
            ("chlorine", "Add chlorine", "Ajouter du chlore"),
            ("filter", "Filter", "Filtrer"),
            ("none", "No treatment", "Aucun traitement"),
        )
    ],
]
WASH_SETTINGS: Row = {
    "form_title": "WASH household assessment",
    "form_id": "wash_hh",
    "version": "2024031501",
    "default_language": "English (en)",
}


# --- 2. A health facility assessment: cascades, calculations, integer limits, range -----------

FACILITY_SURVEY: list[Row] = [
    {
        "type": "select_one governorate",
        "name": "governorate",
        "label": "Governorate",
        "required": "yes",
    },
    {
        "type": "select_one delegation",
        "name": "delegation",
        "label": "Delegation",
        "required": "yes",
        "choice_filter": "governorate = ${governorate}",
    },
    {
        "type": "select_one facility",
        "name": "facility",
        "label": "Facility",
        "required": "yes",
        "choice_filter": "delegation = ${delegation}",
    },
    {
        "type": "integer",
        "name": "doctors",
        "label": "Doctors on staff",
        "required": "yes",
        "constraint": ". >= 0 and . <= 50",
    },
    {
        "type": "integer",
        "name": "nurses",
        "label": "Nurses on staff",
        "required": "yes",
        "constraint": ". >= 0 and . <= 200",
    },
    {
        "type": "integer",
        "name": "catchment",
        "label": "Population served",
        "required": "yes",
        "constraint": ". > 0",
    },
    {
        "type": "calculate",
        "name": "staff_per_10k",
        "calculation": "round((${doctors} + ${nurses}) * 10000 div ${catchment}, 1)",
    },
    {
        "type": "note",
        "name": "ratio",
        "label": "That is ${staff_per_10k} health workers per 10,000 people.",
    },
    {
        "type": "date",
        "name": "last_visit",
        "label": "Date of the last supervision visit",
        "constraint": ". <= today()",
        "constraint_message": "The date cannot be in the future",
    },
    {
        "type": "decimal",
        "name": "budget",
        "label": "Monthly drug budget (thousand dinars)",
        "constraint": ". >= 0",
    },
    {
        "type": "range",
        "name": "cleanliness",
        "label": "Cleanliness, from 1 (poor) to 5 (very good)",
        "parameters": "start=1 end=5 step=1",
    },
    {
        "type": "select_multiple services",
        "name": "services",
        "label": "Services offered",
        "required": "yes",
    },
    {
        "type": "integer",
        "name": "births",
        "label": "Births last month",
        "relevant": "selected(${services}, 'maternity')",
        "required": "yes",
    },
]
FACILITY_CHOICES: list[Row] = [
    *choice_rows("governorate", ("kasserine", "Kasserine"), ("sidi_bouzid", "Sidi Bouzid")),
    *choice_rows(
        "delegation",
        ("sbeitla", "Sbeitla", {"governorate": "kasserine"}),
        ("thala", "Thala", {"governorate": "kasserine"}),
        ("regueb", "Regueb", {"governorate": "sidi_bouzid"}),
    ),
    *choice_rows(
        "facility",
        ("csb_sbeitla", "Sbeitla basic health centre", {"delegation": "sbeitla"}),
        ("hr_sbeitla", "Sbeitla district hospital", {"delegation": "sbeitla"}),
        ("csb_thala", "Thala basic health centre", {"delegation": "thala"}),
        ("csb_regueb", "Regueb basic health centre", {"delegation": "regueb"}),
    ),
    *choice_rows(
        "services",
        ("consultation", "General consultation"),
        ("vaccination", "Vaccination"),
        ("maternity", "Maternity"),
    ),
]
FACILITY_SETTINGS: Row = {
    "form_title": "Health facility assessment",
    "form_id": "hf_assessment",
    "version": "3",
}


# --- 3. A market and livelihoods survey: skip logic without repeats, notes, a long list -------

COMMODITIES = [(f"item_{n:02d}", f"Commodity {n:02d}") for n in range(1, 41)]
MARKET_SURVEY: list[Row] = [
    {"type": "note", "name": "welcome", "label": "Market monitoring — weekly prices."},
    {"type": "select_one trader_type", "name": "trader", "label": "You are a…", "required": "yes"},
    {"type": "acknowledge", "name": "ack", "label": "I confirm the prices I give are today's."},
    {
        "type": "select_one commodity",
        "name": "commodity",
        "label": "Which commodity?",
        "required": "yes",
    },
    {
        "type": "decimal",
        "name": "price",
        "label": "Price per kg of ${commodity} (dinars)",
        "required": "yes",
        "constraint": ". > 0 and . < 1000",
    },
    {
        "type": "select_one yes_no",
        "name": "shortage",
        "label": "Any shortage this week?",
        "required": "yes",
    },
    {
        "type": "select_multiple cause",
        "name": "causes",
        "label": "Why?",
        "required": "yes",
        "relevant": "${shortage} = 'yes'",
    },
    {
        "type": "text",
        "name": "cause_other",
        "label": "Which other reason?",
        "required": "yes",
        "relevant": "selected(${causes}, 'other')",
    },
    {
        "type": "note",
        "name": "shortage_note",
        "relevant": "${shortage} = 'yes' and ${trader} = 'wholesale'",
        "label": "Thank you: wholesale shortages are reported to the regional office.",
    },
    {"type": "time", "name": "opening", "label": "When does your stall open?"},
    {
        "type": "note",
        "name": "bye",
        "label": "Thanks! Commodity: jr:choice-name is used below.",
        "relevant": "string-length(jr:choice-name(${commodity}, '${commodity}')) > 0",
    },
]
MARKET_CHOICES: list[Row] = [
    *choice_rows("trader_type", ("retail", "Retailer"), ("wholesale", "Wholesaler")),
    *choice_rows("commodity", *COMMODITIES),
    *choice_rows("yes_no", ("yes", "Yes"), ("no", "No")),
    *choice_rows(
        "cause", ("transport", "Transport"), ("prices", "Prices went up"), ("other", "Other")
    ),
]
MARKET_SETTINGS: Row = {
    "form_title": "Market monitoring",
    "form_id": "market_prices",
    "version": "12",
}


PUBLIC_FORMS = {
    "wash_hh": xlsform_bytes(WASH_SURVEY, WASH_CHOICES, WASH_SETTINGS),
    "hf_assessment": xlsform_bytes(FACILITY_SURVEY, FACILITY_CHOICES, FACILITY_SETTINGS),
    "market_prices": xlsform_bytes(MARKET_SURVEY, MARKET_CHOICES, MARKET_SETTINGS),
}


@pytest.fixture
async def public_chat(engine: Engine, sqlite_db: Database) -> Chat:
    async with sqlite_db.transaction() as s:
        for data in PUBLIC_FORMS.values():
            await import_xlsform(s, data)
    engine.services.clock = FixedClock(datetime(2026, 11, 24, 8, 30, tzinfo=UTC))
    chat = Chat(engine, language="en")
    await chat.onboard("en")
    return chat


async def submitted(db: Database, form_id: str) -> dict[str, str]:
    async with db.reader() as s:
        stored = await surveys.get_form(s, form_id)
        assert stored is not None
        from sqlalchemy import select

        from storage.surveys import SurveySubmission

        submission_id = await s.scalar(
            select(SurveySubmission.id).where(SurveySubmission.form_pk == stored.pk)
        )
        assert submission_id is not None
        return await surveys.submission_answers(s, submission_id)


def test_the_three_forms_load_with_their_features() -> None:
    wash = load_xlsform(PUBLIC_FORMS["wash_hh"])
    assert wash.languages == ("en", "fr") and wash.default_language == "en"
    assert wash.question("treatment").kind == Kind.SELECT_MULTIPLE
    assert wash.question("under5").relevant == ("${consent} = 'yes'",)
    assert {q.meta for q in wash.questions if q.kind == Kind.META} == {
        "start",
        "end",
        "today",
        "deviceid",
    }
    facility = load_xlsform(PUBLIC_FORMS["hf_assessment"])
    assert facility.question("facility").choice_filter == "delegation = ${delegation}"
    assert facility.question("cleanliness").range_end == 5
    market = load_xlsform(PUBLIC_FORMS["market_prices"])
    assert len(market.choices["commodity"]) == 40


async def test_a_household_wash_assessment_in_french(public_chat: Chat) -> None:
    chat = public_chat
    chat.sim.language = "fr"
    await chat.send("/language")
    await chat.press("Français")
    await chat.send("/start survey_wash_hh")
    assert chat.said("Acceptez-vous de répondre")
    await chat.press("Oui")
    assert chat.said("— Ménage —")
    await chat.send("٥")
    await chat.send("7")
    assert chat.said("Pas plus que la taille du ménage")
    await chat.send("2")
    await chat.press("Autre")
    await chat.send("Citerne du voisin")
    await chat.send("45")
    await chat.press("Faire bouillir")
    await chat.press("Aucun traitement")
    await chat.press("Terminé ✔")
    assert chat.said("« Aucun traitement » exclut les autres réponses")
    await chat.press("✅ Aucun traitement")
    await chat.press("Terminé ✔")
    assert chat.said("5 personnes ; source améliorée : no")
    await chat.press("Continuer ▶")
    await chat.share_location(35.2201, 8.7203)
    assert chat.said("Veuillez vérifier vos réponses :")
    await chat.press("✅ Envoyer mes réponses")
    answers = await submitted(chat.sim.engine.services.db, "wash_hh")
    assert answers["hh_size"] == "5" and answers["under5"] == "2"
    assert answers["main_source"] == "other" and answers["other_source"] == "Citerne du voisin"
    assert answers["treatment"] == "boil" and answers["improved"] == "no"
    assert answers["today"] == "2026-11-24" and answers["deviceid"] == "telegram"
    assert answers["start"] == "2026-11-24T09:30:00.000+01:00"  # local time, as ODK writes it


async def test_a_household_that_declines_is_done_in_one_question(public_chat: Chat) -> None:
    chat = public_chat
    await chat.send("/start survey_wash_hh")
    await chat.press("No")
    assert chat.said("Please check your answers:")
    await chat.press("✅ Send my answers")
    answers = await submitted(public_chat.sim.engine.services.db, "wash_hh")
    assert answers["consent"] == "no" and "hh_size" not in answers and "gps" not in answers


async def test_a_health_facility_assessment_with_cascading_choices(public_chat: Chat) -> None:
    chat = public_chat
    await chat.send("/start survey_hf_assessment")
    await chat.press("Kasserine")
    assert chat.buttons()[:2] == ["Sbeitla", "Thala"] and "Regueb" not in chat.buttons()
    await chat.press("Sbeitla")
    assert "Sbeitla district hospital" in chat.buttons()
    assert "Thala basic health centre" not in chat.buttons()
    await chat.press("Sbeitla district hospital")
    await chat.send("4")
    await chat.send("250")
    assert chat.said("This answer is not accepted here")
    await chat.send("36")
    await chat.send("20000")
    assert chat.said("That is 20 health workers per 10,000 people.")
    await chat.press("Continue ▶")
    await chat.send("2026-12-25")
    assert chat.said("The date cannot be in the future")
    await chat.send("3/10/2026")
    await chat.send("12.75")
    await chat.send("9")
    assert chat.said("Please type a number from 1 to 5.")
    await chat.send("4")
    await chat.press("Vaccination")
    await chat.press("Maternity")
    await chat.press("Done ✔")
    assert chat.said("Births last month")
    await chat.send("31")
    # Back from the review to the delegation: the facility no longer fits and is asked again.
    await chat.press("✏️ Change an answer")
    await chat.press("2")
    await chat.press("Thala")
    assert chat.said("Facility") and "Thala basic health centre" in chat.buttons()
    await chat.press("Thala basic health centre")
    await chat.press("✅ Send my answers")
    answers = await submitted(chat.sim.engine.services.db, "hf_assessment")
    assert answers["facility"] == "csb_thala" and answers["staff_per_10k"] == "20"
    assert answers["last_visit"] == "2026-10-03" and answers["budget"] == "12.75"
    assert answers["services"] == "vaccination maternity" and answers["births"] == "31"


async def test_a_market_survey_with_a_long_list_and_skip_logic(public_chat: Chat) -> None:
    chat = public_chat
    await chat.send("/start survey_market_prices")
    await chat.press("Continue ▶")
    await chat.press("Wholesaler")
    await chat.press("OK")
    assert "Commodity 01" in chat.buttons() and "Commodity 40" not in chat.buttons()
    await chat.press("More options ▶")
    assert "Commodity 40" in chat.buttons()
    await chat.press("Commodity 33")
    assert chat.said("Price per kg of Commodity 33 (dinars)")
    await chat.send("٢٫٥")
    await chat.press("Yes")
    await chat.press("Transport")
    await chat.press("Other")
    await chat.press("Done ✔")
    await chat.send("Road closed by snow")
    assert chat.said("wholesale shortages are reported")
    await chat.press("Continue ▶")
    await chat.send("7h30")
    await chat.press("Continue ▶")
    await chat.press("✅ Send my answers")
    answers = await submitted(chat.sim.engine.services.db, "market_prices")
    assert answers["commodity"] == "item_33" and answers["price"] == "2.5"
    assert (
        answers["causes"] == "transport other" and answers["opening"] == "07:30:00.000+01:00"
    )  # ODK time
    assert answers["ack"] == "OK"


def test_a_form_with_a_repeat_group_is_refused_naming_its_row(tmp_path: Path) -> None:
    survey = [
        *WASH_SURVEY[:5],
        {"type": "begin_repeat", "name": "members", "label": "Household members"},
        {"type": "begin_repeat", "name": "jobs", "label": "Jobs"},
        {"type": "begin_repeat", "name": "shifts", "label": "Shifts"},
        {"type": "text", "name": "member_name", "label": "Name"},
        {"type": "end_repeat", "name": ""},
        {"type": "end_repeat", "name": ""},
        {"type": "end_repeat", "name": ""},
    ]
    with pytest.raises(FormError) as caught:
        load_xlsform(xlsform_bytes(survey, WASH_CHOICES, WASH_SETTINGS))
    # A roster runs, with a repeat inside (tests/test_survey_repeats.py); a third level does not.
    assert str(caught.value).startswith("row 9: shifts: a repeat inside a repeat inside a repeat")
