"""A coordinator plays a resident's voice answer from the Arabic survey submission page in
headless Chromium: the <audio> element really loads the OGG/Opus file the admin serves."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from formengine.store import import_xlsform
from storage import surveys
from storage.db import Database
from storage.files import LocalFileStore
from tests.browser.conftest import STAFF_LOGIN, AdminServer, run_async, screenshot, sign_in
from tests.support.audio import ogg_opus_silence
from tests.support.xlsforms import Row, xlsform_bytes

AR, EN = "label::Arabic (ar)", "label::English (en)"
SURVEY: list[Row] = [
    {"type": "text", "name": "village", EN: "Your village?", AR: "ما اسم قريتك؟"},
    {"type": "audio", "name": "story", EN: "Tell us about the water supply.",
     AR: "حدّثنا عن التزوّد بالماء في حيّك."},
]  # fmt: skip
SETTINGS: Row = {"form_id": "water_voices", "default_language": "Arabic (ar)"}
VOICE_SECONDS = 2.0


def _a_resident_answers_with_a_voice_note(server: AdminServer) -> int:
    async def answer() -> int:
        db = Database(server.database_url)
        try:
            async with db.transaction() as s:
                live, _outcome = await import_xlsform(s, xlsform_bytes(SURVEY, [], SETTINGS))
            submission_uuid = str(uuid.uuid4())
            async with db.transaction() as s:
                outcome, submission_id = await surveys.submit(
                    s,
                    surveys.NewSubmission(
                        uuid=submission_uuid,
                        form_pk=live.stored.pk,
                        version_pk=live.stored.version_pk,
                        round=live.round,
                        respondent_id=880011,
                        one_per_resident=False,
                        answers=[
                            ("village", "text", "عين الماء"),
                            ("story", "audio", "story-5e6f708192.ogg"),
                        ],
                        language="ar",
                        # The server runs on real time.
                        submitted_at=datetime.now(UTC) - timedelta(hours=1),
                    ),
                )
            assert outcome == surveys.SubmitOutcome.STORED and submission_id is not None
            store = LocalFileStore(server.media_dir)
            key = f"{surveys.file_prefix(live.form_id, submission_uuid)}/story-5e6f708192.ogg"
            await store.put(key, ogg_opus_silence(VOICE_SECONDS), "audio/ogg")
            return submission_id
        finally:
            await db.dispose()

    return run_async(answer)


def test_a_coordinator_plays_a_voice_answer_from_the_arabic_submission_page(
    page: Any, admin_server: AdminServer
) -> None:
    submission_id = _a_resident_answers_with_a_voice_note(admin_server)
    sign_in(page, STAFF_LOGIN)
    page.goto("/surveys?form=water_voices")
    page.click("#submissions-link")
    assert page.inner_text("h1") == "استمارات الاستبيان"
    page.click(f"#submission-{submission_id} a")
    assert page.get_attribute("html", "dir") == "rtl"
    answers = page.inner_text("#answers")
    assert "حدّثنا عن التزوّد بالماء في حيّك." in answers and "عين الماء" in answers

    audio = page.locator("#answers audio")
    assert audio.get_attribute("src").startswith(f"/surveys/submissions/{submission_id}/files/")
    page.wait_for_function(
        "() => { const a = document.querySelector('#answers audio');"
        " return a.error !== null || a.readyState >= 1; }"
    )
    loaded = audio.evaluate(
        "a => ({ready: a.readyState, duration: a.duration, error: a.error && a.error.code})"
    )
    assert loaded["error"] is None
    assert loaded["ready"] >= 1  # HAVE_METADATA: Chromium read the OGG/Opus stream
    assert abs(loaded["duration"] - VOICE_SECONDS) < 0.1
    screenshot(page, "survey-submission-voice-ar.png")
