"""Button payloads (Telegram callback_data, at most 64 bytes).

Two shapes:

* ``<epoch>:<action>[:<arg>...]`` — a step of the active conversation. The epoch
  is the session's button generation when it was drawn; a press is accepted only
  while the session is still at that epoch (it moves when the conversation moves
  or new buttons are drawn), so double taps and old messages do nothing.
* ``g:<route>[:<arg>...]`` — a global button (menus, messages sent to another
  user, reminders). Its handler must check the arguments against the database.

Arguments are short codes or indexes, never labels (Arabic costs two bytes a letter).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.engine.replies import CALLBACK_DATA_MAX_BYTES, PayloadTooLong

SEPARATOR = ":"
GLOBAL_PREFIX = "g"
# ASCII digits only: str.isdigit() is also true for "²" or "١", which int() then refuses
# or reads as another number.
_PLAIN_NUMBER = re.compile(r"[0-9]+")


def plain_digits(text: str, *, max_digits: int = 18) -> bool:
    """True for 1 to ``max_digits`` ASCII digits and nothing else."""
    return len(text) <= max_digits and _PLAIN_NUMBER.fullmatch(text) is not None


def int_arg(
    args: tuple[str, ...] | list[str], index: int = 0, *, max_digits: int = 18
) -> int | None:
    """Button argument ``index`` as a non-negative number, or None when it is missing, forged
    or garbled. Every handler reads numeric button arguments through this."""
    if len(args) <= index or not plain_digits(args[index], max_digits=max_digits):
        return None
    return int(args[index])


@dataclass(frozen=True, slots=True)
class Payload:
    epoch: int | None  # None for global buttons
    action: str
    args: tuple[str, ...]

    @property
    def is_global(self) -> bool:
        return self.epoch is None


def _check(parts: list[str]) -> str:
    for part in parts:
        if SEPARATOR in part:
            raise ValueError(f"payload part may not contain {SEPARATOR!r}: {part!r}")
    payload = SEPARATOR.join(parts)
    if len(payload.encode("utf-8")) > CALLBACK_DATA_MAX_BYTES:
        raise PayloadTooLong(payload)
    return payload


def versioned(epoch: int, action: str, *args: object) -> str:
    return _check([str(epoch), action, *map(str, args)])


def global_(route: str, *args: object) -> str:
    return _check([GLOBAL_PREFIX, route, *map(str, args)])


def parse(raw: str) -> Payload | None:
    """The payload, or None when it is not one of ours (forged or from an old bot)."""
    if not raw or len(raw.encode("utf-8")) > CALLBACK_DATA_MAX_BYTES:
        return None
    parts = raw.split(SEPARATOR)
    if len(parts) < 2 or not parts[1]:
        return None
    head, action, args = parts[0], parts[1], tuple(parts[2:])
    if head == GLOBAL_PREFIX:
        return Payload(None, action, args)
    if not plain_digits(head, max_digits=12):
        return None
    return Payload(int(head), action, args)
