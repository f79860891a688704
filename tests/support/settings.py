"""Settings for tests: in-memory SQLite, no token, no Redis, generous flood limit."""

from __future__ import annotations

import tempfile
from pathlib import Path

from core.config import Settings

# Files residents send in tests land here, never in the working directory.
TEST_MEDIA = Path(tempfile.gettempdir()) / "musharaka-test-media"


def settings_for_tests(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "bot_token": None,
        "database_url": "sqlite+aiosqlite:///:memory:",
        "redis_url": None,
        "default_language": "ar",
        "flood_max_updates": 1000,
        "media_dir": TEST_MEDIA,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]
