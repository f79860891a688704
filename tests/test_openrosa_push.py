"""Survey answers travel back to the programme's ODK Central: queued in the database,
sent by the push worker, retried while the server is down, never stored twice there."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import select

from core.clock import FixedClock
from formengine.odk_push import SubmissionPusher
from formengine.store import SHIPPED
from storage import submission_pushes as pushes
from storage import surveys
from storage.db import Database
from storage.submission_pushes import PushStatus, Target
from tests.conftest import EngineFactory
from tests.fakes.openrosa_server import FakeCentral
from tests.support.chat import Chat
from tests.test_survey_conversation import answer_needs_survey, db_of, start_needs_survey, t

TOKEN = "central-token-not-for-logs"
ENV = {"CENTRAL_TOKEN": TOKEN}


@pytest.fixture
async def central() -> AsyncIterator[FakeCentral]:
    server = FakeCentral(token=TOKEN, project=7)
    server.add_form("needs_survey", SHIPPED["needs_survey"].read_bytes())
    await server.start()
    yield server
    await server.stop()


async def link_needs_survey(db: Database, central: FakeCentral) -> None:
    async with db.transaction() as session:
        form = await surveys.get_form(session, "needs_survey")
        assert form is not None
        target = Target(central.url, "7", "needs_survey", "CENTRAL_TOKEN")
        await pushes.link_form(session, form.pk, target)


async def push_states(db: Database) -> list[pushes.PushState]:
    async with db.reader() as session:
        ids = [row.id for row in await session.scalars(select(surveys.SurveySubmission))]
        return list((await pushes.states(session, ids)).values())


class DiesAfterSending(SubmissionPusher):
    async def _sent(self, item: pushes.Claimed) -> int:
        return 1  # the process ends here: the row stays claimed until its lease runs out


async def answer_in_arabic(chat: Chat) -> None:
    chat.sim.language = "ar"
    await start_needs_survey(chat, "ar")
    await answer_needs_survey(chat, "ar", needs="لا يوجد طبيب في المستوصف يوم السبت")
    await chat.press(t("ar", "✅ Send my answers"))


async def test_needs_survey_answers_reach_odk_central_once_across_an_outage_and_a_restart(
    chat: Chat, central: FakeCentral, caplog: pytest.LogCaptureFixture
) -> None:
    db = db_of(chat)
    clock = FixedClock(datetime(2026, 12, 3, 9, 0, tzinfo=UTC))
    await central.stop()  # the programme's server is down: connection refused
    await answer_in_arabic(chat)
    await link_needs_survey(db, central)

    worker = SubmissionPusher(db, clock, name="bot-1", environ=ENV)
    assert await worker.run_once() == 0
    [state] = await push_states(db)
    assert state.status == PushStatus.QUEUED and state.attempts == 1
    assert "unreachable" in (state.last_error or "")

    # Ten minutes of outage: refused, then 503; the worker keeps trying, further apart.
    tries = 1
    for minute in range(1, 11):
        clock.advance(timedelta(minutes=1))
        if minute == 3:
            await central.start()
            central.unavailable()
        await worker.run_once()
        tries = (await push_states(db))[0].attempts
    assert 3 <= tries <= 6  # 30 s, 1 min, 2 min, 4 min apart: not every minute
    assert central.received == []

    # The bot restarts: new worker objects on the same database; the server is back.
    central.unavailable(False)
    restarted = [SubmissionPusher(db, clock, name=f"bot-{n}", environ=ENV) for n in (2, 3)]
    clock.advance(timedelta(minutes=10))
    assert sum([await w.run_once() for w in restarted]) == 1
    [received] = central.received
    [state] = await push_states(db)
    assert state.status == PushStatus.SENT
    root = ET.fromstring(received.xml)
    assert root.findtext("district") == "thala"
    assert root.findtext("top_sectors") == "water_sanitation health roads_transport"
    assert root.findtext("specific_needs") == "لا يوجد طبيب في المستوصف يوم السبت"

    # Later passes send nothing again; the same instance sent again is answered 409.
    clock.advance(timedelta(hours=2))
    assert [await w.run_once() for w in restarted] == [0, 0]
    assert len(central.received) == 1
    assert TOKEN not in caplog.text and "المستوصف" not in caplog.text


async def test_a_lease_left_by_a_crashed_worker_is_sent_once_and_a_409_counts_as_delivered(
    chat: Chat, central: FakeCentral
) -> None:
    db = db_of(chat)
    clock = FixedClock(datetime(2026, 12, 3, 9, 0, tzinfo=UTC))
    await answer_in_arabic(chat)
    await link_needs_survey(db, central)
    # A worker claims the push, sends it, and dies before writing down the answer.
    assert await DiesAfterSending(db, clock, name="crashed", environ=ENV).run_once() == 1
    assert len(central.received) == 1
    # Another worker takes it up when the lease runs out: the server answers 409.
    other = SubmissionPusher(db, clock, name="bot-2", environ=ENV)
    assert await other.run_once() == 0  # still leased
    clock.advance(timedelta(minutes=6))
    assert await other.run_once() == 1
    assert len(central.received) == 1
    [state] = await push_states(db)
    assert state.status == PushStatus.SENT and state.attempts == 2


async def test_a_submission_the_server_refuses_is_marked_failed_with_its_reason(
    chat: Chat, central: FakeCentral
) -> None:
    db = db_of(chat)
    clock = FixedClock(datetime(2026, 12, 3, 9, 0, tzinfo=UTC))
    await answer_in_arabic(chat)
    await link_needs_survey(db, central)
    # The programme changed its form on the server: "thala" is no longer a district there.
    central.checkers["needs_survey"].choices["/data/district"] = {"kasserine"}
    assert await SubmissionPusher(db, clock, environ=ENV).run_once() == 1
    [state] = await push_states(db)
    assert state.status == PushStatus.FAILED and state.attempts == 1
    assert state.last_error is not None and state.last_error.startswith("400: ")
    assert "/data/district: 'thala'" in state.last_error
    clock.advance(timedelta(days=1))
    assert await SubmissionPusher(db, clock, environ=ENV).run_once() == 0  # not retried
    assert central.received == []


async def test_the_scheduler_sends_pushes_every_interval_unless_the_pusher_is_turned_off(
    chat: Chat,
    central: FakeCentral,
    make_engine: EngineFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.workers import scheduler

    db = db_of(chat)
    monkeypatch.setenv("CENTRAL_TOKEN", TOKEN)
    await answer_in_arabic(chat)
    await link_needs_survey(db, central)
    # MUSHARAKA_RUN_SUBMISSION_PUSHER=false: `musharaka push-submissions` does it instead.
    off = scheduler.build_scheduler(make_engine(db, run_submission_pusher=False))
    off.start(paused=True)
    try:
        assert off.get_job("submission-pushes") is None
    finally:
        off.shutdown(wait=False)
    assert await scheduler.push_submissions() == 0
    assert central.received == []

    jobs = scheduler.build_scheduler(make_engine(db, push_interval_seconds=12))
    jobs.start(paused=True)
    try:
        job = jobs.get_job("submission-pushes")
        assert job is not None and job.trigger.interval == timedelta(seconds=12)
    finally:
        jobs.shutdown(wait=False)
    assert await scheduler.push_submissions() == 1
    assert len(central.received) == 1
    [state] = await push_states(db)
    assert state.status == PushStatus.SENT
