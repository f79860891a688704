"""Survey answers travel to the programme's KoBoToolbox: linked with `forms link` (no
project: KoBoCAT's OpenRosa /submission, the API token as ``Authorization: Token``), each
instance under the asset uid and version KoBo deployed the form with."""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree as ET

import pytest

from bot.cli import odk as odk_cli
from core.clock import FixedClock
from formengine.odk_push import SubmissionPusher
from formengine.store import SHIPPED
from storage.db import Database
from storage.submission_pushes import PushStatus
from tests.fakes.openrosa_server import FakeKobo
from tests.support.chat import Chat
from tests.test_openrosa_push import answer_in_arabic, push_states
from tests.test_survey_conversation import db_of

TOKEN = "kobo-api-token"
UID = "aNdS7kQm2026"
DEPLOYED = "vR3mT9wXa2"
NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
async def kobo() -> AsyncIterator[FakeKobo]:
    server = FakeKobo(token=TOKEN)
    server.add_form(UID, SHIPPED["needs_survey"].read_bytes(), version=DEPLOYED)
    await server.start()
    yield server
    await server.stop()


async def link_to_kobo(db: Database, kobo: FakeKobo, capsys: pytest.CaptureFixture[str]) -> None:
    args = argparse.Namespace(
        form_id="needs_survey",
        server=kobo.url,
        project=None,
        server_form=UID,
        server_version=DEPLOYED,
        token_env="KOBO_TOKEN",
    )
    assert await odk_cli.link(db, args) == 0
    assert "(KoBoCAT /submission)" in capsys.readouterr().out


async def test_needs_survey_answers_reach_kobocat_with_the_asset_uid_and_its_token(
    chat: Chat, kobo: FakeKobo, capsys: pytest.CaptureFixture[str]
) -> None:
    db = db_of(chat)
    await answer_in_arabic(chat)
    await link_to_kobo(db, kobo, capsys)
    clock = FixedClock(NOW)
    assert await SubmissionPusher(db, clock, environ={"KOBO_TOKEN": TOKEN}).run_once() == 1
    [state] = await push_states(db)
    assert state.status == PushStatus.SENT, state.last_error
    [received] = kobo.received
    root = ET.fromstring(received.xml)
    assert root.get("id") == UID and root.get("version") == DEPLOYED
    assert root.findtext("district") == "thala"
    assert root.findtext("specific_needs") == "لا يوجد طبيب في المستوصف يوم السبت"


async def test_a_token_kobo_refuses_is_marked_failed_with_its_answer_and_not_retried(
    chat: Chat, kobo: FakeKobo, capsys: pytest.CaptureFixture[str]
) -> None:
    db = db_of(chat)
    await answer_in_arabic(chat)
    await link_to_kobo(db, kobo, capsys)
    clock = FixedClock(NOW)
    assert await SubmissionPusher(db, clock, environ={"KOBO_TOKEN": "revoked"}).run_once() == 1
    [state] = await push_states(db)
    assert state.status == PushStatus.FAILED
    assert state.last_error == "401: Invalid token."
    clock.advance(timedelta(hours=1))
    assert await SubmissionPusher(db, clock, environ={"KOBO_TOKEN": TOKEN}).run_once() == 0
    assert kobo.received == []


async def test_kobocat_down_is_tried_again_later_and_its_duplicate_answer_counts_as_sent(
    chat: Chat, kobo: FakeKobo, capsys: pytest.CaptureFixture[str]
) -> None:
    db = db_of(chat)
    await answer_in_arabic(chat)
    await link_to_kobo(db, kobo, capsys)
    clock = FixedClock(NOW)
    environ = {"KOBO_TOKEN": TOKEN}
    kobo.unavailable()
    assert await SubmissionPusher(db, clock, environ=environ).run_once() == 0
    [state] = await push_states(db)
    assert state.status == PushStatus.QUEUED and state.last_error == "503: Service Unavailable"
    kobo.unavailable(False)
    clock.advance(timedelta(minutes=1))
    assert await SubmissionPusher(db, clock, environ=environ).run_once() == 1
    assert len(kobo.received) == 1
