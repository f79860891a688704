"""Staff open a survey's submissions one by one: a resident's voice note plays in the page,
a video and a photo show, a document downloads — each file served only to roles that may
see survey answers, only for the submission it belongs to, and every view logged. For a
form linked to the programme's ODK Central server, each submission says whether it was
delivered, is retrying or was refused, and a refused one can be sent again."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from admin.app import create_app
from core.clock import FixedClock
from formengine.odk_push import SubmissionPusher
from formengine.store import LiveForm, import_xlsform
from storage import audit, surveys
from storage import submission_pushes as pushes
from storage.db import Database
from storage.files import LocalFileStore
from tests.admin.conftest import SECRET, START, SignIn, add_accounts
from tests.admin.support import AdminSite
from tests.support.audio import ogg_opus_silence
from tests.support.given import given_places
from tests.support.settings import settings_for_tests
from tests.support.xlsforms import Row, xlsform_bytes

AR, EN = "label::Arabic (ar)", "label::English (en)"
COMPLAINT: list[Row] = [
    {"type": "text", "name": "place", EN: "Where did it happen?", AR: "أين حدث ذلك؟",
     "bind::musharaka:voice": "yes"},
    {"type": "audio", "name": "story", EN: "Tell us what happened.", AR: "أخبرنا بما حدث."},
    {"type": "video", "name": "street", EN: "Film the street.", AR: "صوّر الشارع."},
    {"type": "image", "name": "photo", EN: "A photo, if you have one.", AR: "صورة إن وجدت."},
    {"type": "image", "name": "scan", EN: "A photo of the notice.", AR: "صورة الإشعار."},
    {"type": "file", "name": "letter", EN: "Attach the letter you received.",
     AR: "أرفق الرسالة التي وصلتك."},
]  # fmt: skip
SETTINGS: Row = {"form_id": "complaint", "default_language": "English (en)"}
VOICE = ogg_opus_silence(1.0)
SUBMITTED = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> LocalFileStore:
    return LocalFileStore(tmp_path / "media")


@pytest.fixture
async def site(sqlite_db: Database, store: LocalFileStore) -> AsyncIterator[AdminSite]:
    """The admin app, reading residents' files from ``store``."""
    await given_places(sqlite_db)
    await add_accounts(sqlite_db)
    clock = FixedClock(START)
    settings = settings_for_tests(admin_secret_key=SECRET, timezone="Africa/Tunis")
    app = create_app(settings, sqlite_db, clock=clock, files=store)
    yield AdminSite(app=app, db=sqlite_db, clock=clock, settings=settings)


async def complaint_form(db: Database) -> LiveForm:
    async with db.transaction() as s:
        live, _outcome = await import_xlsform(s, xlsform_bytes(COMPLAINT, [], SETTINGS))
    return live


async def resident_complains(
    db: Database,
    store: LocalFileStore,
    live: LiveForm,
    resident: int,
    *,
    with_files: bool = True,
    telegram_photo: bool = True,
    submitted_at: datetime = SUBMITTED,
) -> tuple[int, str]:
    """A resident's complaint as the bot stores it: answers naming the files, the files
    beside the submission in the file store. Returns (submission id, uuid)."""
    submission_uuid = str(uuid.uuid4())
    answers = [
        ("place", "text", "place-0a1b2c3d4e.ogg"),  # spoken instead of typed
        ("story", "audio", "story-1a2b3c4d5e.ogg"),
        ("street", "video", "street-2b3c4d5e6f.mp4"),
        ("photo", "image", "AgACAgQAAxkBAAIBZ2XtelegramFileId"),  # kept in Telegram
        ("scan", "image", "scan-3c4d5e6f70.jpg"),
        ("letter", "file", "letter-4d5e6f7081.pdf"),
    ]
    if not telegram_photo:
        answers = [answer for answer in answers if answer[0] != "photo"]
    async with db.transaction() as s:
        outcome, submission_id = await surveys.submit(
            s,
            surveys.NewSubmission(
                uuid=submission_uuid,
                form_pk=live.stored.pk,
                version_pk=live.stored.version_pk,
                round=live.round,
                respondent_id=resident,
                one_per_resident=False,
                answers=answers,
                language="ar",
                submitted_at=submitted_at,
            ),
        )
    assert outcome == surveys.SubmitOutcome.STORED and submission_id is not None
    if with_files:
        prefix = surveys.file_prefix(live.form_id, submission_uuid)
        await store.put(f"{prefix}/place-0a1b2c3d4e.ogg", VOICE, "audio/ogg")
        await store.put(f"{prefix}/story-1a2b3c4d5e.ogg", VOICE, "audio/ogg")
        await store.put(f"{prefix}/street-2b3c4d5e6f.mp4", b"\x00\x00\x00\x18ftypmp42", "")
        await store.put(f"{prefix}/scan-3c4d5e6f70.jpg", b"\xff\xd8\xff\xe0 jpeg", "")
        await store.put(f"{prefix}/letter-4d5e6f7081.pdf", b"%PDF-1.4 letter", "")
    return submission_id, submission_uuid


async def answer_ids(db: Database, submission_id: int) -> dict[str, int]:
    async with db.reader() as s:
        rows = await s.execute(
            select(surveys.SurveyAnswer.question, surveys.SurveyAnswer.id).where(
                surveys.SurveyAnswer.submission_id == submission_id
            )
        )
        return {question: answer_id for question, answer_id in rows}


async def audit_trail(db: Database) -> list[tuple[str, str, str, str]]:
    async with db.reader() as s:
        entries = await s.scalars(select(audit.AuditEntry).order_by(audit.AuditEntry.id))
        return [
            (e.username, e.action, e.subject, e.detail)
            for e in entries
            if e.action not in ("login", "logout")
        ]


async def test_a_coordinator_plays_a_residents_voice_answer_in_the_arabic_submission_page(
    site: AdminSite, sign_in: SignIn, store: LocalFileStore
) -> None:
    live = await complaint_form(site.db)
    submission_id, _uuid = await resident_complains(site.db, store, live, 7001)
    ids = await answer_ids(site.db, submission_id)
    staff = await sign_in("karim")

    results = await staff.open("/surveys", form="complaint")
    assert 'id="submissions-link"' in results.text
    listing = await staff.open("/surveys/submissions", form="complaint")
    assert listing.status_code == 200 and "استمارة واحدة" in staff.text
    assert f'href="/surveys/submissions/{submission_id}"' in listing.text

    page = await staff.open(f"/surveys/submissions/{submission_id}")
    assert page.status_code == 200 and "أخبرنا بما حدث." in staff.text
    src = f"/surveys/submissions/{submission_id}/files"
    assert f'<audio controls preload="metadata" src="{src}/{ids["story"]}">' in page.text
    assert f'<audio controls preload="metadata" src="{src}/{ids["place"]}">' in page.text
    assert f'<video controls preload="metadata" src="{src}/{ids["street"]}"' in page.text
    assert f'<img src="{src}/{ids["scan"]}"' in page.text
    assert f'href="{src}/{ids["letter"]}" download' in page.text
    assert "(الصورة محفوظة في تيليغرام)" in staff.text  # Telegram keeps this photo

    voice = await staff.download(f"{src}/{ids['story']}")
    assert voice.status_code == 200
    assert voice.headers["content-type"] == "audio/ogg"
    assert voice.headers["content-disposition"].startswith("inline")
    assert voice.content == VOICE
    video = await staff.download(f"{src}/{ids['street']}")
    assert video.headers["content-type"] == "video/mp4"
    photo = await staff.download(f"{src}/{ids['scan']}")
    assert photo.headers["content-type"] == "image/jpeg"
    letter = await staff.download(f"{src}/{ids['letter']}")
    assert letter.headers["content-type"] == "application/pdf"
    assert letter.headers["content-disposition"].startswith("attachment")
    assert letter.content == b"%PDF-1.4 letter"

    file = f"survey_file:{submission_id}"
    assert await audit_trail(site.db) == [
        ("karim", "view", "survey_submissions:complaint", f"round={live.round} page=1"),
        ("karim", "view", f"survey_submission:{submission_id}", "form=complaint"),
        ("karim", "view", file, f"question=story answer={ids['story']}"),
        ("karim", "view", file, f"question=street answer={ids['street']}"),
        ("karim", "view", file, f"question=scan answer={ids['scan']}"),
        ("karim", "export", file, f"question=letter answer={ids['letter']}"),
    ]


async def test_a_file_is_served_only_for_the_submission_it_belongs_to(
    site: AdminSite, sign_in: SignIn, store: LocalFileStore
) -> None:
    live = await complaint_form(site.db)
    first, _uuid = await resident_complains(site.db, store, live, 7001)
    second, _uuid2 = await resident_complains(site.db, store, live, 7002, with_files=False)
    mine, theirs = await answer_ids(site.db, first), await answer_ids(site.db, second)
    staff = await sign_in("karim", lang="en")

    # Another submission's answer, an answer naming no kept file, a file the store lost,
    # nothing at all, and paths instead of ids: all "not found" (or an unreadable address).
    for path in (
        f"/surveys/submissions/{first}/files/{theirs['story']}",
        f"/surveys/submissions/{second}/files/{mine['story']}",
        f"/surveys/submissions/{first}/files/{mine['photo']}",
        f"/surveys/submissions/{second}/files/{theirs['story']}",
        f"/surveys/submissions/{first}/files/999999",
        f"/surveys/submissions/999999/files/{mine['story']}",
    ):
        answer = await staff.download(path)
        assert answer.status_code == 404, path
        assert "There is nothing at this address." in answer.text
    for path in (
        f"/surveys/submissions/{first}/files/..%2F..%2Fsecret",
        f"/surveys/submissions/{first}/files/story-1a2b3c4d5e.ogg",
    ):
        assert (await staff.download(path)).status_code in (400, 404), path

    # An answer whose text looks like a path never reaches the file store.
    async with site.db.transaction() as s:
        row = await s.get(surveys.SurveyAnswer, mine["letter"])
        assert row is not None
        row.value = "../../../etc/passwd"
    answer = await staff.download(f"/surveys/submissions/{first}/files/{mine['letter']}")
    assert answer.status_code == 404
    assert [e for e in await audit_trail(site.db) if e[2].startswith("survey_file")] == []


async def test_a_consultant_cannot_open_submissions_or_their_files(
    site: AdminSite, sign_in: SignIn, store: LocalFileStore
) -> None:
    live = await complaint_form(site.db)
    submission_id, _uuid = await resident_complains(site.db, store, live, 7001)
    ids = await answer_ids(site.db, submission_id)
    consultant = await sign_in("salma", lang="en")
    results = await consultant.open("/surveys", form="complaint")
    assert 'id="submissions-link"' not in results.text
    for path in (
        "/surveys/submissions",
        f"/surveys/submissions/{submission_id}",
        f"/surveys/submissions/{submission_id}/files/{ids['story']}",
    ):
        refused = await consultant.download(path)
        assert refused.status_code == 403, path
        assert VOICE not in refused.content
    assert await audit_trail(site.db) == []


# --- pushes to the programme's server ---------------------------------------------------


def central(status: int, body: str = "") -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(status, text=body))


async def four_submissions_on_their_way(
    site: AdminSite, store: LocalFileStore, live: LiveForm
) -> dict[str, int]:
    """Linked to ODK Central: one delivered, one retrying, one refused, one just queued."""
    async with site.db.transaction() as s:
        await pushes.link_form(
            s, live.stored.pk, pushes.Target("https://central.example", "3", "complaint", "TOK")
        )
    ids = {}
    for n, name in enumerate(("delivered", "retrying", "refused", "queued")):
        ids[name], _uuid = await resident_complains(
            site.db,
            store,
            live,
            7100 + n,
            telegram_photo=False,
            submitted_at=SUBMITTED + timedelta(minutes=n),
        )
    now, lease = START, timedelta(minutes=5)
    async with site.db.transaction() as s:
        for name in ("delivered", "retrying", "refused"):
            await pushes.enqueue(s, ids[name], f"uuid:{name}", now)
        claimed = {c.submission_pk: c.push_id for c in await pushes.claim(s, "w", now, lease)}
        await pushes.mark_sent(s, claimed[ids["delivered"]], "w", now)
        await pushes.mark_retry(
            s, claimed[ids["retrying"]], "w", now + timedelta(minutes=2), "503: Service Unavailable"
        )
        await pushes.mark_failed(
            s, claimed[ids["refused"]], "w", "400: A required field (household_size) is missing."
        )
        await pushes.enqueue(s, ids["queued"], "uuid:queued", now)
    return ids  # fmt: skip


async def test_staff_see_where_each_submission_stands_on_the_odk_server_and_resend_a_refused_one(
    site: AdminSite, sign_in: SignIn, store: LocalFileStore
) -> None:
    live = await complaint_form(site.db)
    ids = await four_submissions_on_their_way(site, store, live)
    waiting, _uuid = await resident_complains(
        site.db, store, live, 7200, telegram_photo=False
    )  # not queued yet
    staff = await sign_in("karim", lang="en")

    listing = await staff.open("/surveys/submissions", form="complaint")
    rows = {
        name: listing.text.split(f'id="submission-{pk}"', 1)[1].split("</tr>", 1)[0]
        for name, pk in {**ids, "waiting": waiting}.items()
    }
    assert 'data-push="delivered"' in rows["delivered"] and "Delivered" in rows["delivered"]
    assert "on 2 Mar 2026, 09:30" in rows["delivered"]  # Tunis time
    assert 'data-push="retrying"' in rows["retrying"]
    assert "1 try failed; next try on 2 Mar 2026, 09:32" in rows["retrying"]
    assert "last error: 503: Service Unavailable" in rows["retrying"]
    assert 'data-push="failed"' in rows["refused"] and "Refused by the server" in rows["refused"]
    assert "400: A required field (household_size) is missing." in rows["refused"]
    assert 'data-push="queued"' in rows["queued"] and "Queued" in rows["queued"]
    assert 'data-push="waiting"' in rows["waiting"]
    assert [name for name, row in rows.items() if "Send again" in row] == ["refused"]

    # The server's form is fixed; the coordinator sends the refused one again.
    await staff.open(f"/surveys/submissions/{ids['refused']}")
    assert "Refused by the server" in staff.text and "household_size" in staff.text
    await staff.submit(
        f"/surveys/submissions/{ids['refused']}/push",
        {"next": f"/surveys/submissions/{ids['refused']}"},
    )
    assert "The submission will be sent to the server again." in staff.text
    assert 'data-push="queued"' in staff.page.text  # type: ignore[union-attr]
    # A second press (an old tab) changes nothing and says so.
    await staff.submit(f"/surveys/submissions/{ids['refused']}/push")
    assert "was not refused by the server: there is nothing to send again." in staff.text
    resent = [e for e in await audit_trail(site.db) if e[1] == "submission_push"]
    assert resent == [("karim", "submission_push", f"survey_submission:{ids['refused']}", "")]

    # The next pass of the sender delivers it, with the same instanceID.
    pusher = SubmissionPusher(
        site.db, site.clock, files=store, environ={"TOK": "secret"}, transport=central(201)
    )
    assert await pusher.run_once() == 3  # the re-sent, the waiting and the queued one
    async with site.db.reader() as s:
        state = (await pushes.states(s, [ids["refused"]]))[ids["refused"]]
    assert state.status == pushes.PushStatus.SENT


async def test_resending_needs_the_form_token_and_the_right_role(
    site: AdminSite, sign_in: SignIn, store: LocalFileStore
) -> None:
    live = await complaint_form(site.db)
    ids = await four_submissions_on_their_way(site, store, live)
    staff = await sign_in("karim", lang="en")
    await staff.open(f"/surveys/submissions/{ids['refused']}")
    forged = await staff.submit(f"/surveys/submissions/{ids['refused']}/push", with_csrf=False)
    assert forged.status_code == 403 and "This form has expired" in staff.text
    consultant = await sign_in("salma", lang="en")
    await consultant.open("/surveys")
    refused = await consultant.submit(f"/surveys/submissions/{ids['refused']}/push")
    assert refused.status_code == 403
    async with site.db.reader() as s:
        state = (await pushes.states(s, [ids["refused"]]))[ids["refused"]]
    assert state.status == pushes.PushStatus.FAILED and state.last_error
    assert [e for e in await audit_trail(site.db) if e[1] == "submission_push"] == []


async def test_a_form_without_a_server_shows_no_sending_column(
    site: AdminSite, sign_in: SignIn, store: LocalFileStore
) -> None:
    live = await complaint_form(site.db)
    submission_id, _uuid = await resident_complains(site.db, store, live, 7001)
    staff = await sign_in("karim", lang="en")
    listing = await staff.open("/surveys/submissions", form="complaint")
    assert f'id="submission-{submission_id}"' in listing.text
    assert "On the programme's server" not in staff.text and "data-push" not in listing.text


async def test_a_player_seeks_in_a_long_voice_note_and_only_the_first_request_is_logged(
    site: AdminSite, sign_in: SignIn, store: LocalFileStore
) -> None:
    live = await complaint_form(site.db)
    submission_id, _uuid = await resident_complains(site.db, store, live, 7001)
    ids = await answer_ids(site.db, submission_id)
    story = f"/surveys/submissions/{submission_id}/files/{ids['story']}"
    staff = await sign_in("karim", lang="en")

    start = await staff.http.get(story, headers={"Range": "bytes=0-"})
    assert start.status_code == 206 and start.content == VOICE
    assert start.headers["content-range"] == f"bytes 0-{len(VOICE) - 1}/{len(VOICE)}"
    assert start.headers["accept-ranges"] == "bytes"
    middle = await staff.http.get(story, headers={"Range": "bytes=100-199"})
    assert middle.status_code == 206 and middle.content == VOICE[100:200]
    tail = await staff.http.get(story, headers={"Range": "bytes=-50"})
    assert tail.content == VOICE[-50:]
    beyond = await staff.http.get(story, headers={"Range": f"bytes={len(VOICE)}-"})
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{len(VOICE)}"
    files = [e for e in await audit_trail(site.db) if e[2].startswith("survey_file")]
    assert len(files) == 1  # the player's first request, not each seek


async def test_the_sending_status_reads_in_arabic_and_french(
    site: AdminSite, sign_in: SignIn, store: LocalFileStore
) -> None:
    live = await complaint_form(site.db)
    ids = await four_submissions_on_their_way(site, store, live)
    arabic = await sign_in("karim", lang="ar")
    await arabic.open("/surveys/submissions", form="complaint")
    assert "على خادم البرنامج" in arabic.text
    assert "وصلت" in arabic.text and "رفضها الخادم" in arabic.text
    assert "فشلت محاولة واحدة؛ المحاولة التالية في" in arabic.text
    assert "آخر خطأ: 503: Service Unavailable" in arabic.text
    assert "في قائمة الانتظار" in arabic.text and "أعد الإرسال" in arabic.text
    await arabic.open(f"/surveys/submissions/{ids['refused']}")
    await arabic.submit(f"/surveys/submissions/{ids['refused']}/push")
    assert "ستُرسل الاستمارة إلى الخادم مرة أخرى." in arabic.text

    french = await sign_in("amina", lang="fr")
    await french.open("/surveys/submissions", form="complaint")
    assert "Sur le serveur du programme" in french.text and "Remis" in french.text
    assert "1 essai a échoué ; prochain essai le" in french.text
    assert "En attente d'envoi" in french.text


async def test_the_results_page_counts_the_refused_submissions_and_staff_list_only_those(
    site: AdminSite, sign_in: SignIn, store: LocalFileStore
) -> None:
    live = await complaint_form(site.db)
    ids = await four_submissions_on_their_way(site, store, live)
    await resident_complains(site.db, store, live, 7200, telegram_photo=False)  # waiting
    staff = await sign_in("karim", lang="en")
    results = await staff.open("/surveys", form="complaint")
    summary = results.text.split('id="push-summary"', 1)[1].split("</p>", 1)[0]
    assert "Waiting for the sender: 1" in summary and "Queued: 1" in summary
    assert "Retrying: 1" in summary and "Delivered: 1" in summary
    assert "Refused by the server: 1" in summary
    refused_link = f"/surveys/submissions?form=complaint&round={live.round}&push=failed"
    assert f'href="{refused_link}"' in summary

    listing = await staff.open("/surveys/submissions", form="complaint", push="failed")
    assert f'id="submission-{ids["refused"]}"' in listing.text
    assert listing.text.count('class="submission"') == 1 and "1 submission" in staff.text
    waiting = await staff.open("/surveys/submissions", form="complaint", push="waiting")
    assert waiting.text.count('class="submission"') == 1
    everything = await staff.open("/surveys/submissions", form="complaint", push="nonsense")
    assert everything.text.count('class="submission"') == 5
    viewed = [e[3] for e in await audit_trail(site.db) if e[2] == "survey_submissions:complaint"]
    assert viewed[0] == f"round={live.round} push=failed page=1"

    # A consultant sees the counts (no personal data) but no way into the submissions.
    consultant = await sign_in("salma", lang="en")
    page = await consultant.open("/surveys", form="complaint")
    summary = page.text.split('id="push-summary"', 1)[1].split("</p>", 1)[0]
    assert "Refused by the server: 1" in summary and "href" not in summary
