"""The worker that sends queued survey submissions to the programme's ODK Central or
KoBoToolbox server (storage.submission_pushes is the outbox).

Each pass queues the new submissions of linked forms, claims the due ones, and POSTs each
as an OpenRosa submission (multipart: ``xml_submission_file`` and one part per attached
file, named as in the instance, ``X-OpenRosa-Version: 1.0``) to the project's OpenRosa
endpoint: ``{server}/v1/projects/{project}/submission`` on ODK Central,
``{server}/submission`` on KoBoToolbox's KoBoCAT when no project is given. The answer:

* 201/200/202: sent; 409, or a 4xx saying the instance is a duplicate: sent (the server
  already has this instanceID — the same submission, never stored twice);
* another 4xx: failed, with the server's message (shown in the admin); failed at once, too,
  a submission whose photo was never kept (answered before photos were fetched at Send:
  only Telegram's file id was saved);
* 5xx, 408, 429, connection refused, timeout: tried again after 30 s, 1 min, 2 min...
  (at most an hour between tries), up to ``MAX_ATTEMPTS``.

The token is read at each pass from the environment variable the link names; it and the
answers are never logged.
"""

from __future__ import annotations

import logging
import mimetypes
import os
import re
from collections.abc import Mapping
from datetime import timedelta

import httpx

from core.clock import Clock
from formengine.instance_xml import ServerForm, attachment_names, instance_xml, unkept_media
from formengine.model import Form
from storage import submission_pushes as pushes
from storage import surveys
from storage.db import Database
from storage.files import FileStore

log = logging.getLogger(__name__)

FIRST_DELAY = timedelta(seconds=30)
LONGEST_DELAY = timedelta(hours=1)
LEASE = timedelta(minutes=5)
_DUPLICATE = re.compile(r"duplicate|already exists|409\.3", re.IGNORECASE)
_MESSAGE = re.compile(r"<(?:message|text)[^>]*>(.*?)</(?:message|text)>", re.DOTALL)
_RETRIED_4XX = frozenset({408, 429})

Part = tuple[str, tuple[str, bytes, str]]


def retry_delay(attempts: int) -> timedelta:
    """After the n-th failed try: 30 s, 1 min, 2 min, 4 min... at most an hour."""
    return min(FIRST_DELAY * (2 ** max(attempts - 1, 0)), LONGEST_DELAY)


def submission_url(target: pushes.Target) -> str:
    if target.project:
        return f"{target.server_url}/v1/projects/{target.project}/submission"
    return f"{target.server_url}/submission"


def authorization(target: pushes.Target, token: str) -> str:
    """Central takes a Bearer token; KoBoToolbox its API token as ``Token ...``."""
    return f"Token {token}" if target.is_kobo else f"Bearer {token}"


def server_message(response: httpx.Response) -> str:
    """What the server said, briefly: Central's JSON message, KoBo's JSON detail, an
    OpenRosa <message>, text."""
    try:
        body = response.json()
        if isinstance(body, dict) and (body.get("message") or body.get("detail")):
            return f"{response.status_code}: {body.get('message') or body['detail']}"
    except ValueError:
        pass
    found = _MESSAGE.search(response.text)
    text = (found[1] if found else response.text).strip()
    return f"{response.status_code}: {text[:500]}" if text else str(response.status_code)


def part_type(name: str) -> str:
    """The Content-Type of an attached file's part, from its name (photos: image/jpeg)."""
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


class SubmissionPusher:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        name: str = "pusher",
        files: FileStore | None = None,
        environ: Mapping[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.db = db
        self.clock = clock
        self.name = name
        self.files = files
        self.environ = environ if environ is not None else os.environ
        self.transport = transport
        self.timeout = timeout

    async def run_once(self) -> int:
        """One pass; returns how many pushes were finished (sent or failed) in it."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            await pushes.enqueue_linked(session, now)
            claimed = await pushes.claim(session, self.name, now, LEASE)
        if not claimed:
            return 0
        finished = 0
        async with httpx.AsyncClient(transport=self.transport, timeout=self.timeout) as client:
            for item in claimed:
                finished += await self._push(client, item)
        return finished

    async def _parts(self, item: pushes.Claimed) -> tuple[pushes.Target | None, list[Part] | str]:
        """The target and the multipart parts of one push, or why it cannot be built."""
        async with self.db.reader() as session:
            submission = await session.get(surveys.SurveySubmission, item.submission_pk)
            if submission is None:
                return None, "the submission was erased"
            definition = await surveys.get_definition(session, submission.version_pk)
            target = await pushes.target_of(session, submission.form_pk)
            answers = await surveys.submission_answers(session, item.submission_pk)
        if definition is None or target is None:
            return None, "the form is no longer linked to a server"
        form = Form.from_json(definition)
        server = ServerForm(target.xform_id, target.xform_version)
        xml = instance_xml(form, answers, item.instance_id, server)
        unkept = unkept_media(form, answers)
        if unkept:  # it will never be: no point trying again
            return None, (
                f"the photo or file answering {', '.join(unkept)} was never kept in the file "
                "store (only Telegram's file id was saved, before photos were kept at Send), "
                "so the submission cannot carry it"
            )
        parts: list[Part] = [("xml_submission_file", ("submission.xml", xml, "text/xml"))]
        prefix = surveys.file_prefix(form.form_id, submission.uuid)
        for name in attachment_names(form, answers):
            data = await self.files.get(f"{prefix}/{name}") if self.files else None
            if data is None:
                return target, f"the attached file {name} is not in the file store"
            parts.append((name, (name, data, part_type(name))))
        return target, parts

    async def _push(self, client: httpx.AsyncClient, item: pushes.Claimed) -> int:
        target, parts = await self._parts(item)
        if target is None:
            return await self._fail(item, str(parts))
        if isinstance(parts, str):
            return await self._retry(item, parts)
        token = self.environ.get(target.token_env, "")
        if not token:
            return await self._retry(item, f"no token in the variable {target.token_env}")
        headers = {"X-OpenRosa-Version": "1.0", "Authorization": authorization(target, token)}
        try:
            response = await client.post(submission_url(target), files=parts, headers=headers)
        except (httpx.TransportError, OSError) as exc:
            log.info("push %s: server unreachable (%s)", item.push_id, type(exc).__name__)
            return await self._retry(item, f"server unreachable ({type(exc).__name__})")
        status = response.status_code
        if status in (200, 201, 202, 409):
            return await self._sent(item)
        message = server_message(response)
        if 400 <= status < 500 and _DUPLICATE.search(message):
            return await self._sent(item)
        if 400 <= status < 500 and status not in _RETRIED_4XX:
            log.info("push %s refused by the server (%s)", item.push_id, status)
            return await self._fail(item, message)
        log.info("push %s: server answered %s, will try again", item.push_id, status)
        return await self._retry(item, message)

    async def _sent(self, item: pushes.Claimed) -> int:
        async with self.db.transaction() as session:
            await pushes.mark_sent(session, item.push_id, self.name, self.clock.now())
        return 1

    async def _fail(self, item: pushes.Claimed, error: str) -> int:
        async with self.db.transaction() as session:
            await pushes.mark_failed(session, item.push_id, self.name, error)
        return 1

    async def _retry(self, item: pushes.Claimed, error: str) -> int:
        if item.attempts >= pushes.MAX_ATTEMPTS:
            return await self._fail(item, error)
        at = self.clock.now() + retry_delay(item.attempts)
        async with self.db.transaction() as session:
            await pushes.mark_retry(session, item.push_id, self.name, at, error)
        return 0
