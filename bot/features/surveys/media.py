"""Photos, voice notes, audio, videos and files as answers: the answer is the file's ODK
name, and the file itself is fetched from Telegram into the file store at Send, beside the
submission (same keys on a retried Send)."""

from __future__ import annotations

import logging

from bot.engine.context import Context
from bot.engine.events import ATTACHMENTS, Event, EventKind
from bot.engine.messenger import DeliveryError
from bot.features.surveys.turn import Turn
from core.i18n import _
from formengine import media
from formengine.model import MEDIA_KINDS, Kind, Question
from formengine.runtime import Problem
from storage import surveys

log = logging.getLogger(__name__)


def file_answer(turn: Turn, question: Question, event: Event) -> str | Problem:
    """A voice note, audio, video or document as the answer (its ODK file name)."""
    if event.kind not in ATTACHMENTS:
        return Problem(f"need_{question.kind.value}")
    attachment = media.Attachment(
        event.kind.value,
        event.file_id or event.voice_file_id,
        event.file_size,
        event.mime_type,
        event.file_name,
    )
    return _kept_answer(turn, question, attachment)


def photo_answer(turn: Turn, question: Question, event: Event) -> str | Problem:
    """A photo (Telegram sends it as JPEG), or an image sent as a file, as the answer."""
    if event.kind == EventKind.PHOTO:
        attachment = media.Attachment("photo", event.photo_file_id)
    else:
        attachment = media.Attachment(
            "document", event.file_id, event.file_size, event.mime_type, event.file_name
        )
    return _kept_answer(turn, question, attachment)


def _kept_answer(turn: Turn, question: Question, attachment: media.Attachment) -> str | Problem:
    """The answer's file name; the file is fetched into the file store at Send."""
    problem = media.problem(question, attachment)
    if problem is not None:
        return problem
    name = media.answer_name(question, attachment)
    turn.draft.setdefault("files", {})[question.name] = {
        "answer": name,
        "file_id": attachment.file_id,
        "content_type": attachment.content_type,
        "file_name": (attachment.file_name or "")[:200],
    }
    return name


async def keep_files(ctx: Context, turn: Turn) -> bool:
    """Fetch the files answered from Telegram into the file store, beside the submission
    (same keys on a retried Send). False, after a toast, when one fails."""
    store = ctx.services.files
    _name_old_photos(turn)
    sent = turn.draft.get("files") or {}
    wanted = [
        (question, value, sent.get(question.name) or {})
        for question, value in turn.run.stored_answers()
        if question.kind in MEDIA_KINDS or (question.voice and question.name in sent)
    ]
    if not wanted:
        return True
    download = getattr(ctx.services.messenger, "download", None)
    if store is None or download is None:
        log.warning("no file store or channel to fetch files; keeping the names only")
        return True
    prefix = surveys.file_prefix(turn.form.form_id, str(turn.draft["uuid"]))
    for question, value, meta in wanted:
        if meta.get("answer") != value or not meta.get("file_id"):
            continue  # a default or an answer from a link: no file to fetch
        try:
            data = await download(str(meta["file_id"]))
            await store.put(f"{prefix}/{value}", data, str(meta.get("content_type") or ""))
        except (DeliveryError, OSError, ValueError):
            log.warning("could not keep the file of %s", question.name, exc_info=True)
            ctx.toast(not_saved())
            return False
    return True


def not_saved() -> str:
    return _("Your file could not be saved just now. Please press Send again.")


def _name_old_photos(turn: Turn) -> None:
    """A photo answered before photos were kept holds Telegram's file id (a survey begun
    before the update): name it as photos are named now, so that it is kept at Send too."""
    sent = turn.draft.setdefault("files", {})
    for question, value in turn.run.stored_answers():
        if (
            question.kind != Kind.IMAGE
            or question.name in sent
            or value == question.default
            or media.names_kept_file(value)
        ):
            continue
        attachment = media.Attachment("photo", value)
        name = media.answer_name(question, attachment)
        sent[question.name] = {
            "answer": name,
            "file_id": value,
            "content_type": attachment.content_type,
            "file_name": "",
        }
        turn.run.set(question.name, name)
