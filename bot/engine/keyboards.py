"""Laying out inline buttons within Telegram's limits."""

from __future__ import annotations

from collections.abc import Sequence

from bot.engine.replies import Button, Buttons

MAX_PER_ROW = 8
MAX_BUTTONS = 100


def rows(buttons: Sequence[Button], per_row: int = 2) -> Buttons:
    """Chunk buttons into rows of ``per_row`` (capped at Telegram's 8)."""
    per_row = max(1, min(per_row, MAX_PER_ROW))
    if len(buttons) > MAX_BUTTONS:
        raise ValueError(f"{len(buttons)} buttons: Telegram shows at most {MAX_BUTTONS}")
    return [list(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]


def column(buttons: Sequence[Button]) -> Buttons:
    return rows(buttons, per_row=1)


def auto_rows(buttons: Sequence[Button]) -> Buttons:
    """Short labels side by side, long labels one per row (readable on small phones)."""
    longest = max((len(b.label) for b in buttons), default=0)
    per_row = 1 if longest > 18 else 2 if longest > 8 else 3
    return rows(buttons, per_row)


def total_buttons(layout: Buttons | None) -> int:
    return sum(len(r) for r in layout or [])
