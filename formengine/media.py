"""Files as answers: which Telegram attachments an image, audio, video or file question takes,
the form's limits (max-size, body::accept), and the name the answer gets (as ODK names an
attachment: the answer is the file name, the file itself is kept beside the submission)."""

from __future__ import annotations

import hashlib
import mimetypes
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from formengine.model import TELEGRAM_DOWNLOAD_MAX, Kind, Question
from formengine.runtime import Problem

# Event kinds (bot.engine.events.EventKind values) each question kind takes.
TAKES = {
    Kind.IMAGE: frozenset({"photo", "document"}),  # a document only when it is image/*
    Kind.AUDIO: frozenset({"voice", "audio"}),
    Kind.VIDEO: frozenset({"video", "video_note"}),
    Kind.FILE: frozenset({"document", "audio", "video"}),
}
# Telegram sends photos (compressed, not as a file) as JPEG, voice notes as OGG/Opus.
DEFAULT_TYPES = {"photo": "image/jpeg", "voice": "audio/ogg", "video_note": "video/mp4"}
DEFAULT_EXTENSIONS = {
    "image/jpeg": ".jpg",
    "audio/ogg": ".ogg",
    "video/mp4": ".mp4",
    "audio/mpeg": ".mp3",
}
# An answer naming a kept file, as :func:`answer_name` writes it ("story-3f2a9c01de.ogg").
# Telegram's file ids (what photo answers held before photos were kept) have no extension.
KEPT_NAME = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]*\.[A-Za-z0-9]{1,10}$")


@dataclass(frozen=True)
class Attachment:
    """A file a resident sent, as the channel described it."""

    kind: str  # photo, voice, audio, video, video_note, document
    file_id: str
    size: int | None = None
    mime_type: str = ""
    file_name: str = ""

    @property
    def content_type(self) -> str:
        return (
            self.mime_type
            or DEFAULT_TYPES.get(self.kind, "")
            or (mimetypes.guess_type(self.file_name)[0] if self.file_name else None)
            or "application/octet-stream"
        )

    @property
    def extension(self) -> str:
        suffix = PurePosixPath(self.file_name).suffix.lower() if self.file_name else ""
        if suffix and len(suffix) <= 10 and suffix[1:].isalnum():
            return suffix
        known = DEFAULT_EXTENSIONS.get(self.content_type) or mimetypes.guess_extension(
            self.content_type
        )
        return known or ".bin"


def accepted(question: Question, attachment: Attachment) -> bool:
    """body::accept: '.pdf', 'application/pdf' or 'audio/*' (any of them); none: anything."""
    if not question.accept:
        return True
    content_type = attachment.content_type.lower()
    extension = attachment.extension.lower()
    for pattern in question.accept:
        if pattern.startswith(".") and extension == pattern:
            return True
        if pattern.endswith("/*") and content_type.startswith(pattern[:-1]):
            return True
        if pattern == content_type or pattern in ("*", "*/*"):
            return True
    return False


def problem(question: Question, attachment: Attachment) -> Problem | None:
    """Why this file cannot answer ``question`` (wrong kind, type or size), or None."""
    takes = TAKES[Kind.AUDIO] if question.voice else TAKES.get(question.kind, frozenset())
    if attachment.kind not in takes or not attachment.file_id:
        return Problem(
            "need_photo" if question.kind == Kind.IMAGE else f"need_{question.kind.value}"
        )
    if not accepted(question, attachment):
        return Problem("wrong_type", params={"types": ", ".join(question.accept)})
    most = min(question.max_size or TELEGRAM_DOWNLOAD_MAX, TELEGRAM_DOWNLOAD_MAX)
    if attachment.size is not None and attachment.size > most:
        return Problem("too_big", params={"most": most, "size": attachment.size})
    return None


def answer_name(question: Question, attachment: Attachment) -> str:
    """The answer ODK-style: a file name, the same for the same file (retries are safe)."""
    digest = hashlib.sha256(attachment.file_id.encode("utf-8")).hexdigest()[:10]
    safe = re.sub(r"[^A-Za-z0-9_-]+", "_", question.name).strip("_")[:40] or "file"
    return f"{safe}-{digest}{attachment.extension}"


def names_kept_file(value: str) -> bool:
    """Whether a media answer names a file kept beside the submission (not a Telegram id)."""
    return bool(KEPT_NAME.match(value))
