"""The priorities benchmark keeps running (a small fill; its figures are not asserted)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_benchmark_runs_and_prints_its_figures() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MUSHARAKA_")}
    result = subprocess.run(
        [
            sys.executable,
            "bench/priorities.py",
            "--submissions",
            "300",
            "--runs",
            "1",
            "--no-postgres",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "SQLite: filled 300 submissions" in result.stdout
    assert "all districts (overall + 8 districts)" in result.stdout
    assert "(300 respondents)" in result.stdout
