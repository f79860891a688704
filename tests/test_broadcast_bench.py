"""The broadcast-rate benchmark keeps running: a few messages through the real sender process
and the fake Telegram in limit mode (its figures are printed, never asserted)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_broadcast_rate_benchmark_runs_and_prints_its_figures() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MUSHARAKA_")}
    result = subprocess.run(
        [sys.executable, "bench/broadcast_rate.py", "--messages", "12"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "SQLite: 12 messages, limit 30/s, 8 workers:" in result.stdout
    assert "of the limit" in result.stdout and "missed: 0" in result.stdout
