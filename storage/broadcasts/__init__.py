"""Broadcasts: an announcement, its audience, and an outbox with one row per recipient.

Life of a broadcast::

    scheduled --launch--> sending --(no row left to send)--> done
        \\                    \\
         +--> cancelled        +--> cancelled (rows not yet sent are skipped)

*Launching* (at ``send_at``) computes the audience at that moment and writes one outbox
row per recipient in the same transaction that flips the status, so a broadcast is
launched once even with several senders; ``UNIQUE(broadcast_id, chat_id)`` makes a second
row for the same person impossible.

Sending one row is *claim → send → record*: the claim commits ``claimed`` with a lease,
the Bot API call follows at once, and the result is committed right after it. On
PostgreSQL claims use ``FOR UPDATE SKIP LOCKED`` so several senders share the outbox;
on SQLite ``BEGIN IMMEDIATE`` serialises them.

A row whose lease expired while ``claimed`` was in flight when its sender died: Telegram
may or may not have delivered it, and the Bot API offers no way to ask. What happens to
it is a policy (``in_doubt``): ``resend`` (default: nobody misses an announcement; a
message accepted by Telegram in the last instant before a crash could arrive twice) or
``skip`` (nobody ever gets one twice; those few people may miss it, and are counted).

Audiences are small functions returning a ``SELECT`` of Telegram ids; other areas add
theirs with ``add_audience_kind``. Whatever the audience, people who turned
announcements off, stopped all messages, blocked the bot, erased their data or never
agreed to the data notice are left out.

The modules: the tables (``models``), the limits and the audiences' labels
(``vocabulary``), audiences (``audiences``), composing and cancelling (``composing``), the
outbox (``queue``) and the figures (``figures``).
"""

from __future__ import annotations

from storage.broadcasts.audiences import (
    AUDIENCE_KINDS,
    PRIVATE_KINDS,
    Audience,
    AudienceBuilder,
    add_audience_kind,
    audience_query,
    count_audience,
    everyone,
    is_private,
    reachable_users,
    residents_of_districts,
    speakers_of,
)
from storage.broadcasts.composing import (
    cancel_broadcast,
    create_broadcast,
    get_broadcast,
)
from storage.broadcasts.figures import (
    Progress,
    finish_if_drained,
    progress,
    recent_broadcasts,
    sending_broadcasts,
    set_progress_message,
    unreachable_count,
)
from storage.broadcasts.models import (
    Broadcast,
    BroadcastStatus,
    InDoubt,
    OutboxMessage,
    OutboxStatus,
)
from storage.broadcasts.queue import (
    MAX_ATTEMPTS,
    Claimed,
    claim,
    due_broadcasts,
    has_claimable,
    has_in_doubt,
    launch,
    record_failed,
    record_sent,
    release,
    settle_in_doubt,
    unclaim,
)
from storage.broadcasts.vocabulary import (
    AUDIENCE_LABELS,
    CAPTION_MAX_CHARS,
    MAX_DAYS_AHEAD,
    TEXT_MAX_CHARS,
)

__all__ = [
    "AUDIENCE_KINDS",
    "AUDIENCE_LABELS",
    "CAPTION_MAX_CHARS",
    "MAX_ATTEMPTS",
    "MAX_DAYS_AHEAD",
    "PRIVATE_KINDS",
    "TEXT_MAX_CHARS",
    "Audience",
    "AudienceBuilder",
    "Broadcast",
    "BroadcastStatus",
    "Claimed",
    "InDoubt",
    "OutboxMessage",
    "OutboxStatus",
    "Progress",
    "add_audience_kind",
    "audience_query",
    "cancel_broadcast",
    "claim",
    "count_audience",
    "create_broadcast",
    "due_broadcasts",
    "everyone",
    "finish_if_drained",
    "get_broadcast",
    "has_claimable",
    "has_in_doubt",
    "is_private",
    "launch",
    "progress",
    "reachable_users",
    "recent_broadcasts",
    "record_failed",
    "record_sent",
    "release",
    "residents_of_districts",
    "sending_broadcasts",
    "set_progress_message",
    "settle_in_doubt",
    "speakers_of",
    "unclaim",
    "unreachable_count",
]
