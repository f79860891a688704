"""What a chat still cannot run is named at import — its row, why, and what to write
instead — never in the middle of a resident's survey; and area()/distance() now that
geoshapes and geotraces are answered in the chat."""

from __future__ import annotations

import pytest

from formengine.loader import FormError, load_xlsform
from formengine.runtime import Run
from storage.db import Database
from tests.support.chat import Chat
from tests.support.xlsforms import Row, choice_rows, xlsform_bytes
from tests.test_survey_question_types import open_form, stored

IMPOSSIBLE: list[Row] = [
    {"type": "text", "name": "village", "label": "Village"},  # row 2
    {"type": "start-geopoint", "name": "where_started"},  # row 3
    {"type": "select_one_from_file villages.csv", "name": "village_list", "label": "Village"},
    {"type": "calculate", "name": "population",
     "calculation": "pulldata('villages', 'population', 'name', ${village})"},  # row 5
    {"type": "osm", "name": "building", "label": "Building"},  # row 6
    {"type": "background-audio", "name": "recording"},  # row 7
    {"type": "begin repeat", "name": "members", "label": "Member"},  # row 8
    {"type": "begin repeat", "name": "jobs", "label": "Job"},  # row 9
    {"type": "begin repeat", "name": "shifts", "label": "Shift"},  # row 10
    {"type": "text", "name": "member_name", "label": "Name"},
    {"type": "end repeat"},
    {"type": "end repeat"},
    {"type": "end repeat"},
    {"type": "calculate", "name": "pick", "calculation": "random()"},  # row 15
]  # fmt: skip


def test_each_impossible_row_is_named_with_what_to_write_instead() -> None:
    with pytest.raises(FormError) as refused:
        load_xlsform(xlsform_bytes(IMPOSSIBLE))
    by_row = {p.row: p.message for p in refused.value.problems}
    assert "ask a geopoint question" in by_row[3]
    # Attached files are read (formengine.attachments); one that was not given is named.
    assert "villages.csv" in by_row[4] and "--media villages.csv" in by_row[4]
    assert "villages.csv" in by_row[5] and "--media villages.csv" in by_row[5]
    assert "ask a geopoint, or a select_one" in by_row[6]
    assert "ask an audio question" in by_row[7]
    assert "ask the innermost questions as fixed questions" in by_row[10]
    assert 8 not in by_row and 9 not in by_row  # two levels of repeats run
    assert "once(uuid())" in by_row[15]
    assert 2 not in by_row  # the plain text question is fine


LAND: list[Row] = [
    {"type": "geoshape", "name": "plot", "label": "Walk around your plot.", "required": "yes"},
    {"type": "calculate", "name": "plot_m2", "calculation": "round(area(${plot}), 0)"},
    {"type": "geotrace", "name": "canal", "label": "Walk along the canal.", "required": "yes"},
    {"type": "calculate", "name": "canal_m", "calculation": "round(distance(${canal}), 0)"},
    {"type": "select_one yn", "name": "right", "required": "yes",
     "label": "Your plot is ${plot_m2} m² and the canal ${canal_m} m long. Right?"},
]  # fmt: skip


def test_area_and_distance_follow_javarosa() -> None:
    form = load_xlsform(xlsform_bytes(LAND, choice_rows("yn", ("yes", "Yes"), ("no", "No"))))
    square = "0 0 0 0;0 0.001 0 0;0.001 0.001 0 0;0.001 0 0 0;0 0 0 0"
    values = Run(form, {"plot": square, "canal": "0 0 0 0;0 0.001 0 0"}).values()
    assert values["plot_m2"] == "12392" and values["canal_m"] == "111"


async def test_a_farmer_walks_a_plot_and_a_canal_and_reads_their_size(
    chat: Chat, sqlite_db: Database
) -> None:
    yes_no = choice_rows("yn", ("yes", "Yes"), ("no", "No"))
    await open_form(chat, LAND, yes_no, {"form_id": "land"}, "en")
    for lat, lon in ((35.0, 8.0), (35.0, 8.001), (35.001, 8.001), (35.001, 8.0)):
        await chat.share_location(lat, lon)
    await chat.press("Done ✔")
    await chat.share_location(35.0, 8.0)
    await chat.send("35.0, 8.002")
    await chat.press("Done ✔")
    assert chat.said("Your plot is 10151 m² and the canal 182 m long. Right?")
    await chat.press("Yes")
    await chat.press("✅ Send my answers")
    answers = await stored(sqlite_db, "land")
    assert answers["plot_m2"] == "10151" and answers["canal_m"] == "182"
