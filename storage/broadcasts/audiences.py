"""Who gets a broadcast: an audience kind and its values, the people who may get
announcements at all, and the kinds other areas add (``add_audience_kind``); private kinds
carry one person's own correspondence and are never listed among announcements."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Select,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from storage.broadcasts.models import Broadcast
from storage.people import User

# --------------------------------------------------------------------------- audiences


@dataclass(frozen=True, slots=True)
class Audience:
    """Who gets a broadcast: a kind and its values (district codes, languages, ...)."""

    kind: str
    values: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "values": list(self.values)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Audience:
        return cls(str(data.get("kind", "")), tuple(str(v) for v in data.get("values") or ()))


AudienceBuilder = Callable[[tuple[str, ...]], Select[Any]]


def reachable_users() -> Select[Any]:
    """Telegram ids of everyone who may get announcements at all."""
    return select(User.telegram_id).where(
        User.consent_at.is_not(None),
        User.announcements_enabled.is_(True),
        User.messages_stopped.is_(False),
        User.unreachable_at.is_(None),
        User.erased_at.is_(None),
    )


def everyone(values: tuple[str, ...]) -> Select[Any]:
    return reachable_users()


def residents_of_districts(values: tuple[str, ...]) -> Select[Any]:
    return reachable_users().where(User.district_code.in_(values))


def speakers_of(values: tuple[str, ...]) -> Select[Any]:
    return reachable_users().where(User.language.in_(values))


AUDIENCE_KINDS: dict[str, AudienceBuilder] = {
    "everyone": everyone,
    "districts": residents_of_districts,
    "languages": speakers_of,
}


# Audiences of one person's own correspondence (a staff reply to a resident's case): sent
# through the outbox like announcements, never listed or shown among them.
PRIVATE_KINDS: set[str] = set()


def add_audience_kind(kind: str, builder: AudienceBuilder, *, private: bool = False) -> None:
    """Let another area (volunteers, associations, trainings) define an audience.

    ``builder(values)`` must start from ``reachable_users()`` so that opt-outs hold (a
    private audience, a reply someone asked for, may leave announcements_enabled aside).
    """
    if kind in AUDIENCE_KINDS:
        raise ValueError(f"audience kind {kind!r} registered twice")
    AUDIENCE_KINDS[kind] = builder
    if private:
        PRIVATE_KINDS.add(kind)


def is_private(broadcast: Broadcast) -> bool:
    return str((broadcast.audience or {}).get("kind", "")) in PRIVATE_KINDS


def audience_query(audience: Audience) -> Select[Any]:
    builder = AUDIENCE_KINDS.get(audience.kind)
    if builder is None:
        raise ValueError(f"unknown audience kind {audience.kind!r}")
    return builder(audience.values).distinct()


async def count_audience(session: AsyncSession, audience: Audience) -> int:
    subquery = audience_query(audience).subquery()
    return int(await session.scalar(select(func.count()).select_from(subquery)) or 0)
