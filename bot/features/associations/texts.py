"""What the association screens share: a district's name, a notice to another member."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.context import Context
from bot.engine.replies import Text
from core.i18n import _, current_language, use_language
from storage import people, reference


async def district_name(s: AsyncSession, code: str | None) -> str:
    district = await s.get(reference.District, code) if code else None
    return district.name(current_language()) if district else "—"


async def tell(ctx: Context, telegram_id: int, message: str, **values: str) -> None:
    """A short notice to another person, in their language."""
    async with ctx.reader() as s:
        user = await people.get_user(s, telegram_id)
    with use_language(user.language if user else ctx.services.settings.default_language):
        ctx.notify(telegram_id, Text(_(message).format(**values)))
