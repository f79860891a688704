"""Asking for a person's name and phone number (volunteers, association members).

The phone comes either from Telegram's "share my number" button (only the person's own
number is accepted) or typed, in any digit script, with or without the country code;
it is stored in E.164 (``+21698123456``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import phonenumbers

from bot.engine.context import Context
from bot.engine.events import EventKind
from bot.engine.replies import Button, Buttons, KeyboardButton
from core.i18n import _
from core.textinput import clean_text, normalize_digits

NAME_MIN_CHARS = 3
NAME_MAX_CHARS = 100
_SEPARATORS = re.compile(r"[\s\-().\u00a0/]")


def read_name(text: str) -> str | None:
    """A person's full name as typed, or None when it cannot be one (digits, too short/long)."""
    name = clean_text(text, NAME_MAX_CHARS)
    if name is None or len(name) < NAME_MIN_CHARS:
        return None
    if not any(ch.isalpha() for ch in name) or any(ch.isdigit() for ch in normalize_digits(name)):
        return None
    return re.sub(r"\s+", " ", name)


def normalize_phone(text: str, region: str) -> str | None:
    """'98 123 456', '٩٨١٢٣٤٥٦', '00216 98123456', '+216 98-123-456' -> '+21698123456'."""
    raw = _SEPARATORS.sub("", normalize_digits(text).strip())
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    if not re.fullmatch(r"\+?\d{6,15}", raw):
        return None
    for candidate in (raw, "+" + raw) if not raw.startswith("+") else (raw,):
        try:
            number = phonenumbers.parse(candidate, region.upper())
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


def share_phone_keyboard() -> list[list[KeyboardButton]]:
    return [[KeyboardButton(_("📱 Share my phone number"), request="contact")]]


def ask_phone(ctx: Context, question: str) -> None:
    ctx.say(
        question
        + "\n"
        + _("Press the button below to share it, or type it (for example 98 123 456)."),
        keyboard=share_phone_keyboard(),
    )


def phone_from_event(ctx: Context) -> str | None:
    """The number in this event, or None after telling the person what went wrong."""
    region = ctx.services.settings.phone_region
    event = ctx.event
    if event.kind == EventKind.CONTACT:
        if event.contact_user_id is not None and event.contact_user_id != event.user_id:
            ctx.say(
                _(
                    "Thank you, but this is someone else's contact. Please share your own "
                    "number with the button below, or type it."
                ),
                keyboard=share_phone_keyboard(),
            )
            return None
        if event.contact_user_id is None:
            ctx.say(
                _("Please share your own number with the button below, or type it."),
                keyboard=share_phone_keyboard(),
            )
            return None
        phone = normalize_phone(event.phone, region)
    elif event.kind == EventKind.TEXT:
        phone = normalize_phone(event.text, region)
    else:
        phone = None
    if phone is None:
        ctx.say(
            _(
                "I could not read a phone number there. Please type it with its digits only, "
                "for example 98 123 456, or +216 98 123 456 from abroad."
            ),
            keyboard=share_phone_keyboard(),
        )
    return phone


def multi_select(
    ctx: Context,
    options: Sequence[tuple[str, str]],
    selected: Iterable[str],
    action: str,
    extra: Sequence[Button] = (),
    per_row: int = 2,
) -> Buttons:
    """Toggle buttons ('✅ label' when chosen), then the extra buttons (Done, Other...)."""
    chosen = set(selected)
    buttons = [
        ctx.button(f"✅ {label}" if code in chosen else label, action, code)
        for code, label in options
    ]
    rows = [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]
    rows.extend([button] for button in extra)
    return rows
