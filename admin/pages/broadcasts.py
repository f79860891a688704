"""Broadcasts from the admin module: compose, choose the audience (with a live count),
preview, schedule, and watch the progress.

The announcement goes into ``storage.broadcasts`` exactly as the bot's /broadcast puts
it; the bot's sender delivers it within Telegram's limits at the chosen time. The
audiences and their opt-out rules are the broadcasts area's (``count_audience``).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from admin import web
from admin.forms import parse_day
from admin.permissions import Permission
from core.config import SUPPORTED_LANGUAGES
from core.formatting import format_moment, format_number
from core.i18n import LANGUAGE_NAMES, N_, _, ngettext
from core.textinput import normalize_digits
from storage import audit, broadcasts, wedid
from storage.broadcasts import TEXT_MAX_CHARS, Audience, Broadcast, BroadcastStatus
from storage.broadcasts.vocabulary import AUDIENCE_LABELS, MAX_DAYS_AHEAD
from storage.people import StaffMember
from storage.reference import list_districts

router = APIRouter(prefix="/broadcasts")
NAV = [web.NavItem("/broadcasts", N_("Broadcasts"), Permission.SEND_BROADCASTS)]
send_broadcasts = web.require(Permission.SEND_BROADCASTS)
# Audiences this page can compose (others may exist: they show in the list, not the form).
KINDS_WITH_VALUES = {"districts", "languages"}
STATUS_LABELS = {
    BroadcastStatus.SCHEDULED.value: N_("scheduled"),
    BroadcastStatus.SENDING.value: N_("sending"),
    BroadcastStatus.DONE.value: N_("sent"),
    BroadcastStatus.CANCELLED.value: N_("cancelled"),
}
CLOCK = re.compile(r"^(\d{1,2})[:h.](\d{2})$")


@dataclass
class Draft:
    """What the compose form holds; checked before anything is stored."""

    text: str = ""
    kind: str = "everyone"
    values: tuple[str, ...] = ()
    when: str = "now"  # "now" or "later"
    day: str = ""
    clock: str = ""
    key: str = ""  # makes a double click on "Schedule" schedule once

    @property
    def audience(self) -> Audience:
        return Audience(self.kind, self.values if self.kind in KINDS_WITH_VALUES else ())


async def audience_choices(
    session: AsyncSession, language: str
) -> dict[str, list[tuple[str, str]]]:
    """The values each audience kind offers: districts and languages."""
    return {
        "districts": [(d.code, d.name(language)) for d in await list_districts(session)],
        "languages": [(code, LANGUAGE_NAMES[code]) for code in SUPPORTED_LANGUAGES],
    }


def clean_values(
    kind: str, values: list[str], choices: dict[str, list[tuple[str, str]]]
) -> tuple[str, ...]:
    allowed = {code for code, _label in choices.get(kind, [])}
    return tuple(dict.fromkeys(v for v in values if v in allowed))


# Audiences other areas send to (not offered in the composer).
OTHER_AUDIENCE_LABELS = {
    wedid.AUDIENCE: N_("Survey participants of a district (you said, we did)"),
}


def audience_summary(audience: Audience, choices: dict[str, list[tuple[str, str]]]) -> str:
    if audience.kind in OTHER_AUDIENCE_LABELS:
        return _(OTHER_AUDIENCE_LABELS[audience.kind])
    label = _(AUDIENCE_LABELS.get(audience.kind, audience.kind))
    if not audience.values:
        return label
    names = dict(choices.get(audience.kind, []))
    return f"{label}: " + "، ".join(names.get(v, v) for v in audience.values)


def send_moment(draft: Draft, now: datetime, timezone: str) -> tuple[datetime | None, str | None]:
    """(the moment to send, or an error message)."""
    if draft.when != "later":
        return now, None
    day = parse_day(draft.day)
    match = CLOCK.match(normalize_digits(draft.clock.strip()))
    if day is None or match is None:
        return None, _("Give the day and the time to send it.")
    hour, minute = int(match[1]), int(match[2])
    if hour > 23 or minute > 59:
        return None, _("Give the day and the time to send it.")
    moment = datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(timezone))
    if moment < now - timedelta(minutes=1):
        return None, _("That moment has already passed. Please choose a later time.")
    if moment > now + timedelta(days=MAX_DAYS_AHEAD):
        return None, _("Please choose a time within the next three months.")
    return moment, None


def text_problem(text: str) -> str | None:
    if not text.strip():
        return _("Write the announcement.")
    if len(text) > TEXT_MAX_CHARS:
        return _("An announcement has at most %(num)s characters.") % {
            "num": format_number(TEXT_MAX_CHARS)
        }
    return None


def posted_draft(
    text: str = Form(""),
    kind: str = Form("everyone"),
    values: list[str] = Form([]),
    when: str = Form("now"),
    day: str = Form(""),
    clock: str = Form(""),
    key: str = Form(""),
) -> Draft:
    """The composer's fields as posted (preview, back to edit, schedule all post them)."""
    return Draft(
        text=text.replace("\r\n", "\n").strip(),
        kind=kind if kind in AUDIENCE_LABELS else "everyone",
        values=tuple(values),
        when="later" if when == "later" else "now",
        day=day,
        clock=clock,
        key=key if re.fullmatch(r"[0-9a-f]{32}", key or "") else uuid.uuid4().hex,
    )


async def _staff_telegram_id(request: Request, user: web.StaffUser) -> int | None:
    async with web.state(request).db.reader() as s:
        member = await s.get(StaffMember, user.id)
    return member.telegram_id if member is not None else None


@router.get("")
async def broadcasts_page(
    request: Request, user: web.StaffUser = Depends(send_broadcasts)
) -> Response:
    language = web.language(request)
    async with web.state(request).db.reader() as s:
        recent = await broadcasts.recent_broadcasts(s, limit=30)
        figures = {b.id: await broadcasts.progress(s, b.id) for b in recent}
        choices = await audience_choices(s, language)
        count = await broadcasts.count_audience(s, Audience("everyone"))
    return web.render(
        request,
        "broadcasts.html",
        recent=recent,
        figures=figures,
        draft=Draft(key=uuid.uuid4().hex),
        choices=choices,
        audience_labels=AUDIENCE_LABELS,
        status_labels=STATUS_LABELS,
        summary=lambda b: audience_summary(Audience.from_json(b.audience), choices),
        count=count,
        max_chars=TEXT_MAX_CHARS,
    )


@router.get("/audience")
async def audience_count(
    request: Request,
    kind: str = "everyone",
    user: web.StaffUser = Depends(send_broadcasts),
) -> Response:
    """The live count under the audience choice (JSON for the page's script)."""
    if kind not in AUDIENCE_LABELS:
        raise HTTPException(status_code=404)
    language = web.language(request)
    given = request.query_params.getlist("values")
    async with web.state(request).db.reader() as s:
        choices = await audience_choices(s, language)
        audience = Audience(kind, clean_values(kind, given, choices))
        count = 0 if _needs_values(audience) else await broadcasts.count_audience(s, audience)
    return JSONResponse({"count": count, "text": recipients_text(count)})


def _needs_values(audience: Audience) -> bool:
    return audience.kind in KINDS_WITH_VALUES and not audience.values


def recipients_text(count: int) -> str:
    return ngettext("%(num)s person will receive it.", "%(num)s people will receive it.", count) % {
        "num": format_number(count)
    }


@router.post("/preview")
async def preview(
    request: Request,
    user: web.StaffUser = Depends(send_broadcasts),
    draft: Draft = Depends(posted_draft),
) -> Response:
    """The announcement as recipients will see it, who gets it and when; then confirm."""
    return await _compose_or_confirm(request, user, draft, confirm=False)


@router.post("/edit")
async def edit(
    request: Request,
    user: web.StaffUser = Depends(send_broadcasts),
    draft: Draft = Depends(posted_draft),
) -> Response:
    """Back from the preview to the form, with everything as it was typed."""
    language = web.language(request)
    async with web.state(request).db.reader() as s:
        choices = await audience_choices(s, language)
        draft.values = clean_values(draft.kind, list(draft.values), choices)
        count = await broadcasts.count_audience(s, draft.audience)
    return web.render(
        request,
        "broadcast_compose.html",
        draft=draft,
        choices=choices,
        audience_labels=AUDIENCE_LABELS,
        count=0 if _needs_values(draft.audience) else count,
        error=None,
        max_chars=TEXT_MAX_CHARS,
    )


@router.post("")
async def schedule(
    request: Request,
    user: web.StaffUser = Depends(send_broadcasts),
    draft: Draft = Depends(posted_draft),
) -> Response:
    return await _compose_or_confirm(request, user, draft, confirm=True)


async def _compose_or_confirm(
    request: Request, user: web.StaffUser, draft: Draft, *, confirm: bool
) -> Response:
    app = web.state(request)
    language = web.language(request)
    now = app.clock.now()
    async with app.db.reader() as s:
        choices = await audience_choices(s, language)
        draft.values = clean_values(draft.kind, list(draft.values), choices)
        count = await broadcasts.count_audience(s, draft.audience)
    moment, problem = send_moment(draft, now, app.settings.timezone)
    problem = text_problem(draft.text) or problem
    if problem is None and _needs_values(draft.audience):
        problem = _("Choose at least one district or language.")
    if problem is None and count == 0:
        problem = _("Nobody in this audience can receive announcements. Choose another.")
    if problem is not None or moment is None:
        return web.render(
            request,
            "broadcast_compose.html",
            status_code=400,
            draft=draft,
            choices=choices,
            audience_labels=AUDIENCE_LABELS,
            count=count,
            error=problem,
            max_chars=TEXT_MAX_CHARS,
        )
    if not confirm:
        return web.render(
            request,
            "broadcast_preview.html",
            draft=draft,
            choices=choices,
            count=count,
            recipients=recipients_text(count),
            audience=audience_summary(draft.audience, choices),
            moment=None
            if draft.when == "now"
            else format_moment(moment, app.settings.timezone, language),
        )
    telegram_id = await _staff_telegram_id(request, user)
    async with app.db.transaction() as s:
        broadcast = await broadcasts.create_broadcast(
            s,
            created_by=telegram_id or 0,
            text=draft.text,
            audience=draft.audience,
            send_at=max(moment, now),
            request_key=f"admin:{user.id}:{draft.key}",
        )
        if telegram_id is None:
            broadcast.progress_chat_id = None  # no Telegram chat to show progress in
        number = broadcast.id
    await web.log_access(
        request,
        user,
        audit.AuditAction.BROADCAST,
        f"broadcast:{number}",
        detail=f"scheduled for {draft.audience.kind} {' '.join(draft.audience.values)}".strip(),
        record_count=count,
    )
    web.flash(request, _("Announcement #%(number)s is scheduled.") % {"number": number}, "success")
    return web.redirect(f"/broadcasts/{number}")


async def _broadcast_or_404(session: AsyncSession, number: int) -> Broadcast:
    found = await broadcasts.get_broadcast(session, number)
    if found is None or broadcasts.is_private(found):  # a reply to a case is not an announcement
        raise HTTPException(status_code=404)
    return found


def progress_json(broadcast: Broadcast, figures: broadcasts.Progress) -> dict[str, object]:
    total = figures.recipients
    handled = figures.sent + figures.failed + figures.skipped
    return {
        "status": broadcast.status,
        "status_text": _(STATUS_LABELS.get(broadcast.status, broadcast.status)),
        "recipients": total,
        "sent": figures.sent,
        "failed": figures.failed,
        "skipped": figures.skipped,
        "remaining": figures.remaining,
        "percent": round(100 * handled / total) if total else 0,
        "finished": broadcast.status in (BroadcastStatus.DONE, BroadcastStatus.CANCELLED),
    }


@router.get("/{number}")
async def broadcast_page(
    request: Request, number: int, user: web.StaffUser = Depends(send_broadcasts)
) -> Response:
    app = web.state(request)
    language = web.language(request)
    async with app.db.reader() as s:
        broadcast = await _broadcast_or_404(s, number)
        figures = await broadcasts.progress(s, number)
        choices = await audience_choices(s, language)
        count = None
        if broadcast.status == BroadcastStatus.SCHEDULED:
            count = await broadcasts.count_audience(s, Audience.from_json(broadcast.audience))
    return web.render(
        request,
        "broadcast.html",
        broadcast=broadcast,
        progress=progress_json(broadcast, figures),
        audience=audience_summary(Audience.from_json(broadcast.audience), choices),
        status_labels=STATUS_LABELS,
        send_at=format_moment(broadcast.send_at, app.settings.timezone, language),
        count_now=count,
    )


@router.get("/{number}/progress")
async def broadcast_progress(
    request: Request, number: int, user: web.StaffUser = Depends(send_broadcasts)
) -> Response:
    async with web.state(request).db.reader() as s:
        broadcast = await _broadcast_or_404(s, number)
        figures = await broadcasts.progress(s, number)
    return JSONResponse(progress_json(broadcast, figures))


@router.post("/{number}/cancel")
async def cancel(
    request: Request, number: int, user: web.StaffUser = Depends(send_broadcasts)
) -> Response:
    app = web.state(request)
    async with app.db.transaction() as s:
        await _broadcast_or_404(s, number)
        stopped = await broadcasts.cancel_broadcast(s, number, app.clock.now())
    if stopped:
        await web.log_access(
            request, user, audit.AuditAction.BROADCAST, f"broadcast:{number}", detail="cancelled"
        )
        web.flash(
            request, _("Announcement #%(number)s is stopped.") % {"number": number}, "success"
        )
    else:
        web.flash(request, _("This announcement has already finished."), "error")
    return web.redirect(f"/broadcasts/{number}")
