"""Figures of the consultations area for the M&E report."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.consultations.models import Booking


async def sessions_by_branch(
    session: AsyncSession, since: datetime, until: datetime
) -> list[tuple[str, str, str, int]]:
    """(branch_code, kind, status, count) for the M&E report."""
    rows = await session.execute(
        select(Booking.branch_code, Booking.kind, Booking.status, func.count())
        .where(Booking.starts_at >= since, Booking.starts_at < until)
        .group_by(Booking.branch_code, Booking.kind, Booking.status)
        .order_by(Booking.branch_code, Booking.kind, Booking.status)
    )
    return [(r[0], r[1], r[2], int(r[3])) for r in rows]
