"""Channel-free conversation engine: events in, replies out.

Conversations are written against this package only; adapters in ``bot.channels``
turn framework updates into :class:`Event` values and :class:`Reply` values back
into Bot API calls.
"""

from bot.engine.events import Event, EventKind
from bot.engine.replies import (
    Button,
    Document,
    Edit,
    KeyboardButton,
    Outgoing,
    Photo,
    Reply,
    Text,
    Toast,
)

__all__ = [
    "Button",
    "Document",
    "Edit",
    "Event",
    "EventKind",
    "KeyboardButton",
    "Outgoing",
    "Photo",
    "Reply",
    "Text",
    "Toast",
]
