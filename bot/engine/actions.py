"""Typed button actions: ``Action("day", index=int)`` is packed into a button's payload (with
the session's epoch, or as a global button) and unpacked by one strict parser.

A press whose arguments do not fit the action exactly (missing, extra, a letter where a
number goes, a label where a code goes) is refused before any handler runs, so handlers
receive ``index: int`` and never parse ``args`` themselves.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from bot.engine import payloads
from bot.engine.replies import Button

if TYPE_CHECKING:
    from bot.engine.context import Context

ArgType = type[int] | type[str]
Values = dict[str, int | str]

# Text arguments are short codes (district codes, field names, language codes), never labels:
# ASCII only, so a code costs one byte of the 64 that callback data allows.
_CODE = re.compile(r"[A-Za-z0-9_.\-]{1,64}")
_ACTION_CODE = re.compile(r"[A-Za-z0-9_.\-]{1,24}")
INT_MAX_DIGITS = 18


class Action:
    """A named button action with typed arguments (``int`` or ``str`` codes)."""

    __slots__ = ("code", "fields")

    def __init__(self, code: str, /, **fields: ArgType) -> None:
        if not _ACTION_CODE.fullmatch(code) or code == payloads.GLOBAL_PREFIX:
            raise ValueError(f"action code {code!r}: 1-24 ASCII letters, digits, '_', '.', '-'")
        for name, kind in fields.items():
            if kind not in (int, str):
                raise TypeError(f"{code}.{name}: arguments are int or str, not {kind!r}")
        self.code = code
        self.fields: tuple[tuple[str, ArgType], ...] = tuple(fields.items())

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={kind.__name__}" for name, kind in self.fields)
        return f"Action({self.code!r}{', ' if inner else ''}{inner})"

    # --- packing -----------------------------------------------------------------------------
    def pack(self, values: Mapping[str, object]) -> tuple[str, ...]:
        """The payload arguments for ``values``; a wrong or missing value is a programming
        error and raises (it would draw a button that can never be pressed)."""
        names = [name for name, _kind in self.fields]
        if sorted(values) != sorted(names):
            raise TypeError(f"{self!r} takes {names}, got {sorted(values)}")
        packed: list[str] = []
        for name, kind in self.fields:
            value = values[name]
            if kind is int:
                if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                    raise ValueError(f"{self!r}: {name} must be a non-negative int, not {value!r}")
                packed.append(str(value))
            else:
                if not isinstance(value, str) or not _CODE.fullmatch(value):
                    raise ValueError(f"{self!r}: {name} must be a short ASCII code, not {value!r}")
                packed.append(value)
        return tuple(packed)

    def button(self, ctx: Context, label: str, /, **values: object) -> Button:
        """A button of the current step (valid until the conversation moves on)."""
        return ctx.button(label, self.code, *self.pack(values))

    def global_button(self, ctx: Context, label: str, /, **values: object) -> Button:
        """A button that stays valid; its handler (``Registry.add_action``) must check the
        values against the database."""
        return self.standing_button(label, **values)

    def standing_button(self, label: str, /, **values: object) -> Button:
        """The same global button, drawn where there is no update to answer (a reminder or a
        notice the scheduler sends)."""
        return Button(label, payloads.global_(self.code, *self.pack(values)))

    # --- the one parser ----------------------------------------------------------------------
    def unpack(self, args: tuple[str, ...] | list[str]) -> Values | None:
        """The typed values of a press, or None when the arguments are not exactly these."""
        if len(args) != len(self.fields):
            return None
        values: Values = {}
        for (name, kind), raw in zip(self.fields, args, strict=True):
            if kind is int:
                if not payloads.plain_digits(raw, max_digits=INT_MAX_DIGITS):
                    return None
                values[name] = int(raw)
            elif _CODE.fullmatch(raw):
                values[name] = raw
            else:
                return None
        return values
