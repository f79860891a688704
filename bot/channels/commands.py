"""The command list Telegram shows in each language (setMyCommands)."""

from __future__ import annotations

from bot.engine.registry import Registry
from core.i18n import translate


def published_commands(registry: Registry, language: str) -> list[tuple[str, str]]:
    """(command, description) pairs for users of one language; staff commands stay hidden."""
    return [
        (command.name, translate(language, command.description)[:256])
        for command in registry.commands.values()
        if command.listed and command.min_role is None
    ]


def secret_matches(given: str, expected: str) -> bool:
    """Constant-time comparison of the X-Telegram-Bot-Api-Secret-Token header. The header
    may hold anything a stranger sends (non-ASCII, undecodable bytes): compared as bytes,
    it is simply wrong instead of an error."""
    import hmac

    return hmac.compare_digest(
        given.encode("utf-8", "surrogateescape"), expected.encode("utf-8", "surrogateescape")
    )


def webhook_secret_for(token: str) -> str:
    """A stable secret derived from the token when none is configured.

    Every worker computes the same value, and it is unguessable without the token.
    """
    import hashlib

    return hashlib.sha256(f"musharaka-webhook:{token}".encode()).hexdigest()[:48]
