"""A submission with a photo answer reaches ODK Central with the photo as a multipart part
named as in the instance."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from core.clock import FixedClock
from formengine.loader import load_xlsform
from formengine.odk_push import SubmissionPusher
from storage import submission_pushes as pushes
from storage import surveys
from storage.db import Database
from storage.files import LocalFileStore
from tests.fakes.openrosa_server import FakeCentral
from tests.support.xlsforms import Row, xlsform_bytes

EN = "label::English (en)"
FORM: list[Row] = [
    {"type": "text", "name": "problem", EN: "What is broken?", "required": "yes"},
    {"type": "image", "name": "photo", EN: "A photo of it?"},
]
SETTINGS: Row = {"form_id": "repairs", "version": "3", "default_language": "English (en)"}
JPEG = b"\xff\xd8\xff\xe0fake-jpeg\xff\xd9"
UUID = "5b1e0c1a-8d2c-4d86-9b7e-0f6f3f0f2a11"


async def test_a_pushed_submission_carries_its_photo(sqlite_db: Database, tmp_path: Path) -> None:
    data = xlsform_bytes(FORM, [], SETTINGS)
    central = FakeCentral(token="t0k", project=2)
    central.add_form("repairs", data)
    await central.start()
    try:
        form = load_xlsform(data)
        async with sqlite_db.transaction() as session:
            stored, _ = await surveys.import_form(
                session,
                surveys.FormToImport(form.form_id, form.version, form.title, "", form.to_json()),
            )
            await surveys.submit(
                session,
                surveys.NewSubmission(
                    uuid=UUID,
                    form_pk=stored.pk,
                    version_pk=stored.version_pk,
                    round=stored.round,
                    respondent_id=42,
                    one_per_resident=False,
                    answers=[("problem", "text", "The well pump"), ("photo", "image", "pump.jpg")],
                ),
            )
            await pushes.link_form(
                session, stored.pk, pushes.Target(central.url, "2", "repairs", "TOK")
            )
        files = LocalFileStore(tmp_path / "media")
        await files.put(f"{surveys.file_prefix('repairs', UUID)}/pump.jpg", JPEG, "image/jpeg")
        clock = FixedClock(datetime(2026, 12, 3, 9, 0, tzinfo=UTC))
        pusher = SubmissionPusher(sqlite_db, clock, files=files, environ={"TOK": "t0k"})
        assert await pusher.run_once() == 1
        [received] = central.received
        assert received.instance_id == f"uuid:{UUID}"
        assert received.attachments == {"pump.jpg": JPEG}
        assert b"<photo>pump.jpg</photo>" in received.xml
    finally:
        await central.stop()
