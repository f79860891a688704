"""Residents' recordings kept in an S3-compatible bucket (MUSHARAKA_S3_*): the same file
store contract as the local folder, a voice answer stored there from the chat, and /delete
removing it — against moto's S3 server on a local port, never the network."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.features.surveys.data import erase_survey_data
from storage import files
from storage.db import Database
from storage.files import S3FileStore, build_file_store
from tests.conftest import EngineFactory
from tests.support.chat import Chat
from tests.support.settings import settings_for_tests
from tests.test_survey_question_types import open_form, stored

BUCKET = "programme-media"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_settings(s3_endpoint: str, request: pytest.FixtureRequest) -> dict[str, object]:
    settings: dict[str, object] = {
        "s3_bucket": BUCKET,
        "s3_prefix": f"musharaka/{request.node.name[:40]}",
        "s3_endpoint_url": s3_endpoint,
        "s3_region": "eu-west-3",
        "s3_access_key_id": "test-key",
        "s3_secret_access_key": "test-secret",
    }
    store = build_file_store(settings_for_tests(**settings))
    assert isinstance(store, S3FileStore)
    buckets = [b["Name"] for b in store.client.list_buckets().get("Buckets", [])]
    if BUCKET not in buckets:
        store.client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-3"}
        )
    return settings


def objects(store: S3FileStore) -> list[str]:
    found = store.client.list_objects_v2(Bucket=BUCKET, Prefix=store.prefix)
    return sorted(item["Key"] for item in found.get("Contents", []))


async def test_the_bucket_keeps_replaces_and_removes_files_as_the_local_folder_does(
    s3_settings: dict[str, object],
) -> None:
    store = build_file_store(settings_for_tests(**s3_settings))
    assert isinstance(store, S3FileStore)
    await store.put("surveys/f/u1/story-1.ogg", b"first take", "audio/ogg")
    await store.put("surveys/f/u1/story-1.ogg", b"second take", "audio/ogg")  # a retry
    await store.put("surveys/f/u1/letter.pdf", b"%PDF", "application/pdf")
    await store.put("surveys/f/u2/story-2.ogg", b"someone else")
    assert await store.get("surveys/f/u1/story-1.ogg") == b"second take"
    assert await store.get("surveys/f/u1/nothing.ogg") is None
    head = store.client.head_object(Bucket=BUCKET, Key=store.object_key("surveys/f/u1/letter.pdf"))
    assert head["ContentType"] == "application/pdf"
    assert await store.delete_prefix("surveys/f/u1") == 2
    assert objects(store) == [f"{store.prefix}surveys/f/u2/story-2.ogg"]
    assert await store.delete_prefix("surveys/f/u1") == 0
    for bad in ("../etc/passwd", "/abs", "a/../b", ""):
        with pytest.raises(ValueError):
            await store.put(bad, b"x")
    # Without a bucket, the local folder stays the default.
    assert isinstance(build_file_store(settings_for_tests()), files.LocalFileStore)


AUDIO = [
    {"type": "audio", "name": "story", "label": "Tell us what happened.", "required": "yes"},
]


async def test_a_residents_voice_answer_is_kept_in_the_bucket_and_removed_by_delete(
    s3_settings: dict[str, object], sqlite_db: Database, make_engine: EngineFactory
) -> None:
    from tests.support.given import given_places

    await given_places(sqlite_db)
    previous = files.current()
    engine = make_engine(sqlite_db, **s3_settings)
    try:
        store = engine.services.files
        assert isinstance(store, S3FileStore) and files.current() is store
        chat = Chat(engine, user_id=5200, language="en")
        await open_form(chat, AUDIO, [], {"form_id": "voices"}, "en")
        await chat.send_voice()
        await chat.press("✅ Send my answers")
        answers = await stored(sqlite_db, "voices")
        [key] = objects(store)
        assert key.startswith(f"{store.prefix}surveys/") and key.endswith(answers["story"])
        async with sqlite_db.transaction() as s:
            await erase_survey_data(s, chat.user_id, datetime(2026, 11, 24, tzinfo=UTC))
        assert objects(store) == []
    finally:
        files.use(previous)
