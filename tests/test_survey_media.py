"""Media questions in the chat: `audio` takes a voice note or an audio file, `video` a video
or a round video message, `file` a document within the form's max-size and body::accept,
`image` a photo (JPEG, or an image sent as a file). The files are fetched from Telegram into
the file store when the resident sends the survey, named in the answer as ODK names
attachments, exported by name, and removed by /delete."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.features.surveys.data import erase_survey_data
from core.i18n import translate
from formengine.loader import FormError, load_xlsform
from formengine.model import Kind
from storage import files
from storage.db import Database
from storage.files import LocalFileStore
from storage.survey_exports import survey_table, to_csv
from tests.support.chat import Chat
from tests.support.xlsforms import Row, xlsform_bytes
from tests.test_survey_question_types import open_form, stored

AR, EN = "label::Arabic (ar)", "label::English (en)"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

COMPLAINT: list[Row] = [
    {"type": "audio", "name": "story", EN: "Tell us what happened.", AR: "أخبرنا بما حدث.",
     "required": "yes"},
    {"type": "video", "name": "street", EN: "Film the street.", AR: "صوّر الشارع.",
     "required": "yes"},
    {"type": "file", "name": "letter", EN: "Attach the letter you received.",
     AR: "أرفق الرسالة التي وصلتك.", "required": "yes", "parameters": "max-size=1",
     "body::accept": ".pdf,.docx"},
    {"type": "image", "name": "photo", EN: "A photo, if you have one.", AR: "صورة إن وجدت."},
]  # fmt: skip
SETTINGS: Row = {"form_id": "complaint", "default_language": "English (en)"}


@pytest.fixture
def store(chat: Chat, tmp_path: Path) -> Iterator[LocalFileStore]:
    local = LocalFileStore(tmp_path / "media")
    chat.sim.engine.services.files = local
    previous = files.use(local)
    yield local
    files.use(previous)


def test_media_questions_import_with_their_limits() -> None:
    form = load_xlsform(xlsform_bytes(COMPLAINT, [], SETTINGS))
    assert [q.kind for q in form.asked] == [Kind.AUDIO, Kind.VIDEO, Kind.FILE, Kind.IMAGE]
    letter = form.question("letter")
    assert letter.max_size == 1024 * 1024 and letter.accept == (".pdf", ".docx")
    bad = [{"type": "file", "name": "f", "label": "F", "parameters": "max-size=lots"}]
    with pytest.raises(FormError, match="max-size must be a number of megabytes"):
        load_xlsform(xlsform_bytes(bad))


async def test_a_resident_sends_a_voice_note_a_video_note_and_a_letter_in_english(
    chat: Chat, sqlite_db: Database, store: LocalFileStore
) -> None:
    await open_form(chat, COMPLAINT, [], SETTINGS, "en")
    assert chat.said("Tell us what happened.") and chat.said("At most 20 MB.")
    await chat.send("It was the landlord")
    assert chat.said("Please send a voice note (hold the 🎤 button) or an audio file.")
    await chat.send_sticker()
    assert chat.said("Please send a voice note")
    await chat.send_video()
    assert chat.said("Please send a voice note")
    await chat.send_voice()
    assert chat.said("Film the street.")
    await chat.send_voice()
    assert chat.said("Please send a video, or a round video message.")
    await chat.send_video_note()
    assert chat.said("Attach the letter you received.")
    assert chat.said("At most 1 MB. Accepted: .pdf, .docx.")
    await chat.send_document("photo.png", "image/png", 5000)
    assert chat.said("This type of file is not accepted here. Accepted: .pdf, .docx.")
    await chat.send_document("scan.pdf", PDF, 3 * 1024 * 1024)
    assert chat.said("This file is too big (3 MB). Please send one of at most 1 MB.")
    await chat.send_document("letter.docx", DOCX, 40_000)
    assert chat.said("A photo, if you have one.")
    await chat.send_photo()
    review = chat.last_text
    assert "(recording received)" in review and "(video received)" in review
    assert "(file received: letter.docx)" in review and "(photo received)" in review
    # Telegram cannot be reached for the files: nothing is sent, the answers stay.
    chat.sim.messenger.fail_downloads = True
    await chat.press("✅ Send my answers")
    assert chat.said("Your file could not be saved just now. Please press Send again.")
    chat.sim.messenger.fail_downloads = False
    await chat.press("✅ Send my answers")
    assert chat.said("✔ Sent.")

    answers = await stored(sqlite_db, "complaint")
    assert answers["story"].startswith("story-") and answers["story"].endswith(".ogg")
    assert answers["street"].startswith("street-") and answers["street"].endswith(".mp4")
    assert answers["letter"].startswith("letter-") and answers["letter"].endswith(".docx")
    assert answers["photo"].startswith("photo-") and answers["photo"].endswith(".jpg")
    kept = sorted(p.name for p in store.root.rglob("*") if p.is_file())
    assert kept == sorted(
        [answers["story"], answers["street"], answers["letter"], answers["photo"]]
    )
    letter = next(store.root.rglob(answers["letter"]))
    assert letter.read_bytes().startswith(b"simulated file demo-document-")

    async with sqlite_db.reader() as s:
        table = await survey_table(s, "complaint")
    [row] = list(csv.DictReader(io.StringIO(to_csv(table).decode("utf-8-sig"))))
    assert row["story"] == answers["story"] and row["letter"] == answers["letter"]

    # /delete removes the files with the answers that could identify the resident.
    async with sqlite_db.transaction() as s:
        from datetime import UTC, datetime

        await erase_survey_data(s, chat.user_id, datetime(2026, 11, 24, tzinfo=UTC))
    assert not [p for p in store.root.rglob("*") if p.is_file()]


async def test_an_arabic_resident_is_told_in_arabic_when_a_file_is_too_big(
    chat: Chat, sqlite_db: Database, store: LocalFileStore
) -> None:
    await open_form(chat, COMPLAINT, [], SETTINGS, "ar")
    assert chat.said("أخبرنا بما حدث.")
    await chat.send("نص")
    assert chat.said(
        translate("ar", "Please send a voice note (hold the 🎤 button) or an audio file.")
    )
    await chat.send_audio()
    await chat.send_video()
    await chat.send_document("scan.pdf", PDF, 2 * 1024 * 1024)
    too_big = translate(
        "ar", "This file is too big ({size} MB). Please send one of at most {most} MB."
    )
    assert chat.said(too_big.format(size="٢", most="١"))  # sizes in Arabic-Indic digits
    await chat.send_document("scan.pdf", PDF, 900_000)
    await chat.press(translate("ar", "Skip ⏭"))
    await chat.press(translate("ar", "✅ Send my answers"))
    answers = await stored(sqlite_db, "complaint")
    assert answers["story"].endswith(".mp3") and answers["letter"].endswith(".pdf")
    assert "photo" not in answers


async def test_the_local_file_store_keeps_keys_inside_its_folder(tmp_path: Path) -> None:
    local = LocalFileStore(tmp_path)
    await local.put("surveys/f/u1/a.ogg", b"one")
    await local.put("surveys/f/u1/a.ogg", b"two")  # a retried Send replaces it
    assert await local.get("surveys/f/u1/a.ogg") == b"two"
    assert await local.get("surveys/f/u1/missing.ogg") is None
    for key in ("../x", "/etc/passwd", "surveys/../../x", "a//b", "سجل.ogg", ""):
        with pytest.raises(ValueError):
            await local.put(key, b"x")
    assert await local.delete_prefix("surveys/f/u1") == 1
    assert await local.delete_prefix("surveys/f/u1") == 0


SPOKEN: list[Row] = [
    {"type": "text", "name": "needs", EN: "What does your street need most?",
     AR: "ما أكثر ما يحتاجه شارعك؟", "required": "yes", "bind::musharaka:voice": "yes"},
    {"type": "text", "name": "name", EN: "Your first name?", AR: "اسمك الأول؟"},
    {"type": "image", "name": "street", EN: "A photo of the street", AR: "صورة الشارع"},
]  # fmt: skip


async def test_a_resident_who_prefers_to_speak_answers_a_text_question_with_a_voice_note(
    chat: Chat, sqlite_db: Database, store: LocalFileStore
) -> None:
    await open_form(chat, SPOKEN, [], {"form_id": "spoken"}, "ar")
    assert chat.said(
        translate("ar", "Type your answer, or send a voice note (hold the 🎤 button).")
    )
    await chat.send_voice()
    assert chat.said("اسمك الأول؟")
    await chat.send_voice()  # this one must be typed
    assert chat.said(translate("ar", "I cannot read stickers, voice notes or videos here."))
    await chat.send("أمل")
    await chat.send_document("street.jpg", "image/jpeg", 300_000)  # a photo sent as a file
    assert translate("ar", "(recording received)") in chat.last_text
    await chat.press(translate("ar", "✅ Send my answers"))
    answers = await stored(sqlite_db, "spoken")
    assert answers["needs"].startswith("needs-") and answers["needs"].endswith(".ogg")
    assert answers["name"] == "أمل" and answers["street"].startswith("street-")
    assert [p.name for p in store.root.rglob("*.ogg")] == [answers["needs"]]
    assert [p.name for p in store.root.rglob("*.jpg")] == [answers["street"]]  # as sent


def test_voice_is_for_text_questions() -> None:
    bad = [{"type": "integer", "name": "n", "label": "N", "bind::musharaka:voice": "yes"}]
    with pytest.raises(FormError, match="musharaka:voice is for text questions"):
        load_xlsform(xlsform_bytes(bad))


async def test_a_photo_answered_before_photos_were_kept_is_kept_when_she_sends_after(
    chat: Chat, sqlite_db: Database, store: LocalFileStore
) -> None:
    """A survey begun before the update holds the photo's Telegram file id as its answer."""
    await open_form(chat, COMPLAINT, [], SETTINGS, "ar")
    await chat.send_voice()
    await chat.send_video()
    await chat.send_document("scan.pdf", PDF, 900_000)
    await chat.send_photo()
    sessions = chat.sim.engine.services.store
    session = await sessions.load(chat.user_id)
    assert session is not None and session.flow is not None
    draft = session.flow.data["d"]
    file_id = draft["files"].pop("photo")["file_id"]
    draft["answers"]["photo"] = file_id  # as the bot kept it then
    version, session.version = session.version, session.version + 1
    assert await sessions.save(session, version)

    await chat.press(translate("ar", "✅ Send my answers"))
    assert chat.said(translate("ar", "✔ Sent."))
    answers = await stored(sqlite_db, "complaint")
    assert answers["photo"].startswith("photo-") and answers["photo"].endswith(".jpg")
    [kept] = list(store.root.rglob("*.jpg"))
    assert kept.name == answers["photo"]
    assert kept.read_bytes() == f"simulated file {file_id}".encode()
