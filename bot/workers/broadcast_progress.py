"""The text of a broadcast's progress message in the staff member's chat ("Sending
announcement #12: 340 of 2,000 delivered so far…", then the final figures)."""

from __future__ import annotations

from core.formatting import format_number
from core.i18n import _
from storage.broadcasts import Broadcast, Progress


def progress_text(broadcast: Broadcast, figures: Progress, unreachable: int, *, done: bool) -> str:
    """'Announcement #12: 340 of 2,000 delivered…' in the staff member's language."""
    values = {
        "number": broadcast.id,
        "sent": format_number(figures.sent),
        "total": format_number(figures.recipients),
        "unreachable": format_number(unreachable),
        "skipped": format_number(figures.skipped),
        "failed": format_number(max(figures.failed - unreachable, 0)),
    }
    if done and figures.recipients == 0:
        return _("Announcement #{number}: nobody in this audience can receive it.").format(**values)
    lines = [
        _("✅ Announcement #{number} sent: {sent} of {total} delivered.").format(**values)
        if done
        else _("Sending announcement #{number}: {sent} of {total} delivered so far…").format(
            **values
        )
    ]
    if unreachable:
        lines.append(
            _("{unreachable} could not be reached (they blocked the bot).").format(**values)
        )
    if figures.skipped:
        lines.append(
            _("{skipped} skipped (they turned announcements off meanwhile).").format(**values)
        )
    if figures.failed - unreachable > 0:
        lines.append(_("{failed} failed for other reasons.").format(**values))
    return "\n".join(lines)
