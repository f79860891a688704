"""/mydata: everything kept about a person in one JSON file, and the menu's "My data" screen.

/mydata gathers every area's exporter (``registry.personal_data``), the core profile and the
conversation in progress. The "My data" screen's two buttons are global and live on in old
messages: ``g:pd:get`` sends the file, ``g:pd:del`` opens /delete.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import datetime
from typing import Any

from bot.engine.actions import Action
from bot.engine.context import Context
from bot.engine.session import Session
from bot.features.privacy.delete import delete_command
from core.i18n import _

EXPORT_FILENAME = "musharaka-my-data-{day}.json"
PRIVACY = Action("pd", op=str)  # op: "get" (send my data) or "del" (erase it)


def conversation_data(session: Session) -> dict[str, Any]:
    """What the conversation state holds: the language, answers in progress, saved drafts."""
    return {
        "language": session.language,
        "in_progress": asdict(session.flow) if session.flow else None,
        "paused": {name: asdict(flow) for name, flow in session.parked.items()},
        "profile": session.profile,
    }


async def collect_personal_data(ctx: Context) -> dict[str, dict[str, Any]]:
    """Every area's data about this user, keyed by area (empty areas left out)."""
    areas: dict[str, dict[str, Any]] = {}
    async with ctx.transaction() as s:
        for area, (exporter, _eraser) in ctx.engine.registry.personal_data.items():
            data = await exporter(s, ctx.user_id)
            if any(data.values()):
                areas[area] = data
    return areas


def export_document(ctx: Context, areas: dict[str, dict[str, Any]], now: datetime) -> bytes:
    document = {
        "about": "Musharaka: everything the programme keeps about you",
        "telegram_id": ctx.user_id,
        "exported_at": now.isoformat(),
        "areas": areas,
        "conversation": conversation_data(ctx.session),
    }
    return json.dumps(document, ensure_ascii=False, indent=2, default=str).encode("utf-8")


async def mydata_command(ctx: Context) -> None:
    areas = await collect_personal_data(ctx)
    if not areas and ctx.session.language is None and not ctx.session.profile:
        ctx.say(_("Musharaka keeps no data about you."))
        return
    now = ctx.services.clock.now()
    ctx.send_file(
        EXPORT_FILENAME.format(day=now.date().isoformat()),
        export_document(ctx, areas, now),
        caption=_(
            "Everything Musharaka keeps about you, in one file (JSON). To erase it, send /delete."
        ),
        mime_type="application/json",
    )


async def privacy_menu_entry(ctx: Context) -> None:
    ctx.say(
        _("Your data: receive a copy of everything Musharaka keeps about you, or erase it."),
        [
            [PRIVACY.global_button(ctx, _("Send me my data"), op="get")],
            [PRIVACY.global_button(ctx, _("Erase my data"), op="del")],
        ],
    )


PRIVACY_OPS: dict[str, Callable[[Context], Awaitable[None]]] = {
    "get": mydata_command,
    "del": delete_command,
}


async def privacy_pressed(ctx: Context, op: str) -> None:
    """A button of the "My data" screen; both only ever reach the presser's own data."""
    handler = PRIVACY_OPS.get(op)
    if handler is None:
        ctx.toast(_("I do not recognise this button."))
        return
    await handler(ctx)
