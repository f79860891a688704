"""`musharaka admin`: refuses the published session key; `--demo` is ready to try."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from admin.app import create_app
from bot.cli.admin import DEMO_PASSWORD, count_logins, prepare_demo
from core.clock import FixedClock
from storage.db import Database
from tests.admin.support import AdminSite, StaffClient
from tests.support.settings import settings_for_tests

ROOT = Path(__file__).resolve().parents[2]


def test_the_admin_command_will_not_start_with_the_default_secret(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MUSHARAKA_")}
    env["MUSHARAKA_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite'}"
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "admin", "--port", "1"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "MUSHARAKA_ADMIN_SECRET_KEY" in result.stderr
    assert "--demo" in result.stderr


async def test_demo_mode_fills_the_demo_and_lets_the_three_demo_logins_in(
    tmp_path: Path,
) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'demo.sqlite'}")
    await db.upgrade()
    await prepare_demo(db, datetime(2026, 3, 1, tzinfo=UTC))
    await prepare_demo(db, datetime(2026, 3, 1, tzinfo=UTC))  # a second start changes nothing
    assert await count_logins(db) == 3
    settings = settings_for_tests()
    app = create_app(settings, db, demo=True)
    site = AdminSite(app=app, db=db, clock=FixedClock(datetime.now(UTC)), settings=settings)
    for username in ("admin", "staff", "consultant"):
        client = StaffClient(site)
        await client.sign_in(username, DEMO_PASSWORD)
        assert "٨ المعتمديات" in client.text and "٢ فروع مركز الدعم" in client.text
        await client.close()
    await db.dispose()
