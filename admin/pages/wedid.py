""" "You said, we did": staff record what the programme did about a district's priority, and
the district's participants in the survey round are told (``storage.wedid``).

For roles that send broadcasts (staff, admins). The page shows no personal data: the updates
and how many residents they were sent to. Each announcement is in the audit log.
"""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response

from admin import web
from admin.pages.priorities import forms_with_priorities
from admin.permissions import Permission
from core.i18n import N_, _
from core.textinput import clean_text
from formengine.store import LiveForm
from storage import audit, priorities, wedid
from storage.people import StaffMember
from storage.reference import list_districts
from storage.wedid import STATUS_LABELS, update_message

router = APIRouter(prefix="/we-did")
NAV = [web.NavItem("/we-did", N_("You said, we did"), Permission.SEND_BROADCASTS)]
send_broadcasts = web.require(Permission.SEND_BROADCASTS)
view_priorities = web.require(Permission.VIEW_PRIORITIES)


async def _read_photo(upload: UploadFile | None) -> tuple[bytes, str]:
    """The uploaded photo's bytes ('' when none was chosen) and the problem with it, if any."""
    if upload is None or not upload.filename:
        return b"", ""
    data = await upload.read(wedid.MAX_PHOTO_BYTES + 1)
    if not data:
        return b"", ""
    if len(data) > wedid.MAX_PHOTO_BYTES:
        return b"", _("The photo is larger than %(n)s MB. Please choose a smaller one.") % {
            "n": wedid.MAX_PHOTO_BYTES // (1024 * 1024)
        }
    if wedid.photo_kind(data) is None:
        return b"", _("The photo must be a JPEG or PNG image.")
    return data, ""


def _sectors(live: LiveForm, language: str) -> list[tuple[str, str]]:
    form = live.form
    question = form.question(form.priority_question)
    return [(c.name, c.text(language)) for c in form.choices_of(question)]


async def _live(request: Request) -> LiveForm | None:
    async with web.state(request).db.reader() as s:
        found = await forms_with_priorities(s)
    return found[0] if found else None


@router.get("")
async def wedid_page(request: Request, user: web.StaffUser = Depends(send_broadcasts)) -> Response:
    language = web.language(request)
    live = await _live(request)
    async with web.state(request).db.reader() as s:
        districts = [(d.code, d.name(language)) for d in await list_districts(s)]
        updates = await wedid.updates_for(s, live.form_id) if live else []
    sectors = _sectors(live, language) if live else []
    return web.render(
        request,
        "wedid.html",
        live=live,
        updates=updates,
        districts=districts,
        district_names=dict(districts),
        sectors=sectors,
        sector_names=dict(sectors),
        statuses=[(k.value, _(v)) for k, v in STATUS_LABELS.items()],
        status_names={k.value: _(v) for k, v in STATUS_LABELS.items()},
        key=secrets.token_urlsafe(16),
        max_chars=wedid.MAX_TEXT_CHARS,
        max_photo_mb=wedid.MAX_PHOTO_BYTES // (1024 * 1024),
    )


@router.post("")
async def record_update(
    request: Request,
    district: str = Form(""),
    sector: str = Form(""),
    status: str = Form(""),
    text_ar: str = Form(""),
    text_en: str = Form(""),
    text_fr: str = Form(""),
    key: str = Form(""),
    photo: UploadFile | None = File(None),
    user: web.StaffUser = Depends(send_broadcasts),
) -> Response:
    app = web.state(request)
    live = await _live(request)
    photo_data, photo_problem = await _read_photo(photo)
    if photo_problem:
        web.flash(request, photo_problem, "error")
        return web.redirect("/we-did")
    texts = {
        lang: clean_text(value, wedid.MAX_TEXT_CHARS)
        for lang, value in (("ar", text_ar), ("en", text_en), ("fr", text_fr))
    }
    async with app.db.reader() as s:
        districts = {d.code: d for d in await list_districts(s)}
    if (
        live is None
        or district not in districts
        or sector not in dict(_sectors(live, "en"))
        or status not in set(wedid.Status)
        or any(t is None for t in texts.values())
        or not key.strip()
    ):
        web.flash(
            request,
            _(
                "Choose a district, a sector and a status, and write the text in Arabic, "
                "English and French (up to %(n)s characters each)."
            )
            % {"n": wedid.MAX_TEXT_CHARS},
            "error",
        )
        return web.redirect("/we-did")
    async with app.db.report_reader() as s:
        report = await priorities.priority_report(
            s, live.form_id, filters=priorities.PriorityFilters(round=live.round)
        )
    group = report.group(district)
    async with app.db.transaction() as s:
        member = await s.get(StaffMember, user.id)
        update, new = await wedid.record(
            s,
            request_key=f"wedid:{user.id}:{key.strip()[:40]}",
            form_id=live.form_id,
            round_label=live.round,
            district_code=district,
            sector=sector,
            status=status,
            texts={lang: t or "" for lang, t in texts.items()},
            staff_id=user.id,
            now=app.clock.now(),
        )
        if new and photo_data:
            update.photo_key = wedid.photo_key_for(update.id, photo_data)
            await app.files.put(
                update.photo_key, photo_data, (wedid.photo_kind(photo_data) or ("", ""))[1]
            )
        if new:
            with_photo = bool(update.photo_key)
            messages = {
                lang: update_message(
                    update,
                    dict(_sectors(live, lang)),
                    lang,
                    districts[district].name(lang),
                    group,
                    as_caption=with_photo,
                )
                for lang in wedid.LANGUAGES
            }
            await wedid.announce(
                s,
                update,
                messages,
                staff_telegram_id=(member.telegram_id if member else None) or 0,
                now=app.clock.now(),
            )
        recipients = update.recipients
    if new:
        await web.log_access(
            request,
            user,
            audit.AuditAction.BROADCAST,
            f"wedid:{update.id}",
            detail=web.describe_filters({"district": district, "sector": sector}),
            record_count=recipients,
        )
    web.flash(
        request,
        _("The update is saved and on its way to %(n)s residents who took part.")
        % {"n": recipients},
        "success",
    )
    return web.redirect("/we-did")


@router.get("/{update_id}/photo")
async def update_photo(
    request: Request, update_id: int, user: web.StaffUser = Depends(view_priorities)
) -> Response:
    """The photo staff attached to an update (no personal data: what the programme did)."""
    app = web.state(request)
    async with app.db.reader() as s:
        update = await s.get(wedid.ProgrammeUpdate, update_id)
    data = (
        await app.files.get(update.photo_key) if (update is not None and update.photo_key) else None
    )
    kind = wedid.photo_kind(data) if data else None
    if data is None or kind is None:
        return Response(status_code=404)
    return Response(data, media_type=kind[1], headers={"Cache-Control": "private, max-age=3600"})
