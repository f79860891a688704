"""Each pushed instance names the form version exactly as the server knows it: no version
attribute when the XForm pyxform writes has none (a KoBo form without a version in its
settings), and the server's own version when the form was pulled from there (Central
suffixes a version published twice)."""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

import pytest

from bot.cli import odk as odk_cli
from core.clock import FixedClock
from formengine.odk_push import SubmissionPusher
from formengine.store import import_xlsform
from storage import submission_pushes as pushes
from storage import surveys
from storage.db import Database
from tests.fakes.openrosa_server import FakeCentral
from tests.support.chat import Chat
from tests.support.xlsforms import xlsform_bytes
from tests.test_forms_pull import VILLAGES, WATER, answer_water_survey, push_states

TOKEN = "central-token"
NOW = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
NO_VERSION = {"form_id": "water_points", "default_language": "English (en)"}


def db_of(chat: Chat) -> Database:
    return chat.sim.engine.services.db


@pytest.fixture
async def central() -> AsyncIterator[FakeCentral]:
    server = FakeCentral(token=TOKEN, project=7)
    await server.start()
    yield server
    await server.stop()


async def push(db: Database) -> None:
    pusher = SubmissionPusher(db, FixedClock(NOW), environ={"CENTRAL_TOKEN": TOKEN})
    assert await pusher.run_once() == 1
    [state] = await push_states(db)
    assert state.status == pushes.PushStatus.SENT, state.last_error


async def test_a_form_without_a_version_is_pushed_without_one_as_its_xform_says(
    chat: Chat, central: FakeCentral
) -> None:
    workbook = xlsform_bytes(WATER, (), NO_VERSION)
    central.add_form("water_points", workbook, {"villages.csv": VILLAGES})
    assert central.checkers["water_points"].version == ""  # pyxform writes no version
    db = db_of(chat)
    async with db.transaction() as session:
        live, _ = await import_xlsform(
            session, workbook, filename="water_points.xlsx", media={"villages.csv": VILLAGES}
        )
        target = pushes.Target(central.url, "7", "water_points", "CENTRAL_TOKEN")
        await pushes.link_form(session, live.stored.pk, target)
    await answer_water_survey(chat, "en")
    await push(db)
    [received] = central.received
    root = ET.fromstring(received.xml)
    assert root.get("id") == "water_points" and "version" not in root.attrib
    assert root.findtext("village") == "bir"


async def pull_from(central: FakeCentral, db: Database) -> int:
    args = argparse.Namespace(
        url=f"{central.url}/#/projects/7/forms/water_points",
        server=None,
        project=None,
        form=None,
        token_env="CENTRAL_TOKEN",
        round=None,
        replace=False,
        lang="en",
    )
    return await odk_cli.pull(db, args)


@pytest.mark.parametrize("published", ["2026112001 [upload 2026-12-01]", None])
async def test_a_pulled_form_is_pushed_with_the_version_the_server_publishes(
    chat: Chat,
    central: FakeCentral,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    published: str | None,
) -> None:
    settings = {**NO_VERSION, "version": "2026112001"} if published else NO_VERSION
    workbook = xlsform_bytes(WATER, (), settings)
    central.add_form("water_points", workbook, {"villages.csv": VILLAGES}, version=published or "")
    monkeypatch.setenv("CENTRAL_TOKEN", TOKEN)
    db = db_of(chat)
    assert await pull_from(central, db) == 0, capsys.readouterr().err
    async with db.reader() as session:
        form = await surveys.get_form(session, "water_points")
        assert form is not None
        target = await pushes.target_of(session, form.pk)
    assert target is not None and target.xform_version == (published or "")
    await answer_water_survey(chat, "en")
    await push(db)
    [received] = central.received
    root = ET.fromstring(received.xml)
    assert root.get("version") == published
