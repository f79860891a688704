"""A programme officer pulls the form the programme already runs on ODK Central or
KoBoToolbox, attached village list included, with one command (`musharaka forms pull`);
residents answer it in the chat and their answers go back to that same server."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import select, update

from core.clock import FixedClock
from core.i18n import translate
from formengine.odk_push import SubmissionPusher
from storage import submission_pushes as pushes
from storage import surveys
from storage.db import Database
from tests.conftest import EngineFactory
from tests.fakes.openrosa_server import FakeCentral, FakeKobo
from tests.support.chat import Chat
from tests.support.given import given_places
from tests.support.xlsforms import Row, xlsform_bytes

TOKEN = "programme-token-never-printed"
VILLAGES = (
    "name,label::Arabic (ar),label::English (en),district\n"
    "ain,عين الماء,Ain El Ma,thala\n"
    "bir,بئر الحفي,Bir El Hafey,thala\n"
    "sidi,سيدي علي,Sidi Ali,sbeitla\n"
).encode()
WATER: list[Row] = [
    {"type": "select_one_from_file villages.csv", "name": "village", "required": "yes",
     "label::Arabic (ar)": "القرية", "label::English (en)": "Village"},
    {"type": "integer", "name": "households", "required": "yes",
     "label::Arabic (ar)": "كم عدد الأسر في القرية؟",
     "label::English (en)": "How many households live in the village?"},
    {"type": "text", "name": "water_problem",
     "label::Arabic (ar)": "ما مشكلة الماء الكبرى؟",
     "label::English (en)": "What is the main water problem?"},
]  # fmt: skip
SETTINGS = {"form_id": "water_points", "version": "2026112001", "default_language": "English (en)"}


def water_form(**settings: str) -> bytes:
    return xlsform_bytes(WATER, (), {**SETTINGS, **settings})


async def musharaka(tmp_path: Path, *args: str, token: str = TOKEN) -> tuple[int, str, str]:
    """The real command in its own process, as the officer types it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MUSHARAKA_")}
    env["MUSHARAKA_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite'}"
    env["PROGRAMME_TOKEN"] = token
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        *args,
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


@pytest.fixture
async def central() -> AsyncIterator[FakeCentral]:
    server = FakeCentral(token=TOKEN, project=7)
    server.add_form("water_points", water_form(), {"villages.csv": VILLAGES})
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def kobo() -> AsyncIterator[FakeKobo]:
    server = FakeKobo(token=TOKEN)
    # KoBo publishes the form under its asset uid, with its own version id.
    server.add_form("aW9tQpXk3LmN", water_form(), {"villages.csv": VILLAGES}, version="vK7dZx2025")
    await server.start()
    yield server
    await server.stop()


async def bot_database(tmp_path: Path) -> Database:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite'}")
    await db.upgrade()
    await given_places(db)
    return db


async def answer_water_survey(chat: Chat, language: str) -> None:
    await chat.onboard(language)
    await chat.send("/start survey_water_points")
    await chat.press("Bir El Hafey" if language == "en" else "بئر الحفي")
    await chat.send("٤٢" if language == "ar" else "42")
    await chat.send("الخزان مكسور منذ الشتاء" if language == "ar" else "The tank is broken")
    await chat.press(translate(language, "✅ Send my answers"))


async def test_a_form_pulled_from_odk_central_is_answered_in_the_chat_and_goes_back_there(
    tmp_path: Path, central: FakeCentral, make_engine: EngineFactory
) -> None:
    code, out, err = await musharaka(
        tmp_path,
        "forms",
        "pull",
        f"{central.url}/#/projects/7/forms/water_points",
        "--token-env",
        "PROGRAMME_TOKEN",
    )
    assert code == 0, err
    assert "water_points version 2026112001: created" in out
    assert "attached: villages.csv (3 rows)" in out
    assert f"Submissions go back to {central.url} (water_points)" in out
    assert TOKEN not in out + err

    db = await bot_database(tmp_path)
    try:
        chat = Chat(make_engine(db), user_id=4100, language="ar")
        await answer_water_survey(chat, "ar")
        assert central.received == []  # nothing is sent from the chat itself
        clock = FixedClock(datetime(2026, 12, 4, 10, 0, tzinfo=UTC))
        pusher = SubmissionPusher(db, clock, environ={"PROGRAMME_TOKEN": TOKEN})
        assert await pusher.run_once() == 1
        [state] = await push_states(db)
        assert state.status == pushes.PushStatus.SENT, state.last_error
    finally:
        await db.dispose()
    [received] = central.received
    root = ET.fromstring(received.xml)
    assert root.get("id") == "water_points" and root.get("version") == "2026112001"
    assert root.findtext("village") == "bir"
    assert root.findtext("households") == "42"
    assert root.findtext("water_problem") == "الخزان مكسور منذ الشتاء"


async def test_a_form_pulled_from_kobotoolbox_goes_back_to_kobocat_under_its_asset_uid(
    tmp_path: Path, kobo: FakeKobo, make_engine: EngineFactory
) -> None:
    code, out, err = await musharaka(
        tmp_path,
        "forms",
        "pull",
        f"{kobo.url}/#/forms/aW9tQpXk3LmN/summary",
        "--token-env",
        "PROGRAMME_TOKEN",
    )
    assert code == 0, err
    assert "attached: villages.csv (3 rows)" in out
    assert f"Submissions go back to {kobo.url} (aW9tQpXk3LmN)" in out

    db = await bot_database(tmp_path)
    try:
        async with db.reader() as session:
            form = await surveys.get_form(session, "water_points")
            assert form is not None
            target = await pushes.target_of(session, form.pk)
        assert target is not None and target.is_kobo and target.xform_version == "vK7dZx2025"
        chat = Chat(make_engine(db), user_id=4101, language="en")
        await answer_water_survey(chat, "en")
        clock = FixedClock(datetime(2026, 12, 4, 10, 0, tzinfo=UTC))
        environ = {"PROGRAMME_TOKEN": TOKEN}
        assert await SubmissionPusher(db, clock, environ=environ).run_once() == 1
        # Sent again (a crashed worker's lease): KoBoCAT answers 202 "Duplicate submission".
        async with db.transaction() as session:
            await session.execute(
                update(pushes.SubmissionPush).values(status=pushes.PushStatus.QUEUED)
            )
        assert await SubmissionPusher(db, clock, environ=environ).run_once() == 1
        [state] = await push_states(db)
        assert state.status == pushes.PushStatus.SENT
    finally:
        await db.dispose()
    [received] = kobo.received
    root = ET.fromstring(received.xml)
    assert root.get("id") == "aW9tQpXk3LmN" and root.get("version") == "vK7dZx2025"
    assert root.findtext("village") == "bir" and root.findtext("households") == "42"


async def push_states(db: Database) -> list[pushes.PushState]:
    async with db.reader() as session:
        ids = [s.id for s in await session.scalars(select(surveys.SurveySubmission))]
        return list((await pushes.states(session, ids)).values())


async def test_a_wrong_token_an_unknown_form_or_a_server_down_is_said_plainly_and_changes_nothing(
    tmp_path: Path, central: FakeCentral, kobo: FakeKobo
) -> None:
    address = f"{central.url}/v1/projects/7/forms/water_points"
    args = ("--token-env", "PROGRAMME_TOKEN")
    code, _, err = await musharaka(tmp_path, "forms", "pull", address, *args, token="old-token")
    assert code == 1
    assert "The server refused the token in PROGRAMME_TOKEN (401)" in err
    assert "old-token" not in err

    code, _, err = await musharaka(
        tmp_path, "forms", "pull", f"{kobo.url}/api/v2/assets/aNoSuchForm/", *args, "--lang", "ar"
    )
    assert code == 1 and "aNoSuchForm" in err
    assert translate("ar", "The server has no form {form} ({what} not found).")[:12] in err

    code, _, err = await musharaka(
        tmp_path, "forms", "pull", "--server", central.url, "--project", "7", "--form", "wells",
        *args,
    )  # fmt: skip
    assert code == 1 and "Project 7 on the server has no form wells" in err

    await central.stop()
    code, _, err = await musharaka(tmp_path, "forms", "pull", address, *args, "--lang", "fr")
    assert code == 1 and central.url in err
    assert (
        translate("fr", "Cannot reach {server} ({reason}). Check the address, or try again later.")[
            :10
        ]
        in err
    )

    code, _, err = await musharaka(tmp_path, "forms", "pull", "https://example.org/x", *args)
    assert code == 2 and "address on ODK Central" in err
    code, _, err = await musharaka(tmp_path, "forms", "pull", address, *args, token="")
    assert code == 2 and "The variable PROGRAMME_TOKEN is not set" in err

    code, out, _ = await musharaka(tmp_path, "forms", "list")
    assert "no forms yet" in out
