"""Passwords, CSRF tokens and the sign-in rate limit of the admin module."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit

MIN_PASSWORD_LENGTH = 10  # the same rule as `musharaka staff add`

_hasher = PasswordHasher()
# Verified when the login name is unknown, so that a wrong name takes as long as a
# wrong password and the response time does not reveal which names exist.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        _hasher_verify_quietly(_DUMMY_HASH, password)
        return False
    return _hasher_verify_quietly(password_hash, password)


def _hasher_verify_quietly(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's defaults."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return False


def password_fingerprint(password_hash: str | None) -> str:
    """A short tag of the current password hash, kept in the session cookie.

    Changing a password changes the tag, which signs out every other session of
    that account (signed cookies cannot otherwise be revoked).
    """
    if not password_hash:
        return ""
    return hmac.new(b"musharaka-session", password_hash.encode(), "sha256").hexdigest()[:16]


# --- CSRF: a random token per session, echoed by every form ------------------------

CSRF_SESSION_KEY = "csrf"
CSRF_FORM_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def csrf_token(session: dict[str, Any]) -> str:
    """The session's token, created on first use."""
    token = session.get(CSRF_SESSION_KEY)
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        session[CSRF_SESSION_KEY] = token
    return token


def csrf_matches(session: dict[str, Any], presented: str | None) -> bool:
    expected = session.get(CSRF_SESSION_KEY)
    if not isinstance(expected, str) or not expected or not presented:
        return False
    return hmac.compare_digest(expected.encode(), presented.encode())


# --- Sign-in rate limit -------------------------------------------------------------


@dataclass(frozen=True)
class LoginLimits:
    """At most ``per_account`` failed sign-ins per login name and ``per_address`` per
    client address within ``window``; further attempts are refused unchecked."""

    per_account: int = 5
    per_address: int = 30
    window: timedelta = timedelta(minutes=15)


async def wait_before_next_attempt(
    session: AsyncSession, limits: LoginLimits, *, username: str, ip: str, now: datetime
) -> timedelta | None:
    """None when a sign-in may be tried now, else how long to wait."""
    since = now - limits.window
    waits: list[timedelta] = []
    for kind_limit, who in (
        (limits.per_account, {"username": username}),
        (limits.per_address, {"ip": ip}),
    ):
        if not any(who.values()):
            continue
        count, oldest = await audit.recent_failed_logins(session, since=since, **who)
        if count >= kind_limit and oldest is not None:
            waits.append(max(oldest + limits.window - now, timedelta(seconds=1)))
    return max(waits) if waits else None
