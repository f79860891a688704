"""A resident's photo answer is kept like a voice note: fetched from Telegram into the file
store when she presses Send (a failed fetch stores nothing and asks her to press Send again),
named as ODK names it (``photo-….jpg``), shown in the admin's submission page, carried to
ODK Central as a multipart part named as in the instance, and removed by /delete.

A submission from before photos were kept holds only Telegram's file id: the admin page says
so and the pusher marks it failed at once with that reason instead of retrying for hours."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from admin.app import create_app
from bot.engine.engine import Engine
from core.clock import FixedClock
from core.i18n import translate
from formengine.odk_push import SubmissionPusher
from storage import files, surveys
from storage import submission_pushes as pushes
from storage.db import Database
from storage.files import LocalFileStore
from tests.admin.conftest import SECRET, START, SignIn, add_accounts
from tests.admin.support import AdminSite
from tests.fakes.openrosa_server import FakeCentral
from tests.support.chat import Chat
from tests.support.settings import settings_for_tests
from tests.support.xlsforms import Row, xlsform_bytes
from tests.test_survey_question_types import open_form, stored

AR, EN = "label::Arabic (ar)", "label::English (en)"
REPAIRS: list[Row] = [
    {"type": "text", "name": "problem", EN: "What is broken?", AR: "ما الذي تعطّل؟",
     "required": "yes"},
    {"type": "image", "name": "photo", EN: "Send a photo of it.", AR: "أرسل صورة له.",
     "required": "yes"},
]  # fmt: skip
SETTINGS: Row = {"form_id": "repairs", "version": "3", "default_language": "Arabic (ar)"}


def t(message: str) -> str:
    return translate("ar", message)


@pytest.fixture
def store(engine: Engine, tmp_path: Path) -> Iterator[LocalFileStore]:
    """The file store the bot keeps residents' files in (and /delete erases from)."""
    local = LocalFileStore(tmp_path / "media")
    engine.services.files = local
    previous = files.use(local)
    yield local
    files.use(previous)


@pytest.fixture
async def site(
    engine: Engine, sqlite_db: Database, store: LocalFileStore
) -> AsyncIterator[AdminSite]:
    """The admin app on the bot's database, reading the same file store."""
    await add_accounts(sqlite_db)
    clock = FixedClock(START)
    settings = settings_for_tests(admin_secret_key=SECRET, timezone="Africa/Tunis")
    app = create_app(settings, sqlite_db, clock=clock, files=store)
    yield AdminSite(app=app, db=sqlite_db, clock=clock, settings=settings)


def kept(store: LocalFileStore) -> list[Path]:
    return sorted(p for p in store.root.rglob("*") if p.is_file())


async def submission_count(db: Database) -> int:
    async with db.reader() as s:
        return int(await s.scalar(select(func.count(surveys.SurveySubmission.id))) or 0)


async def test_an_arabic_residents_photo_is_kept_shown_to_staff_and_sent_to_odk_central(
    chat: Chat, sqlite_db: Database, store: LocalFileStore, site: AdminSite, sign_in: SignIn
) -> None:
    await open_form(chat, REPAIRS, [], SETTINGS, "ar")
    assert chat.said("ما الذي تعطّل؟")
    await chat.send("مضخة البئر")
    assert chat.said("أرسل صورة له.")
    await chat.send_photo()
    assert t("(photo received)") in chat.last_text

    # Telegram cannot be reached: nothing is sent, nothing is kept, she is asked again.
    chat.sim.messenger.fail_downloads = True
    await chat.press(t("✅ Send my answers"))
    assert chat.said(t("Your file could not be saved just now. Please press Send again."))
    assert kept(store) == [] and await submission_count(sqlite_db) == 0
    chat.sim.messenger.fail_downloads = False
    await chat.press(t("✅ Send my answers"))
    assert chat.said(t("✔ Sent."))

    answers = await stored(sqlite_db, "repairs")
    photo = answers["photo"]
    assert photo.startswith("photo-") and photo.endswith(".jpg")  # Telegram photos are JPEG
    async with sqlite_db.reader() as s:
        submission = await s.scalar(select(surveys.SurveySubmission))
        assert submission is not None
        answer_id = await s.scalar(
            select(surveys.SurveyAnswer.id).where(surveys.SurveyAnswer.question == "photo")
        )
    key = f"{surveys.file_prefix('repairs', submission.uuid)}/{photo}"
    jpeg = await store.get(key)
    assert jpeg is not None and jpeg.startswith(b"simulated file demo-photo-")
    assert kept(store) == [store.path(key)]

    # The coordinator sees the photo itself in the submission page.
    staff = await sign_in("karim")
    page = await staff.open(f"/surveys/submissions/{submission.id}")
    src = f"/surveys/submissions/{submission.id}/files/{answer_id}"
    assert page.status_code == 200 and f'<img src="{src}"' in page.text
    assert t("(photo kept in Telegram)") not in staff.text
    shown = await staff.download(src)
    assert shown.status_code == 200 and shown.content == jpeg
    assert shown.headers["content-type"] == "image/jpeg"
    assert shown.headers["content-disposition"].startswith("inline")

    # The form is linked to the programme's ODK Central: the photo travels with the XML.
    central = FakeCentral(token="t0k", project=2)
    central.add_form("repairs", xlsform_bytes(REPAIRS, [], SETTINGS))
    await central.start()
    try:
        async with sqlite_db.transaction() as s:
            await pushes.link_form(
                s, submission.form_pk, pushes.Target(central.url, "2", "repairs", "TOK")
            )
        clock = FixedClock(datetime(2026, 12, 3, 9, 0, tzinfo=UTC))
        pusher = SubmissionPusher(sqlite_db, clock, files=store, environ={"TOK": "t0k"})
        assert await pusher.run_once() == 1
        assert central.refused == []  # the XForm check passed
        [received] = central.received
        assert received.attachments == {photo: jpeg}
        assert received.content_types == {photo: "image/jpeg"}
        assert f"<photo>{photo}</photo>".encode() in received.xml
        async with sqlite_db.reader() as s:
            state = (await pushes.states(s, [submission.id]))[submission.id]
        assert state.status == pushes.PushStatus.SENT
    finally:
        await central.stop()

    # /delete takes the photo away with the answers.
    await chat.send("/delete")
    await chat.press(t("Yes, erase my data"))
    assert kept(store) == []


async def test_a_submission_from_before_photos_were_kept_fails_its_push_with_the_reason(
    engine: Engine, sqlite_db: Database, store: LocalFileStore, site: AdminSite, sign_in: SignIn
) -> None:
    from formengine.store import import_xlsform

    async with sqlite_db.transaction() as s:
        live, _outcome = await import_xlsform(s, xlsform_bytes(REPAIRS, [], SETTINGS))
        _stored, submission_id = await surveys.submit(
            s,
            surveys.NewSubmission(
                uuid="0c6f8a4e-8a5b-4c1d-9f1e-2b7d1c3e5a90",
                form_pk=live.stored.pk,
                version_pk=live.stored.version_pk,
                round=live.round,
                respondent_id=7001,
                one_per_resident=False,
                answers=[
                    ("problem", "text", "مضخة البئر"),
                    ("photo", "image", "AgACAgQAAxkBAAIBZ2XtelegramFileId"),  # a Telegram id
                ],
                language="ar",
            ),
        )
    assert submission_id is not None
    central = FakeCentral(token="t0k", project=2)
    central.add_form("repairs", xlsform_bytes(REPAIRS, [], SETTINGS))
    await central.start()
    try:
        async with sqlite_db.transaction() as s:
            await pushes.link_form(
                s, live.stored.pk, pushes.Target(central.url, "2", "repairs", "TOK")
            )
        clock = FixedClock(datetime(2026, 12, 3, 9, 0, tzinfo=UTC))
        pusher = SubmissionPusher(sqlite_db, clock, files=store, environ={"TOK": "t0k"})
        assert await pusher.run_once() == 1  # finished at once: no retry can bring it back
        assert await pusher.run_once() == 0
        assert central.received == [] and central.requests == 0
    finally:
        await central.stop()
    async with sqlite_db.reader() as s:
        state = (await pushes.states(s, [submission_id]))[submission_id]
    assert state.status == pushes.PushStatus.FAILED and state.attempts <= 1
    assert "photo" in (state.last_error or "") and "never kept" in (state.last_error or "")

    # The admin page still opens, says where the photo is and why the server lacks it.
    staff = await sign_in("karim", lang="en")
    page = await staff.open(f"/surveys/submissions/{submission_id}")
    assert page.status_code == 200
    assert "(photo kept in Telegram)" in staff.text and "never kept" in staff.text
    assert "<img" not in page.text
