"""KoBo/ODK question types answered in the chat: dateTime, time, range (buttons or typed),
acknowledge and trigger, barcode (typed), hidden, metadata filled by the bot, ${field} in
labels and hints, jr:choice-name(), once(), geotrace and geoshape (shared locations ended
with Done) — from import through a complete interview to the CSV and XLSX exports."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.engine.engine import Engine
from core.clock import FixedClock
from core.i18n import translate
from formengine.loader import load_xlsform
from formengine.model import Kind
from formengine.runtime import parse_datetime
from formengine.store import import_xlsform
from storage import surveys
from storage.db import Database
from storage.survey_exports import survey_table, to_csv, to_xlsx
from storage.surveys import SurveySubmission
from tests.support.chat import Chat
from tests.support.xlsforms import Row, choice_rows, xlsform_bytes

NOW = datetime(2026, 11, 24, 8, 30, tzinfo=UTC)  # 09:30 in Tunis (+01:00)

DISTRIBUTION: list[Row] = [
    {"type": "start", "name": "start"},
    {"type": "end", "name": "end"},
    {"type": "today", "name": "today"},
    {"type": "deviceid", "name": "deviceid"},
    {"type": "username", "name": "username"},
    {"type": "hidden", "name": "programme", "default": "winter_2026"},
    {"type": "calculate", "name": "first_seen",
     "calculation": "once(format-date-time(now(), '%H:%M'))"},
    {"type": "acknowledge", "name": "consent",
     "label": "I agree to answer about this distribution.", "required": "yes"},
    {"type": "select_one site", "name": "site", "label": "Which distribution site?",
     "required": "yes"},
    {"type": "calculate", "name": "site_name", "calculation": "jr:choice-name(${site}, '${site}')"},
    {"type": "datetime", "name": "arrived", "label": "When did the truck arrive at ${site_name}?",
     "required": "yes"},
    {"type": "time", "name": "opened", "label": "When did the distribution open?",
     "hint": "The truck came at ${arrived}.", "required": "yes"},
    {"type": "range", "name": "queue", "label": "How orderly was the queue?", "required": "yes",
     "parameters": "start=1 end=5 step=1"},
    {"type": "calculate", "name": "first_queue", "calculation": "once(${queue})"},
    {"type": "range", "name": "share", "label": "What share of families received a kit (%)?",
     "required": "yes", "parameters": "start=0 end=100 step=5"},
    {"type": "barcode", "name": "kit", "label": "Kit number (under the barcode)",
     "required": "yes"},
    {"type": "trigger", "name": "walk", "label": "Now walk the queue from its start to its end."},
    {"type": "geotrace", "name": "queue_line", "label": "Where was the queue?", "required": "yes"},
    {"type": "geoshape", "name": "site_area", "label": "The area of the site at ${site_name}"},
    {"type": "note", "name": "bye", "label": "Thank you, ${site_name} is recorded."},
]  # fmt: skip
SITES = choice_rows("site", ("north", "North school"), ("souk", "Old souk"))
SETTINGS: Row = {"form_id": "distribution", "form_title": "Distribution monitoring"}


async def open_form(
    chat: Chat, survey: list[Row], choices: list[Row], settings: Row, language: str
) -> None:
    db: Database = chat.sim.engine.services.db
    async with db.transaction() as s:
        live, _outcome = await import_xlsform(s, xlsform_bytes(survey, choices, settings))
    chat.sim.engine.services.clock = FixedClock(NOW)
    await chat.onboard(language)
    await chat.send(f"/start survey_{live.form_id}")


async def stored(db: Database, form_id: str) -> dict[str, str]:
    async with db.reader() as s:
        form = await surveys.get_form(s, form_id)
        assert form is not None
        submission_id = await s.scalar(
            select(SurveySubmission.id).where(SurveySubmission.form_pk == form.pk)
        )
        assert submission_id is not None
        return await surveys.submission_answers(s, submission_id)


def test_the_types_load_as_the_bot_asks_them() -> None:
    form = load_xlsform(xlsform_bytes(DISTRIBUTION, SITES, SETTINGS))
    kinds = {q.name: q.kind for q in form.questions}
    assert kinds["arrived"] == Kind.DATETIME and kinds["opened"] == Kind.TIME
    assert kinds["kit"] == Kind.BARCODE and kinds["walk"] == Kind.ACKNOWLEDGE
    assert kinds["queue_line"] == Kind.GEOTRACE and kinds["site_area"] == Kind.GEOSHAPE
    assert kinds["programme"] == Kind.HIDDEN and kinds["username"] == Kind.META
    share = form.question("share")
    assert (share.range_start, share.range_end, share.range_step) == (0, 100, 5)
    assert [q.name for q in form.asked][:2] == ["consent", "site"]  # metadata is never asked


def test_a_typed_date_and_time_reads_arabic_digits_and_carries_the_offset() -> None:
    from zoneinfo import ZoneInfo

    moment = parse_datetime("٢٤/١١/٢٠٢٦ ١٤:٣٠", ZoneInfo("Africa/Tunis"))
    assert moment is not None and moment.isoformat() == "2026-11-24T14:30:00+01:00"
    assert parse_datetime("2026-11-24T07h05") is not None
    assert parse_datetime("24/11/2026") is None and parse_datetime("31/02/2026 10:00") is None


async def test_a_monitor_answers_every_new_type_in_english_and_the_export_has_them(
    chat: Chat, engine: Engine, sqlite_db: Database
) -> None:
    chat.user_id = 4242
    await open_form(chat, DISTRIBUTION, SITES, SETTINGS, "en")
    assert chat.said("I agree to answer about this distribution.")
    assert chat.buttons()[0] == "OK"
    await chat.press("OK")
    await chat.press("Old souk")
    # ${site_name} (a jr:choice-name() calculation) in the label.
    assert chat.said("When did the truck arrive at Old souk?")
    await chat.send_sticker()
    assert chat.said("I cannot read stickers")
    await chat.send("x" * 5000)
    assert chat.said("That message is too long for me.")
    await chat.send("24/11/2026")  # a date alone is not a moment
    assert chat.said("day/month/year hours:minutes")
    await chat.send("24/11/2026 07:45")
    # The hint shows the answer given, as ODK stores it.
    assert chat.said("The truck came at 2026-11-24T07:45:00.000+01:00.")
    await chat.send("25:00")
    assert chat.said("hours:minutes")
    await chat.send("8h15")
    assert chat.buttons()[:5] == ["1", "2", "3", "4", "5"]
    assert chat.said("Press a number from 1 to 5, or type it.")
    await chat.send("7")
    assert chat.said("Please type a number from 1 to 5.")
    await chat.press("4")
    assert chat.said("in steps of 5")
    await chat.send("42")
    assert chat.said("Please pick a number in steps of 5 from 0.")
    await chat.send("85")
    await chat.send("  KIT-00931  ")
    await chat.press("OK")  # the trigger
    assert chat.said("Share your location at each point along the way")
    await chat.share_location(35.1676, 8.8365)
    assert chat.said("Point 1 received.") and chat.said("Share 1 more point.")
    await chat.press("Done ✔")
    assert chat.said("Please share at least 2 points.")
    await chat.send("35.1680, 8.8370")  # typed points count too
    await chat.share_location(35.1690, 8.8380)
    await chat.press("↩ Undo")
    assert chat.said("Point 2 received.")
    await chat.press("Done ✔")
    assert chat.said("Locations received, thank you.")
    assert chat.said("The area of the site at Old souk")
    await chat.share_location(35.0, 8.0)
    await chat.share_location(35.0, 8.1)
    await chat.press("Done ✔")
    assert chat.said("Please share at least 3 points.")
    await chat.share_location(35.1, 8.1)
    await chat.press("Done ✔")
    # The last note closes the survey; the review shows each answer readably.
    review = chat.last_text
    assert "November 24, 2026 07:45" in review and "08:15" in review
    assert "KIT-00931" in review and "2 points" in review and "3 points" in review
    # once() keeps its first value when the answer it read changes.
    await chat.press("✏️ Change an answer")
    await chat.press("4")
    await chat.press("5")
    assert chat.said("Please check your answers:")
    await chat.press("✅ Send my answers")
    assert chat.said("Thank you, Old souk is recorded.")

    answers = await stored(sqlite_db, "distribution")
    assert answers["arrived"] == "2026-11-24T07:45:00.000+01:00"
    assert answers["opened"] == "08:15:00.000+01:00"
    assert (
        answers["queue"] == "5"
        and answers["first_queue"] == "4"
        and answers["share"] == "85"
        and answers["kit"] == "KIT-00931"
    )
    assert answers["walk"] == "OK" and answers["consent"] == "OK"
    assert answers["queue_line"] == "35.167600 8.836500 0 0;35.168000 8.837000 0 0"
    assert answers["site_area"] == (
        "35.000000 8.000000 0 0;35.000000 8.100000 0 0;35.100000 8.100000 0 0;"
        "35.000000 8.000000 0 0"
    )  # a shape ends on its first point, as ODK writes it
    assert answers["programme"] == "winter_2026" and answers["today"] == "2026-11-24"
    assert answers["deviceid"] == "telegram" and answers["first_seen"] == "09:30"
    assert answers["start"] == "2026-11-24T09:30:00.000+01:00" == answers["end"]  # local, as ODK
    assert answers["username"].startswith("telegram:") and "4242" not in answers["username"]

    async with sqlite_db.reader() as s:
        table = await survey_table(s, "distribution")
    [row] = list(csv.DictReader(io.StringIO(to_csv(table).decode("utf-8-sig"))))
    assert row["arrived"] == "2026-11-24T07:45:00.000+01:00" and row["queue"] == "5"
    assert row["queue_line"].count(";") == 1 and row["programme"] == "winter_2026"
    assert "walk" in row and "bye" not in row
    sheet = load_workbook(io.BytesIO(to_xlsx(table))).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    values = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert values["opened"] == "08:15:00.000+01:00" and values["share"] == 85
    assert values["site_area"].endswith("35.000000 8.000000 0 0")


ARABIC_VISIT: list[Row] = [
    {"type": "date", "name": "visit_day", "label::Arabic (ar)": "تاريخ الزيارة", "required": "yes"},
    {"type": "time", "name": "visit_time", "label::Arabic (ar)": "ساعة الزيارة", "required": "yes"},
    {"type": "dateTime", "name": "next_visit", "label::Arabic (ar)": "موعد الزيارة القادمة",
     "required": "yes"},
    {"type": "range", "name": "satisfaction", "label::Arabic (ar)": "ما مدى رضاك؟",
     "parameters": "start=0 end=10 step=2", "required": "yes"},
    {"type": "geopoint", "name": "home", "label::Arabic (ar)": "أين بيتك؟"},
]  # fmt: skip


async def test_an_arabic_resident_types_dates_and_times_in_arabic_digits(
    chat: Chat, engine: Engine, sqlite_db: Database
) -> None:
    await open_form(chat, ARABIC_VISIT, [], {"form_id": "home_visit"}, "ar")
    assert chat.said("تاريخ الزيارة")
    await chat.send("٢٤/١١/٢٠٢٦")
    await chat.send_sticker()
    assert chat.said(translate("ar", "I cannot read stickers, voice notes or videos here."))
    await chat.send("١٠:٠٥")
    await chat.send("١٤:٣٠")  # a time alone is not a date and a time
    assert chat.said(
        translate(
            "ar",
            "Please type a date and a time as day/month/year hours:minutes, "
            "for example 24/11/2026 14:30.",
        )
    )
    await chat.send("١/١٢/٢٠٢٦ ٩:٠٠")
    assert chat.buttons()[:6] == ["٠", "٢", "٤", "٦", "٨", "١٠"]
    await chat.send("٥")
    assert chat.said(translate("ar", "Please pick a number in steps of {step} from {low}.")[:10])
    await chat.send("٦")
    await chat.share_location(35.1676, 8.8365)
    await chat.press(translate("ar", "✅ Send my answers"))
    answers = await stored(sqlite_db, "home_visit")
    assert answers["visit_day"] == "2026-11-24" and answers["visit_time"] == "10:05:00.000+01:00"
    assert answers["next_visit"] == "2026-12-01T09:00:00.000+01:00"
    assert answers["satisfaction"] == "6"
    async with sqlite_db.reader() as s:
        table = await survey_table(s, "home_visit")
    [row] = list(csv.DictReader(io.StringIO(to_csv(table).decode("utf-8-sig"))))
    assert row["home"] == "35.167600 8.836500 0 0" and row["next_visit"].endswith("+01:00")
    assert (row["_home_latitude"], row["_home_longitude"]) == ("35.1676", "8.8365")
    assert row["_home_altitude"] == "0.0" and row["_home_precision"] == "0.0"


@pytest.mark.parametrize("kind", ["datetime", "barcode", "geotrace", "geoshape"])
def test_types_once_refused_now_import(kind: str) -> None:
    form = load_xlsform(xlsform_bytes([{"type": kind, "name": "q", "label": "Q"}]))
    assert form.question("q").asked


async def press_payload(chat: Chat, payload: str) -> list[object]:
    """A press of a button drawn earlier (an old message, a double tap)."""
    from bot.engine.events import Event, EventKind

    event = Event(
        chat.user_id, chat.user_id, EventKind.BUTTON, payload=payload, callback_id="old",
        message_id=1, update_id=900_000 + len(chat.records),
    )  # fmt: skip
    replies = await chat.sim.engine.handle(event)
    await chat.sim.messenger.deliver(event, replies)  # type: ignore[arg-type]
    return replies


RANGE_AND_TRACE: list[Row] = [
    {"type": "range", "name": "score", "label": "Score?", "parameters": "start=1 end=3",
     "required": "yes"},
    {"type": "geotrace", "name": "path", "label": "The path?", "required": "yes"},
    {"type": "text", "name": "remark", "label": "Anything else?", "required": "yes"},
]  # fmt: skip


async def test_old_range_and_done_buttons_change_nothing(chat: Chat, sqlite_db: Database) -> None:
    await open_form(chat, RANGE_AND_TRACE, [], {"form_id": "stale"}, "en")
    three = chat.payload_of("3")
    await chat.press("2")
    await press_payload(chat, three)  # the old question's button, pressed again
    await chat.share_location(35.0, 8.0)
    await chat.share_location(35.0, 8.1)
    done = chat.payload_of("Done ✔")
    await chat.press("Done ✔")
    assert chat.said("Anything else?")
    await press_payload(chat, done)
    await chat.send("No")
    await chat.press("✅ Send my answers")
    answers = await stored(sqlite_db, "stale")
    assert answers["score"] == "2" and answers["path"].count(";") == 1


def test_moments_are_formatted_in_the_programme_time_zone() -> None:
    from datetime import date, timedelta, timezone

    from formengine.xpath import Environment, evaluate

    tunis = timezone(timedelta(hours=1))
    env = Environment(today=date(2026, 11, 24), now=datetime(2026, 11, 24, 9, 30, tzinfo=tunis))
    assert evaluate("format-date-time(now(), '%H:%M')", {}, environment=env) == "09:30"
    stamp = "2026-11-24T07:45:00.000+01:00"
    assert evaluate(f"format-date-time('{stamp}', '%e/%n %H:%M')", {}, environment=env) == (
        "24/11 07:45"
    )
    assert evaluate("format-date('2026-11-24', '%d/%m/%Y')", {}, environment=env) == "24/11/2026"
    assert evaluate("decimal-time('12:00:00.000+01:00')", {}) == 0.5


async def test_choice_labels_show_earlier_answers(chat: Chat, sqlite_db: Database) -> None:
    survey: list[Row] = [
        {"type": "text", "name": "child", "label": "Your child's name?", "required": "yes"},
        {"type": "select_one who", "name": "carer", "label": "Who takes ${child} to school?"},
    ]
    who = choice_rows("who", ("self", "I do"), ("child", "${child} goes alone"))
    await open_form(chat, survey, who, {"form_id": "school_run"}, "en")
    await chat.send("Sami")
    assert chat.said("Who takes Sami to school?") and "Sami goes alone" in chat.buttons()
    await chat.press("Sami goes alone")
    assert "Sami goes alone" in chat.last_text
    await chat.press("✅ Send my answers")
    assert (await stored(sqlite_db, "school_run"))["carer"] == "child"


async def test_an_interview_date_defaulting_to_today_is_offered_as_the_bot_s_today(
    chat: Chat, sqlite_db: Database
) -> None:
    # Household surveys ask the interview date with default today(): ODK works the
    # expression out when the form opens; it is never the words "today()".
    form: list[Row] = [
        {"type": "date", "name": "visit_day", "label": "Date of the visit", "default": "today()"},
        {"type": "datetime", "name": "arrived", "label": "Arrival", "default": "now()"},
        {"type": "text", "name": "ref", "label": "Reference", "default": "concat('TN-', 7 * 6)"},
        {"type": "integer", "name": "adults", "label": "Adults", "default": "2"},
    ]
    await open_form(chat, form, [], {"form_id": "visit_day"}, "en")
    assert "today()" not in chat.last_text
    await chat.press("Keep this answer")
    assert "now()" not in chat.last_text
    await chat.press("Keep this answer")
    assert chat.said("Your answer so far: TN-42")
    await chat.press("Keep this answer")
    await chat.press("Keep this answer")
    await chat.press("✅ Send my answers")
    answers = await stored(sqlite_db, "visit_day")
    assert answers["visit_day"] == "2026-11-24"
    assert answers["arrived"] == "2026-11-24T09:30:00.000+01:00"
    assert answers["ref"] == "TN-42" and answers["adults"] == "2"


async def test_read_only_questions_are_shown_or_worked_out_never_typed(
    chat: Chat, sqlite_db: Database
) -> None:
    form: list[Row] = [
        {"type": "integer", "name": "adults", "label": "Adults?", "required": "yes"},
        {"type": "integer", "name": "children", "label": "Children?", "required": "yes"},
        {"type": "integer", "name": "total", "label": "Total members", "read_only": "yes",
         "calculation": "${adults} + ${children}"},
        {"type": "text", "name": "office", "label": "Office", "read_only": "yes",
         "default": "Kasserine"},
        {"type": "text", "name": "reminder", "label": "Remind them of the helpline: 1899.",
         "read_only": "yes"},
        {"type": "text", "name": "comment", "label": "Any comment?", "required": "yes"},
    ]  # fmt: skip
    loaded = load_xlsform(xlsform_bytes(form, [], {"form_id": "ro"}))
    assert [q.kind for q in loaded.questions][2:5] == [Kind.CALCULATE, Kind.HIDDEN, Kind.NOTE]
    await open_form(chat, form, [], {"form_id": "ro"}, "en")
    await chat.send("2")
    await chat.send("3")
    assert chat.said("Remind them of the helpline: 1899.")
    await chat.press("Continue ▶")
    assert chat.said("Any comment?")
    await chat.send("None")
    await chat.press("✅ Send my answers")
    answers = await stored(sqlite_db, "ro")
    assert answers["total"] == "5" and answers["office"] == "Kasserine"
