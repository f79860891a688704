"""/mydata and /delete: a person sees everything kept about them, or erases it.

/mydata gathers every area's exporter (``registry.personal_data``), the core profile and the
conversation in progress into one JSON file. /delete asks for confirmation first, then runs
every area's eraser and the core one in a single transaction: personal details go, anonymous
counts stay (survey answers without the person, bookings and registrations as figures).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.context import Context
from bot.engine.conversation import Conversation
from bot.engine.registry import Command, MenuEntry, Registry
from bot.engine.session import Session
from core.i18n import N_, _
from storage import privacy

PROFILE_AREA = "profile"
PRIVACY_ROUTE = "pd"
EXPORT_FILENAME = "musharaka-my-data-{day}.json"


# --- /mydata ----------------------------------------------------------------------------------


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


# --- /delete ----------------------------------------------------------------------------------


async def erase_everything(
    s: AsyncSession, registry: Registry, telegram_id: int, now: datetime
) -> None:
    """Every area's eraser, then the core profile last (the areas find rows through it)."""
    for area, (_exporter, eraser) in registry.personal_data.items():
        if area != PROFILE_AREA:
            await eraser(s, telegram_id, now)
    _exporter, core_eraser = registry.personal_data[PROFILE_AREA]
    await core_eraser(s, telegram_id, now)


class DeleteMyData(Conversation):
    """Confirm, then erase. Works before consent too: anyone may ask to be forgotten."""

    name = "delete_my_data"
    needs_consent = False

    async def begin(self, ctx: Context, **kwargs: Any) -> None:
        ctx.step = "confirm"
        self._ask(ctx)

    async def on_message(self, ctx: Context) -> None:
        """Anything typed: the question again, with buttons that work."""
        self._ask(ctx, _("Please answer with the buttons below: erase your data, or keep it."))

    def _ask(self, ctx: Context, notice: str = "") -> None:
        lines = [notice, ""] if notice else []
        lines += [
            _("Do you want to erase your personal data?"),
            "",
            _(
                "Your name, phone number, Telegram ID, free-text answers, locations and photos, "
                "and any answers not yet sent will be erased. Future consultations and training "
                "places will be cancelled."
            ),
            _(
                "What you answered in surveys, and the sessions you booked or attended, stay "
                "only as anonymous figures that nobody can link back to you."
            ),
            _("This cannot be undone."),
        ]
        ctx.say(
            "\n".join(lines),
            [
                [ctx.button(_("Yes, erase my data"), "yes")],
                [ctx.button(_("No, keep my data"), "no")],
            ],
        )

    async def on_button(self, ctx: Context, action: str, args: tuple[str, ...]) -> None:
        if ctx.step != "confirm" or action not in ("yes", "no"):
            await super().on_button(ctx, action, args)
            return
        if action == "no":
            ctx.finish()
            ctx.edit(_("Nothing was erased. Your data stays as it was."))
            return
        async with ctx.transaction() as s:
            await erase_everything(s, ctx.engine.registry, ctx.user_id, ctx.services.clock.now())
        ctx.edit(
            _(
                "Your personal data has been erased. Thank you for taking part. "
                "If you write to me again, you will start afresh."
            )
        )
        ctx.drop_session()


async def delete_command(ctx: Context) -> None:
    await ctx.start(DeleteMyData.name)


async def privacy_menu_entry(ctx: Context) -> None:
    ctx.say(
        _("Your data: receive a copy of everything Musharaka keeps about you, or erase it."),
        [
            [ctx.global_button(_("Send me my data"), PRIVACY_ROUTE, "get")],
            [ctx.global_button(_("Erase my data"), PRIVACY_ROUTE, "del")],
        ],
    )


async def privacy_button(ctx: Context, args: tuple[str, ...]) -> None:
    if args == ("get",):
        await mydata_command(ctx)
    elif args == ("del",):
        await delete_command(ctx)
    else:
        ctx.toast(_("I do not recognise this button."))


def register(registry: Registry) -> None:
    registry.add_conversation(DeleteMyData())
    registry.add_command(Command("mydata", mydata_command, N_("See the data kept about you")))
    registry.add_command(Command("delete", delete_command, N_("Erase your personal data")))
    registry.add_menu_entry(MenuEntry("privacy", N_("My data"), privacy_menu_entry, order=950))
    registry.add_button(PRIVACY_ROUTE, privacy_button)
    registry.add_personal_data(PROFILE_AREA, privacy.export_profile, privacy.erase_profile)
