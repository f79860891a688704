"""Survey submissions one by one: the list of a form's submissions with where each stands
on its way to the programme's ODK Central / KoBoToolbox server, a submission's answers with
its voice notes, videos, photos and documents playable in the page, and "send again" for a
submission the server refused.

Everything here is personal data: only roles that may export submissions open it, and each
page, file played and file downloaded is written to the audit log. A file is addressed by
the submission's id and the answer's id, never by a path: the file store key is rebuilt
from the database, and an answer of another submission is "not found".
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import PurePosixPath

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi import Form as FormField
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from admin import web
from admin.pages.surveys import _live_forms, _pick, round_selection
from admin.permissions import Permission
from admin.submission_status import STAGE_LABELS, PushView, push_view, stage_counts
from core.i18n import _
from formengine import media as media_answers
from formengine.model import CHOICE_KINDS, Form, Kind, Question
from formengine.repeats import split_name
from storage import audit, files, surveys
from storage import submission_pushes as pushes
from storage.submission_pushes import PushStage

router = APIRouter(prefix="/surveys/submissions")
see_submissions = web.require(Permission.EXPORT_SUBMISSIONS)
resend_submissions = web.require(Permission.RESEND_SUBMISSIONS)
PAGE_SIZE = 50

CONTENT_TYPES = {
    ".ogg": "audio/ogg",  # Telegram's voice notes: OGG/Opus
    ".oga": "audio/ogg",
    ".opus": "audio/ogg",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".wav": "audio/wav",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".mov": "video/quicktime",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".pdf": "application/pdf",
}
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
# Shown in the page; anything else (documents, SVG that could run script) is downloaded.
INLINE_PREFIXES = ("audio/", "video/", "image/jpeg", "image/png", "image/webp", "image/gif")


class Media(StrEnum):
    AUDIO = "audio"
    VIDEO = "video"
    IMAGE = "image"
    FILE = "file"


def content_type(name: str) -> str:
    """The Content-Type of a kept file, from its name (the store keeps bytes only)."""
    suffix = PurePosixPath(name).suffix.lower()
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The (first, last) bytes a player asks for with ``Range: bytes=a-b`` (seeking in a
    long voice note); None for the whole file (no header, or one we do not read: several
    ranges); raises ValueError when the range is outside the file."""
    found = RANGE.match(header.strip()) if header else None
    if found is None or (not found[1] and not found[2]):
        return None
    if not found[1]:  # the last n bytes
        first, last = max(size - int(found[2]), 0), size - 1
    else:
        first = int(found[1])
        last = min(int(found[2]), size - 1) if found[2] else size - 1
    if first >= size or first > last:
        raise ValueError("range not satisfiable")
    return first, last


def shown_inline(kind: str) -> bool:
    return kind.startswith(INLINE_PREFIXES)


def media_of(question: Question, value: str) -> Media | None:
    """How the answer's file is shown, or None when the answer names no kept file (a
    typed answer, or the Telegram file id a photo answer held before photos were kept)."""
    if not media_answers.names_kept_file(value):
        return None
    try:
        files.check_key(value)
    except ValueError:
        return None
    kind = content_type(value)
    if question.kind == Kind.AUDIO:
        return Media.AUDIO
    if question.kind == Kind.VIDEO:
        return Media.VIDEO
    if question.kind == Kind.IMAGE:
        return Media.IMAGE if shown_inline(kind) else Media.FILE
    if question.kind == Kind.FILE:
        return Media.FILE
    if question.voice and question.kind == Kind.TEXT and kind.startswith("audio/"):
        return Media.AUDIO  # a text question answered with a voice note
    return None


# --- answers --------------------------------------------------------------------------


@dataclass(frozen=True)
class ShownAnswer:
    answer_id: int
    title: str
    text: str
    media: Media | None = None
    content_type: str = ""


def _title(form: Form, name: str, language: str) -> tuple[Question | None, str]:
    parts = split_name(name)
    base, instances = parts if parts else (name, ())
    if not form.has(base):
        return None, name
    question = form.question(base)
    title = question.text(language) or base
    if instances:
        title = f"{title} ({' / '.join(str(n) for n in instances)})"
    return question, title


def _order(form: Form, name: str) -> tuple[int, tuple[int, ...], str]:
    parts = split_name(name)
    base, instances = parts if parts else (name, ())
    names = [q.name for q in form.questions]
    return (names.index(base) if base in names else len(names), instances, name)


async def shown_answers(
    session: AsyncSession, form: Form, submission_id: int, language: str
) -> list[ShownAnswer]:
    rows = (
        await session.execute(
            select(
                surveys.SurveyAnswer.id,
                surveys.SurveyAnswer.question,
                surveys.SurveyAnswer.value,
            )
            .where(surveys.SurveyAnswer.submission_id == submission_id)
            .order_by(surveys.SurveyAnswer.question, surveys.SurveyAnswer.position)
        )
    ).all()
    grouped: dict[str, list[tuple[int, str]]] = {}
    for answer_id, name, value in rows:
        grouped.setdefault(name, []).append((answer_id, value))
    shown = []
    for name in sorted(grouped, key=lambda n: _order(form, n)):
        question, title = _title(form, name, language)
        first_id, first_value = grouped[name][0]
        values = [value for _id, value in grouped[name]]
        media = media_of(question, first_value) if question and len(values) == 1 else None
        if question is not None and question.kind in CHOICE_KINDS:
            base = question.name
            text = "، " if language == "ar" else ", "
            text = text.join(form.choice_label(base, v, language) for v in values)
        elif question is not None and question.kind == Kind.IMAGE and media is None:
            text = _("(photo kept in Telegram)")
        else:
            text = " ".join(values)
        shown.append(
            ShownAnswer(first_id, title, text, media, content_type(first_value) if media else "")
        )
    return shown


async def _submission(
    session: AsyncSession, submission_id: int
) -> tuple[surveys.SurveySubmission, str, Form]:
    """The submission, its form id and the form version it answered; 404 otherwise."""
    submission = await session.get(surveys.SurveySubmission, submission_id)
    if submission is None:
        raise HTTPException(status_code=404)
    form_id = await session.scalar(
        select(surveys.SurveyForm.form_id).where(surveys.SurveyForm.id == submission.form_pk)
    )
    definition = await surveys.get_definition(session, submission.version_pk)
    if form_id is None or definition is None:
        raise HTTPException(status_code=404)
    return submission, form_id, Form.from_json(definition)


# --- pages ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SubmissionRow:
    id: int
    submitted_at: datetime
    round: str
    district: str
    push: PushView | None


@router.get("")
async def submissions_page(
    request: Request,
    form: str = "",
    round_: str = Query("", alias="round"),
    push: str = "",
    page: int = Query(1, ge=1, le=100_000),
    user: web.StaffUser = Depends(see_submissions),
) -> Response:
    timezone = web.state(request).settings.timezone
    language = web.language(request)
    async with web.state(request).db.reader() as s:
        forms = await _live_forms(s)
        if not forms:
            return web.render(request, "survey_submissions.html", live=None)
        live = _pick(forms, form)
        rounds, shown_round, round_filter = await round_selection(s, live, round_)
        linked = live.stored.pk in await pushes.linked_forms(s, [live.stored.pk])
        stage = PushStage(push) if linked and push in set(PushStage) else None
        where = [surveys.SurveySubmission.form_pk == live.stored.pk]
        if round_filter is not None:
            where.append(surveys.SurveySubmission.round == round_filter)
        if stage is not None:
            where.append(pushes.stage_condition(stage))
        outbox = surveys.SurveySubmission.id == pushes.SubmissionPush.submission_pk
        total = int(
            await s.scalar(
                select(func.count(surveys.SurveySubmission.id))
                .select_from(surveys.SurveySubmission)
                .outerjoin(pushes.SubmissionPush, outbox)
                .where(*where)
            )
            or 0
        )
        found = list(
            await s.scalars(
                select(surveys.SurveySubmission)
                .outerjoin(pushes.SubmissionPush, outbox)
                .where(*where)
                .order_by(surveys.SurveySubmission.submitted_at.desc())
                .order_by(surveys.SurveySubmission.id.desc())
                .offset((page - 1) * PAGE_SIZE)
                .limit(PAGE_SIZE)
            )
        )
        states = await pushes.states(s, [row.id for row in found]) if linked else {}
        counts = await pushes.stage_counts(s, live.stored.pk, round_filter) if linked else {}
    district = live.form.role_question("district")
    rows = [
        SubmissionRow(
            row.id,
            row.submitted_at,
            row.round,
            live.form.choice_label(district.name, row.district_code or "", language)
            if district and row.district_code
            else "",
            push_view(states.get(row.id), timezone) if linked else None,
        )
        for row in found
    ]
    filters = {"round": shown_round, "push": stage.value if stage else "", "page": page}
    await web.log_access(
        request,
        user,
        audit.AuditAction.VIEW,
        f"survey_submissions:{live.form_id}",
        detail=web.describe_filters(filters),
        record_count=len(rows),
    )
    pages = max(1, -(-total // PAGE_SIZE))
    return web.render(
        request,
        "survey_submissions.html",
        live=live,
        forms=forms,
        rounds=rounds,
        params={"form": live.form_id, "round": shown_round, "push": stage.value if stage else ""},
        total=total,
        rows=rows,
        linked=linked,
        stages=stage_counts(counts),
        stage_labels=STAGE_LABELS,
        page=page,
        pages=pages,
    )


@router.get("/{submission_id}")
async def submission_page(
    request: Request, submission_id: int, user: web.StaffUser = Depends(see_submissions)
) -> Response:
    timezone = web.state(request).settings.timezone
    language = web.language(request)
    async with web.state(request).db.reader() as s:
        submission, form_id, form = await _submission(s, submission_id)
        answers = await shown_answers(s, form, submission.id, language)
        linked = submission.form_pk in await pushes.linked_forms(s, [submission.form_pk])
        state = (await pushes.states(s, [submission.id])).get(submission.id) if linked else None
    await web.log_access(
        request,
        user,
        audit.AuditAction.VIEW,
        f"survey_submission:{submission.id}",
        detail=web.describe_filters({"form": form_id}),
        record_count=1,
    )
    return web.render(
        request,
        "survey_submission.html",
        submission=submission,
        form_id=form_id,
        form=form,
        answers=answers,
        push=push_view(state, timezone) if linked else None,
    )


@router.get("/{submission_id}/files/{answer_id}")
async def submission_file(
    request: Request,
    submission_id: int,
    answer_id: int,
    user: web.StaffUser = Depends(see_submissions),
) -> Response:
    """The file one answer of this submission names, from the file store (logged)."""
    async with web.state(request).db.reader() as s:
        submission, form_id, form = await _submission(s, submission_id)
        answer = await s.get(surveys.SurveyAnswer, answer_id)
    if answer is None or answer.submission_id != submission.id:
        raise HTTPException(status_code=404)
    question, _title_text = _title(form, answer.question, "")
    media = media_of(question, answer.value) if question is not None else None
    if media is None:
        raise HTTPException(status_code=404)
    try:
        key = files.check_key(f"{surveys.file_prefix(form_id, submission.uuid)}/{answer.value}")
    except ValueError as exc:
        raise HTTPException(status_code=404) from exc
    data = await web.state(request).files.get(key)
    if data is None:
        raise HTTPException(status_code=404)
    kind = content_type(answer.value)
    inline = media != Media.FILE and shown_inline(kind)
    try:
        wanted = byte_range(request.headers.get("range"), len(data))
    except ValueError:
        return Response(status_code=416, headers={"content-range": f"bytes */{len(data)}"})
    if wanted is None or wanted[0] == 0:  # a player's later requests seek in the same file
        await web.log_access(
            request,
            user,
            audit.AuditAction.VIEW if inline else audit.AuditAction.EXPORT,
            f"survey_file:{submission.id}",
            detail=web.describe_filters({"question": answer.question, "answer": answer.id}),
            record_count=1,
        )
    headers = {
        "content-disposition": f'{"inline" if inline else "attachment"}; filename="{answer.value}"',
        "accept-ranges": "bytes",
    }
    if wanted is None:
        return Response(data, media_type=kind, headers=headers)
    first, last = wanted
    headers["content-range"] = f"bytes {first}-{last}/{len(data)}"
    return Response(data[first : last + 1], status_code=206, media_type=kind, headers=headers)


@router.post("/{submission_id}/push")
async def resend_submission(
    request: Request,
    submission_id: int,
    next_: str = FormField("", alias="next"),
    user: web.StaffUser = Depends(resend_submissions),
) -> Response:
    """Queue a refused submission again (from its first try); logged."""
    app = web.state(request)
    async with app.db.transaction() as s:
        submission = await s.get(surveys.SurveySubmission, submission_id)
        if submission is None:
            raise HTTPException(status_code=404)
        requeued = await pushes.requeue(s, submission.id, app.clock.now())
    if requeued:
        await web.log_access(
            request, user, audit.AuditAction.SUBMISSION_PUSH, f"survey_submission:{submission_id}"
        )
        web.flash(request, _("The submission will be sent to the server again."), "success")
    else:
        web.flash(
            request,
            _("This submission was not refused by the server: there is nothing to send again."),
            "error",
        )
    return web.redirect(web.safe_next(next_, f"/surveys/submissions/{submission_id}"))
