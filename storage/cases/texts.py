"""What staff send a resident, in the resident's language: the header of an answer and the
closing message that asks for a rating. The bot's /inbox and the admin's inbox send the
same words."""

from __future__ import annotations

from core.formatting import display_digits
from core.i18n import _, use_language


def reply_text(ref: str, text: str, language: str) -> str:
    with use_language(language):
        shown = display_digits(ref)
        return _("💬 The programme's answer about {ref}:").format(ref=shown) + "\n\n" + text


def closing_text(ref: str, language: str) -> str:
    with use_language(language):
        return _(
            "✅ {ref} is now closed. How useful was the answer you received? "
            "(1 star: not at all, 5 stars: very)"
        ).format(ref=display_digits(ref))
