"""Screen parts several flows share: asking for a phone number (Telegram's "share my number"
button or typed), a multiple choice drawn as toggle buttons, and the buttons under messages
the broadcast outbox sends to some audiences (a reply to a resident's case: "Reply", the
rating stars), which the area owning the audience kind draws and the sender shows."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from bot.engine.actions import Action
from bot.engine.context import Context
from bot.engine.events import EventKind
from bot.engine.replies import Button, Buttons, KeyboardButton
from core.i18n import _
from core.textinput import normalize_phone
from storage.broadcasts import Broadcast


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
    """The number in this event in E.164 (only the person's own shared contact is accepted),
    or None after telling the person what went wrong."""
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
    toggle: Action,
    extra: Sequence[Button] = (),
    per_row: int = 2,
) -> Buttons:
    """Toggle buttons ('✅ label' when chosen), then the extra buttons (Done, Other...).
    ``toggle`` is an action with one ``str`` argument: the option's code."""
    ((field, _kind),) = toggle.fields
    chosen = set(selected)
    buttons = [
        toggle.button(ctx, f"✅ {label}" if code in chosen else label, **{field: code})
        for code, label in options
    ]
    rows = [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]
    rows.extend([button] for button in extra)
    return rows


# --- buttons under messages the outbox sends ----------------------------------------------------
# Registered when the owning feature is imported (bot.app imports every feature), so the
# sender, inside `musharaka run` or alone, draws them without knowing the features.
AudienceButtons = Callable[[Broadcast], Buttons | None]
AUDIENCE_BUTTONS: dict[str, AudienceButtons] = {}


def add_audience_buttons(kind: str, draw: AudienceButtons) -> None:
    AUDIENCE_BUTTONS[kind] = draw


def audience_buttons(broadcast: Broadcast) -> Buttons | None:
    """The buttons under one of ``broadcast``'s messages, if its audience kind has any."""
    draw = AUDIENCE_BUTTONS.get(str((broadcast.audience or {}).get("kind", "")))
    return draw(broadcast) if draw is not None else None
