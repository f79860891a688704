"""The outbox audience of one resident's own correspondence (kind ``case``): a staff reply
or the closing message reaches the person it is for, never an announcement list."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Select,
    select,
)

from storage import broadcasts
from storage.people import User

# --------------------------------------------------------------------------- the audience


def one_correspondent(values: tuple[str, ...]) -> Select[Any]:
    """The person a reply is for (values: their Telegram id), unless they stopped all
    messages, blocked the bot or erased their data."""
    ids = [int(v) for v in values[:1] if v.lstrip("-").isdigit()]
    return select(User.telegram_id).where(
        User.telegram_id.in_(ids),
        User.messages_stopped.is_(False),
        User.unreachable_at.is_(None),
        User.erased_at.is_(None),
    )


CASE_AUDIENCE = "case"
broadcasts.add_audience_kind(CASE_AUDIENCE, one_correspondent, private=True)
