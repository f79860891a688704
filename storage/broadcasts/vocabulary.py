"""The broadcasts' words and limits, shown by the bot's composer and the admin's: the
audiences staff choose from (``AUDIENCE_LABELS``), how far ahead one may be scheduled, and
how long a text or a photo's caption may be (Telegram's limits)."""

from __future__ import annotations

from core.i18n import N_

TEXT_MAX_CHARS = 4096
CAPTION_MAX_CHARS = 1024
MAX_DAYS_AHEAD = 90
AUDIENCE_LABELS = {
    "everyone": N_("Everyone"),
    "districts": N_("Residents of some districts"),
    "languages": N_("People using a language"),
}
