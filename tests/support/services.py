"""Reaching the real PostgreSQL and Redis the CI provides, or skipping politely.

``MUSHARAKA_TEST_POSTGRES_URL`` / ``MUSHARAKA_TEST_REDIS_URL`` name the services.
Under ``MUSHARAKA_REQUIRE_SERVICES=1`` (set by .ci/run) a missing or unreachable
service fails the test instead of skipping it.
"""

from __future__ import annotations

import os
import uuid

import pytest

POSTGRES_ENV = "MUSHARAKA_TEST_POSTGRES_URL"
REDIS_ENV = "MUSHARAKA_TEST_REDIS_URL"


def services_required() -> bool:
    return os.environ.get("MUSHARAKA_REQUIRE_SERVICES") == "1"


def unavailable(reason: str) -> None:
    if services_required():
        pytest.fail(f"{reason} (MUSHARAKA_REQUIRE_SERVICES=1, so this fails instead of skipping)")
    pytest.skip(reason)


def postgres_url() -> str:
    url = os.environ.get(POSTGRES_ENV, "")
    if not url:
        unavailable(
            f"PostgreSQL tests need {POSTGRES_ENV}, "
            "e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test"
        )
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+asyncpg://" + url.split("://", 1)[1]
    return url


def redis_url() -> str:
    url = os.environ.get(REDIS_ENV, "")
    if not url:
        unavailable(f"Redis tests need {REDIS_ENV}, e.g. redis://127.0.0.1:6379/0")
    return url


def unique_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"
