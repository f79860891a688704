"""Conversation state and the stores that keep it.

Every write is compare-and-set on ``version``: a handler works on the state it
loaded, and its result is kept only if nobody else wrote in between. Buttons
carry the ``epoch`` they were drawn for; the epoch moves only when the
conversation moves or new buttons are drawn, so a stray message or a sticker
does not kill the buttons on screen, while a double tap or an old message's
button is refused. Re-delivered updates are found in ``recent_updates``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Protocol

RECENT_UPDATES_KEPT = 64


@dataclass(slots=True)
class FlowState:
    """Where a user is inside one conversation."""

    name: str
    step: str = ""
    data: dict[str, Any] = field(default_factory=dict)


def _flow_dict(flow: FlowState) -> dict[str, Any]:
    return {"name": flow.name, "step": flow.step, "data": flow.data}


@dataclass(slots=True)
class Session:
    key: int
    version: int = 0
    epoch: int = 0
    language: str | None = None
    flow: FlowState | None = None
    parked: dict[str, FlowState] = field(default_factory=dict)
    recent_updates: list[int] = field(default_factory=list)
    profile: dict[str, Any] = field(default_factory=dict)

    def seen(self, update_id: int | None) -> bool:
        return update_id is not None and update_id in self.recent_updates

    def remember(self, update_id: int | None) -> None:
        if update_id is None:
            return
        self.recent_updates.append(update_id)
        del self.recent_updates[:-RECENT_UPDATES_KEPT]

    def to_dict(self) -> dict[str, Any]:
        """The session as JSON-ready data. Written out by hand: ``dataclasses.asdict`` deep-
        copies every answer on the way and was 11 % of the bot's CPU under load (py-spy)."""
        return {
            "key": self.key,
            "version": self.version,
            "epoch": self.epoch,
            "language": self.language,
            "flow": _flow_dict(self.flow) if self.flow else None,
            "parked": {name: _flow_dict(state) for name, state in self.parked.items()},
            "recent_updates": self.recent_updates,
            "profile": self.profile,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str | bytes) -> Session:
        data = json.loads(raw)
        flow = data.get("flow")
        return cls(
            key=int(data["key"]),
            version=int(data["version"]),
            epoch=int(data.get("epoch", data["version"])),
            language=data.get("language"),
            flow=FlowState(**flow) if flow else None,
            parked={k: FlowState(**v) for k, v in (data.get("parked") or {}).items()},
            recent_updates=list(data.get("recent_updates") or []),
            profile=dict(data.get("profile") or {}),
        )

    def conversations_moved_from(self, earlier: Session | None) -> bool:
        """Whether the conversations (active and parked) differ from ``earlier``'s, the
        session as loaded (None: a new one, with none). Compared as data, not as JSON: the
        JSON of every session twice per update was a few per cent of the bot's CPU."""
        if earlier is None:
            return self.flow is not None or bool(self.parked)
        return self.flow != earlier.flow or self.parked != earlier.parked

    def copy(self) -> Session:
        return Session.from_json(self.to_json())


class SessionStore(Protocol):
    """Where sessions live. ``save`` succeeds only if the stored version is
    ``expected_version`` (0 meaning "not stored yet")."""

    async def load(self, key: int) -> Session | None: ...

    async def save(self, session: Session, expected_version: int) -> bool: ...

    async def delete(self, key: int) -> None: ...

    async def close(self) -> None: ...


class MemorySessionStore:
    """For unit tests and the simulator's throw-away runs."""

    def __init__(self) -> None:
        self._rows: dict[int, str] = {}
        self._versions: dict[int, int] = {}

    async def load(self, key: int) -> Session | None:
        raw = self._rows.get(key)
        return Session.from_json(raw) if raw is not None else None

    async def save(self, session: Session, expected_version: int) -> bool:
        if self._versions.get(session.key, 0) != expected_version:
            return False
        self._rows[session.key] = session.to_json()
        self._versions[session.key] = session.version
        return True

    async def delete(self, key: int) -> None:
        self._rows.pop(key, None)
        self._versions.pop(key, None)

    async def close(self) -> None:
        return None

    def __len__(self) -> int:
        return len(self._rows)
