"""The ``consultation`` flow's calendar: the days with free times (eight to a page), and a
day's free times. Drawn for a new booking and for moving one (``reschedule`` in the state:
the current time is not offered again, and there is no way back to the branch).

The steps are declared in ``booking``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.engine.context import Context
from bot.engine.keyboards import column, rows
from bot.engine.replies import Button
from bot.engine.steps import Flow
from bot.features.consultations.actions import DAY, OTHER_DAY, PAGE, SLOT
from bot.features.consultations.parties import requester_id
from bot.features.consultations.texts import recap, timezone_of, zone
from core.formatting import format_clock, format_short_day
from core.i18n import _, current_language
from storage import consultations
from storage.consultations import Slot

DAYS_PER_PAGE = 8


def pick(ctx: Context, key: str, index: int) -> Any | None:
    """The item a button's index points at in a list kept in the state; None (after the
    stale-button answer) when there is no such item."""
    options = ctx.state.get(key) or []
    if index >= len(options):
        ctx.stale_button()
        return None
    return options[index]


class CalendarSteps(Flow):
    """day (or no_days) -> slot."""

    async def _free(self, ctx: Context, day: date | None = None) -> list[Slot]:
        """Free times for the chosen topic at the chosen branch (all days, or one), without
        the member's own other sessions; when moving a booking, its time counts as free."""
        member = await requester_id(ctx)
        async with ctx.reader() as s:
            slots = await consultations.free_slots(
                s,
                topic=ctx.state["topic"],
                branch_code=ctx.state["branch"],
                now=ctx.services.clock.now(),
                tz=zone(timezone_of(ctx)),
                first_day=day,
                last_day=day,
                requester_id=member,
                ignore_booking=ctx.state.get("reschedule"),
            )
        if ctx.state.get("reschedule"):
            current = ctx.state["current_start"]
            slots = [s for s in slots if s.starts_at.isoformat() != current]
        return slots

    # --- the days ---------------------------------------------------------------------------
    async def draw_days(
        self,
        ctx: Context,
        page: int | None = None,
        notice: str = "",
        days: list[date] | None = None,
    ) -> None:
        """The render of both ``day`` and ``no_days``: whichever of the two the free times
        call for becomes the step. ``page`` None is the page shown last; ``notice`` goes
        above (why we are back here)."""
        if days is None:
            days = consultations.free_days(await self._free(ctx), zone(timezone_of(ctx)))
        wanted = "day" if days else "no_days"
        if ctx.step != wanted:
            await self.show(ctx, wanted, page=page, notice=notice, days=days)
            return
        head = f"{notice}\n\n" if notice else ""
        if not days:
            buttons = [] if ctx.state.get("reschedule") else [self.back_button(ctx)]
            ctx.edit(
                head
                + _(
                    "{recap}\n\nThere are no free times for this in the coming weeks. "
                    "Please try another branch or topic, or try again in a few days."
                ).format(recap=recap(ctx)),
                column(buttons) if buttons else None,
            )
            return
        ctx.state["days"] = [d.isoformat() for d in days]
        last_page = (len(days) - 1) // DAYS_PER_PAGE
        page = int(ctx.state.get("page", 0)) if page is None else page
        page = max(0, min(page, last_page))
        ctx.state["page"] = page
        shown = days[page * DAYS_PER_PAGE : (page + 1) * DAYS_PER_PAGE]
        first = page * DAYS_PER_PAGE
        layout = rows(
            [
                DAY.button(ctx, format_short_day(d, current_language()), index=first + i)
                for i, d in enumerate(shown)
            ],
            per_row=2,
        )
        nav: list[Button] = []
        if page > 0:
            nav.append(PAGE.button(ctx, _("‹ Earlier days"), page=page - 1))
        if page < last_page:
            nav.append(PAGE.button(ctx, _("Later days ›"), page=page + 1))
        if nav:
            layout.append(nav)
        if not ctx.state.get("reschedule"):
            layout.append([self.back_button(ctx)])
        ctx.edit(
            head + _("{recap}\n\nChoose a day with free times:").format(recap=recap(ctx)), layout
        )

    async def on_day(self, ctx: Context, index: int) -> None:
        day = pick(ctx, "days", index)
        if day is not None:
            await self.show(ctx, "slot", day=date.fromisoformat(day))

    async def on_page(self, ctx: Context, page: int) -> None:
        await self.show(ctx, "day", page=page)

    async def on_other_day(self, ctx: Context) -> None:
        """‹ Another day / time: the days again, on the page shown last."""
        await self.show(ctx, "day")

    # --- a day's times ------------------------------------------------------------------------
    async def draw_slot(self, ctx: Context, day: date | None = None, notice: str = "") -> None:
        """The free times of ``day`` (by default the day chosen last); back to the days when
        the last one has just gone."""
        day = day or date.fromisoformat(ctx.state["day"])
        slots = await self._free(ctx, day)
        if not slots:
            await self.show(
                ctx,
                "day",
                page=0,
                notice=_("The last free time on that day has just been taken, sorry."),
            )
            return
        ctx.state["day"] = day.isoformat()
        ctx.state["slots"] = [[s.consultant_id, s.starts_at.isoformat()] for s in slots]
        timezone = timezone_of(ctx)
        layout = rows(
            [
                SLOT.button(ctx, format_clock(s.starts_at, timezone, current_language()), index=i)
                for i, s in enumerate(slots)
            ],
            per_row=3,
        )
        layout.append([OTHER_DAY.button(ctx, _("‹ Another day"))])
        head = f"{notice}\n\n" if notice else ""
        ctx.edit(
            head
            + _("{recap}\n\n{day}: choose a time.").format(
                recap=recap(ctx), day=format_short_day(day, current_language())
            ),
            layout,
        )

    async def on_slot(self, ctx: Context, index: int) -> None:
        slot = pick(ctx, "slots", index)
        if slot is None:
            return
        ctx.state["slot"] = slot
        if ctx.state.get("reschedule") or ctx.state.get("description"):
            await self.show(ctx, "confirm")
        else:
            await self.show(ctx, "describe")
