"""The first page after signing in: the programme at a glance."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from admin import web
from core.i18n import N_
from storage.people import User
from storage.reference import list_branches, list_districts

router = APIRouter()
NAV = [web.NavItem("/", N_("Overview"), None)]


@dataclass(frozen=True)
class Overview:
    people: int
    consented: int
    reachable: int
    districts: int
    branches: int


async def programme_overview(session: AsyncSession) -> Overview:
    """How many people the bot knows, and how many of them can be reached today."""
    not_erased = User.erased_at.is_(None)
    people = await session.scalar(select(func.count(User.id)).where(not_erased))
    consented = await session.scalar(
        select(func.count(User.id)).where(not_erased, User.consent_at.is_not(None))
    )
    reachable = await session.scalar(
        select(func.count(User.id)).where(
            not_erased,
            User.consent_at.is_not(None),
            User.unreachable_at.is_(None),
            User.messages_stopped.is_(False),
            User.announcements_enabled.is_(True),
        )
    )
    return Overview(
        people=int(people or 0),
        consented=int(consented or 0),
        reachable=int(reachable or 0),
        districts=len(await list_districts(session)),
        branches=len(await list_branches(session)),
    )


@router.get("/")
async def overview_page(
    request: Request, user: web.StaffUser = Depends(web.current_staff)
) -> Response:
    async with web.state(request).db.reader() as s:
        overview = await programme_overview(s)
    return web.render(request, "home.html", overview=overview)
