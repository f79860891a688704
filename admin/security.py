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

from storage import throttles

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
#
# Three counters (storage.throttles), checked and counted in one locked transaction before
# argon2 runs, so parallel guesses cannot all slip under a limit:
#   * one login name from one address: 5 failures per 15 minutes, then refused;
#   * one address, whatever the names: 30 failures per 15 minutes, then refused;
#   * one login name from every address together: after 10 failures, attempts are spaced
#     out (10 s, doubling, at most 5 minutes) instead of refused, so guessing from many
#     addresses is slowed down but cannot lock the owner out for a quarter of an hour.
# Each attempt is counted as a failure when it is let through (a reservation) and given
# back when the password was right.

PAIR, ADDRESS, NAME = "signin_pair", "signin_address", "signin_name"


@dataclass(frozen=True)
class LoginLimits:
    per_account: int = 5  # per (login name, address)
    per_address: int = 30
    window: timedelta = timedelta(minutes=15)
    per_name_before_backoff: int = 10  # per login name, from all addresses together
    first_backoff: timedelta = timedelta(seconds=10)
    longest_backoff: timedelta = timedelta(minutes=5)

    def backoff(self, failures: int) -> timedelta:
        steps = max(0, failures - self.per_name_before_backoff)
        seconds = self.first_backoff.total_seconds() * 2 ** min(steps, 16)
        return min(timedelta(seconds=seconds), self.longest_backoff)


@dataclass(frozen=True)
class Attempt:
    """The counters one sign-in attempt is filed under."""

    username: str
    ip: str

    def subjects(self) -> list[tuple[str, str]]:
        found = [(PAIR, f"{self.username}|{self.ip}"), (NAME, self.username)]
        if self.ip:
            found.append((ADDRESS, self.ip))
        return found


@dataclass(frozen=True)
class Refusal:
    wait: timedelta
    counter: throttles.AttemptCounter  # the one that refused (its audit entry aggregates)


async def reserve_attempt(
    session: AsyncSession, limits: LoginLimits, attempt: Attempt, now: datetime
) -> Refusal | None:
    """None when the password may be checked now (the attempt is counted as a failure until
    ``give_back`` says otherwise); else a refusal with how long to wait."""
    pair = await throttles.locked_counter(
        session, PAIR, f"{attempt.username}|{attempt.ip}", now, limits.window
    )
    name = await throttles.locked_counter(session, NAME, attempt.username, now, limits.window)
    address = (
        await throttles.locked_counter(session, ADDRESS, attempt.ip, now, limits.window)
        if attempt.ip
        else None
    )
    refusals = []
    wait = throttles.wait_of(pair, throttles.Limit(limits.per_account, limits.window), now)
    if wait is not None:
        refusals.append(Refusal(wait, pair))
    if address is not None:
        wait = throttles.wait_of(address, throttles.Limit(limits.per_address, limits.window), now)
        if wait is not None:
            refusals.append(Refusal(wait, address))
    if name.next_allowed_at is not None and name.next_allowed_at > now:
        refusals.append(Refusal(name.next_allowed_at - now, name))
    if refusals:
        refusal = max(refusals, key=lambda r: r.wait)
        refusal.counter.refused += 1
        await session.flush()
        return refusal
    for counter in (pair, name, address):
        if counter is not None:
            counter.failures += 1
    if name.failures >= limits.per_name_before_backoff:
        name.next_allowed_at = now + limits.backoff(name.failures)
    await session.flush()
    return None


async def give_back(
    session: AsyncSession, limits: LoginLimits, attempt: Attempt, now: datetime
) -> None:
    """The password was right: this attempt was no failure, and this address starts afresh."""
    for purpose, subject in attempt.subjects():
        counter = await throttles.locked_counter(session, purpose, subject, now, limits.window)
        counter.failures = 0 if purpose == PAIR else max(0, counter.failures - 1)
        if purpose == NAME:
            counter.next_allowed_at = None
    await session.flush()
